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

@test "cr-restore --clean -d service=NAME: a section without dbname names no database (64), one with it does" {
	old_db cr	# named like the user: libpq's fallback when the section has no dbname
	old_db svcdb3
	printf '[app]\nport=%s\n' "$PGPORT" >"$BATS_TEST_TMPDIR/pg_service.conf"
	run env -u PGDATABASE PGSERVICEFILE="$BATS_TEST_TMPDIR/pg_service.conf" \
		cr-restore --clean --yes -d service=app "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 64
	assert_output_contains "--clean needs the database to replace named"
	assert_equal "$(tables_of cr)" keepme
	assert_equal "$(q "SELECT count(*) FROM keepme" cr)" 42
	service app svcdb3
	run env -u PGDATABASE PGSERVICEFILE="$BATS_TEST_TMPDIR/pg_service.conf" \
		cr-restore --clean --yes -d service=app "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_equal "$(tables_of svcdb3)" fresh
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

# No guessed target: --clean replaces only a database someone named.

@test "cr-restore --clean: with no database named anywhere it refuses (64) and the user-named database keeps its data" {
	old_db cr	# libpq's fallback: the user's name
	run env -u PGDATABASE cr-restore --clean --yes "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 64
	assert_output_contains "--clean needs the database to replace named: -d NAME"
	assert_equal "$(tables_of cr)" keepme
	# a connection string that names a server but no database is no better
	run env -u PGDATABASE cr-restore --clean --yes -d "host=$PGHOST port=$PGPORT" "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 64
	run env -u PGDATABASE cr-restore --clean --yes -U cr "postgresql://?host=$PGHOST" <"$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 64
	assert_equal "$(tables_of cr)" keepme
}

@test "cr-restore: DATABASE_URL in the environment names the target; -v says so; -d and --env-file win over it" {
	old_db urldb
	old_db cr
	run env -u PGDATABASE DATABASE_URL="postgresql:///urldb?host=$PGHOST&port=$PGPORT" \
		cr-restore -v --clean --yes "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_output_contains "database urldb (from DATABASE_URL in the environment)"
	assert_equal "$(tables_of urldb)" fresh
	assert_equal "$(tables_of cr)" keepme
	# -d wins over the environment's DATABASE_URL
	old_db urldb
	old_db byname
	run env DATABASE_URL="postgresql:///urldb?host=$PGHOST&port=$PGPORT" \
		cr-restore -v --clean --yes -d byname "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_output_contains "database byname (from the command line)"
	assert_equal "$(tables_of byname)" fresh
	assert_equal "$(tables_of urldb)" keepme
	# so does an env file's
	old_db byfile
	printf 'DATABASE_URL=postgresql:///byfile?host=%s&port=%s\n' "$PGHOST" "$PGPORT" >"$BATS_TEST_TMPDIR/app.env"
	chmod 600 "$BATS_TEST_TMPDIR/app.env"
	run env DATABASE_URL="postgresql:///urldb?host=$PGHOST&port=$PGPORT" \
		cr-restore -v --clean --yes --env-file "$BATS_TEST_TMPDIR/app.env" "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_output_contains "database byfile (from DATABASE_URL in $BATS_TEST_TMPDIR/app.env)"
	assert_equal "$(tables_of byfile)" fresh
	assert_equal "$(tables_of urldb)" keepme
}

@test "cr-dump and cr-migrate: DATABASE_URL in the environment is where they connect, and -v says so" {
	old_db dumpurl
	run --separate-stderr env -u PGDATABASE DATABASE_URL="postgresql:///dumpurl?host=$PGHOST&port=$PGPORT" \
		cr-dump -v
	assert_status 0
	assert_stderr_contains "database dumpurl (from DATABASE_URL in the environment)"
	assert_output_contains "COPY public.keepme"
	mkdb migurl
	mkdir -p "$BATS_TEST_TMPDIR/migrations"
	echo "CREATE TABLE migrated (id int);" >"$BATS_TEST_TMPDIR/migrations/001_a.sql"
	run env -u PGDATABASE DATABASE_URL="postgresql:///migurl?host=$PGHOST&port=$PGPORT" \
		cr-migrate -v --dir "$BATS_TEST_TMPDIR/migrations" up
	assert_status 0
	assert_output_contains "database migurl (from DATABASE_URL in the environment)"
	assert_equal "$(q "SELECT count(*) FROM pg_class WHERE relname = 'migrated'" migurl)" 1
}

@test "cr-restore: a URI operand names the database" {
	old_db urioperand
	run cr-restore --clean --yes "postgresql:///urioperand?host=$PGHOST&port=$PGPORT" <"$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_equal "$(tables_of urioperand)" fresh
}

@test "cr-restore: an operand that is a file here and maybe a database, with a pipe on stdin, is refused (64)" {
	old_db app_dev
	old_db cr
	cd "$BATS_TEST_TMPDIR"
	cp "$BATS_FILE_TMPDIR/fresh.sql" app_dev
	run env -u PGDATABASE sh -c 'cat "$1" | cr-restore --clean --yes app_dev' sh "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 64
	assert_output_contains '"app_dev" is both a file here and maybe a database name'
	assert_output_contains "-d app_dev for the database, ./app_dev or < app_dev for the file"
	assert_equal "$(tables_of app_dev)" keepme
	assert_equal "$(tables_of cr)" keepme
	# said either way, it works
	run env -u PGDATABASE sh -c 'cat "$1" | cr-restore --clean --yes -d app_dev' sh "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_equal "$(tables_of app_dev)" fresh
}

@test "cr-restore, cr-dump, cr-migrate: a password in a URI or conninfo argument never shows in a message" {
	for uri in "postgresql://u:Sekr1tPw@[::1/db" "postgresql://u:Sekr1t%zzPw@/db" \
		"postgresql://u:Sekr1tPw@/db?port=abc" "host=/nonexistent password=Sekr1tPw bogus=1" \
		"host=/nonexistent password=Sekr1tPw dbname=x"; do
		run cr-restore -d "$uri" "$BATS_FILE_TMPDIR/fresh.sql"
		[ "$status" -ne 0 ]
		[[ $output != *Sekr1t* ]]
		run cr-restore --clean --yes -d "$uri" "$BATS_FILE_TMPDIR/fresh.sql"
		[ "$status" -ne 0 ]
		[[ $output != *Sekr1t* ]]
		run cr-dump -d "$uri"
		[ "$status" -ne 0 ]
		[[ $output != *Sekr1t* ]]
		run cr-migrate -d "$uri" --dir "$BATS_TEST_TMPDIR" status
		[ "$status" -ne 0 ]
		[[ $output != *Sekr1t* ]]
	done
	run cr-restore -d "postgresql://u:Sekr1tPw@/db?port=abc" "$BATS_FILE_TMPDIR/fresh.sql"
	assert_output_contains 'invalid integer value "abc"'
}

@test "an env file with a password that others may read is used, with a warning naming it and chmod 600" {
	old_db permdb
	env_file=$BATS_TEST_TMPDIR/perm.env
	printf 'PGDATABASE=permdb\nPGPASSWORD=notneeded\n' >"$env_file"
	chmod 644 "$env_file"
	run cr-restore --env-file "$env_file" "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	assert_output_contains "cr-restore: $env_file: holds a password and group or others may read or write it (mode 0644): chmod 600 $env_file"
	assert_equal "$(tables_of permdb)" fresh,keepme
	run --separate-stderr cr-dump --env-file "$env_file" -s
	assert_status 0
	assert_stderr_contains "chmod 600 $env_file"
	chmod 600 "$env_file"
	run cr-restore --clean --yes --env-file "$env_file" "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	[[ $output != *"chmod 600"* ]]
	# no password, no warning
	printf 'PGDATABASE=permdb\n' >"$env_file"
	chmod 644 "$env_file"
	run cr-restore --clean --yes --env-file "$env_file" "$BATS_FILE_TMPDIR/fresh.sql"
	assert_status 0
	[[ $output != *"chmod 600"* ]]
}

# pad: comment lines, more than cr-restore reads ahead before it starts.
pad() { yes -- '-- padding: more than the input buffers hold' | head -n 100000; }

@test "cr-restore --clean: a second run on the same target while one is running exits 75 and calls nothing a leftover" {
	old_db locked
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	cr-restore --clean --yes -d locked <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/first.log" 2>&1 &
	first=$!
	exec 5>"$BATS_TEST_TMPDIR/fifo"
	head -n 20 "$BATS_FILE_TMPDIR/fresh.sql" >&5
	pad >&5
	# the first run holds its lock and its scratch database exists
	for _ in $(seq 300); do
		[ "$(q "SELECT count(*) FROM pg_database WHERE datname LIKE 'locked\_cr\_restore\_%'")" -eq 1 ] && break
		sleep 0.1
	done
	run cr-restore --clean --yes -d locked "$BATS_FILE_TMPDIR/fresh.sql"
	tail -n +21 "$BATS_FILE_TMPDIR/fresh.sql" >&5
	exec 5>&-
	wait "$first"
	assert_status 75
	assert_output_contains 'a restore of "locked" is running'
	[[ $output != *dropdb* ]]
	assert_equal "$(tables_of locked)" fresh
	# a test restore beside it goes on, and names no leftover either
	old_db locked
	cr-restore --clean --yes -d locked <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/first.log" 2>&1 &
	first=$!
	exec 5>"$BATS_TEST_TMPDIR/fifo"
	head -n 20 "$BATS_FILE_TMPDIR/fresh.sql" >&5
	pad >&5
	for _ in $(seq 300); do
		[ "$(q "SELECT count(*) FROM pg_database WHERE datname LIKE 'locked\_cr\_restore\_%'")" -eq 1 ] && break
		sleep 0.1
	done
	run cr-restore --test -d locked "$BATS_FILE_TMPDIR/fresh.sql"
	tail -n +21 "$BATS_FILE_TMPDIR/fresh.sql" >&5
	exec 5>&-
	wait "$first"
	assert_status 0
	[[ $output != *dropdb* ]]
	assert_equal "$(tables_of locked)" fresh
}
