#!/usr/bin/env bats
# cr-restore -t TABLE and --data-only: one table out of a full plain dump,
# with its sequences, indexes, constraints and triggers and nothing else;
# foreign keys to tables not restored left out and listed; rows brought
# back into a side table.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	mkdb src
	q "CREATE SCHEMA app;
	   COMMENT ON SCHEMA app IS 'the app''s own';
	   CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, CHECK (email <> ''));
	   CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users(id), note text);
	   ALTER TABLE users ADD COLUMN best_order int REFERENCES orders(id);
	   CREATE TABLE app.\"My Table\" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	       u int REFERENCES users(id));
	   CREATE INDEX users_lower ON users (lower(email));
	   CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS
	       \$\$BEGIN NEW.email := lower(NEW.email); RETURN NEW; END\$\$;
	   CREATE TRIGGER users_stamp BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION stamp();
	   CREATE VIEW user_emails AS SELECT email FROM users;
	   COMMENT ON TABLE users IS 'people';
	   INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 250) g;
	   INSERT INTO orders (user_id) SELECT g FROM generate_series(1, 40) g;
	   UPDATE users SET best_order = id WHERE id <= 40;
	   INSERT INTO app.\"My Table\" (u) SELECT g FROM generate_series(1, 7) g;
	   CREATE TABLE measures (at int NOT NULL, v int) PARTITION BY RANGE (at);
	   CREATE TABLE measures_1 PARTITION OF measures FOR VALUES FROM (0) TO (100);
	   CREATE TABLE measures_2 PARTITION OF measures FOR VALUES FROM (100) TO (200);
	   ALTER TABLE measures ADD PRIMARY KEY (at);
	   INSERT INTO measures SELECT g, g FROM generate_series(0, 199) g;" src >/dev/null
	pg_dump -d src >"$BATS_FILE_TMPDIR/full.sql"
}
teardown_file() { pg_stop; }

relations() {	# relations DB: every relation outside the system schemas
	q "SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text FROM pg_class c
	   JOIN pg_namespace n ON n.oid = c.relnamespace
	   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	   ORDER BY 1" "$1" | tr '\n' ' '
}

@test "cr-restore -t users: only users, its sequence and indexes; skipped foreign key and trigger listed" {
	mkdb t_only
	run --separate-stderr cr-restore -v -t users -d t_only "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_equal "$(relations t_only)" "public.users:r public.users_email_key:i public.users_id_seq:S public.users_lower:i public.users_pkey:i "
	assert_equal "$(q 'SELECT count(*) FROM users' t_only)" 250
	assert_equal "$(q "SELECT nextval('users_id_seq')" t_only)" 251
	assert_equal "$(q "SELECT count(*) FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c'" t_only)" 1
	assert_equal "$(q "SELECT obj_description('users'::regclass)" t_only)" people
	assert_stderr_contains 'foreign key on "public"."users" skipped: it references "public"."orders"'
	assert_stderr_contains 'trigger on "public"."users" skipped: its function "public"."stamp" is not in the target'
	[[ $stderr != *"restored without rows"* ]]
	# the row-count proof covered the one table
	assert_stderr_contains "1 tables, 250 rows"
}

@test "cr-restore -t: a foreign key to a table already in the target, and a trigger whose function is, are restored" {
	mkdb t_fk
	q "CREATE TABLE orders (id int PRIMARY KEY);
	   INSERT INTO orders SELECT generate_series(1, 40);
	   CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS
	       \$\$BEGIN RETURN NEW; END\$\$;" t_fk >/dev/null
	run --separate-stderr cr-restore -t users -d t_fk "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM pg_trigger WHERE tgname = 'users_stamp'" t_fk)" 1
	assert_equal "$(q "SELECT confrelid::regclass FROM pg_constraint WHERE conname = 'users_best_order_fkey'" t_fk)" orders
	assert_equal "$stderr" ""
}

@test "cr-restore -t: two tables, one in a quoted name with an identity column" {
	mkdb t_two
	q "CREATE SCHEMA app" t_two
	run cr-restore -t 'app."My Table"' -t public.users -d t_two "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM app."My Table"' t_two)" 7
	# the foreign key between the two selected tables is restored
	assert_equal "$(q "SELECT count(*) FROM pg_constraint WHERE conname = 'My Table_u_fkey'" t_two)" 1
	assert_equal "$(q 'INSERT INTO app."My Table" (u) VALUES (1) RETURNING id' t_two)" 8
}

@test "cr-restore -t of a table the dump does not hold exits 65 naming it, before anything runs" {
	mkdb t_missing
	run --separate-stderr cr-restore -t users -t nosuch -d t_missing "$BATS_FILE_TMPDIR/full.sql"
	assert_status 65
	assert_stderr_contains "table nosuch is not in the dump"
	assert_equal "$(relations t_missing)" ""
}

@test "cr-restore -t of a missing table from a pipe exits 65 too" {
	mkdb t_pipe
	run --separate-stderr sh -c 'cat "$1" | cr-restore -t nosuch -d t_pipe' sh "$BATS_FILE_TMPDIR/full.sql"
	assert_status 65
	assert_stderr_contains "table nosuch is not in the dump"
}

