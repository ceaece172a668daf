#!/usr/bin/env bats
# The env file as apps write it, read as the npm dotenv package reads it
# (lib/dotenv, the one reader; through cr-rotate --env-get and the C tools'
# --env-file): multi-line quoted values, export, CRLF, # in quotes, lines
# that are not settings (skipped with a warning naming file and line).
# No server: nothing here connects.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/cr-dotenv.XXXXXX")
}
teardown() { rm -rf "$T"; }

# get [-v] FILE KEY...: the values as KEY=VALUE|, NULs shown as |
get() {
	local v=()
	[ "$1" != -v ] || { v=(-v); shift; }
	local f=$1
	shift
	cr-rotate "${v[@]}" --env-get "$f" "$@" | tr '\0' '|'
}

@test "dotenv: a private key in double quotes spanning lines is one value, line ends kept" {
	printf '%s\n' 'DB_USER=app' 'JWT_KEY="-----BEGIN PRIVATE KEY-----' 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' 'kq+/=' '-----END PRIVATE KEY-----"' 'DB_NAME=appdb' >"$T/e.env"
	run --separate-stderr get "$T/e.env" JWT_KEY DB_USER DB_NAME
	assert_status 0
	assert_equal "$output" "$(printf 'JWT_KEY=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nkq+/=\n-----END PRIVATE KEY-----|DB_USER=app|DB_NAME=appdb|')"
	assert_equal "$stderr" ""
}

@test "dotenv: export KEY=..., KEY: value, and \\n in double quotes only" {
	printf '%s\n' 'export DB_HOST=db.internal' 'DB_PORT: 5433' 'A="x\ny"' "B='x\\ny'" 'C=`q`' >"$T/e.env"
	run --separate-stderr get "$T/e.env" DB_HOST DB_PORT A B C
	assert_status 0
	assert_equal "$output" "$(printf 'DB_HOST=db.internal|DB_PORT=5433|A=x\ny|B=x\\ny|C=q|')"
}

@test "dotenv: CRLF line ends are not part of any value" {
	printf 'DB_USER=app\r\nDB_PASSWORD="s3cret"\r\nDB_NAME=appdb # the app\r\n' >"$T/e.env"
	run --separate-stderr get "$T/e.env" DB_USER DB_PASSWORD DB_NAME
	assert_status 0
	assert_equal "$output" "DB_USER=app|DB_PASSWORD=s3cret|DB_NAME=appdb|"
}

@test "dotenv: # inside quotes is part of the value; unquoted, # starts a comment" {
	printf '%s\n' 'P1="pa#ss word" # comment' "P2='#x'" 'P3=pa#ss' 'P4=plain # c' >"$T/e.env"
	run --separate-stderr get "$T/e.env" P1 P2 P3 P4
	assert_status 0
	assert_equal "$output" "P1=pa#ss word|P2=#x|P3=pa|P4=plain|"
}

@test "dotenv: a line without = is skipped with a warning naming the file and line, the rest is read" {
	printf '%s\n' '# app settings' 'DB_USER=app' 'this is not a setting' '' 'DB_NAME=appdb' >"$T/e.env"
	run --separate-stderr get -v "$T/e.env" DB_USER DB_NAME
	assert_status 0
	assert_equal "$output" "DB_USER=app|DB_NAME=appdb|"
	assert_equal "$stderr" "cr-rotate: $T/e.env: line 3: not KEY=VALUE: skipped, as the dotenv package skips it"
}

@test "dotenv: a quote that does not close is taken as written, with a warning" {
	printf '%s\n' 'DB_PASSWORD="abc' 'DB_USER=app' >"$T/e.env"
	run --separate-stderr get -v "$T/e.env" DB_PASSWORD DB_USER
	assert_status 0
	assert_equal "$output" 'DB_PASSWORD="abc|DB_USER=app|'
	assert_stderr_contains "$T/e.env: line 1: DB_PASSWORD: the quote does not close"
}

@test "dotenv: a C tool reading --env-file names the skipped line too" {
	printf '%s\n' 'DB_HOST=/nonexistent-cr-socket-dir' 'oops' >"$T/e.env"
	run --separate-stderr cr-dump --env-file "$T/e.env" -d x
	assert_status 69
	assert_stderr_contains "cr-dump: $T/e.env: line 2: not KEY=VALUE: skipped"
}

@test "dotenv: an error names the tool the wrapper passes with --tool, not cr-rotate" {
	run --separate-stderr cr-rotate --tool cr-restore-dev --env-get "$T/none.env" DB_USER
	assert_status 66
	assert_equal "$stderr" "cr-restore-dev: $T/none.env: cannot open: No such file or directory"
}

@test "dotenv: cr-restore-dev's own reading of the env file fails under its own name" {
	head -c 1100000 /dev/zero | tr '\0' a >"$T/big.env"
	run --separate-stderr cr-restore-dev --env-file "$T/big.env" --yes "$T/none.sql"
	assert_status 65
	assert_equal "$stderr" "cr-restore-dev: $T/big.env: larger than 1048576 bytes: not an env file"
}

@test "dotenv: --env-get's exit status says what failed: 66 cannot open, 65 too large, 74 read error" {
	run --separate-stderr cr-rotate --env-get "$T/none.env" DB_USER
	assert_status 66
	head -c 1100000 /dev/zero | tr '\0' a >"$T/big.env"
	run --separate-stderr cr-rotate --env-get "$T/big.env" DB_USER
	assert_status 65
	assert_equal "$stderr" "cr-rotate: $T/big.env: larger than 1048576 bytes: not an env file"
	# a directory opens, and its first read fails
	mkdir "$T/dir.env"
	run --separate-stderr cr-rotate --env-get "$T/dir.env" DB_USER
	assert_status 74
	assert_equal "$stderr" "cr-rotate: $T/dir.env: read error: Is a directory"
}
