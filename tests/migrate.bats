#!/usr/bin/env bats
# cr-migrate against a real server: applied exactly once, in order, each
# file in its own transaction with its tracking row; drift, baseline, locks,
# the app's JSON list.

bats_require_minimum_version 1.5.0

load helpers

setup_file()    { pg_start; }
teardown_file() { pg_stop; }

# Each test: its own database ($db) and migrations directory ($dir).
setup() {
	db=mig$BATS_TEST_NUMBER
	mkdb "$db"
	dir=$BATS_TEST_TMPDIR/migrations
	mkdir -p "$dir"
}

# mig NAME: the migration file from stdin.
mig() {
	cat >"$dir/$1"
}

# tracked: $db has cr-migrate's (empty) tracking table, as a database does
# once cr-migrate has run on it, so tables made by a test are not taken for
# an app's schema of unknown history.
tracked() {
	mkdir -p "$BATS_TEST_TMPDIR/none"
	cr-migrate -q -d "$db" --dir "$BATS_TEST_TMPDIR/none" up
}

three_migrations() {
	mig 001_init.sql <<-'SQL'
	-- the first table
	CREATE TABLE users (id int PRIMARY KEY, name text);
	SQL
	mig 002_add_projects.sql <<-'SQL'
	CREATE TABLE projects (id int PRIMARY KEY, owner int REFERENCES users);
	INSERT INTO users VALUES (1, 'ann');
	SQL
	mig 010_add_email.sql <<-'SQL'
	ALTER TABLE users ADD COLUMN email text;
	SQL
}

@test "cr-migrate up applies every migration of a fresh database, in order, and records each" {
	three_migrations
	echo 'not a migration' >"$dir/README.md"
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "Running migration: 001_init
Running migration: 002_add_projects
Running migration: 010_add_email
Applied 3 new migration(s)"
	run q "SELECT version || ' ' || name || ' ' || method FROM cr_migrations ORDER BY version" "$db"
	assert_equal "$output" "1 001_init up
2 002_add_projects up
10 010_add_email up"
	# The checksum is what sha256sum prints for the file.
	run q "SELECT checksum FROM cr_migrations WHERE version = 2" "$db"
	assert_equal "$output" "$(sha256sum <"$dir/002_add_projects.sql" | cut -d' ' -f1)"
	run q "SELECT count(*) FROM cr_migrations WHERE checksum IS NULL OR duration_ms IS NULL
	    OR applied_by <> current_user OR client IS NULL" "$db"
	assert_equal "$output" 0
	run q "SELECT email IS NULL FROM users" "$db"
	assert_equal "$output" t
}

@test "cr-migrate up a second time applies nothing and exits 0" {
	three_migrations
	cr-migrate -d "$db" --dir "$dir" up >/dev/null
	before=$(q "SELECT version, applied_at FROM cr_migrations ORDER BY 1" "$db")
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "No pending migrations"
	assert_equal "$(q "SELECT version, applied_at FROM cr_migrations ORDER BY 1" "$db")" "$before"
	run cr-migrate -q -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" ""
}

@test "cr-migrate up runs only a newly added file" {
	three_migrations
	cr-migrate -d "$db" --dir "$dir" up >/dev/null
	mig 011_add_feature_x.sql <<-'SQL'
	CREATE TABLE feature_x (id int);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "Running migration: 011_add_feature_x
Applied 1 new migration(s)"
	run q "SELECT count(*) FROM cr_migrations" "$db"
	assert_equal "$output" 4
}

@test "cr-migrate up rolls back a failing migration, records nothing, stops, names file and line" {
	mig 001_init.sql <<-'SQL'
	CREATE TABLE users (id int);
	SQL
	mig 002_broken.sql <<-'SQL'
	CREATE TABLE half (id int);
	INSERT INTO half VALUES (1);
	-- the next statement fails on its third line
	SELECT id
	  FROM users
	 WHERE nosuchcolumn = 1;
	SQL
	mig 003_later.sql <<-'SQL'
	CREATE TABLE later (id int);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "Running migration: 002_broken"
	assert_output_contains "$dir/002_broken.sql: line 6: ERROR: column \"nosuchcolumn\" does not exist (statement: SELECT id FROM users WHERE nosuchcolumn = 1;)"
	assert_output_contains "rolled back"
	run q "SELECT to_regclass('half') IS NULL, to_regclass('later') IS NULL" "$db"
	assert_equal "$output" "t|t"
	run q "SELECT string_agg(name, ',' ORDER BY version) FROM cr_migrations" "$db"
	assert_equal "$output" "001_init"
}

@test "cr-migrate verify fails and status shows drift when an applied file was edited" {
	three_migrations
	cr-migrate -d "$db" --dir "$dir" up >/dev/null
	run cr-migrate -d "$db" --dir "$dir" verify
	assert_status 0
	echo "-- edited after it ran" >>"$dir/002_add_projects.sql"
	run cr-migrate -d "$db" --dir "$dir" verify
	assert_status 65
	assert_output_contains "$dir/002_add_projects.sql: changed since it was applied"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" | grep -q "^drifted	002_add_projects	"
	echo "$output" | grep -q "^applied	001_init	"
}

@test "cr-migrate verify fails when an applied migration's file is missing" {
	three_migrations
	cr-migrate -d "$db" --dir "$dir" up >/dev/null
	rm "$dir/010_add_email.sql"
	run cr-migrate -d "$db" --dir "$dir" verify
	assert_status 65
	assert_output_contains "010_add_email: applied (up) but $dir/010_add_email.sql is missing"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" | grep -q "^missing	010_add_email	"
}

