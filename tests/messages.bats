#!/usr/bin/env bats
# Everyday misconfigurations, each with its own message and hint (issue 21):
# a wrong password, no password, a role that does not exist, a role that may
# not log in or connect, a database that does not exist, a server that is down.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	q "CREATE ROLE crpass LOGIN PASSWORD 'right'" >/dev/null
	q "CREATE ROLE nologin" >/dev/null
	q "CREATE ROLE outsider LOGIN" >/dev/null
	mkdb msgs
	q "REVOKE CONNECT ON DATABASE msgs FROM PUBLIC" >/dev/null
	printf 'SELECT 1;\n' >"$BATS_FILE_TMPDIR/one.sql"
}
teardown_file() { pg_stop; }

# The shared hint of old: every refusal got the same advice.
OLD_HINT="GRANT SELECT ON ALL TABLES"

refute_stderr_contains() {
	case "$stderr" in
	*"$1"*) echo "expected stderr not to contain: $1" >&2; echo "got: $stderr" >&2; return 1 ;;
	esac
}

@test "connect errors: a wrong password is named as such (77)" {
	PGPASSWORD=wrong run --separate-stderr cr-restore -U crpass -d msgs "$BATS_FILE_TMPDIR/one.sql"
	assert_status 77
	assert_stderr_contains 'password authentication failed for user "crpass"'
	assert_stderr_contains "hint: the password was refused"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: no password given when one is needed says where to put it (77)" {
	mkdir -p "$BATS_TEST_TMPDIR/migrations"
	run --separate-stderr cr-migrate --dir "$BATS_TEST_TMPDIR/migrations" -U crpass -d msgs status </dev/null
	assert_status 77
	assert_stderr_contains "no password supplied"
	assert_stderr_contains "none was given: set DB_PASSWORD"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: a role that does not exist is named as such (77)" {
	run --separate-stderr cr-dump -U nosuchrole -d postgres
	assert_status 77
	assert_stderr_contains 'role "nosuchrole" does not exist'
	assert_stderr_contains "hint: no role of that name on this server"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: a role without LOGIN gets the ALTER ROLE that fixes it (77)" {
	run --separate-stderr cr-restore -U nologin -d postgres "$BATS_FILE_TMPDIR/one.sql"
	assert_status 77
	assert_stderr_contains "not permitted to log in"
	assert_stderr_contains "ALTER ROLE role LOGIN"
}

@test "connect errors: no CONNECT privilege gets the GRANT CONNECT that fixes it (77)" {
	run --separate-stderr cr-restore -U outsider -d msgs "$BATS_FILE_TMPDIR/one.sql"
	assert_status 77
	assert_stderr_contains 'permission denied for database "msgs"'
	assert_stderr_contains "GRANT CONNECT ON DATABASE"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: a database that does not exist is named as such (66)" {
	run --separate-stderr cr-restore -d no_such_db "$BATS_FILE_TMPDIR/one.sql"
	assert_status 66
	assert_stderr_contains 'database "no_such_db" does not exist'
	assert_stderr_contains "hint: no database of that name on this server"
}

@test "connect errors: a server that is not running is named as such (69)" {
	run --separate-stderr cr-restore -p 1 -d msgs "$BATS_FILE_TMPDIR/one.sql"
	assert_status 69
	assert_stderr_contains "No such file or directory"
	assert_stderr_contains "hint: no server answers there: is PostgreSQL running"
}
