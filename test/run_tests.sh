#!/usr/bin/env bash
#
# Every test of corm, from nothing: installs PostgreSQL 15, pgTAP and the
# build tools with apt, builds corm from clean (warnings are errors) and
# installs it, then on a throwaway cluster made by pg_virtualenv runs
#   stages       make stages         (src/ calls only downward, test/stages.sh)
#   pg_regress   make installcheck   (the REGRESS list of the Makefile)
#   pgTAP        make prove          (test/pgtap/*.sql; none yet is no failure)
#   round trip   make roundtrip      (pg_dump and pg_restore, test/dump_restore.t)
#   isolation    make isolation      (test/isolation/specs, pg_isolation_regress)
#   upgrades     make upgrade        (earlier versions updated to this one, test/upgrade.t)
#   diagrams     make render         (corm.diagram() through Graphviz and mermaid-cli)
#   convergence  make converge       (seeded histories: migrated against built fresh)
#   Flask        make flask          (a Flask-SQLAlchemy application on corm's tables, test/flask)
#   fuzzing      make fuzz           (a bounded pass of test/fuzz, about 75 s)
# then prints a summary: one line per suite, the diff or TAP failures of
# each suite that failed, and last the line
#   run_tests: N passed, M failed[, K skipped]
# counting suites; it exits non-zero when any of them failed.
#
#     bash test/run_tests.sh                        (as root on Debian 12)
#     REGRESS="setup naming" bash test/run_tests.sh   (some pg_regress tests only)
#
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source test/setup.sh
PACKAGES+=(python3 python3-psycopg2 graphviz chromium python3-flask-sqlalchemy python3-alembic python3-sqlalchemy)	# fuzzing, convergence, Flask-SQLAlchemy; the diagrams
command -v npm >/dev/null || PACKAGES+=(npm)	# mermaid-cli (test/diagram/install.sh)

# ---------------------------------------------------------------------------
# Inside the cluster (pg_virtualenv runs this script again with --in-cluster;
# PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE point at the cluster).
# ---------------------------------------------------------------------------

# Each suite prints as it runs and also into $CORM_TEST_LOGS/<suite>.log;
# its outcome (PASSED, FAILED or SKIPPED) goes to $CORM_TEST_RESULTS.
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$CORM_TEST_RESULTS"; }

# run_suite ID TITLE COMMAND...: one suite, its output kept for the summary
run_suite()
{
	local id=$1 title=$2 log=$CORM_TEST_LOGS/$1.log rc
	shift 2

	section "$title"
	set +e
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	if [[ $rc -ne 0 ]]; then
		record "$id" FAILED "$title"
	elif grep -q -E '^(1\.\.0 # SKIP|.*\.\. skipped)' "$log"; then
		record "$id" SKIPPED "$title"
	else
		record "$id" PASSED "$title"
	fi
}

