#!/usr/bin/env bats
# Every man page is mdoc that mandoc lints clean, with the sections users need.

load helpers

@test "man pages: mandoc -Tlint reports nothing" {
	pages=("$CR_REPO"/man/*.1)
	[ -e "${pages[0]}" ] || skip "no man pages yet"
	run mandoc -Tlint -Wwarning "${pages[@]}"
	assert_status 0
	assert_equal "$output" ""
}

@test "man pages: every tool has one with EXIT STATUS and EXAMPLES" {
	for src in "$CR_REPO"/cmd/cr-*.c "$CR_REPO"/cmd/cr-*.sh; do
		[ -e "$src" ] || continue
		tool=$(basename "${src%.*}")
		page="$CR_REPO/man/$tool.1"
		[ -f "$page" ] || { echo "missing man/$tool.1" >&2; return 1; }
		grep -q '^\.Sh EXIT STATUS' "$page" || { echo "$tool.1: no EXIT STATUS" >&2; return 1; }
		grep -q '^\.Sh EXAMPLES' "$page" || { echo "$tool.1: no EXAMPLES" >&2; return 1; }
	done
}

@test "man pages: the rendered text has no tripled dashes, doubled or nested quotes" {
	export LC_ALL=C.UTF-8	# col(1) drops what it cannot decode
	bad=0
	for page in "$CR_REPO"/man/*.1; do
		text=$(mandoc -Tutf8 "$page" | col -b | tr '\n' ' ')
		[ -n "$text" ]
		run grep -o -e '---' -e '""' -e '“"' -e '"”' -e '‘‘' -e '’’' -e '““' -e '””' \
			-e '‘’' -e '“”' -e '‘[^’]*‘' -e '“[^”]*“' <<<"$text"
		if [ "$status" -ne 1 ]; then
			echo "man/${page##*/}:" $output >&2
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}
