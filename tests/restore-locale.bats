#!/usr/bin/env bats
# cr-restore against a server that speaks German: failures of its own SQL
# are told by SQLSTATE, so their exit codes hold in any language; failures
# to connect are told by libpq's English words where libpq gives nothing
# else, the limit cr-restore(1) documents.  No German locale is installed:
# the server's catalogue is picked by LANGUAGE under lc_messages C.UTF-8.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	echo "lc_messages = 'C.UTF-8'" >>"$CR_PGROOT/data/postgresql.conf"
	pg_server_stop
	LANGUAGE=de pg_server_start
	q "CREATE ROLE no_createdb LOGIN NOCREATEDB" >/dev/null
	q "CREATE ROLE crpass LOGIN PASSWORD 'S3cret-pw-42'" >/dev/null
	mkdb src
	q "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)" src >/dev/null
	q "ALTER DATABASE src OWNER TO no_createdb" >/dev/null
	pg_dump --no-owner -d src >"$BATS_FILE_TMPDIR/src.sql"
}
teardown_file() { pg_stop; }

@test "restore-locale: the server answers in German" {
	run q "SELECT 1/0"
	assert_status 1
	assert_output_contains "FEHLER:  Division durch Null"
}

@test "restore-locale: no privilege for the scratch database is 77 in German too (SQLSTATE 42501)" {
	run cr-restore --test -U no_createdb -d src "$BATS_FILE_TMPDIR/src.sql"
	assert_status 77
	assert_output_contains "creating the scratch database: FEHLER:"
	run cr-restore -U no_createdb --role pg_read_server_files -d src "$BATS_FILE_TMPDIR/src.sql"
	assert_status 77
	assert_output_contains "FEHLER:"
}

@test "restore-locale: a password nobody gave is 77 (PQconnectionNeedsPassword)" {
	run cr-restore -U crpass -d src "$BATS_FILE_TMPDIR/src.sql"
	assert_status 77
}

@test "restore-locale: a connection failure the server words in German exits 1 (documented limit)" {
	run cr-restore -d no_such_db "$BATS_FILE_TMPDIR/src.sql"
	assert_status 1
	assert_output_contains "existiert nicht"
}
