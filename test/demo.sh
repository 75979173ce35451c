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

PG_MAJOR=15
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
PACKAGES=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-$PG_MAJOR-pgtap
          libtap-parser-sourcehandler-pgtap-perl make gcc libc6-dev)
# one locale for every cluster, whatever the machine's: C.UTF-8 is always there
CLUSTER_OPTS='--locale=C.UTF-8 --encoding=UTF8'
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

section() { printf '\n==== %s\n' "$*"; }

# apt-get and make install write to the system: as root, or through sudo
as_root()
{
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo --preserve-env=DEBIAN_FRONTEND "$@"
	else
		echo "error: run this as root: '$*' needs it" >&2
		exit 1
	fi
}

packages_installed()
{
	local p

	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || return 1
	done
}

install_packages()
{
	local apt=(apt-get -o DPkg::Lock::Timeout=600 -q)

	if ! as_root "${apt[@]}" update; then
		# offline is fine when everything is there already
		packages_installed || { echo "error: apt-get update failed" >&2; exit 1; }
		echo "warning: apt-get update failed; every package is installed already" >&2
	fi
	as_root "${apt[@]}" install -y "${PACKAGES[@]}"
}

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
