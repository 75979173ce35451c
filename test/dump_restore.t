#!/usr/bin/env bash
# pg_dump and pg_restore of a database that uses corm give back the same
# models, tables, rows and behaviour (SPEC §8).  Runs against the server the
# PG* variables name (pg_virtualenv sets them); prints TAP for prove.
set -u
src=corm_dump_src_$$
dst=corm_dump_dst_$$
plain=corm_dump_plain_$$
remote=corm_dump_remote_$$
dump=$(mktemp)
sql=$(mktemp)
tests=0
failed=0

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1; }
is() {
	tests=$((tests + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $tests - $1"
	else
		failed=$((failed + 1))
		echo "not ok $tests - $1"
		echo "#   have: $2"
		echo "#   want: $3"
	fi
}

echo "1..21"
createdb "$src" && createdb "$dst" && createdb "$plain" && createdb "$remote" ||
	{ echo "Bail out! cannot create databases"; exit 1; }
trap 'for d in "$src" "$dst" "$plain" "$remote"; do dropdb --if-exists --force "$d"; done; rm -f "$dump" "$sql"' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL'
CREATE EXTENSION corm;
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_mixin('TimestampMixin',
  columns => 'created timestamp NOT NULL DEFAULT now(), updated timestamp', onupdate => 'updated = now()');
SELECT corm.register_query_class('GetOrQuery');
SELECT corm.register_query_method('GetOrQuery', 'get_or',
  args => 'ident @pktype@, "default" @rowtype@ DEFAULT NULL', returns => '@rowtype@',
  body => 'SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), "default")');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar', query_class => 'GetOrQuery');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
SELECT corm.register_model('Author', model_class => 'IdModel');
SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}',
  columns => 'author_id int REFERENCES author');
SELECT corm.register_relationship('Author', 'posts', 'Post');
-- registered again, so the parent's catalog row comes after its child's
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar, email text',
  query_class => 'GetOrQuery');
INSERT INTO employee_view (name, title) VALUES ('ann', 'cto');
INSERT INTO author DEFAULT VALUES;
INSERT INTO post (author_id) VALUES (1);
SQL

# a bind to another database (SPEC §7): the dump carries the server, the
# user mapping, the foreign table and the model; the remote keeps its table
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -v remote="$remote" -v password="${PGPASSWORD:-}" >/dev/null <<'SQL'
CREATE EXTENSION postgres_fdw;
SELECT set_config('dump.remote', :'remote', false), set_config('dump.password', :'password', false);
DO $$
BEGIN
    EXECUTE format('CREATE SERVER dump_remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L)',
                   coalesce(host(inet_server_addr()), split_part(current_setting('unix_socket_directories'), ',', 1)),
                   current_setting('port'), current_setting('dump.remote'));
    IF current_setting('dump.password') = '' THEN
        EXECUTE 'CREATE USER MAPPING FOR CURRENT_USER SERVER dump_remote';
    ELSE
        EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER dump_remote OPTIONS (user %L, password %L)',
                       current_user, current_setting('dump.password'));
    END IF;
END $$;
SELECT corm.register_bind('accounts', schema => 'accounts', server => 'dump_remote');
SELECT corm.register_model('Account', model_class => 'IdModel', bind_key => 'accounts', columns => 'email text NOT NULL');
INSERT INTO accounts.account_view (email) VALUES ('ann@example.com'), ('bob@example.com');
SQL

# pg_dump must not warn: a warning that the dump may not restore (0.1's
# self-referencing catalog keys gave one) reads as a backup that may be lost
is "pg_dump (custom format) prints nothing on stderr" "$(pg_dump -Fc -d "$src" -f "$dump" 2>&1)" ""
is "pg_dump (plain format) prints nothing on stderr" "$(pg_dump -Fp -d "$src" -f "$sql" 2>&1)" ""
restore=$(pg_restore -d "$dst" "$dump" 2>&1)
is "pg_restore reports no error" "$restore" ""
is "the plain dump restores through psql without a word on stderr" \
   "$(psql -X -q -v ON_ERROR_STOP=1 -d "$plain" -f "$sql" 2>&1 >/dev/null)" ""

models="SELECT string_agg(name || ':' || kind || ':' || \"table\" || ':' || coalesce(parent, ''), ',' ORDER BY name) FROM corm.models"
is "the same models" "$(q "$dst" "$models")" "$(q "$src" "$models")"
is "the same models from the plain dump" "$(q "$plain" "$models")" "$(q "$src" "$models")"
columns="SELECT string_agg(model || '.' || name || ':' || type, ',' ORDER BY model, position) FROM corm.columns"
is "the same columns" "$(q "$dst" "$columns")" "$(q "$src" "$columns")"
rows="SELECT string_agg(format('%s %s %s', id, name, title), ',' ORDER BY id) FROM employee_view"
is "the same rows through the views" "$(q "$dst" "$rows")" "$(q "$src" "$rows")"
accounts="SELECT string_agg(format('%s %s', id, email), ',' ORDER BY id) FROM accounts.account_view"
is "the same rows through a remote model's view" "$(q "$dst" "$accounts")" "$(q "$src" "$accounts")"
is "and from the plain dump" "$(q "$plain" "$accounts")" "$(q "$src" "$accounts")"
is "corm.check() finds no drift" "$(q "$dst" "SELECT count(*) FROM corm.check()")" "0"
is "the joined view still inserts into both tables" \
   "$(q "$dst" "INSERT INTO employee_view (name, title) VALUES ('bob', 'dev') RETURNING id, name, title")" "2|bob|dev"
is "the generated query function works" "$(q "$dst" "SELECT name FROM user_get_or(1)")" "ann"
is "get_or_404 still refuses" "$(q "$dst" "SELECT name FROM user_get_or_404(42)" | head -1)" "ERROR:  User 42 not found"
is "the onupdate trigger still fires" \
   "$(q "$dst" "UPDATE post SET author_id = 1 RETURNING updated IS NOT NULL")" "t"
is "the relationship still scopes" \
   "$(q "$dst" "SELECT author_posts_count(a) FROM author_view a WHERE id = 1")" "1"
is "registering again unchanged runs no DDL" \
   "$(q "$dst" "SELECT corm.dry_run(\$\$SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}', columns => 'author_id int REFERENCES author')\$\$)")" ""
is "registering a remote model again unchanged runs no DDL, there or here" \
   "$(q "$dst" "SELECT count(*) FROM corm.register_model('Account', model_class => 'IdModel', bind_key => 'accounts', columns => 'email text NOT NULL')")" "0"
is "a remote model's view inserts after the restore, numbered there" \
   "$(q "$dst" "INSERT INTO accounts.account_view (email) VALUES ('cy@example.com') RETURNING id, email")" "3|cy@example.com"
is "new models can be registered after the restore" \
   "$(q "$dst" "SELECT corm.register_model('Comment', model_class => 'IdModel', columns => 'body text')" >/dev/null; q "$dst" "SELECT count(*) FROM comment_view")" "0"

is "the restored catalog still refuses a parent that does not exist" \
   "$(q "$dst" "SELECT corm.register_model('Orphan', parent => 'Nobody')" | head -1)" \
   'ERROR:  model "Nobody" does not exist'

echo "# $((tests - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
