#!/usr/bin/env bash
#
# corm's fuzzing harness (see test/fuzz/README.md): a bounded pass of
# generated and mutated input through every SQL function of corm, against
# the server the PG* variables name, in a database of its own.
#
#     bash test/fuzz/fuzz.sh                           (as in make fuzz)
#     FUZZ_SEED=7 FUZZ_CALLS=20000 bash test/fuzz/fuzz.sh
#     pg_virtualenv -t -v 15 bash test/fuzz/fuzz.sh    (a throwaway cluster)
#
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! command -v python3 >/dev/null; then
	echo "fuzz: python3 is needed (apt-get install python3)" >&2
	exit 2
fi
exec python3 "$here/fuzz.py" "$@" </dev/null
