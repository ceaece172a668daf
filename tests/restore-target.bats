#!/usr/bin/env bats
# cr-restore: the target is the database libpq connects to, whatever names
# it (a service file here); --clean carries the database itself over: owner,
# comment, settings, privileges, connection limit, production marker.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	mkdb src
	q "CREATE TABLE fresh (id int); INSERT INTO fresh SELECT generate_series(1, 7)" src >/dev/null
	pg_dump --no-owner -d src >"$BATS_FILE_TMPDIR/fresh.sql"
}
teardown_file() { pg_stop; }

old_db() {
	mkdb "$1"
	q "CREATE TABLE keepme (id int); INSERT INTO keepme SELECT generate_series(1, 42)" "$1" >/dev/null
}

tables_of() {
	q "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('fresh', 'keepme')" "$1"
}

# service NAME DB: a service file in the test's directory naming DB.
service() {
	printf '[%s]\ndbname=%s\n' "$1" "$2" >"$BATS_TEST_TMPDIR/pg_service.conf"
}

@test "cr-restore --clean: the target is the database a service file names, not one named like the user" {
	old_db svcdb
	old_db cr	# named like the user: libpq's default without a service
	service app svcdb
	run env -u PGDATABASE PGSERVICEFILE="$BATS_TEST_TMPDIR/pg_service.conf" PGSERVICE=app \
		cr-restore -v --clean --yes "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_output_contains "svcdb: "
	assert_equal "$(tables_of svcdb)" fresh
	assert_equal "$(tables_of cr)" keepme
}

@test "cr-restore: without --clean the same service puts the data in the same database" {
	mkdb svcdb2
	old_db cr
	service app svcdb2
	run env -u PGDATABASE PGSERVICEFILE="$BATS_TEST_TMPDIR/pg_service.conf" PGSERVICE=app \
		cr-restore "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_equal "$(tables_of svcdb2)" fresh
	assert_equal "$(tables_of cr)" keepme
}

@test "cr-restore --clean: the production guard checks the database the service names" {
	old_db app_prod
	old_db cr
	service app app_prod
	run env -u PGDATABASE PGSERVICEFILE="$BATS_TEST_TMPDIR/pg_service.conf" PGSERVICE=app \
		cr-restore --clean --yes "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 77
	assert_output_contains 'refusing to restore into "app_prod"'
	assert_equal "$(tables_of app_prod)" keepme
	assert_equal "$(tables_of cr)" keepme
}

@test "cr-restore --clean: a target that does not exist yet, named by a URI, is created" {
	q "DROP DATABASE IF EXISTS uri_new" >/dev/null
	run cr-restore --clean --yes -d "postgresql:///uri_new?host=$PGHOST&port=$PGPORT" \
		"$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_equal "$(tables_of uri_new)" fresh
}

# The database's own attributes, as the catalogs show them.
attributes() {
	q "SELECT pg_get_userbyid(d.datdba), d.datconnlimit, shobj_description(d.oid, 'pg_database'),
	          d.datacl::text,
	          (SELECT string_agg(coalesce(pg_get_userbyid(NULLIF(s.setrole, 0)), '-') || ':' ||
	                  array_to_string(s.setconfig, ';'), ' ' ORDER BY s.setrole)
	           FROM pg_db_role_setting s WHERE s.setdatabase = d.oid)
	   FROM pg_database d WHERE d.datname = '$1'"
}

@test "cr-restore --clean: owner, comment, settings, role settings, grants and connection limit are carried over" {
	q "CREATE ROLE carry_owner; CREATE ROLE carry_app LOGIN" >/dev/null
	old_db carried
	q "ALTER DATABASE carried OWNER TO carry_owner" >/dev/null
	q "COMMENT ON DATABASE carried IS 'the app''s database'" >/dev/null
	q "ALTER DATABASE carried SET work_mem = '3MB'" >/dev/null
	q "ALTER DATABASE carried SET search_path = \"\$user\", public, \"Odd Schema\"" >/dev/null
	q "ALTER ROLE carry_app IN DATABASE carried SET statement_timeout = '5s'" >/dev/null
	q "REVOKE ALL ON DATABASE carried FROM PUBLIC" >/dev/null
	q "GRANT CONNECT, TEMPORARY ON DATABASE carried TO carry_app" >/dev/null
	q "GRANT CREATE ON DATABASE carried TO carry_app WITH GRANT OPTION" >/dev/null
	q "ALTER DATABASE carried CONNECTION LIMIT 7" >/dev/null
	before=$(attributes carried)
	run cr-restore --clean --yes -d carried "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_equal "$(tables_of carried)" fresh
	assert_equal "$(attributes carried)" "$before"
	assert_equal "$(q "SELECT has_database_privilege('carry_app', 'carried', 'CREATE WITH GRANT OPTION')")" t
	assert_equal "$(q "SELECT current_setting('search_path')" carried)" '"$user", public, "Odd Schema"'
}

@test "cr-restore --clean --allow-production: the production marker stays on the replacement" {
	old_db marked
	q "COMMENT ON DATABASE marked IS 'billing (cr:production)'" >/dev/null
	q "ALTER DATABASE marked SET cr.environment = 'production'" >/dev/null
	run cr-restore --clean --yes --allow-production -d marked "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_equal "$(tables_of marked)" fresh
	# still production: the next restore without the override is refused
	run cr-restore --clean --yes -d marked "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 77
	assert_output_contains "its comment carries the marker 'cr:production'"
	q "COMMENT ON DATABASE marked IS NULL" >/dev/null
	run cr-restore --clean --yes -d marked "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 77
	assert_output_contains "it has the setting cr.environment = 'production'"
}