@test "cr-restore --data-only -t users=users_back brings rows back into a side table, the live sequence untouched" {
	mkdb t_side
	q "CREATE TABLE users (id serial PRIMARY KEY, email text, best_order int);
	   INSERT INTO users (email) VALUES ('new');
	   CREATE TABLE users_back (LIKE users)" t_side >/dev/null
	run --separate-stderr cr-restore -v --data-only -t users=users_back -d t_side "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*), min(email), max(id) FROM users_back' t_side)" "250|u1|250"
	assert_equal "$(q 'SELECT count(*) FROM users' t_side)" 1
	assert_equal "$(q "SELECT last_value FROM users_id_seq" t_side)" 1
	assert_stderr_contains "1 tables, 250 rows"
}

@test "cr-restore --data-only -t users loads rows and moves the sequence on, into an existing table" {
	mkdb t_data
	cr-restore -t users -d t_data "$BATS_FILE_TMPDIR/full.sql" 2>/dev/null
	q "TRUNCATE users; SELECT setval('users_id_seq', 1, false)" t_data >/dev/null
	run cr-restore -a -t users -d t_data "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM users' t_data)" 250
	assert_equal "$(q "SELECT nextval('users_id_seq')" t_data)" 251
}

@test "cr-restore -t name=other without --data-only is a usage error" {
	run --separate-stderr cr-restore -t users=users_back -d postgres "$BATS_FILE_TMPDIR/full.sql"
	assert_status 64
	assert_stderr_contains "needs --data-only"
}

@test "cr-restore -t of a partitioned table and its partitions: attached, indexed, every row" {
	mkdb t_parts
	run --separate-stderr cr-restore -v -t measures -t measures_1 -t measures_2 -d t_parts "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM measures' t_parts)" 200
	assert_equal "$(q "SELECT count(*) FROM pg_inherits WHERE inhparent = 'measures'::regclass" t_parts)" 2
	assert_equal "$(q "SELECT count(*) FROM pg_index WHERE indisprimary AND indisvalid AND indrelid::regclass::text LIKE 'measures%'" t_parts)" 3
	assert_stderr_contains "2 tables, 200 rows"
}

@test "cr-restore -t of a partitioned table without its partitions exits 65 naming them, before anything runs" {
	mkdb t_parent
	run --separate-stderr cr-restore -t measures -d t_parent "$BATS_FILE_TMPDIR/full.sql"
	assert_status 65
	assert_stderr_contains '-t selects partitioned table "public"."measures", whose rows are in partitions it does not select: "public"."measures_1", "public"."measures_2"'
	assert_stderr_contains "nothing was executed"
	assert_equal "$(relations t_parent)" ""
}

@test "cr-restore -t of a sub-partitioned table names every leaf at once, and the partitioned tables between; all selected, no parent is called rowless" {
	mkdb t_subsrc
	q "CREATE TABLE public.m (k integer, region text) PARTITION BY RANGE (k);
	   CREATE TABLE public.m1 PARTITION OF public.m FOR VALUES FROM (0) TO (10) PARTITION BY LIST (region);
	   CREATE TABLE public.m1a PARTITION OF public.m1 FOR VALUES IN ('a');
	   CREATE TABLE public.m1b PARTITION OF public.m1 FOR VALUES IN ('b');
	   CREATE TABLE public.m2 PARTITION OF public.m FOR VALUES FROM (10) TO (20);
	   INSERT INTO public.m VALUES (1, 'a'), (2, 'b'), (3, 'b'), (11, 'a')" t_subsrc >/dev/null
	pg_dump -d t_subsrc >"$BATS_TEST_TMPDIR/sub.sql"
	mkdb t_sub
	run --separate-stderr cr-restore -t public.m -d t_sub "$BATS_TEST_TMPDIR/sub.sql"
	assert_status 65
	assert_stderr_contains 'whose rows are in partitions it does not select: "public"."m1a", "public"."m1b", "public"."m2", and the partitioned tables between them, which hold no rows of their own: "public"."m1" (give -t for each of them too)'
	run --separate-stderr cr-restore -t public.m -t public.m1 -t public.m1a -t public.m1b -t public.m2 -d t_sub "$BATS_TEST_TMPDIR/sub.sql"
	assert_status 0
	assert_equal "$(q 'SELECT pg_catalog.count(*) FROM public.m' t_sub)" 4
	[[ $stderr != *"restored without rows"* ]]
}

@test "cr-restore --clean -t of a partitioned table with one partition, from a pipe: 65 before any row, target not made" {
	run --separate-stderr sh -c 'cat "$1" | cr-restore --clean --yes -t measures -t measures_1 -d t_parent_pipe' \
		sh "$BATS_FILE_TMPDIR/full.sql"
	assert_status 65
	assert_stderr_contains 'in partitions it does not select: "public"."measures_2"'
	assert_equal "$(q "SELECT count(*) FROM pg_database WHERE datname LIKE 't_parent_pipe%'")" 0
}