@test "cr-migrate status lists applied and pending, and creates nothing" {
	three_migrations
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status
	assert_status 0
	assert_equal "$stderr" ""
	assert_equal "$output" "pending	001_init	-	-
pending	002_add_projects	-	-
pending	010_add_email	-	-"
	run q "SELECT to_regclass('cr_migrations') IS NULL" "$db"
	assert_equal "$output" t
	cr-migrate -d "$db" --dir "$dir" up >/dev/null
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status
	assert_status 0
	assert_equal "$stderr" ""
	[ "$(echo "$output" | grep -c '^applied	')" -eq 3 ]
}

@test "two concurrent cr-migrate up --wait runs apply each migration exactly once" {
	tracked
	q "CREATE TABLE ran (name text)" "$db"
	for n in 001 002 003; do
		mig "${n}_slow.sql" <<-SQL
		SELECT pg_sleep(0.4);
		INSERT INTO ran VALUES ('$n');
		SQL
	done
	cr-migrate -d "$db" --dir "$dir" --wait up >"$BATS_TEST_TMPDIR/a.out" 2>&1 &
	a=$!
	cr-migrate -d "$db" --dir "$dir" --wait up >"$BATS_TEST_TMPDIR/b.out" 2>&1 &
	b=$!
	wait $a
	wait $b
	run q "SELECT name, count(*) FROM ran GROUP BY name ORDER BY name" "$db"
	assert_equal "$output" "001|1
002|1
003|1"
	run q "SELECT count(*) FROM cr_migrations" "$db"
	assert_equal "$output" 3
	cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out" | grep -q "No pending migrations"
}

@test "cr-migrate takes one lock per tracking table, however --table is spelled" {
	tracked
	q "CREATE TABLE ran (n int)" "$db"
	mig 001_once.sql <<-'SQL'
	-- cr:no-transaction
	SELECT pg_sleep(1);
	INSERT INTO ran VALUES (1);
	SQL
	out=$BATS_TEST_TMPDIR
	cr-migrate -d "$db" --dir "$dir" --wait --table cr_migrations up >"$out/a" 2>&1 &
	a=$!
	cr-migrate -d "$db" --dir "$dir" --wait --table CR_MIGRATIONS up >"$out/b" 2>&1 &
	b=$!
	cr-migrate -d "$db" --dir "$dir" --wait --table public.cr_migrations up >"$out/c" 2>&1 &
	c=$!
	wait $a || true
	wait $b || true
	wait $c || true
	run q "SELECT count(*) FROM ran" "$db"
	assert_equal "$output" 1
	run q "SELECT count(*) FROM public.cr_migrations" "$db"
	assert_equal "$output" 1
	run grep -l "No pending migrations" "$out/a" "$out/b" "$out/c"
	assert_equal "${#lines[@]}" 2
}

@test "cr-migrate up without --wait exits 75 while another run holds the lock" {
	mig 001_slow.sql <<-'SQL'
	SELECT pg_sleep(3);
	SQL
	cr-migrate -d "$db" --dir "$dir" up >/dev/null 2>&1 &
	first=$!
	for _ in $(seq 50); do
		[ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -gt 0 ] && break
		sleep 0.1
	done
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 75
	assert_output_contains "another cr-migrate is running against $db"
	assert_output_contains "--wait"
	wait $first
	run q "SELECT count(*) FROM cr_migrations" "$db"
	assert_equal "$output" 1
}

@test "cr-migrate baseline records migrations as applied without running them, then up runs the rest" {
	three_migrations
	# The schema of 001 and 002 came from a restored production dump.
	q "CREATE TABLE users (id int PRIMARY KEY, name text);
	   CREATE TABLE projects (id int PRIMARY KEY, owner int REFERENCES users)" "$db"
	run cr-migrate -d "$db" --dir "$dir" baseline 002
	assert_status 0
	assert_output_contains "Baselined migration: 001_init"
	assert_output_contains "Baselined migration: 002_add_projects"
	assert_output_contains "Recorded 2 migration(s) as applied without running them"
	run q "SELECT count(*) FROM users" "$db"
	assert_equal "$output" 0	# 002's INSERT did not run
	run q "SELECT string_agg(version || ':' || method, ',' ORDER BY version) FROM cr_migrations" "$db"
	assert_equal "$output" "1:baseline,2:baseline"
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "Running migration: 010_add_email
Applied 1 new migration(s)"
	run cr-migrate -d "$db" --dir "$dir" baseline 7
	assert_status 64
	assert_output_contains "no migration numbered 7"
}

@test "cr-migrate up on a restored newer schema fails with the baseline hint" {
	three_migrations
	tracked
	q "CREATE TABLE users (id int PRIMARY KEY, name text)" "$db"
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "001_init.sql: line 2: ERROR: relation \"users\" already exists (statement: CREATE TABLE users"
	assert_output_contains "cr-migrate -d $db --dir $dir baseline 001"
	run q "SELECT count(*) FROM cr_migrations" "$db"
	assert_equal "$output" 0
}

@test "cr-migrate --json-list adopts the app's list, records it, and appends new entries" {
	three_migrations
	q "CREATE TABLE crearis_config (id int, config jsonb);
	   CREATE TABLE users (id int PRIMARY KEY, name text);
	   INSERT INTO crearis_config VALUES (1, '{\"migrations_run\": [\"001_init\"], \"other\": 5}')" "$db"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" --json-list crearis_config.config:migrations_run status
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" | grep -q "^applied	001_init	-	json-list"
	echo "$output" | grep -q "^pending	002_add_projects	"
	run cr-migrate -d "$db" --dir "$dir" --json-list crearis_config.config:migrations_run up
	assert_status 0
	assert_equal "$output" "Adopted 1 migration(s) from crearis_config.config:migrations_run
Running migration: 002_add_projects
Running migration: 010_add_email
Applied 2 new migration(s)"
	run q "SELECT config FROM crearis_config" "$db"
	assert_equal "$output" '{"other": 5, "migrations_run": ["001_init", "002_add_projects", "010_add_email"]}'
	run q "SELECT string_agg(version || ':' || method, ',' ORDER BY version) FROM cr_migrations" "$db"
	assert_equal "$output" "1:adopted,2:up,10:up"
	# The adopted row carries the file's checksum, so later edits show.
	run q "SELECT checksum FROM cr_migrations WHERE version = 1" "$db"
	assert_equal "$output" "$(sha256sum <"$dir/001_init.sql" | cut -d' ' -f1)"
}

