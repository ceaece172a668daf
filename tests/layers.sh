#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# layers.sh [REPO]: lib/'s folders are layers, and a module includes only
# its own folder's headers and those of layers below it (docs/design.md,
# "Layers").  Prints each include that goes up or sideways as
# "lib/L/X.c:LINE: includes M/Y.h (layer M is not below L)", one per line,
# and exits 1 if there was one; a folder missing from LAYERS is named too.
# Folders on one line are siblings: neither may include the other.
# And docs/design.md's picture follows the tree: its "Layers" table has a
# row for each folder naming each of its modules, else
# "docs/design.md: lib/L/X.c is not in the Layers table".
set -eu
repo=${1:-$(dirname "$0")/..}
LAYERS='base
format
gz
sql
pg
backup dump
restore migrate'

rank() {
	printf '%s\n' "$LAYERS" | awk -v d="$1" '{ for (i = 1; i <= NF; i++) if ($i == d) { print NR; exit } }'
}

bad=0
for dir in "$repo"/lib/*/; do
	layer=$(basename "$dir")
	lr=$(rank "$layer")
	if [ -z "$lr" ]; then
		echo "lib/$layer: a folder that is not a layer (add it to LAYERS in tests/layers.sh)"
		bad=1
		continue
	fi
	for f in "$dir"*.[ch]; do
		[ -e "$f" ] || continue
		grep -n '^#include "' "$f" | while IFS= read -r line; do
			n=${line%%:*}
			inc=$(printf '%s\n' "$line" | sed 's/^[0-9]*:#include "\([^"]*\)".*/\1/')
			case $inc in
			*/*) m=${inc%%/*} ;;
			*) echo "lib/$layer/$(basename "$f"):$n: includes $inc without its layer"; exit 1 ;;
			esac
			[ "$m" = "$layer" ] && continue
			mr=$(rank "$m")
			if [ -z "$mr" ] || [ "$mr" -ge "$lr" ]; then
				echo "lib/$layer/$(basename "$f"):$n: includes $inc (layer $m is not below $layer)"
				exit 1
			fi
		done || bad=1
	done
done
# The picture: each module named in its folder's row of the Layers table.
design=$repo/docs/design.md
if [ -f "$design" ]; then
	for f in "$repo"/lib/*/*.c; do
		[ -e "$f" ] || continue
		layer=$(basename "$(dirname "$f")")
		mod=$(basename "$f" .c)
		if ! awk '/^## Layers/ { p = 1; next } /^## / { p = 0 } p' "$design" |
		    grep "^| .*\`lib/$layer\`" | grep -qw -- "$mod"; then
			echo "docs/design.md: lib/$layer/$mod.c is not in the Layers table"
			bad=1
		fi
	done
fi
exit $bad
