#!/usr/bin/env bash
#
# corm's suites under changed conditions: no test may depend on the day, the
# clock, the time zone, the date style, the port, the locale or the order a
# plan happens to give.  This runs the pg_regress suite, the pgTAP suite and
# (on request) the isolation, round-trip and upgrade tests on a throwaway
# cluster (pg_virtualenv) whose conditions are changed as told, and exits
# non-zero if any of them fails.  corm must be built and installed
# (make && make install), or see --build; nothing of the source tree is
# written.
#
#     bash test/fuzz/conditions.sh --faketime '2031-02-28 23:59:58'
#     bash test/fuzz/conditions.sh --faketime 'TZ="PST8PDT" 2031-02-28 23:59:58'
#     bash test/fuzz/conditions.sh --faketime '2040-07-01 06:59:58' --timezone Pacific/Kiritimati
#     bash test/fuzz/conditions.sh --timezone America/St_Johns --datestyle 'SQL, DMY'
#     bash test/fuzz/conditions.sh --locale C --port 54329
#     bash test/fuzz/conditions.sh --pgoptions '-c enable_hashagg=off -c enable_sort=off' --twice
#     bash test/fuzz/conditions.sh --suites 'regress prove isolation roundtrip upgrade'
#
# Options (each may be left out; without any, the suites run as the test
# command runs them):
#   --faketime TIME   start the server's wall clock at TIME and let it run
#                     from there: now(), current_date and clock_timestamp()
#                     inside the server move, the clients' clocks do not.
#                     TIME is anything `date -d` reads: without a zone it is
#                     UTC, in another zone 'TZ="PST8PDT" 2031-02-28 23:59:58'.
#                     test/fuzz/fakeclock.c, built here with cc and preloaded
#                     into the postmaster, moves only the wall clock:
#                     timeouts and waits stay real.  pg_regress's sessions
#                     use TimeZone PST8PDT (see --timezone), so their
#                     midnight is 08:00 UTC in winter, 07:00 UTC in summer
#   --rate N          with --faketime: the server's clock runs N times as
#                     fast (e.g. 1000: a suite of a few seconds spans hours;
#                     100000: about a day a second, so that midnight falls
#                     between most statements; autovacuum then starts
#                     workers without end, and now and then the server does
#                     not come up: run again, or add --set autovacuum=off)
#   --libfaketime     with --faketime: preload libfaketime (Debian package
#                     faketime) instead of fakeclock.c.  Under it a timeout
#                     that falls due while a backend waits (deadlock_timeout,
#                     statement_timeout) does not fire, so the isolation
#                     spec registration_deadlock hangs until
#                     isolationtester cancels it after 300 s
#   --timezone ZONE   the TimeZone of every session of every suite
#                     (pg_regress and pg_isolation_regress pin PST8PDT
#                     themselves; this overrides it)
#   --datestyle STYLE the DateStyle of every session (pg_regress pins
#                     'Postgres, MDY'; this overrides it)
#   --locale LOCALE   the cluster's locale (default: what the test command
#                     pins, CLUSTER_OPTS of test/setup.sh), e.g. C or
#                     en_US.UTF-8 if generated
#   --port PORT       the cluster's port (default: a random one from 20000
#                     up, so that runs at the same time do not collide)
#   --set GUC=VALUE   a server setting in postgresql.conf (repeatable), e.g.
#                     --set lc_messages=de_DE.UTF-8 (pg_regress's own
#                     database settings still win over it: use --pgoptions)
#   --pgoptions OPTS  PGOPTIONS for every session (the client's settings win
#                     over the database's), e.g. '-c enable_hashagg=off'
#   --twice           run every suite twice on the same cluster
#   --suites LIST     of regress, prove, isolation, roundtrip, upgrade
#                     (default 'regress prove')
#   --outdir DIR      where outputs and diffs go (default a new directory
#                     under ${TMPDIR:-/tmp}); printed at the end
#   --build           build the working tree's corm (Makefile, corm.control,
#                     src/, sql/) under the outdir and have the cluster load
#                     that build (extension_destdir, a setting of Debian's
#                     PostgreSQL) instead of the installed one: no make
#                     install, and nothing another make install does while
#                     the suites run reaches them.  The upgrade suite puts
#                     libraries in the installation's own directory and
#                     cannot run so
#   --build-rev REV   the same, of git revision REV
#
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
source "$top/test/setup.sh"	# PG_MAJOR, PG_CONFIG, CLUSTER_OPTS, section