@test "cr-migrate --json-list matches entries by name: a number reused by another file still runs" {
	three_migrations
	# The app ran 000_base_schema in another form (no .sql file), and an
	# older 002 whose number the directory now gives to another migration.
	q "CREATE TABLE crearis_config (id int, config jsonb);
	   CREATE TABLE users (id int PRIMARY KEY, name text);
	   INSERT INTO crearis_config VALUES (1, '{\"migrations_run\": [\"000_base_schema\", \"001_init\", \"002_old_idea\"]}')" "$db"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" --json-list crearis_config.config:migrations_run status
	assert_status 0
	assert_equal "$stderr" ""
	assert_equal "$output" "applied	000_base_schema	-	json-list
applied	001_init	-	json-list
pending	002_add_projects	-	-
pending	010_add_email	-	-"
	run cr-migrate -d "$db" --dir "$dir" --json-list crearis_config.config:migrations_run up
	assert_status 0
	assert_output_contains "Adopted 2 migration(s)"
	assert_output_contains "Running migration: 002_add_projects"
	run q "SELECT config->'migrations_run' FROM crearis_config" "$db"
	assert_equal "$output" '["000_base_schema", "001_init", "002_old_idea", "002_add_projects", "010_add_email"]'
	run q "SELECT string_agg(version || ':' || name || ':' || method || ':' || (checksum IS NOT NULL), ',' ORDER BY version) FROM cr_migrations" "$db"
	assert_equal "$output" "0:000_base_schema:adopted:false,1:001_init:adopted:true,2:002_add_projects:up:true,10:010_add_email:up:true"
	run cr-migrate -d "$db" --dir "$dir" verify
	assert_status 0
}

@test "cr-migrate --json-list keeps the .sql form, creates a missing key, and a list table made by a migration" {
	three_migrations
	q "CREATE TABLE crearis_config (id int, config jsonb);
	   INSERT INTO crearis_config VALUES (1, '{\"migrations_run\": [\"001_init.sql\"]}');
	   CREATE TABLE users (id int PRIMARY KEY, name text)" "$db"
	run cr-migrate -d "$db" --dir "$dir" --json-list crearis_config.config:migrations_run up
	assert_status 0
	run q "SELECT config->'migrations_run' FROM crearis_config" "$db"
	assert_equal "$output" '["001_init.sql", "002_add_projects.sql", "010_add_email.sql"]'

	# No key yet: it is created.  No table yet: the first migration makes it.
	mkdb "${db}b"
	mig 000_config.sql <<-'SQL'
	CREATE TABLE app_config (id int, config jsonb);
	SQL
	run cr-migrate -d "${db}b" --dir "$dir" --json-list app_config.config:done up
	assert_status 0
	run q "SELECT config->'done' FROM app_config" "${db}b"
	assert_equal "$output" '["000_config", "001_init", "002_add_projects", "010_add_email"]'
	run cr-migrate -d "${db}b" --dir "$dir" --json-list app_config.config:done verify
	assert_status 0
}

@test "cr-migrate --json-list creates a missing key, picks the row that has the key, refuses a non-list" {
	three_migrations
	q "CREATE TABLE cfg (id int, config json);
	   INSERT INTO cfg VALUES (1, '{\"theme\": \"dark\"}'), (2, '{\"done\": [\"001_init\"]}');
	   CREATE TABLE users (id int PRIMARY KEY, name text);
	   CREATE TABLE other (config jsonb);
	   INSERT INTO other VALUES ('{\"theme\": \"dark\"}')" "$db"
	run cr-migrate -d "$db" --dir "$dir" --json-list cfg.config:done up
	assert_status 0
	run q "SELECT id, config::text FROM cfg ORDER BY id" "$db"
	assert_equal "$output" '1|{"theme": "dark"}
2|{"done": ["001_init", "002_add_projects", "010_add_email"]}'
	# baseline and adoption keep a second list in step too; the key is created.
	run cr-migrate -d "$db" --dir "$dir" --json-list other.config:done baseline 10
	assert_status 0
	run q "SELECT config FROM other" "$db"
	assert_equal "$output" '{"done": ["001_init", "002_add_projects", "010_add_email"], "theme": "dark"}'
	q "UPDATE other SET config = '{\"done\": {\"001_init\": true}}'" "$db"
	run cr-migrate -d "$db" --dir "$dir" --json-list other.config:done up
	assert_status 65
	assert_output_contains 'other.config:done: "done" holds a JSON object, not a list'
}

@test "cr-migrate runs dollar-quoted function bodies that contain semicolons" {
	mig 001_functions.sql <<-'SQL'
	CREATE TABLE counter (n int);
	INSERT INTO counter VALUES (0);
	CREATE FUNCTION bump(by int) RETURNS int LANGUAGE plpgsql AS $body$
	DECLARE
	  result int;
	BEGIN
	  UPDATE counter SET n = n + by;
	  SELECT n INTO result FROM counter; -- a ; in a comment
	  RETURN result;
	END;
	$body$;
	DO $$ BEGIN PERFORM bump(2); PERFORM bump(3); END $$;
	CREATE FUNCTION label() RETURNS text LANGUAGE sql AS 'SELECT ''a;b''';
	CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql
	BEGIN ATOMIC
	  SELECT x + x;
	END;
	CREATE TABLE "odd; name" (v text);
	INSERT INTO "odd; name" VALUES (E'it\'s; fine'), ($q$/* not; a comment */$q$);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	run q "SELECT n, label(), twice(21) FROM counter" "$db"
	assert_equal "$output" "5|a;b|42"
	run q "SELECT string_agg(v, '|' ORDER BY v) FROM \"odd; name\"" "$db"
	assert_equal "$output" "/* not; a comment */|it's; fine"
}

