#!/usr/bin/env bash
# corm.diagram() renders in the real renderers (SPEC §8): every model set
# below, in both formats, through Graphviz's dot and mermaid-cli's mmdc.
# A renderer's error, an empty picture, or a picture with other nodes or
# edges than the diagram's text has (a name that broke the syntax) fails.
# Runs against the server the PG* variables name (pg_virtualenv sets them);
# prints TAP for prove.  test/diagram/install.sh installs mermaid-cli; the
# browser is the system's Chromium (CHROMIUM names another).  The pictures
# stay in test/diagram/out for a look.
set -u
export PGCLIENTENCODING=UTF8
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
db=corm_render_$$
latin1=corm_render_latin1_$$
mmdc=$here/node_modules/.bin/mmdc
chromium=${CHROMIUM:-/usr/bin/chromium}
tests=0
failed=0

ok() {
	tests=$((tests + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tests - $2"
	else
		failed=$((failed + 1))
		echo "not ok $tests - $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' <<<"$3"
	fi
	return 0
}
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null; }
diagram() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "SELECT corm.diagram($2)"; }

echo "1..29"
command -v dot >/dev/null || { echo "Bail out! Graphviz's dot is not installed"; exit 1; }
[ -x "$mmdc" ] || { echo "Bail out! mermaid-cli is not installed: run test/diagram/install.sh"; exit 1; }
[ -x "$chromium" ] || { echo "Bail out! no Chromium at $chromium"; exit 1; }
createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C "$db" &&
	createdb -T template0 -E LATIN1 --lc-collate=C --lc-ctype=C "$latin1" ||
	{ echo "Bail out! cannot create databases"; exit 1; }
trap 'dropdb --if-exists "$db"; dropdb --if-exists "$latin1"' EXIT
rm -rf "$out" && mkdir -p "$out"
# tests run as root: Chromium's sandbox needs a user of its own
printf '{"executablePath": "%s", "args": ["--no-sandbox", "--disable-gpu"]}\n' "$chromium" \
	>"$out/puppeteer.json"

# render NAME: out/NAME.dot and out/NAME.mmd through both renderers, then
# count what each drew against the text: a node per model, an edge per line
# joining two of them
render() {
	local name=$1 models=$2 err nodes edges
	err=$(dot -Tsvg "$out/$name.dot" -o "$out/$name.dot.svg" 2>&1)
	[ $? = 0 ] && [ -s "$out/$name.dot.svg" ] && [ -z "$err" ]
	ok $? "$name: dot renders the DOT" "$err"
	nodes=$(grep -c 'class="node"' "$out/$name.dot.svg")
	edges=$(grep -c 'class="edge"' "$out/$name.dot.svg")
	[ "$nodes" = "$models" ] && [ "$edges" = "$(grep -Ec '^	m[0-9]+ -> m[0-9]+ \[' "$out/$name.dot")" ]
	ok $? "$name: dot drew $models nodes and the edges of the text" "nodes $nodes, edges $edges"
	err=$("$mmdc" -q -p "$out/puppeteer.json" -i "$out/$name.mmd" -o "$out/$name.mmd.svg" 2>&1)
	[ $? = 0 ] && [ -s "$out/$name.mmd.svg" ]
	ok $? "$name: mermaid-cli renders the mermaid" "$err"
	nodes=$(grep -o 'id="my-svg-entity-m[0-9]*-[0-9]*"' "$out/$name.mmd.svg" | wc -l)
	edges=$(grep -o 'id="my-svg-id_entity-[^"]*"' "$out/$name.mmd.svg" | wc -l)
	[ "$nodes" = "$models" ] && [ "$edges" = "$(grep -Ec '^    m[0-9]+ [^ ]+ m[0-9]+ : "' "$out/$name.mmd")" ]
	ok $? "$name: mermaid drew $models entities and the relationships of the text" "entities $nodes, relationships $edges"
}

# fetch NAME DB MODELS: both formats of corm.diagram(format, MODELS)
fetch() {
	diagram "$2" "'dot', $3" >"$out/$1.dot" && diagram "$2" "'mermaid', $3" >"$out/$1.mmd"
	ok $? "$1: corm.diagram() gives both formats"
}

# the seed (SPEC §5) with a relationship
sql "$db" <<'SQL'
CREATE EXTENSION corm;
SET client_min_messages = warning;
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
SELECT corm.register_mixin('TimestampMixin',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = now()');
SELECT corm.register_model('Author', model_class => 'IdModel');
SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}',
  columns => 'author_id int REFERENCES author');
