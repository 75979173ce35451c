#!/usr/bin/env bash
#
# Every test of corm, from nothing: installs PostgreSQL 15, pgTAP and the
# build tools with apt, builds corm from clean (warnings are errors) and
# installs it, then on a throwaway cluster made by pg_virtualenv runs
#   pg_regress   make installcheck   (the REGRESS list of the Makefile)
#   pgTAP        make prove          (test/pgtap/*.sql; none yet is no failure)
#   round trip   make roundtrip      (pg_dump and pg_restore, test/dump_restore.t)
#   isolation    make isolation      (test/isolation/specs, pg_isolation_regress)
#   upgrades     make upgrade        (earlier versions updated to this one, test/upgrade.t)
#   fuzzing      make fuzz           (a bounded pass of test/fuzz, about 75 s)
# and exits non-zero when any of them fails.
#
#     bash test/run_tests.sh                        (as root on Debian 12)
#     REGRESS="setup naming" bash test/run_tests.sh   (some pg_regress tests only)
#
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source test/setup.sh
PACKAGES+=(python3)	# the fuzzing pass

# ---------------------------------------------------------------------------
# Inside the cluster (pg_virtualenv runs this script again with --in-cluster;
# PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE point at the cluster).
# Each suite's outcome goes, one line each, to the file $CORM_TEST_RESULTS.
# ---------------------------------------------------------------------------

record() { printf '%-34s %s\n' "$1" "$2" >>"$CORM_TEST_RESULTS"; }

run_pg_regress()
{
	local regress=()

	section "pg_regress: make installcheck${REGRESS:+ REGRESS=\"$REGRESS\"}"
	[[ -n ${REGRESS:-} ]] && regress=(REGRESS="$REGRESS")
	if make installcheck PG_CONFIG="$PG_CONFIG" "${regress[@]}"; then
		record "pg_regress (make installcheck)" "PASSED"
		return 0
	fi
	if [[ -s regression.diffs ]]; then
		section "pg_regress: regression.diffs"
		cat regression.diffs
	fi
	record "pg_regress (make installcheck)" "FAILED"
	return 1
}

# what a database holds beyond a fresh one: extensions, schemas, relations
leftovers()
{
	psql -X -A -t -v ON_ERROR_STOP=1 -c "
		SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
		UNION ALL
		SELECT 'schema ' || nspname FROM pg_namespace
		 WHERE nspname NOT IN ('public', 'information_schema') AND nspname !~ '^pg_'
		UNION ALL
		SELECT 'relation ' || c.oid::regclass FROM pg_class c
		  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
}

run_pgtap()
{
	local left

	section "pgTAP: make prove (test/pgtap)"
	if [[ -z $(find test/pgtap -name '*.sql' 2>/dev/null | head -1) ]]; then
		echo "no pgTAP tests yet: test/pgtap has no *.sql files; skipping"
		record "pgTAP (make prove)" "SKIPPED (no test/pgtap/*.sql yet)"
		return 0
	fi
	# each file creates what it needs (CREATE EXTENSION pgtap, corm) inside
	# its own transaction and rolls it back: nothing is set up here
	if ! make prove PG_CONFIG="$PG_CONFIG"; then
		record "pgTAP (make prove)" "FAILED"
		return 1
	fi
	left=$(leftovers)
	if [[ -n $left ]]; then
		echo "pgTAP tests left objects behind in database $PGDATABASE:"
		echo "$left"
		echo "(each file must roll back what it creates)"
		record "pgTAP (make prove)" "FAILED (left objects behind)"
		return 1
	fi
	record "pgTAP (make prove)" "PASSED"
}

run_roundtrip()
{
	section "pg_dump / pg_restore: make roundtrip (test/dump_restore.t)"
	if make roundtrip PG_CONFIG="$PG_CONFIG"; then
		record "pg_dump/pg_restore (make roundtrip)" "PASSED"
		return 0
	fi
	record "pg_dump/pg_restore (make roundtrip)" "FAILED"
	return 1
}

run_upgrade()
{
	section "upgrades: make upgrade (test/upgrade.t)"
	if make upgrade PG_CONFIG="$PG_CONFIG"; then
		record "upgrades (make upgrade)" "PASSED"
		return 0
	fi
	record "upgrades (make upgrade)" "FAILED"
	return 1
}

run_isolation()
{
	section "isolation: make isolation (test/isolation, pg_isolation_regress)"
	if make isolation PG_CONFIG="$PG_CONFIG"; then
		record "isolation (make isolation)" "PASSED"
		return 0
	fi
	record "isolation (make isolation)" "FAILED"
	return 1
}

run_fuzz()
{
	section "fuzzing: make fuzz (test/fuzz, a bounded pass)"
	if make fuzz PG_CONFIG="$PG_CONFIG"; then
		record "fuzzing (make fuzz)" "PASSED"
		return 0
	fi
	record "fuzzing (make fuzz)" "FAILED"
	return 1
}

if [[ ${1:-} == --in-cluster ]]; then
	section "Throwaway cluster: PostgreSQL $PGVERSION on $PGHOST:$PGPORT"
	status=0
	run_pg_regress || status=1
	run_pgtap || status=1
	run_roundtrip || status=1
	run_isolation || status=1
	run_upgrade || status=1
	# last: a crash it finds restarts the server under everything else
	run_fuzz || status=1
	exit $status
fi

# ---------------------------------------------------------------------------
# Set-up, then the suites in a cluster of their own
# ---------------------------------------------------------------------------

section "1/4 Installing PostgreSQL $PG_MAJOR, pgTAP and the build tools (apt-get)"
install_packages

# from clean: PGXS does not track headers, so a stale object could hide an
# error (or a warning, which -Werror in the Makefile makes an error)
section "2/4 Building corm from clean (make clean && make, warnings are errors)"
make clean PG_CONFIG="$PG_CONFIG"
make PG_CONFIG="$PG_CONFIG"

section "3/4 Installing corm into PostgreSQL $PG_MAJOR (make install)"
as_root make install PG_CONFIG="$PG_CONFIG"

section "4/4 The tests, on a throwaway cluster (pg_virtualenv)"
CORM_TEST_RESULTS=$(mktemp -t corm-tests.XXXXXX)
export CORM_TEST_RESULTS
trap 'rm -f "$CORM_TEST_RESULTS"' EXIT
# pg_virtualenv would put its cluster on a PGPORT from our environment
unset PGPORT PGHOST PGHOSTADDR PGDATABASE PGUSER PGPASSWORD PGSERVICE
status=0
pg_virtualenv -t -v "$PG_MAJOR" -c "$CLUSTER_OPTS" \
	bash test/run_tests.sh --in-cluster || status=$?

section "Summary"
if [[ -s $CORM_TEST_RESULTS ]]; then
	cat "$CORM_TEST_RESULTS"
else
	echo "no suite ran: the throwaway cluster could not be set up"
fi
if [[ $status -ne 0 ]]; then
	echo "run_tests: FAILED"
	exit 1
fi
echo "run_tests: all passed"
