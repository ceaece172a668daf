#!/usr/bin/env bats
# The conventions users type first, the same for every program:
#   --help and -?  usage on stdout, nothing on stderr, exit 0
#   --version      "cr-X VERSION" on stdout, exit 0
#   an unknown option: usage on stderr, nothing on stdout, exit 64 (the C
#   tools: one line naming it and "Try 'cr-X --help' ...", lib/base/cliopt.c)
# No server: none of this may need one.

load helpers

bats_require_minimum_version 1.5.0

VERSION=$(cr_version)

# cli_check TOOL: runs every case, names each failure, then fails if any did.
cli_check() {
	local tool=$1 opt f
	local -a fails=()
	for opt in --help '-?'; do
		run --separate-stderr timeout 10 "$tool" "$opt" </dev/null
		[ "$status" -eq 0 ] || fails+=("$opt: exit $status, not 0")
		[[ $output == *"usage: $tool"* ]] || fails+=("$opt: no \"usage: $tool\" on stdout")
		[ -z "$stderr" ] || fails+=("$opt: stderr not empty: $stderr")
	done
	run --separate-stderr timeout 10 "$tool" --version </dev/null
	[ "$status" -eq 0 ] || fails+=("--version: exit $status, not 0")
	[ "$output" = "$tool $VERSION" ] || fails+=("--version: stdout \"$output\", not \"$tool $VERSION\"")
	[ -z "$stderr" ] || fails+=("--version: stderr not empty: $stderr")
	run --separate-stderr timeout 10 "$tool" --no-such-option </dev/null
	[ "$status" -eq 64 ] || fails+=("--no-such-option: exit $status, not 64")
	[[ $stderr == *"usage: $tool"* || $stderr == *"Try '$tool --help' for more information." ]] ||
		fails+=("--no-such-option: no \"usage: $tool\" nor \"Try '$tool --help'\" on stderr")
	[ -z "$output" ] || fails+=("--no-such-option: stdout not empty: $output")
	for f in "${fails[@]}"; do
		echo "$tool $f" >&2
	done
	[ "${#fails[@]}" -eq 0 ]
}

@test "cr-dump: --help, -?, --version and an unknown option" {
	cli_check cr-dump
}

@test "cr-gz: --help, -?, --version and an unknown option" {
	cli_check cr-gz
}

@test "cr-verify: --help, -?, --version and an unknown option" {
	cli_check cr-verify
}

@test "cr-rotate: --help, -?, --version and an unknown option" {
	cli_check cr-rotate
}

@test "cr-restore: --help, -?, --version and an unknown option" {
	cli_check cr-restore
}

@test "cr-migrate: --help, -?, --version and an unknown option" {
	cli_check cr-migrate
}

@test "cr-backup: --help, -?, --version and an unknown option" {
	cli_check cr-backup
}

@test "cr-restore-dev: --help, -?, --version and an unknown option" {
	cli_check cr-restore-dev
}

@test "every program in cmd/ is checked here" {
	for src in "$CR_REPO"/cmd/cr-*.c "$CR_REPO"/cmd/cr-*.sh; do
		tool=$(basename "${src%.*}")
		grep -qx "	cli_check $tool" "$BATS_TEST_FILENAME" || { echo "no cli_check for $tool" >&2; return 1; }
	done
}

C_TOOLS=(cr-dump cr-gz cr-verify cr-rotate cr-restore cr-migrate)

# mistake TOOL WANT ARGS...: TOOL ARGS exits 64, prints nothing on stdout,
# and on stderr exactly "TOOL: WANT" and the line pointing at --help.
mistake() {
	local tool=$1 want=$2
	shift 2
	run --separate-stderr timeout 10 "$tool" "$@" </dev/null
	if [ "$status" -ne 64 ] || [ -n "$output" ] ||
		[ "$stderr" != "$tool: $want"$'\n'"Try '$tool --help' for more information." ]; then
		echo "$tool $*: exit $status, stdout \"$output\", stderr: $stderr" >&2
		return 1
	fi
}

@test "every C tool says an unknown option the same way, long or short, then where help is, 64" {
	for t in "${C_TOOLS[@]}"; do
		mistake "$t" "unrecognized option '--no-such-option'" --no-such-option
		mistake "$t" "unrecognized option '--no-such-option'" --no-such-option=1
		mistake "$t" "unrecognized option '-k'" -k
		flag=-v
		if [ "$t" = cr-gz ]; then flag=-t; fi	# a flag of the tool's own
		mistake "$t" "unrecognized option '-k'" "${flag}k"
	done
}