usage() { sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit "${1:-2}"; }

faketime='' rate='' timezone='' datestyle='' locale='' port='' pgoptions='' twice=0
suites='regress prove' outdir='' sets=() use_libfaketime=0 build=''
while (($#)); do
	case $1 in
		--faketime) faketime=$2; shift 2 ;;
		--rate) rate=$2; shift 2 ;;
		--libfaketime) use_libfaketime=1; shift ;;
		--timezone) timezone=$2; shift 2 ;;
		--datestyle) datestyle=$2; shift 2 ;;
		--locale) locale=$2; shift 2 ;;
		--port) port=$2; shift 2 ;;
		--set) sets+=("$2"); shift 2 ;;
		--pgoptions) pgoptions=$2; shift 2 ;;
		--twice) twice=1; shift ;;
		--suites) suites=$2; shift 2 ;;
		--outdir) outdir=$2; shift 2 ;;
		--build) build=worktree; shift ;;
		--build-rev) build=$2; shift 2 ;;
		--in-cluster) break ;;
		-h|--help) usage 0 ;;
		*) echo "conditions: unknown option $1" >&2; usage ;;
	esac
done

# ---------------------------------------------------------------------------
# Inside the cluster (this script again, run by pg_virtualenv; the settings
# come through the environment as CORM_COND_*)
# ---------------------------------------------------------------------------
if [[ ${1:-} == --in-cluster ]]; then
	cd "$top"
	out=$CORM_COND_OUT
	results=$out/results.txt
	status=0

	if [[ -n $CORM_COND_FAKETIME ]]; then
		# the postmaster gets its environment from the cluster's
		# environment file only (pg_ctlcluster empties the rest)
		envfile=${PG_CLUSTER_CONF_ROOT:-/etc/postgresql}/$PGVERSION/regress/environment
		asked=$CORM_COND_FAKETIME
		{
			echo "LD_PRELOAD = '$CORM_COND_PRELOAD'"
			echo "TZ = 'UTC'"
			if [[ $CORM_COND_PRELOAD == */fakeclock.so ]]; then
				echo "CORM_FAKE_CLOCK = '$(TZ=UTC date -d "$asked" +%s)'"
				echo "CORM_FAKE_CLOCK_RATE = '${CORM_COND_RATE:-1}'"
			else
				echo "FAKETIME = '@$asked${CORM_COND_RATE:+ x$CORM_COND_RATE}'"
			fi
		} >>"$envfile"
		pg_ctlcluster "$PGVERSION" regress stop
		for _ in {1..30}; do
			pg_ctlcluster "$PGVERSION" regress status >/dev/null 2>&1 || break
			sleep 1
		done
		pg_ctlcluster "$PGVERSION" regress start
		got=$(psql -X -A -t -c "SELECT now() AT TIME ZONE 'UTC'")
		echo "the server's clock: $got UTC (asked for $asked UTC${CORM_COND_RATE:+, $CORM_COND_RATE times as fast})"
		if [[ $(psql -X -A -t -c "SELECT now() BETWEEN '$asked+00'::timestamptz - interval '1 minute'
		                                  AND '$asked+00'::timestamptz + interval '1 hour' * ${CORM_COND_RATE:-1}") != t ]]; then
			echo "conditions: the server's clock did not move; is $CORM_COND_PRELOAD usable?" >&2
			exit 1
		fi
	fi

	# pg_regress and pg_isolation_regress set PGTZ and PGDATESTYLE for
	# their sessions; a launcher sets them again just before psql runs
	launcher=()
	if [[ -n $CORM_COND_TIMEZONE$CORM_COND_DATESTYLE ]]; then
		printf '#!/bin/sh\n%s%sexec "$@"\n' \
			"${CORM_COND_TIMEZONE:+PGTZ='$CORM_COND_TIMEZONE' export PGTZ; }" \
			"${CORM_COND_DATESTYLE:+PGDATESTYLE='$CORM_COND_DATESTYLE' export PGDATESTYLE; }" \
			>"$out/launcher"
		chmod +x "$out/launcher"
		launcher=(--launcher="$out/launcher")
		[[ -n $CORM_COND_TIMEZONE ]] && export PGTZ=$CORM_COND_TIMEZONE
		[[ -n $CORM_COND_DATESTYLE ]] && export PGDATESTYLE=$CORM_COND_DATESTYLE
	fi
	[[ -n $CORM_COND_PGOPTIONS ]] && export PGOPTIONS=$CORM_COND_PGOPTIONS

	psql -X -A -t -c "SELECT 'session: TimeZone ' || current_setting('TimeZone') || ', DateStyle '
	       || current_setting('DateStyle') || ', lc_collate ' || current_setting('lc_collate')
	       || ', lc_messages ' || current_setting('lc_messages') || ', port ' || current_setting('port')"

	record() { printf '%-12s run %s  %s\n' "$1" "$2" "$3" >>"$results"; }

	runs=1
	((CORM_COND_TWICE)) && runs=2
	for ((run = 1; run <= runs; run++)); do
		for suite in $CORM_COND_SUITES; do
			section "$suite, run $run"
			dir=$out/$suite.$run
			mkdir -p "$dir"
			case $suite in
				regress)
					make -s installcheck PG_CONFIG="$PG_CONFIG" \
						EXTRA_REGRESS_OPTS="--outputdir=$dir ${launcher[*]}" ;;
				prove)
					make -s prove PG_CONFIG="$PG_CONFIG" ;;
				isolation)
					CORM_ISOLATION_OUTPUT=$dir CORM_ISOLATION_OPTS="${launcher[*]}" \
						bash test/isolation/run.sh ;;
				roundtrip)
					make -s roundtrip PG_CONFIG="$PG_CONFIG" ;;
				upgrade)
					make -s upgrade PG_CONFIG="$PG_CONFIG" ;;
				*)
					echo "conditions: unknown suite $suite" >&2; false ;;
			esac && rc=0 || rc=$?
			if ((rc == 0)); then
				record "$suite" "$run" PASSED
			else
				status=1
				record "$suite" "$run" FAILED
				if [[ -s $dir/regression.diffs ]]; then
					section "$suite, run $run: $dir/regression.diffs"
					cat "$dir/regression.diffs"
				fi
			fi
		done
	done
	if [[ -n $CORM_COND_FAKETIME ]]; then
		echo "the server's clock at the end: $(psql -X -A -t -c "SELECT clock_timestamp() AT TIME ZONE 'UTC'") UTC"
	fi
	exit $status
