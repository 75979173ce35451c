#!/usr/bin/env bash
#
# The source's stages call only downward: every function a file of src/
# calls in another file of src/ is defined in a file above it in the list
# src/corm.h keeps ("each calling only the ones above it").  Read from the
# built objects (nm): run after make.  The SQL-callable files of the last
# line of the list may call each other; files not in the list (the
# trigger functions, the module) may call any listed file.  Prints each
# call that runs the wrong way and exits non-zero when there is one.
#
#     make && bash test/stages.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

declare -A rank
r=0
# the list: " *   file.c   what" lines, the last line naming several files
while read -r line; do
	r=$((r + 1))
	for f in $(grep -oE '\b[a-z_]+\.c\b' <<<"$line"); do rank[$f]=$r; done
done < <(sed -n '/each calling only the/,/^ \*\//p' src/corm.h | grep -E '^ \*   [a-z_]+\.c')

declare -A home
for o in src/*.o; do
	f=$(basename "$o" .o).c
	for s in $(nm -g --defined-only "$o" | awk '$2 == "T" { print $3 }'); do home[$s]=$f; done
done

bad=0 calls=0
for o in src/*.o; do
	f=$(basename "$o" .o).c
	[ -n "${rank[$f]:-}" ] || continue
	for s in $(nm -u "$o" | awk '{ print $2 }'); do
		g=${home[$s]:-}
		[ -n "$g" ] && [ "$g" != "$f" ] || continue
		calls=$((calls + 1))
		if [ -z "${rank[$g]:-}" ] || [ "${rank[$g]}" -gt "${rank[$f]}" ] ||
		   { [ "${rank[$g]}" -eq "${rank[$f]}" ] && [ "${rank[$f]}" -ne "$r" ]; }; then
			echo "upward: $f calls $s of $g"
			bad=$((bad + 1))
		fi
	done
done
echo "stages: ${#rank[@]} files in order, $calls calls between them, $bad upward"
[ "$bad" -eq 0 ]
