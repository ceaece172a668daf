#!/usr/bin/env bats
# --help: every option each program takes, one line each, and its man page;
# made from the option tables (lib/base/cliopt.c for the C tools, help_options
# in the wrappers), checked here against the man page's SYNOPSIS, the getopt
# tables (--list-options) and the wrappers' own option parsers.  And the bash
# completion (contrib/completion/cr.bash), which reads --help.  No server.

load helpers

bats_require_minimum_version 1.5.0

TOOLS=(cr-dump cr-gz cr-verify cr-rotate cr-restore cr-migrate cr-backup cr-restore-dev)
C_TOOLS=(cr-dump cr-gz cr-verify cr-rotate cr-restore cr-migrate)

# synopsis_options PAGE: the options of a man page's SYNOPSIS, one a line
# (-x for each letter of "Fl xyz", --name for "Fl \-name").
synopsis_options() {
	awk '/^\.Sh SYNOPSIS/ { p = 1; next } /^\.Sh/ { p = 0 } p' "$1" |
		grep -o 'Fl [^ ]*' | sed -e 's/^Fl //' -e 's/\\&//g' -e 's/\\//g' |
		while read -r w; do
			case $w in
			-*-|'|'|'') ;;			# --keep-... stands for the family
			-*)	echo "-$w" ;;
			[0-9]|[0-9][0-9]) echo "-$w" ;;	# cr-gz's -1 .. -12
			'?')	echo "-?" ;;
			*)	printf '%s\n' "$w" | fold -w1 | sed 's/^/-/' ;;
			esac
		done | sort -u
}

# help_names TOOL OPTION: is OPTION named in TOOL's --help option lines?
help_names() {
	local text=$1 opt=$2
	case $opt in
	-[0-9]*) grep -qE -- "(^|[ ,.])${opt}([ ,.=]|\$)" <<<"$text" ;;
	'-?')	grep -qF -- '-?, --help' <<<"$text" ;;
	*)	grep -qE -- "^  +(-., )?${opt}([ ,=]|\$)|^  +${opt}[ ,=]" <<<"$text" ;;
	esac
}

@test "--help of every program names each option of its man page's SYNOPSIS, and the page" {
	local -a missing=()
	for t in "${TOOLS[@]}"; do
		run --separate-stderr "$t" --help
		assert_status 0
		assert_equal "$stderr" ""
		assert_equal "${lines[${#lines[@]}-1]}" "See $t(1)."
		help=$output
		opts=$(synopsis_options "$CR_REPO/man/$t.1")
		[ -n "$opts" ]
		while read -r o; do
			help_names "$help" "$o" || missing+=("$t: $o")
		done <<<"$opts"
	done
	printf 'not in --help: %s\n' "${missing[@]}" >&2
	assert_equal "${#missing[@]}" 0
}

@test "--help of each C tool describes every option its getopt tables take (--list-options), none left bare" {
	local -a bad=()
	for t in "${C_TOOLS[@]}"; do
		[ "$t" = cr-rotate ] && continue	# its --list-options: the retention options
		help=$("$t" --help)
		run --separate-stderr "$t" --list-options
		assert_status 0
		assert_equal "$stderr" ""
		[ "${#lines[@]}" -ge 3 ]
		for o in "${lines[@]}"; do
			help_names "$help" "$o" || bad+=("$t: $o not in --help")
		done
		# an option the help table does not describe is printed bare
		while read -r l; do
			bad+=("$t: no description: $l")
		done < <(sed -n '/^Options:$/,/^$/p' <<<"$help" | grep -E '^  +-[^ ]+( [A-Z]+)?$' || true)
	done
	printf '%s\n' "${bad[@]}" >&2
	assert_equal "${#bad[@]}" 0
}

@test "cr-rotate --list-options is still the retention options alone (cr-backup passes them on)" {
	run --separate-stderr cr-rotate --list-options
	assert_status 0
	refute_grep -v -- '^--keep' <(printf '%s\n' "$output")
	assert_output_contains "--keep-daily"
}

@test "each wrapper's --help names every option its parser takes" {
	local -a missing=()
	for t in cr-backup cr-restore-dev; do
		help=$("$t" --help)
		# the case labels of the option loop: "	-q|--quiet)	..."
		opts=$(sed -n '/^while \[ \$# -gt 0 \]; do$/,/^done$/p' "$CR_REPO/cmd/$t.sh" |
			grep -oE '^	(-[^)]*)\)' | tr -d '\t)\\' | tr '|' '\n' |
			grep -vxE -e '-|--|-\*|--keep-\*' | sort -u)
		[ -n "$opts" ]
		while read -r o; do
			help_names "$help" "$o" || missing+=("$t: $o")
		done <<<"$opts"
	done
	printf 'not in --help: %s\n' "${missing[@]}" >&2
	assert_equal "${#missing[@]}" 0
}

# complete WORD...: what the completion offers for the last word.
complete_words() {
	bash -c 'source "$1/contrib/completion/cr.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cr "$1"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$CR_REPO" "$@"
}

@test "bash completion: every program's long options, from its --help" {
	for t in "${TOOLS[@]}"; do
		run complete_words "$t" --
		assert_status 0
		want=$("$t" --help | sed -n '/^Options:$/,/^[^ ]/p' | grep '^  ' |
			grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
		assert_equal "$(sort -u <<<"$output")" "$want"
	done
	run complete_words cr-restore --cl
	assert_equal "$output" "--clean"
	run complete_words cr-dump --exclude-t
	assert_equal "$output" "$(printf -- '--exclude-table\n--exclude-table-data')"
	run complete_words cr-backup --keep-w
	assert_equal "$output" "$(printf -- '--keep-weekly\n--keep-within')"
}

@test "bash completion: refused options are not offered; files and cr-migrate's commands are" {
	run complete_words cr-dump --in
	assert_equal "$output" ""
	run complete_words cr-restore --no-o
	assert_equal "$output" ""
	run complete_words cr-migrate -q ba
	assert_equal "$output" "baseline"
	cd "$BATS_TEST_TMPDIR"
	touch db_backup_1.sql.gz
	run complete_words cr-verify db_b
	assert_equal "$output" "db_backup_1.sql.gz"
}
