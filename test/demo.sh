#!/usr/bin/env bash
#
# corm's tour, from nothing: installs PostgreSQL 15 and the build tools with
# apt, builds and installs corm, then runs test/demo.sql on a throwaway
# cluster made by pg_virtualenv and shows the schema corm generated.
#
#     bash test/demo.sh          (as root on Debian 12; safe to run again)
#
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source test/setup.sh

section "1/4 Installing PostgreSQL $PG_MAJOR and the build tools (apt-get)"
install_packages

section "2/4 Building corm (make, warnings are errors)"
make PG_CONFIG="$PG_CONFIG"

section "3/4 Installing corm into PostgreSQL $PG_MAJOR (make install)"
as_root make install PG_CONFIG="$PG_CONFIG"

section "4/4 The tour: test/demo.sql on a throwaway cluster (pg_virtualenv)"
# pg_virtualenv would put its cluster on a PGPORT from our environment
unset PGPORT PGHOST PGHOSTADDR PGDATABASE PGUSER PGPASSWORD PGSERVICE
pg_virtualenv -t -v "$PG_MAJOR" -c "$CLUSTER_OPTS" \
	psql -X -v ON_ERROR_STOP=1 -f test/demo.sql

section "demo: OK"