SELECT corm.register_relationship('Author', 'posts', 'Post');
SQL
fetch seed "$db" NULL
render seed 4
# the README's picture is this diagram: after a change to corm.diagram(),
#   cp test/diagram/out/seed.dot doc/models.dot
#   dot -Tpng -Gdpi=144 doc/models.dot -o doc/models.png
err=$(diff "$here/../../doc/models.dot" "$out/seed.dot" 2>&1)
ok $? "doc/models.dot is the seed's diagram as corm draws it" "$err"

# single-table and joined inheritance, an abstract parent, relationships
# both ways and a self-referencing one
sql "$db" <<'SQL'
SET client_min_messages = warning;
SELECT corm.register_model('Manager', parent => 'Employee', columns => 'reports int');
SELECT corm.register_model('Item', model_class => 'IdModel', polymorphic_on => 'type',
  columns => 'type text NOT NULL, owner_id int REFERENCES "user", parent_id int REFERENCES item');
SELECT corm.register_model('Gift', parent => 'Item', model_class => 'Model', columns => 'wrapped boolean');
SELECT corm.register_model('Voucher', parent => 'Item', model_class => 'Model', columns => 'code text',
  indexes => ARRAY['UNIQUE (code)']);
SELECT corm.register_model('Named', abstract => true, columns => 'label text');
SELECT corm.register_model('Tag', parent => 'Named', model_class => 'IdModel', mixins => '{TimestampMixin}');
SELECT corm.register_relationship('Post', 'author', 'Author');
SELECT corm.register_relationship('User', 'items', 'Item');
SELECT corm.register_relationship('Item', 'owner', 'User');
SELECT corm.register_relationship('Item', 'children', 'Item');
SQL
fetch inheritance "$db" NULL
render inheritance 9
fetch abstract "$db" "'{Tag,Named,Manager,User}'"
render abstract 4

# hostile names: quotes, backslashes, newlines, braces, <>, |, unicode and
# keywords of both languages, in models, mixins, model classes and columns
sql "$db" <<'SQL'
SET client_min_messages = warning;
SELECT corm.register_model_class('Id"Model<b>', primary_key => 'id integer');
SELECT corm.register_mixin(E'Mix}\\in{ %% #35; `x`',
  columns => E'"a""b\\c" text, "new\nline" int, "<td>|{}" text, "PK" int, "direction TB" int, "--> x" int, "x\\Ny\\G" int');
SELECT corm.register_model('User"]; node [x] } -- %%{init}%% direction TB', model_class => 'Id"Model<b>',
  tablename => 'hostile_user', mixins => ARRAY[E'Mix}\\in{ %% #35; `x`'],
  columns => E'"Ünïcödé ßﬂ°¶ ☃ 😀" text, "graph" int, "subgraph" int, "end" text, "style: x #fff;" text, "&amp;&#60;" text');
SELECT corm.register_model('<TABLE>&amp;', parent => 'User"]; node [x] } -- %%{init}%% direction TB',
  tablename => 'hostile_sub', columns => E'"]]>" text, "\t|" text');
SELECT corm.register_model('Target {x} ||--o{ digraph', model_class => 'Id"Model<b>', tablename => 'hostile_target',
  columns => E'"owner id" int REFERENCES hostile_user, "`" text, "classDef x fill:#f00;" text, "erDiagram" text');
SELECT corm.register_relationship('User"]; node [x] } -- %%{init}%% direction TB', 'direction', 'Target {x} ||--o{ digraph');
SELECT corm.register_relationship('Target {x} ||--o{ digraph', 'node', 'User"]; node [x] } -- %%{init}%% direction TB');
SQL
fetch hostile "$db" "ARRAY(SELECT name FROM corm.model WHERE \"table_name\" LIKE 'hostile%')"
render hostile 3
# and the pictures show the names as they are
for svg in dot.svg mmd.svg; do
	missing=
	for name in 'x\Ny\G' 'Mix}\in{ %% #35; `x`' 'classDef x fill:#f00;' 'style: x #fff;' \
		'direction TB' 'Ünïcödé ß' '☃ 😀' 'Target {x} ||'; do
		grep -qF -- "$name" "$out/hostile.$svg" || missing="$missing$name"$'\n'
	done
	[ -z "$missing" ]
	ok $? "hostile: the $svg picture shows the names" "missing: $missing"
done

# a database that is not UTF-8: names beyond ASCII become references
sql "$latin1" <<'SQL'
CREATE EXTENSION corm;
SET client_min_messages = warning;
SELECT corm.register_model('Café', columns => 'id int PRIMARY KEY, "naïve" text', tablename => 'cafe');
SQL
fetch latin1 "$latin1" NULL
render latin1 1
LC_ALL=C grep -q '[^ -~	]' "$out/latin1.dot" "$out/latin1.mmd"
ok $((! $?)) "latin1: both formats are ASCII"

echo "# $((tests - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
