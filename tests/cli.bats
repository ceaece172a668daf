#!/usr/bin/env bats
# The conventions users type first, the same for every program:
#   --help and -?  usage on stdout, nothing on stderr, exit 0
#   --version      "cr-X VERSION" on stdout, exit 0
#   an unknown option: usage on stderr, nothing on stdout, exit 64
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
	[[ $stderr == *"usage: $tool"* ]] || fails+=("--no-such-option: no \"usage: $tool\" on stderr")
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
