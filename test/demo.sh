#!/usr/bin/env bash
#
# corm's tour, from nothing: installs PostgreSQL 15 and the build tools with
# apt-get, builds and installs corm, then runs test/demo.sql on a throwaway
# cluster made by pg_virtualenv: the seed's models, rows written through a
# joined view, the query functions, a re-registration that migrates, the
# generated schema and the diagram.  Ends with "demo: OK", or exits
# non-zero when anything fails.
#
#     bash test/demo.sh          (as root on Debian 12; safe to run again)
#
# The set-up is quiet: what apt-get and the compiler print goes to a log
# file, shown only when a step fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source test/setup.sh

log=$(mktemp -t corm-demo.XXXXXX)
trap 'rm -f "$log"' EXIT

# quietly CMD...: run a set-up step into the log; on failure show the log
quietly()
{
	if ! "$@" >>"$log" 2>&1; then
		echo "error: '$*' failed; its output:" >&2
		cat "$log" >&2
		exit 1
	fi
}

section "1/4 Installing PostgreSQL $PG_MAJOR and the build tools (apt-get)"
quietly install_packages
echo "done: ${PACKAGES[*]}"

section "2/4 Building corm (make, warnings are errors)"
quietly make PG_CONFIG="$PG_CONFIG"
echo "done"

section "3/4 Installing corm into PostgreSQL $PG_MAJOR (make install)"
quietly as_root make install PG_CONFIG="$PG_CONFIG"
echo "done: $("$PG_CONFIG" --pkglibdir)/corm.so"

section "4/4 The tour: test/demo.sql on a throwaway cluster (pg_virtualenv)"
# pg_virtualenv would put its cluster on a PGPORT from our environment
unset PGPORT PGHOST PGHOSTADDR PGDATABASE PGUSER PGPASSWORD PGSERVICE
pg_virtualenv -t -v "$PG_MAJOR" -c "$CLUSTER_OPTS" \
	psql -X -v ON_ERROR_STOP=1 -f test/demo.sql

echo
echo "demo: OK"
