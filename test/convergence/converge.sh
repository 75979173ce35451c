#!/usr/bin/env bash
#
# corm's differential convergence test (see test/convergence/README.md):
# seeded random histories of registrations, renames and drops applied to one
# database, their final definitions registered in a fresh one, and the two
# compared through the system catalogs.  The cases of found/ are replayed
# first.  Prints TAP; runs against the server the PG* variables name, in
# databases of its own.
#
#     bash test/convergence/converge.sh                  (as in make converge)
#     CONVERGE_SEED=7 CONVERGE_HISTORIES=300 CONVERGE_STEPS=30 bash test/convergence/converge.sh
#     CONVERGE_FEATURES=all bash test/convergence/converge.sh    (the features that do not converge yet too)
#     pg_virtualenv -t -v 15 -c '--locale=C.UTF-8 --encoding=UTF8' bash test/convergence/converge.sh
#
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=''
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import psycopg2' 2>/dev/null; then
		python=$p
		break
	fi
done
if [[ -z $python ]]; then
	echo "Bail out! converge: python3 with psycopg2 is needed (apt-get install python3-psycopg2)"
	exit 2
fi
exec "$python" "$here/converge.py" "$@" </dev/null