fi

# ---------------------------------------------------------------------------
# Set-up, then the suites in a cluster of their own
# ---------------------------------------------------------------------------
for cmd in pg_virtualenv pg_ctlcluster; do
	command -v "$cmd" >/dev/null || { echo "conditions: $cmd not found (postgresql-common)" >&2; exit 2; }
done

outdir=${outdir:-$(mktemp -d "${TMPDIR:-/tmp}/corm-conditions.XXXXXX")}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
: >"$outdir/results.txt"

preload=''
fake=''
if [[ -n $faketime ]]; then
	fake=$(TZ=UTC date -d "$faketime" '+%Y-%m-%d %H:%M:%S') ||
		{ echo "conditions: date cannot read --faketime '$faketime'" >&2; exit 2; }
	if ((use_libfaketime)); then
		for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
		         /usr/local/lib/faketime/libfaketime.so.1; do
			[[ -r $f ]] && { preload=$f; break; }
		done
		if [[ -z $preload ]]; then
			echo "conditions: --libfaketime needs libfaketime (Debian: apt-get install faketime)" >&2
			exit 2
		fi
	else
		preload=$outdir/fakeclock.so
		"${CC:-cc}" -Wall -Wextra -Werror -shared -fPIC -O2 -o "$preload" "$here/fakeclock.c" -ldl
	fi
