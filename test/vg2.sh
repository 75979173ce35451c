#!/usr/bin/env bash
#
# The regression suite with the server under valgrind's memcheck: every
# backend runs under valgrind, and any invalid read, invalid write or use of
# uninitialised memory is reported.  Not part of the test command (it takes
# tens of minutes); run it by hand, as root, after `make install`:
#
#     bash test/valgrind.sh /path/to/postgresql/src/tools/valgrind.supp
#
# The suppression file is PostgreSQL's own, from the source of the same
# version (it silences known, harmless reports from the server itself).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

supp=${1:?usage: bash test/valgrind.sh PATH/TO/valgrind.supp}
bindir=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[ -x "$bindir/postgres" ] || bindir=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/corm-valgrind.XXXXXX)
chown postgres "$work"
port=55432
logs=$work/logs
mkdir -p "$logs"; chown postgres "$logs"
cp "$supp" "$work/valgrind.supp"; chmod a+r "$work/valgrind.supp"

cleanup() {
	su postgres -c "$bindir/pg_ctl -D $work/data -m fast -w stop" >/dev/null 2>&1 || true
}
trap cleanup EXIT

su postgres -c "$bindir/initdb -D $work/data -E UTF8 --locale=C.UTF-8 -A trust" >/dev/null
su postgres -c "cd $work && nohup valgrind --quiet --trace-children=yes --track-origins=yes \
	--leak-check=no --read-var-info=yes --suppressions=$work/valgrind.supp \
	--error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
	--log-file=$logs/%p.log \
	$bindir/postgres -D $work/data -p $port -k $work -c max_connections=20 >$work/server.log 2>&1 &"
for _ in $(seq 1 120); do
	su postgres -c "$bindir/pg_isready -h $work -p $port" >/dev/null 2>&1 && break
	sleep 2
done
su postgres -c "$bindir/createuser -h $work -p $port -s root"

status=0
PGHOST=$work PGPORT=$port make installcheck REGRESS="setup indexes remote views teardown" EXTRA_REGRESS_OPTS=--outputdir=/tmp/rg-vg || status=$?

errors=$(cat "$logs"/*.log | grep -c VALGRINDERROR-BEGIN || true)
echo "valgrind: $errors error report(s) in $logs"
if [ "$errors" -gt 0 ]; then
	awk '/VALGRINDERROR-BEGIN/,/VALGRINDERROR-END/' "$logs"/*.log | head -200
	status=1
fi
exit $status
