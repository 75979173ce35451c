#!/usr/bin/env bash
# Upgrades are tested, not hoped for: for every earlier version of corm that
# has an update path to the current one (sql/corm--A--B.sql scripts), a
# database installs that version, registers models, runs ALTER EXTENSION
# corm UPDATE, and must end with the same catalog (tables, columns,
# constraints, functions) as a fresh install of the current version, and
# with its models intact.  Prints TAP; runs against the PG* server.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
current=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\(.*\)'/\1/p" corm.control)
mapfile -t earlier < <(ls sql/corm--*--*.sql 2>/dev/null | sed -n 's|sql/corm--\(.*\)--.*\.sql|\1|p' | sort -uV)

if [ "${#earlier[@]}" -eq 0 ]; then
	echo "1..0 # SKIP corm $current is the first version: no earlier version to upgrade from"
	exit 0
fi

fresh=corm_upgrade_fresh_$$
tests=0
failed=0
trap 'dropdb --if-exists "$fresh"; for v in "${earlier[@]}"; do dropdb --if-exists "corm_upgrade_${v//./_}_$$"; done' EXIT

# corm's catalog as a text fingerprint: its relations, columns, constraints, functions
fingerprint="
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT c.relname || ' ' || c.relkind AS x FROM pg_class c WHERE c.relnamespace = 'corm'::regnamespace
  UNION ALL SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'corm'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'corm'::regnamespace
  UNION ALL SELECT p.oid::regprocedure::text || ' ' || p.prosrc FROM pg_proc p WHERE p.pronamespace = 'corm'::regnamespace
) s"

createdb "$fresh"
psql -X -q -d "$fresh" -c "CREATE EXTENSION corm" >/dev/null
want=$(psql -X -q -A -t -d "$fresh" -c "$fingerprint")

echo "1..$((2 * ${#earlier[@]}))"
for v in "${earlier[@]}"; do
	db="corm_upgrade_${v//./_}_$$"
	createdb "$db"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
CREATE EXTENSION corm VERSION '$v';
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
INSERT INTO employee_view (name, title) VALUES ('ann', 'cto');
ALTER EXTENSION corm UPDATE;
SQL
	have=$(psql -X -q -A -t -d "$db" -c "$fingerprint")
	tests=$((tests + 1))
	if [ "$have" = "$want" ]; then
		echo "ok $tests - $v upgraded to $current has the catalog of a fresh install"
	else
		failed=$((failed + 1))
		echo "not ok $tests - $v upgraded to $current has the catalog of a fresh install"
		diff <(echo "$want") <(echo "$have") | sed 's/^/# /'
	fi
	tests=$((tests + 1))
	rows=$(psql -X -q -A -t -d "$db" -c "SELECT count(*) FROM corm.check()" -c "SELECT name || ':' || title FROM employee_view")
	if [ "$rows" = $'0\nann:cto' ]; then
		echo "ok $tests - $v upgraded to $current keeps its models and rows"
	else
		failed=$((failed + 1))
		echo "not ok $tests - $v upgraded to $current keeps its models and rows"
		echo "# have: $rows"
	fi
done
echo "# $((tests - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