fi
if [[ -n $build ]]; then
	if [[ " $suites " == *" upgrade "* ]]; then
		echo "conditions: the upgrade suite runs only against the installed corm (no --build)" >&2
		exit 2
	fi
	mkdir -p "$outdir/build"
	if [[ $build == worktree ]]; then
		(cd "$top" && tar -c --exclude='*.o' --exclude='*.bc' --exclude='*.so' Makefile corm.control src sql) |
			tar -x -C "$outdir/build"
	else
		git -C "$top" archive "$build" Makefile corm.control src sql | tar -x -C "$outdir/build"
	fi
	section "building corm from ${build/worktree/the working tree} in $outdir/build"
	make -s -C "$outdir/build" PG_CONFIG="$PG_CONFIG" >"$outdir/build.log" 2>&1 &&
		make -s -C "$outdir/build" PG_CONFIG="$PG_CONFIG" install DESTDIR="$outdir/stage" >>"$outdir/build.log" 2>&1 ||
		{ cat "$outdir/build.log"; echo "conditions: the build failed" >&2; exit 1; }
	sets+=("extension_destdir=$outdir/stage")
fi
chmod -R a+rX "$outdir"	# the server runs as postgres and loads fakeclock.so
chmod a+w "$outdir"

cluster_opts=$CLUSTER_OPTS
[[ -n $locale ]] && cluster_opts="--locale=$locale --encoding=UTF8"
desc="cluster $cluster_opts"
[[ -n $fake ]] && desc+=", server clock from $fake UTC${rate:+ running $rate times as fast}${preload:+ ($(basename "$preload"))}"
[[ -n $timezone ]] && desc+=", TimeZone $timezone"
[[ -n $datestyle ]] && desc+=", DateStyle '$datestyle'"
[[ -n $port ]] && desc+=", port $port"
for s in "${sets[@]}"; do desc+=", $s"; done
[[ -n $build ]] && desc+=", corm built from ${build/worktree/the working tree}"
[[ -n $pgoptions ]] && desc+=", PGOPTIONS '$pgoptions'"
((twice)) && desc+=", every suite twice"
section "conditions: $desc; suites: $suites"

vopts=()
for s in "${sets[@]}"; do vopts+=(-o "$s"); done

unset PGHOST PGHOSTADDR PGDATABASE PGUSER PGPASSWORD PGSERVICE PGOPTIONS PGTZ PGDATESTYLE
# a port of its own unless told: pg_virtualenv takes the first free one from
# 5432 up, which two runs starting together can both take
if [[ -z $port ]]; then
	for _ in {1..50}; do
		port=$((20000 + RANDOM % 20000))
		[[ -e /var/run/postgresql/.s.PGSQL.$port || -e /tmp/.s.PGSQL.$port ]] || break
	done
fi
export PGPORT=$port
export CORM_COND_OUT=$outdir CORM_COND_FAKETIME=$fake CORM_COND_RATE=$rate CORM_COND_PRELOAD=$preload \
	CORM_COND_TIMEZONE=$timezone CORM_COND_DATESTYLE=$datestyle CORM_COND_PGOPTIONS=$pgoptions \
	CORM_COND_TWICE=$twice CORM_COND_SUITES=$suites
status=0
pg_virtualenv -t -v "$PG_MAJOR" -c "$cluster_opts" "${vopts[@]}" \
	bash "$here/conditions.sh" --in-cluster || status=$?

section "summary: $desc"
cat "$outdir/results.txt"
echo "outputs in $outdir"
if ((status != 0)); then
	echo "conditions: FAILED"
	exit 1
fi
echo "conditions: all passed"