pg_regress_suite()
{
	local regress=()

	[[ -n ${REGRESS:-} ]] && regress=(REGRESS="$REGRESS")
	rm -f regression.diffs
	if make installcheck PG_CONFIG="$PG_CONFIG" "${regress[@]}"; then
		return 0
	fi
	# the diff is what a reader needs: keep it for the summary
	[[ -s regression.diffs ]] && cp regression.diffs "$CORM_TEST_LOGS/pg_regress.diffs"
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

pgtap_suite()
{
	local left

	# each file creates what it needs (CREATE EXTENSION pgtap, corm) inside
	# its own transaction and rolls it back: nothing is set up here
	make prove PG_CONFIG="$PG_CONFIG" || return 1
	left=$(leftovers)
	if [[ -n $left ]]; then
		echo "not ok - pgTAP tests left objects behind in database $PGDATABASE:"
		echo "$left"
		echo "(each file must roll back what it creates)"
		return 1
	fi
}

if [[ ${1:-} == --in-cluster ]]; then
	section "Throwaway cluster: PostgreSQL $PGVERSION on $PGHOST:$PGPORT"
	run_suite stages "stages: make stages (test/stages.sh, src/ calls only downward)" \
		make stages PG_CONFIG="$PG_CONFIG"
	run_suite pg_regress "pg_regress: make installcheck${REGRESS:+ REGRESS=\"$REGRESS\"}" pg_regress_suite
	run_suite pgtap "pgTAP: make prove (test/pgtap)" pgtap_suite
	run_suite roundtrip "pg_dump / pg_restore: make roundtrip (test/dump_restore.t)" \
		make roundtrip PG_CONFIG="$PG_CONFIG"
	run_suite isolation "isolation: make isolation (test/isolation, pg_isolation_regress)" \
		make isolation PG_CONFIG="$PG_CONFIG"
	run_suite upgrade "upgrades: make upgrade (test/upgrade.t)" \
		make upgrade PG_CONFIG="$PG_CONFIG"
	run_suite render "diagrams: make render (test/diagram, Graphviz and mermaid-cli)" \
		make render PG_CONFIG="$PG_CONFIG"
	run_suite converge "convergence: make converge (test/convergence, migrated against fresh)" \
		make converge PG_CONFIG="$PG_CONFIG"
	run_suite flask "Flask-SQLAlchemy: make flask (test/flask)" \
		make flask PG_CONFIG="$PG_CONFIG"
	# last: a crash it finds restarts the server under everything else
	run_suite fuzz "fuzzing: make fuzz (test/fuzz, a bounded pass)" \
		make fuzz PG_CONFIG="$PG_CONFIG"
	# the outcome is in $CORM_TEST_RESULTS: exiting 0 keeps pg_virtualenv
	# from printing the server's log over the suites' own failures
	exit 0
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
CORM_TEST_LOGS=$(mktemp -d -t corm-logs.XXXXXX)
export CORM_TEST_RESULTS CORM_TEST_LOGS
trap 'rm -rf "$CORM_TEST_RESULTS" "$CORM_TEST_LOGS"' EXIT
# pg_virtualenv would put its cluster on a PGPORT from our environment
unset PGPORT PGHOST PGHOSTADDR PGDATABASE PGUSER PGPASSWORD PGSERVICE
cluster=0
pg_virtualenv -t -v "$PG_MAJOR" -c "$CLUSTER_OPTS" \
	bash test/run_tests.sh --in-cluster || cluster=$?

section "Summary"
passed=0 failed=0 skipped=0
while IFS=$'\t' read -r id outcome title; do
	printf '%-8s %s\n' "$outcome" "$title"
	case $outcome in
		PASSED) passed=$((passed + 1)) ;;
		SKIPPED) skipped=$((skipped + 1)) ;;
		*) failed=$((failed + 1)) ;;
	esac
done <"$CORM_TEST_RESULTS"
if [[ ! -s $CORM_TEST_RESULTS ]]; then
	echo "no suite ran: the throwaway cluster could not be set up (pg_virtualenv exited $cluster)"
	failed=$((failed + 1))
fi
# each failed suite's own diff or TAP failures, last before the verdict
while IFS=$'\t' read -r id outcome title; do
	[[ $outcome == FAILED ]] || continue
	section "FAILED: $title"
	if [[ -s $CORM_TEST_LOGS/$id.diffs ]]; then
		cat "$CORM_TEST_LOGS/$id.diffs"
	elif grep -q -E '^(not ok|#)' "$CORM_TEST_LOGS/$id.log" 2>/dev/null; then
		grep -E -A3 '^not ok|Failed|Dubious|Bail out' "$CORM_TEST_LOGS/$id.log" | tail -n 150
	else
		tail -n 60 "$CORM_TEST_LOGS/$id.log"
	fi
done <"$CORM_TEST_RESULTS"
echo
summary="run_tests: $passed passed, $failed failed"
[[ $skipped -eq 0 ]] || summary+=", $skipped skipped"
echo "$summary"
[[ $failed -eq 0 ]]