@test "cr-migrate applies a pg_dump of a schema as a migration, giving the same database" {
	mkdb "${db}src"
	q "CREATE SCHEMA \"Mixed Schema\";
	   CREATE TABLE \"Mixed Schema\".\"Events\" (\"Id\" int PRIMARY KEY, payload jsonb, note text);
	   INSERT INTO \"Mixed Schema\".\"Events\"
	     SELECT g, jsonb_build_object('n', g, 's', 'a;b'), E'tab\there\\. back\\slash'
	     FROM generate_series(1, 300) g;
	   CREATE SEQUENCE invoice_seq START 1000;
	   SELECT setval('invoice_seq', 1041);
	   CREATE FUNCTION tricky(x int) RETURNS text LANGUAGE plpgsql AS \$fn\$
	   BEGIN
	     RETURN 'a;b' || E'\n\\.\n' || x::text;
	   END;
	   \$fn\$;
	   CREATE VIEW recent AS SELECT \"Id\" FROM \"Mixed Schema\".\"Events\" WHERE \"Id\" > 290" "${db}src"
	pg_dump -d "${db}src" >"$dir/000_base_schema.sql"
	mig 001_after.sql <<<'CREATE TABLE after_base (id int);'
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_output_contains "Applied 2 new migration(s)"
	q "DROP TABLE after_base; DROP TABLE cr_migrations" "$db"
	# \restrict keys are random per dump; everything else must match.
	diff <(pg_dump -d "${db}src" | grep -v '^\\') <(pg_dump -d "$db" | grep -v '^\\')
}

@test "cr-migrate runs a -- cr:no-transaction file outside a transaction (CREATE INDEX CONCURRENTLY)" {
	mig 001_table.sql <<-'SQL'
	CREATE TABLE big (id int);
	SQL
	mig 002_index.sql <<-'SQL'
	-- Concurrent index builds cannot run in a transaction.
	-- cr:no-transaction
	CREATE INDEX CONCURRENTLY big_id ON big (id);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up --dry-run
	assert_output_contains "Would run migration: 002_index (no transaction)"
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	run q "SELECT indexname FROM pg_indexes WHERE tablename = 'big'" "$db"
	assert_equal "$output" big_id
	run q "SELECT method FROM cr_migrations WHERE version = 2" "$db"
	assert_equal "$output" no-transaction

	# Without the marker the server refuses, and the hint names it.
	mig 003_index.sql <<-'SQL'
	CREATE INDEX CONCURRENTLY big_id2 ON big (id);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "003_index.sql: line 1: ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
	assert_output_contains "-- cr:no-transaction"
}

@test "cr-migrate reports a no-transaction file that fails part way, and a deferred constraint failing at COMMIT" {
	mig 001_partial.sql <<-'SQL'
	-- cr:no-transaction
	CREATE TABLE first_half (id int);
	CREATE TABLE first_half (id int);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "001_partial.sql: line 3: ERROR: relation \"first_half\" already exists"
	assert_output_contains "the statements before line 3 stayed committed; it is not recorded as applied"
	run q "SELECT to_regclass('first_half') IS NOT NULL, (SELECT count(*) FROM cr_migrations)" "$db"
	assert_equal "$output" "t|0"

	rm "$dir/001_partial.sql"
	mig 002_deferred.sql <<-'SQL'
	CREATE TABLE parent (id int PRIMARY KEY);
	CREATE TABLE child (parent int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);
	INSERT INTO child VALUES (42);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "002_deferred.sql: COMMIT: ERROR:  insert or update on table \"child\" violates foreign key constraint"
	run q "SELECT to_regclass('child') IS NULL, (SELECT count(*) FROM cr_migrations)" "$db"
	assert_equal "$output" "t|0"
}

@test "cr-migrate refuses duplicate numbers and bad names, naming the file" {
	mig 001_init.sql <<<'SELECT 1;'
	mig 01_again.sql <<<'SELECT 1;'
	run cr-migrate -d "$db" --dir "$dir" status
	assert_status 65
	assert_output_contains "duplicate migration number"
	assert_output_contains "$dir/01_again.sql"
	assert_output_contains "$dir/001_init.sql"
	rm "$dir/01_again.sql"
	mig add_users.sql <<<'SELECT 1;'
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_output_contains "$dir/add_users.sql: not a migration file name (expected NNN_name.sql)"
	run q "SELECT to_regclass('cr_migrations') IS NULL" "$db"
	assert_equal "$output" t
}

@test "cr-migrate up --dry-run lists what would run and runs nothing" {
	three_migrations
	run cr-migrate -d "$db" --dir "$dir" --dry-run up
	assert_status 0
	assert_equal "$output" "Would run migration: 001_init
Would run migration: 002_add_projects
Would run migration: 010_add_email
Would apply 3 new migration(s)"
	run q "SELECT to_regclass('users') IS NULL, to_regclass('cr_migrations') IS NULL" "$db"
	assert_equal "$output" "t|t"
}