@test "cr-restore --data-only -t of a partitioned table into a side table exits 65: its rows are its partitions'" {
	mkdb t_parent_side
	q "CREATE TABLE measures_back (at int, v int)" t_parent_side
	run --separate-stderr cr-restore --data-only -t measures=measures_back -d t_parent_side "$BATS_FILE_TMPDIR/full.sql"
	assert_status 65
	assert_stderr_contains '-t selects partitioned table "public"."measures"'
	assert_equal "$(q 'SELECT count(*) FROM measures_back' t_parent_side)" 0
}

@test "cr-restore -t app.t brings schema app, its owner and comment, into a target without it; an existing app is left as it is" {
	mkdb t_noschema
	q "CREATE ROLE schema_owner" >/dev/null
	q "ALTER SCHEMA app OWNER TO schema_owner" src
	pg_dump -d src >"$BATS_TEST_TMPDIR/owned.sql"
	q "ALTER SCHEMA app OWNER TO cr" src
	run --separate-stderr cr-restore -t 'app."My Table"' -d t_noschema "$BATS_TEST_TMPDIR/owned.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM app."My Table"' t_noschema)" 7
	assert_equal "$(q "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'app'" t_noschema)" schema_owner
	assert_equal "$(q "SELECT obj_description('app'::regnamespace)" t_noschema)" "the app's own"
	# A target that has the schema keeps it as it is.
	mkdb t_hasschema
	q "CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'mine'" t_hasschema
	run --separate-stderr cr-restore -t 'app."My Table"' -d t_hasschema "$BATS_TEST_TMPDIR/owned.sql"
	assert_status 0
	assert_equal "$(q "SELECT obj_description('app'::regnamespace) || ' ' || pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'app'" t_hasschema)" "mine cr"
	assert_equal "$(q 'SELECT count(*) FROM app."My Table"' t_hasschema)" 7
	# A name without a schema brings none.
	mkdb t_unqualified
	run --separate-stderr cr-restore -t users -d t_unqualified "$BATS_TEST_TMPDIR/owned.sql"
	assert_status 0
	assert_equal "$(q "SELECT to_regnamespace('app') IS NULL" t_unqualified)" t
}

@test "cr-restore -t of a partition from a --load-via-partition-root dump says it comes without rows" {
	mkdb t_viaroot
	pg_dump --load-via-partition-root -d src >"$BATS_TEST_TMPDIR/viaroot.sql"
	run --separate-stderr cr-restore -t measures_1 -d t_viaroot "$BATS_TEST_TMPDIR/viaroot.sql"
	assert_status 0
	assert_stderr_contains '"public"."measures_1" is restored without rows: the dump has no COPY block of its own for it'
	assert_equal "$(q 'SELECT count(*) FROM measures_1' t_viaroot)" 0
	# The whole tree from the same dump: every row, no such message.
	mkdb t_viaroot_all
	run --separate-stderr cr-restore -t measures -t measures_1 -t measures_2 -d t_viaroot_all "$BATS_TEST_TMPDIR/viaroot.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM measures' t_viaroot_all)" 200
	[[ $stderr != *"restored without rows"* ]]
}

@test "cr-restore -t reads statements with the splitter's tokens: a nested comment, an E'' string, a dollar quote" {
	mkdb t_tokens
	# A hand-edited dump: CREATE TABLE behind a nested comment, the
	# trigger's WHEN holding E'\'' and a second trigger's a dollar-quoted
	# quote, both before the function they call.  restoreplan's own lexer
	# missed the table (-t matched nothing) and the triggers' function (they
	# ran and failed).
	sed -e 's|^CREATE TABLE public.users (|CREATE /* a /* nested */ comment */ TABLE public.users (|' \
	    -e "s|FOR EACH ROW EXECUTE FUNCTION public.stamp();|FOR EACH ROW WHEN ((new.email <> E'\\\\'')) EXECUTE FUNCTION public.stamp();|" \
	    -e "/WHEN ((new.email/a CREATE TRIGGER users_stamp2 BEFORE UPDATE ON public.users FOR EACH ROW WHEN ((new.email <> \$q\$'\$q\$)) EXECUTE FUNCTION public.stamp();" \
	    "$BATS_FILE_TMPDIR/full.sql" >"$BATS_TEST_TMPDIR/edited.sql"
	grep -F "comment */ TABLE public.users (" "$BATS_TEST_TMPDIR/edited.sql"
	grep -F "E'\\''" "$BATS_TEST_TMPDIR/edited.sql"
	grep -F "\$q\$'\$q\$" "$BATS_TEST_TMPDIR/edited.sql"
	run --separate-stderr cr-restore -t users -d t_tokens "$BATS_TEST_TMPDIR/edited.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM users' t_tokens)" 250
	assert_equal "$(grep -c 'trigger on "public"."users" skipped: its function "public"."stamp" is not in the target' <<<"$stderr")" 2
}