@test "every C tool takes whole long option names only: an abbreviation is refused with what it could mean" {
	for t in "${C_TOOLS[@]}"; do
		mistake "$t" "unrecognized option '--vers' (did you mean --version?)" --vers
		mistake "$t" "unrecognized option '--versio' (did you mean --version?)" --versio
		mistake "$t" "unrecognized option '--he' (did you mean --help?)" --he
	done
	# an abbreviation of several names is refused the same way, naming them
	for t in cr-dump cr-verify cr-rotate cr-restore cr-migrate; do
		mistake "$t" "unrecognized option '--ver' (did you mean --verbose or --version?)" --ver
	done
	mistake cr-restore "unrecognized option '--no' (did you mean --no-tuning or --no-progress?)" --no
	mistake cr-rotate "unrecognized option '--keep-d' (did you mean --keep-daily?)" --keep-d 3
	mistake cr-verify "unrecognized option '--man' (did you mean --manifest?)" --man=x f
	mistake cr-verify "unrecognized option '--m' (did you mean --manifest, --max-shrink or --max-age?)" --m
	# the whole name does what it says
	run --separate-stderr cr-rotate --version
	assert_status 0
	assert_equal "$output" "cr-rotate $VERSION"
}

@test "every C tool says a missing argument the same way, long or short, 64" {
	mistake cr-dump "option '--table' requires an argument" --table
	mistake cr-dump "option '-t' requires an argument" -t
	mistake cr-gz "option '-p' requires an argument" -p
	mistake cr-gz "option '-p' requires an argument" -dp
	mistake cr-verify "option '--name' requires an argument" --name
	mistake cr-rotate "option '--now' requires an argument" --now
	mistake cr-restore "option '--jobs' requires an argument" --jobs
	mistake cr-restore "option '-j' requires an argument" -j
	mistake cr-migrate "option '--dir' requires an argument" --dir
	mistake cr-migrate "option '-U' requires an argument" -U
}

@test "every C tool refuses a value given to an option that takes none, 64" {
	for t in "${C_TOOLS[@]}"; do
		mistake "$t" "option '--help' takes no argument" --help=x
		mistake "$t" "option '--version' takes no argument" --version=1
	done
	mistake cr-restore "option '--clean' takes no argument" --clean=yes
	mistake cr-migrate "option '--wait' takes no argument" --wait=1 up
	mistake cr-rotate "option '--delete' takes no argument" --delete=1 dir
}

@test "every C tool says a bad number the same way, with the range, 64" {
	local v
	for v in x 1x '' -1 99999999999999999999; do
		mistake cr-gz "invalid value for -p: '$v' (a whole number from 1 to 16)" -p "$v"
		mistake cr-restore "invalid value for -j: '$v' (a whole number from 0 to 256)" -j "$v"
		mistake cr-restore "invalid value for --jobs: '$v' (a whole number from 0 to 256)" --jobs="$v"
		mistake cr-verify "invalid value for --trend: '$v' (a whole number from 0 to 30)" --trend "$v" --status .
		mistake cr-verify "invalid value for --max-shrink: '$v' (a whole number from 0 to 100)" --max-shrink="$v" f
	done
	mistake cr-verify "invalid value for --duration: '-5' (a whole number from 0 to 9223372036854775807)" --duration -5
	mistake cr-gz "invalid value for the level: '13' (a whole number from 1 to 12)" -13
	mistake cr-gz "invalid value for the level: '0' (a whole number from 1 to 12)" -0
}

@test "-? and --help are the same for every C tool: usage and options on stdout, 0" {
	for t in "${C_TOOLS[@]}"; do
		run --separate-stderr "$t" --help
		assert_status 0
		help=$output
		run --separate-stderr "$t" '-?'
		assert_status 0
		assert_equal "$stderr" ""
		assert_equal "$output" "$help"
		flag=-v
		if [ "$t" = cr-gz ]; then flag=-t; fi
		run --separate-stderr "$t" "${flag}?"
		assert_status 0
		assert_equal "$output" "$help"
	done
}