@test "cr-migrate refuses psql meta-commands and BEGIN/COMMIT before running anything" {
	mig 001_ok.sql <<<'CREATE TABLE ok (id int);'
	mig 002_meta.sql <<-'SQL'
	CREATE TABLE m (id int);
	\i other.sql
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_output_contains "$dir/002_meta.sql: line 2: psql meta-command \"\\i other.sql\""
	run q "SELECT to_regclass('ok') IS NULL" "$db"
	assert_equal "$output" t
	mig 002_meta.sql <<-'SQL'
	BEGIN;
	CREATE TABLE m (id int);
	COMMIT;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_output_contains "$dir/002_meta.sql: line 1: transaction control statement"
}

@test "cr-migrate loads COPY ... FROM stdin data in a migration" {
	mig 001_seed.sql <<-'SQL'
	CREATE TABLE roles (id int, name text);
	COPY roles (id, name) FROM stdin;
	1	admin
	2	editor
	\.
	INSERT INTO roles VALUES (3, 'viewer');
	COPY roles TO STDOUT;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	run q "SELECT string_agg(name, ',' ORDER BY id) FROM roles" "$db"
	assert_equal "$output" "admin,editor,viewer"
}

@test "cr-migrate names a bad COPY row by its line in the file, as cr-restore does in a dump" {
	mig 001_seed.sql <<-'SQL'
	CREATE TABLE roles (id int, name text);
	-- seed data
	COPY roles (id, name) FROM stdin;
	1	admin
	two	editor
	3	viewer
	\.
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "$dir/001_seed.sql: line 5: ERROR: invalid input syntax for type integer: \"two\" (COPY roles, line 2, column id: \"two\")"
	assert_output_contains "001_seed was rolled back and is not recorded as applied"
	said=${output#*001_seed.sql: }
	said=${said%%$'\n'*}
	run q "SELECT to_regclass('roles') IS NULL, (SELECT count(*) FROM cr_migrations)" "$db"
	assert_equal "$output" "t|0"

	# The same file as a dump: cr-restore words the failure the same way.
	mkdb "${db}_restore"
	run cr-restore -d "${db}_restore" "$dir/001_seed.sql"
	assert_status 1
	assert_output_contains "cr-restore: $said"
}

@test "cr-migrate carries the server's DETAIL and HINT on the failure's one line" {
	mig 001_dup.sql <<-'SQL'
	CREATE TABLE t (id int PRIMARY KEY);
	INSERT INTO t VALUES (1), (1);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "$dir/001_dup.sql: line 2: ERROR: duplicate key value violates unique constraint \"t_pkey\" DETAIL: Key (id)=(1) already exists. (statement: INSERT INTO t VALUES (1), (1);)"
	mig 001_dup.sql <<-'SQL'
	CREATE TABLE t (id int PRIMARY KEY);
	SELECT 1
	  + nosuchfunction(2);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 1
	assert_output_contains "$dir/001_dup.sql: line 3: ERROR: function nosuchfunction(integer) does not exist HINT: No function matches the given name and argument types."
	run q "SELECT to_regclass('t') IS NULL, (SELECT count(*) FROM cr_migrations)" "$db"
	assert_equal "$output" "t|0"
}

@test "cr-migrate --table keeps tracking in a schema-qualified table; CR_MIGRATIONS_DIR and --env-file" {
	three_migrations
	q "CREATE SCHEMA meta" "$db"
	echo "DATABASE_URL=postgresql:///$db" >"$BATS_TEST_TMPDIR/.env"
	CR_MIGRATIONS_DIR=$dir run cr-migrate -q --env-file "$BATS_TEST_TMPDIR/.env" --table meta.applied up
	assert_status 0
	assert_equal "$output" ""
	run q "SELECT count(*) FROM meta.applied" "$db"
	assert_equal "$output" 3
	run q "SELECT to_regclass('public.cr_migrations') IS NULL" "$db"
	assert_equal "$output" t
}

@test "cr-migrate reads CR_MIGRATIONS_DIR and CR_MIGRATIONS_JSON_LIST from the env file; the environment, then the options, win" {
	three_migrations
	q "CREATE TABLE crearis_config (id int, config jsonb);
	   CREATE TABLE users (id int PRIMARY KEY, name text);
	   INSERT INTO crearis_config VALUES (1, '{\"migrations_run\": [\"001_init\"]}')" "$db"
	other=$BATS_TEST_TMPDIR/other
	mkdir "$other"
	echo 'SELECT 1;' >"$other/020_other.sql"
	cat >"$BATS_TEST_TMPDIR/app.env" <<-EOF
	DATABASE_URL=postgresql:///$db
	CR_MIGRATIONS_DIR=$dir
	CR_MIGRATIONS_JSON_LIST=crearis_config.config:migrations_run
	EOF
	# No ./migrations where it runs: the directory comes from a setting.
	mkdir "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	# The environment wins over the env file.
	CR_MIGRATIONS_DIR=$other run --separate-stderr cr-migrate --env-file ../app.env status
	assert_status 0
	assert_equal "$stderr" ""
	grep -q '^pending	020_other	' <<<"$output"
	grep -q '^applied	001_init	-	json-list' <<<"$output"
	# --dir wins over both.
	CR_MIGRATIONS_DIR=$BATS_TEST_TMPDIR/none run --separate-stderr \
		cr-migrate --env-file ../app.env --dir "$other" status
	assert_status 0
	grep -q '^pending	020_other	' <<<"$output"
	# The env file alone, named by CR_ENV_FILE: its directory and its list.
	CR_ENV_FILE=../app.env run cr-migrate up
	assert_status 0
	assert_equal "$output" "Adopted 1 migration(s) from crearis_config.config:migrations_run
Running migration: 002_add_projects
Running migration: 010_add_email
Applied 2 new migration(s)"
	assert_equal "$(q 'SELECT config FROM crearis_config' "$db")" \
		'{"migrations_run": ["001_init", "002_add_projects", "010_add_email"]}'
}

@test "cr-migrate reads the env file once, for its connection and its settings" {
	three_migrations
	# A FIFO written once: a second open would wait until timeout ends
	# the tool (124).
	mkfifo "$BATS_TEST_TMPDIR/app.env"
	timeout 30 sh -c 'printf "%s\n" "$@" >"$0"' "$BATS_TEST_TMPDIR/app.env" \
		"DATABASE_URL=postgresql:///$db" "CR_MIGRATIONS_DIR=$dir" >/dev/null 2>&1 3>&- &
	mkdir "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	run timeout 10 cr-migrate -q --env-file ../app.env up
	assert_status 0
	run q "SELECT count(*) FROM cr_migrations" "$db"
	assert_equal "$output" 3
}

@test "cr-migrate keeps a migration's SET search_path to that migration" {
	mig 001_app_schema.sql <<-'SQL'
	CREATE SCHEMA app;
	SET search_path = app;
	CREATE TABLE inside (id int);
	SQL
	mig 002_public.sql <<-'SQL'
	CREATE TABLE outside (id int);
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	run q "SELECT to_regclass('app.inside') IS NOT NULL, to_regclass('public.outside') IS NOT NULL,
	    (SELECT count(*) FROM public.cr_migrations)" "$db"
	assert_equal "$output" "t|t|2"
}

@test "cr-migrate exits 66 for a missing directory and 64 for a bad command" {
	run cr-migrate -d "$db" --dir "$BATS_TEST_TMPDIR/nope" status
	assert_status 66
	run cr-migrate -d "$db" --dir "$dir" sideways
	assert_status 64
	run cr-migrate -d "$db" --dir "$dir" --json-list nocolon up
	assert_status 64
}

@test "cr-migrate(1) lints clean" {
	run mandoc -Tlint -Wwarning "$CR_REPO/man/cr-migrate.1"
	assert_status 0
	assert_equal "$output" ""
}

@test "cr-migrate: an empty migrations directory is nothing pending, for up, status and verify" {
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_output_contains "No pending migrations"
	run cr-migrate -d "$db" --dir "$dir" status
	assert_status 0
	run cr-migrate -d "$db" --dir "$dir" verify
	assert_status 0
}

@test "cr-migrate status --json and up --json: one JSON summary on stdout, progress on stderr" {
	three_migrations
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status --json
	assert_status 0
	assert_equal "$stderr" ""
	assert_equal "$output" '{"format_version":1,"database":"'"$db"'","applied":0,"pending":["001_init","002_add_projects","010_add_email"],"drifted":[],"missing":[],"newest_applied":null,"migrations":[{"version":1,"name":"001_init","state":"pending","applied_at":null,"method":null},{"version":2,"name":"002_add_projects","state":"pending","applied_at":null,"method":null},{"version":10,"name":"010_add_email","state":"pending","applied_at":null,"method":null}]}'
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" --json up --dry-run
	assert_status 0
	assert_equal "$output" '{"format_version":1,"database":"'"$db"'","dry_run":true,"ran":[],"ran_count":0,"applied":0,"pending":["001_init","002_add_projects","010_add_email"],"newest_applied":null}'
	run q "SELECT to_regclass('cr_migrations') IS NULL" "$db"
	assert_equal "$output" t
	q "CREATE TABLE users (id int PRIMARY KEY, name text)" "$db"
	cr-migrate -q -d "$db" --dir "$dir" baseline 1
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" up --json
	assert_status 0
	assert_equal "$output" '{"format_version":1,"database":"'"$db"'","dry_run":false,"ran":["002_add_projects","010_add_email"],"ran_count":2,"applied":3,"pending":[],"newest_applied":10}'
	assert_equal "$stderr" "Running migration: 002_add_projects
Running migration: 010_add_email
Applied 2 new migration(s)"
	run --separate-stderr cr-migrate -q -d "$db" --dir "$dir" up --json
	assert_equal "$output" '{"format_version":1,"database":"'"$db"'","dry_run":false,"ran":[],"ran_count":0,"applied":3,"pending":[],"newest_applied":10}'
	assert_equal "$stderr" ""
	mig 011_more.sql <<<'CREATE TABLE more (id int);'
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status --json
	assert_status 0
	[[ $output == '{"format_version":1,"database":"'"$db"'","applied":3,"pending":["011_more"],"drifted":[],"missing":[],"newest_applied":10,"migrations":[{"version":1,"name":"001_init","state":"applied","applied_at":"20'* ]]
	assert_output_contains '"method":"baseline"},{"version":2,"name":"002_add_projects","state":"applied","applied_at":"20'
	assert_output_contains '{"version":11,"name":"011_more","state":"pending","applied_at":null,"method":null}]}'
}

@test "cr-migrate takes whole option names only: status --json is not --json-list" {
	three_migrations
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status --json-l x
	assert_status 64
	assert_equal "$output" ""
	assert_equal "${stderr_lines[0]}" "cr-migrate: unrecognized option '--json-l' (did you mean --json-list?)"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" --dry up
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-migrate: unrecognized option '--dry' (did you mean --dry-run?)"
	run --separate-stderr cr-migrate -d "$db" --di "$dir" status
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-migrate: unrecognized option '--di' (did you mean --dir?)"
	run --separate-stderr cr-migrate -d "$db" --dir="$dir" --json status
	assert_status 0
	assert_output_contains '"pending":["001_init","002_add_projects","010_add_email"]'
	run q "SELECT to_regclass('cr_migrations') IS NULL" "$db"
	assert_equal "$output" t
}

@test "cr-migrate: unknown command names itself and the commands; --help and -? on stdout; --version" {
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" migrate
	assert_status 64
	assert_equal "$output" ""
	assert_equal "$stderr" 'cr-migrate: unknown command "migrate"
cr-migrate: commands: status, up, baseline VERSION, verify'
	run --separate-stderr cr-migrate --help
	assert_status 0
	assert_equal "$stderr" ""
	assert_output_contains "usage: cr-migrate "
	assert_output_contains "commands: status, up, baseline VERSION, verify"
	run --separate-stderr cr-migrate -?
	assert_status 0
	assert_equal "$stderr" ""
	assert_output_contains "usage: cr-migrate "
	run --separate-stderr cr-migrate --version
	assert_status 0
	assert_equal "$output" "cr-migrate $(cr_version)"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" baseline
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-migrate: baseline takes one version: cr-migrate baseline VERSION"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" --json verify
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-migrate: --json is for status and up"
	run --separate-stderr cr-migrate --wait=1 up
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-migrate: option '--wait' takes no argument"
	assert_equal "${stderr_lines[1]}" "Try 'cr-migrate --help' for more information."
}

@test "cr-migrate runs only the up section of a dbmate file: its down section never runs" {
	mig 001_keep.sql <<-'SQL'
	CREATE TABLE keep (v text);
	INSERT INTO keep VALUES ('production data');
	SQL
	cr-migrate -q -d "$db" --dir "$dir" up
	mig 002_note.sql <<-'SQL'
	-- migrate:up
	ALTER TABLE keep ADD COLUMN note text;
	UPDATE keep SET note = 'up ran';

	-- migrate:down
	DROP TABLE keep;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "Running migration: 002_note
Applied 1 new migration(s)"
	run q "SELECT v || '|' || note FROM keep" "$db"
	assert_equal "$output" "production data|up ran"
	# The checksum is of the whole file, down section and all.
	run q "SELECT checksum, method FROM cr_migrations WHERE version = 2" "$db"
	assert_equal "$output" "$(sha256sum <"$dir/002_note.sql" | cut -d' ' -f1)|up"
	run cr-migrate -d "$db" --dir "$dir" verify
	assert_status 0
}

@test "cr-migrate: dbmate's transaction:false and several sections; goose's NO TRANSACTION runs outside a transaction" {
	mig 001_table.sql <<<'CREATE TABLE big (id int, at int);'
	mig 002_dbmate.sql <<-'SQL'
	-- migrate:up transaction:false
	CREATE INDEX CONCURRENTLY big_id ON big (id);
	-- migrate:down
	DROP INDEX big_id;
	-- migrate:up
	CREATE TABLE second_section (id int);
	-- migrate:down
	DROP INDEX big_id;
	DROP TABLE big;
	SQL
	mig 003_goose.sql <<-'SQL'
	-- +goose NO TRANSACTION
	-- +goose Up
	CREATE INDEX CONCURRENTLY big_at ON big (at);

	-- +goose Down
	DROP INDEX CONCURRENTLY big_at;
	DROP TABLE big;
	SQL
	run cr-migrate -d "$db" --dir "$dir" --dry-run up
	assert_status 0
	assert_output_contains "Would run migration: 002_dbmate (no transaction)"
	assert_output_contains "Would run migration: 003_goose (no transaction)"
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_output_contains "Applied 3 new migration(s)"
	run q "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'big'" "$db"
	assert_equal "$output" "big_at,big_id"
	run q "SELECT to_regclass('second_section') IS NOT NULL,
	    (SELECT string_agg(method, ',' ORDER BY version) FROM cr_migrations)" "$db"
	assert_equal "$output" "t|up,no-transaction,no-transaction"
}

@test "cr-migrate runs a goose file's up section: StatementBegin/End around a function body with semicolons" {
	mig 001_counter.sql <<-'SQL'
	-- +goose Up
	CREATE TABLE counter (n int);
	INSERT INTO counter VALUES (0);
	-- +goose StatementBegin
	CREATE FUNCTION bump(by int) RETURNS int LANGUAGE plpgsql AS $$
	BEGIN
	  UPDATE counter SET n = n + by;
	  RETURN by;
	END;
	$$;
	-- +goose StatementEnd

	-- +goose Down
	-- +goose StatementBegin
	DROP FUNCTION bump(int);
	-- +goose StatementEnd
	DROP TABLE counter;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_output_contains "Applied 1 new migration(s)"
	run q "SELECT bump(2) + bump(3)" "$db"
	assert_equal "$output" 5
	run q "SELECT n FROM counter" "$db"
	assert_equal "$output" 5
}

@test "cr-migrate refuses dbmate and goose files it cannot read safely, naming file and line, before anything runs" {
	mig 001_first.sql <<<'CREATE TABLE first (id int);'
	mig 002_indented.sql <<-'SQL'
	-- migrate:up
	CREATE TABLE t (id int);
	  -- migrate:down
	DROP TABLE first;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_output_contains "$dir/002_indented.sql: line 3: \"  -- migrate:down\" is not a marker dbmate reads"
	run q "SELECT to_regclass('first') IS NULL, to_regclass('cr_migrations') IS NULL" "$db"
	assert_equal "$output" "t|t"
	mig 002_indented.sql <<-'SQL'
	DROP TABLE first;
	-- migrate:up
	CREATE TABLE t (id int);
	SQL
	run cr-migrate -d "$db" --dir "$dir" status
	assert_status 65
	assert_output_contains "$dir/002_indented.sql: line 1: a statement before \"-- migrate:up\" (line 2), outside any section"
	rm "$dir/002_indented.sql"
	mig 003_goose.sql <<-'SQL'
	-- +goose Up
	CREATE TABLE t (id int);
	-- +goose Downgrade
	DROP TABLE first;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_output_contains "$dir/003_goose.sql: line 3: \"-- +goose Downgrade\" is not a goose annotation"
	mig 003_goose.sql <<-'SQL'
	-- +goose Down
	DROP TABLE first;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_output_contains "$dir/003_goose.sql: line 1: \"-- +goose Down\" without \"-- +goose Up\" before it"
	run q "SELECT to_regclass('cr_migrations') IS NULL" "$db"
	assert_equal "$output" t
}

@test "cr-migrate: golang-migrate's NNN_name.down.sql is never pending; the .up.sql is the migration" {
	mig 000001_init.up.sql <<<'CREATE TABLE t (id int); INSERT INTO t VALUES (1);'
	mig 000001_init.down.sql <<<'DROP TABLE t;'
	mig 000002_more.down.sql <<<'DROP TABLE t;'
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status
	assert_status 0
	assert_equal "$output" "pending	000001_init.up	-	-"
	assert_stderr_contains "warning: $dir/000001_init.down.sql: a down migration: cr-migrate runs up migrations only and never runs this file"
	assert_stderr_contains "warning: $dir/000002_more.down.sql: a down migration"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "Running migration: 000001_init.up
Applied 1 new migration(s)"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "No pending migrations"
	run q "SELECT count(*) FROM t" "$db"
	assert_equal "$output" 1
}

@test "cr-migrate names the files it does not run (005_add_x.ts) in a warning, with -v and without" {
	mig 001_init.sql <<<'CREATE TABLE t (id int);'
	mig 005_add_x.ts <<<'export async function up() {}'
	echo 'notes' >"$dir/README.md"
	run --separate-stderr cr-migrate -v -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "Running migration: 001_init
Applied 1 new migration(s)"
	assert_stderr_contains "cr-migrate: warning: $dir/005_add_x.ts: not run: cr-migrate runs only NNN_name.sql files"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$output" "No pending migrations"
	assert_equal "$stderr" "cr-migrate: warning: $dir/005_add_x.ts: not run: cr-migrate runs only NNN_name.sql files (the app's own migration command can: cr-restore-dev --migrate-command)"
	run --separate-stderr cr-migrate -q -d "$db" --dir "$dir" up
	assert_status 0
	assert_equal "$stderr" ""
}

@test "cr-migrate up refuses a database with tables but no migration history, naming both ways out; an empty one migrates" {
	three_migrations
	# The app built this database; nothing says which migrations it ran.
	q "CREATE TABLE users (id int PRIMARY KEY, name text); INSERT INTO users VALUES (7, 'kept')" "$db"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_equal "$output" ""
	assert_stderr_contains "cr-migrate: $db has tables (public.users) but no record of applied migrations (no cr_migrations table)"
	assert_stderr_contains "record those it has with: cr-migrate -d $db --dir $dir baseline VERSION, or"
	assert_stderr_contains "--json-list TABLE.COLUMN:KEY (or CR_MIGRATIONS_JSON_LIST)"
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" --dry-run up
	assert_status 65
	# status changes nothing, but says that "pending" may not mean "never ran".
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" status
	assert_status 0
	assert_stderr_contains "warning: $db has tables (public.users) but no record of applied migrations: those listed as pending may have run there"
	run q "SELECT to_regclass('cr_migrations') IS NULL, (SELECT count(*) FROM users)" "$db"
	assert_equal "$output" "t|1"
	# No migration file at all: nothing can have run or be pending, nothing refused.
	mkdir "$BATS_TEST_TMPDIR/none"
	run --separate-stderr cr-migrate -d "$db" --dir "$BATS_TEST_TMPDIR/none" up
	assert_status 0
	# A JSON list naming a table that does not exist is no record either.
	run --separate-stderr cr-migrate -d "$db" --dir "$dir" --json-list app_config.config:done up
	assert_status 65
	assert_stderr_contains "and the JSON list app_config.config:done names no table"
	# The way out, as printed: baseline what it has, then up runs the rest.
	[[ $stderr =~ record\ those\ it\ has\ with:\ (cr-migrate\ [^,]*)\ baseline\ VERSION, ]]
	cd "$BATS_TEST_TMPDIR"
	run bash -c "${BASH_REMATCH[1]} baseline 001"
	assert_status 0
	assert_output_contains "Baselined migration: 001_init"
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_output_contains "Applied 2 new migration(s)"
	# An empty database (an extension enabled is not the app's) starts from scratch.
	mkdb "${db}new"
	q "CREATE EXTENSION IF NOT EXISTS plpgsql" "${db}new"
	run cr-migrate -d "${db}new" --dir "$dir" up
	assert_status 0
	assert_output_contains "Applied 3 new migration(s)"
}

@test "cr-migrate runs a sql-migrate file's up sections only; notransaction runs outside a transaction" {
	mig 001_keep.sql <<-'SQL'
	-- +migrate Up
	CREATE TABLE keep (id int);
	INSERT INTO keep VALUES (1);
	-- +migrate Down
	DROP TABLE keep;
	SQL
	mig 002_index.sql <<-'SQL'
	-- +migrate Up notransaction
	CREATE INDEX CONCURRENTLY keep_id ON keep (id);
	-- +migrate Down
	DROP INDEX keep_id;
	DROP TABLE keep;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 0
	assert_output_contains "Applied 2 new migration(s)"
	run q "SELECT (SELECT count(*) FROM keep), (SELECT indexname FROM pg_indexes WHERE tablename = 'keep'),
	    (SELECT string_agg(method, ',' ORDER BY version) FROM cr_migrations)" "$db"
	assert_equal "$output" "1|keep_id|up,no-transaction"
	mig 003_typo.sql <<-'SQL'
	-- +migrate Up
	CREATE TABLE more (id int);
	-- +migrate down
	DROP TABLE keep;
	SQL
	run cr-migrate -d "$db" --dir "$dir" up
	assert_status 65
	assert_output_contains "$dir/003_typo.sql: line 3: \"-- +migrate down\" is not a command sql-migrate reads"
	run q "SELECT count(*) FROM keep" "$db"
	assert_equal "$output" 1
}
