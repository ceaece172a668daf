#!/usr/bin/env bats
# cr-restore --role: a superuser restores, the objects belong to the app's
# role and the script runs with that role's privileges; extensions that need
# a superuser come first.  What a superuser restore of an untrusted dump is
# exposed to, and what closes it.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	q "CREATE ROLE app LOGIN" >/dev/null
	mkdb appsrc
	q "ALTER DATABASE appsrc OWNER TO app" >/dev/null
	q "CREATE EXTENSION pg_buffercache" appsrc >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -U app -d appsrc <<-'SQL'
	CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
	INSERT INTO users (name) SELECT 'user' || g FROM generate_series(1, 100) g;
	CREATE SCHEMA billing;
	CREATE TABLE billing.invoices (id int PRIMARY KEY, user_id int REFERENCES users);
	INSERT INTO billing.invoices SELECT g, g FROM generate_series(1, 50) g;
	SQL
	pg_dump -d appsrc >"$BATS_FILE_TMPDIR/app.sql"
}
teardown_file() { pg_stop; }

@test "cr-restore --role: a superuser's restore leaves everything owned by the role, which can use it" {
	q "DROP DATABASE IF EXISTS appdst" >/dev/null
	run cr-restore --clean --yes --role app --extension pg_buffercache -d appdst "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	# the extension's comment needs its owner: skipped with a warning, not a failure
	assert_output_contains "WARNING: skipped COMMENT ON EXTENSION pg_buffercache"
	assert_equal "$(q "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'appdst'")" app
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname IN ('public', 'billing')" appdst)" app
	assert_equal "$(q "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'billing'" appdst)" app
	assert_equal "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_buffercache'" appdst)" 1
	run psql -X -q -v ON_ERROR_STOP=1 -U app -d appdst -c "INSERT INTO users (name) VALUES ('new')" \
		-c "INSERT INTO billing.invoices VALUES (51, 101)" -A -t -c "SELECT count(*) FROM users"
	assert_status 0
	assert_equal "$output" 101
}

@test "cr-restore --role -1: the skipped extension comment does not abort the transaction" {
	mkdb appdst1
	q "ALTER DATABASE appdst1 OWNER TO app" >/dev/null
	q "CREATE EXTENSION pg_buffercache" appdst1 >/dev/null
	run cr-restore -1 --role app -d appdst1 "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM billing.invoices" appdst1)" 50
}

@test "cr-restore: without --role a superuser restore leaves the tables to the superuser" {
	q "DROP DATABASE IF EXISTS asroot" >/dev/null
	pg_dump --no-owner -d appsrc >"$BATS_TEST_TMPDIR/noowner.sql"
	run cr-restore --clean --yes -d asroot "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 0
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'" asroot)" cr
	# and with --role the same dump belongs to the app
	q "DROP DATABASE IF EXISTS asapp" >/dev/null
	run cr-restore --clean --yes --role app --extension pg_buffercache -d asapp "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 0
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'" asapp)" app
}

# A dump whose SQL builds a command the server runs on its machine.  The
# program reads what COPY sends: one that exits first fails the COPY now
# and then ("could not close pipe to external command: Broken pipe").
hostile() {
	printf 'CREATE TABLE t (id int);\n'
	printf "DO \$\$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''cat >/dev/null; touch %s'''; END \$\$;\n" "$1"
}

@test "cr-restore: a superuser restore runs what dynamic SQL builds; --role stops it" {
	marker="$CR_PGROOT/pwned"
	rm -f "$marker"
	hostile "$marker" >"$BATS_TEST_TMPDIR/hostile.sql"
	# DO is not pg_dump's: refused unless the dump is trusted
	mkdb victim0
	run cr-restore -d victim0 "$BATS_TEST_TMPDIR/hostile.sql"
	assert_status 65
	assert_output_contains "line 2: refused DO"
	run ! test -e "$marker"
	# trusted, the literal COPY refusal cannot see into a string built at run time
	mkdb victim1
	run cr-restore --trust-dump -d victim1 "$BATS_TEST_TMPDIR/hostile.sql"
	assert_status 0
	[ -e "$marker" ]
	rm -f "$marker"
	mkdb victim2
	q "ALTER DATABASE victim2 OWNER TO app" >/dev/null
	run cr-restore --trust-dump --role app -d victim2 "$BATS_TEST_TMPDIR/hostile.sql"
	assert_status 1
	assert_output_contains "must be superuser or have privileges of the pg_execute_server_program role"
	run ! test -e "$marker"
}

@test "cr-restore: a dump that resets the role escapes --role; connecting as the role does not" {
	marker="$CR_PGROOT/escaped"
	rm -f "$marker"
	printf "DO \$\$ BEGIN EXECUTE 'RESET ROLE'; EXECUTE 'COPY (SELECT 1) TO PROGRAM ''cat >/dev/null; touch %s'''; END \$\$;\n" \
		"$marker" >"$BATS_TEST_TMPDIR/escape.sql"
	mkdb victim3
	q "ALTER DATABASE victim3 OWNER TO app" >/dev/null
	run cr-restore --trust-dump --role app -d victim3 "$BATS_TEST_TMPDIR/escape.sql"
	assert_status 0
	[ -e "$marker" ]
	rm -f "$marker"
	run cr-restore --trust-dump -U app -d victim3 "$BATS_TEST_TMPDIR/escape.sql"
	assert_status 1
	assert_output_contains "must be superuser or have privileges of the pg_execute_server_program role"
	run ! test -e "$marker"
}
