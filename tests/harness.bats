#!/usr/bin/env bats
# The test harness itself: a private server on a unix socket, nothing else.

load helpers

setup_file()    { pg_start; }
teardown_file() { pg_stop; }

@test "harness: server answers on the private unix socket only" {
	run q "SHOW listen_addresses"
	assert_status 0
	assert_equal "$output" ""
	run q "SHOW unix_socket_directories"
	assert_equal "$output" "$CR_PGROOT"
	[ -S "$CR_PGROOT/.s.PGSQL.$PGPORT" ]
}

@test "harness: server process does not run as root" {
	run q "SELECT pg_read_file('postmaster.pid') IS NOT NULL"
	assert_status 0
	pid=$(head -n 1 "$CR_PGROOT/data/postmaster.pid")
	owner=$(ps -o user= -p "$pid")
	[ -n "$owner" ]
	[ "$owner" != root ]
}

@test "harness: password role is refused without its password" {
	q "CREATE ROLE crpass LOGIN PASSWORD 'secret-pw'" >/dev/null
	run psql -X -w -U crpass -d postgres -c 'SELECT 1'
	[ "$status" -ne 0 ]
	PGPASSWORD=secret-pw run psql -X -w -A -t -U crpass -d postgres -c 'SELECT 41+1'
	assert_status 0
	assert_equal "$output" 42
}
