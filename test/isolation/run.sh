#!/usr/bin/env bash
#
# corm's isolation tests: two or more sessions registering, changing and
# dropping models at the same time, run by PostgreSQL's pg_isolation_regress
# (postgresql-server-dev-NN) against the server the PG* variables name, as
# a superuser (the deadlock spec sets deadlock_timeout).  corm must be
# installed there (make install).
#
#     bash test/isolation/run.sh                      (every spec)
#     bash test/isolation/run.sh mixin_vs_model ...   (some specs)
#     pg_virtualenv -t -v 15 bash test/isolation/run.sh
#
# The specs are test/isolation/specs/*.spec, their expected outputs
# test/isolation/expected/*.out.  Each run drops and re-creates the
# database $CORM_ISOLATION_DB (default corm_isolation); the outputs go to
# $CORM_ISOLATION_OUTPUT (default test/isolation/output), regression.diffs
# included, which is printed when a spec fails.  $CORM_ISOLATION_OPTS, if
# set, adds options to pg_isolation_regress (test/fuzz/conditions.sh gives
# a --launcher that changes the sessions' TimeZone).  Exits non-zero on
# failure.
#
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# the PostgreSQL whose server runs: pg_virtualenv sets PGVERSION
if [[ -z ${PG_CONFIG:-} ]]; then
	if [[ -n ${PGVERSION:-} && -x /usr/lib/postgresql/$PGVERSION/bin/pg_config ]]; then
		PG_CONFIG=/usr/lib/postgresql/$PGVERSION/bin/pg_config
	else
		PG_CONFIG=pg_config
	fi
fi
bindir=$("$PG_CONFIG" --bindir)
regress=$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress
if [[ ! -x $regress ]]; then
	echo "run.sh: $regress not found (install postgresql-server-dev-$("$PG_CONFIG" --version | sed 's/[^0-9]*\([0-9]*\).*/\1/'))" >&2
	exit 2
fi

dbname=${CORM_ISOLATION_DB:-corm_isolation}
outputdir=${CORM_ISOLATION_OUTPUT:-$here/output}
if (($# > 0)); then
	specs=("$@")
else
	specs=()
	for f in "$here"/specs/*.spec; do
		f=${f##*/}
		specs+=("${f%.spec}")
	done
fi

mkdir -p "$outputdir"
rm -f "$outputdir/regression.diffs" "$outputdir/regression.out"
status=0
read -r -a extra <<<"${CORM_ISOLATION_OPTS:-}"
"$regress" --inputdir="$here" --outputdir="$outputdir" --bindir="$bindir" \
	--dbname="$dbname" ${extra[@]+"${extra[@]}"} "${specs[@]}" || status=$?
if ((status != 0)) && [[ -s $outputdir/regression.diffs ]]; then
	echo
	echo "==== $outputdir/regression.diffs"
	cat "$outputdir/regression.diffs"
fi
exit $status
