#!/usr/bin/env bats
# cr-restore: SQL dumps into a database through libpq.  Round trips, refused
# meta-commands, the atomic --clean replace, the production guard, the
# confirmation, the row-count proof, interrupts.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	load_awkward awkward
	pg_dump -d awkward >"$BATS_FILE_TMPDIR/awkward.sql"
}
teardown_file() { pg_stop; }

# dump_of DB: pg_dump without the random \restrict key lines.
dump_of() {
	pg_dump -d "$1" | grep -v '^\\\(un\)\?restrict'
}

# counts DB: rows per table of the awkward schema.
counts() {
	q "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM projects),
	   (SELECT count(*) FROM \"Mixed Schema\".\"Events\"), (SELECT count(*) FROM \"MixedCase\"),
	   (SELECT count(*) FROM \"table with space\")" "$1"
}

# once_fifo PATH TEXT: PATH is a FIFO that gives TEXT to its first reader
# only; a second open of it waits (here: until the tool's timeout).
once_fifo() {
	mkfifo "$1"
	timeout 30 sh -c 'printf "%s" "$2" >"$1"' sh "$1" "$2" >/dev/null 2>&1 3>&- &
}

assert_old_db() {
	run q "SELECT count(*) FROM keepme" "$1"
	assert_status 0
	assert_equal "$output" 42
	assert_equal "$(scratch_dbs)" 0
}

@test "cr-restore: round trip of the awkward schema gives identical data" {
	mkdb copy1
	run cr-restore -v -d copy1 "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_output_contains "copy1: 374"
	assert_output_contains "6 tables, 5507 rows"
	dump_of awkward >"$BATS_TEST_TMPDIR/a.sql"
	dump_of copy1 >"$BATS_TEST_TMPDIR/b.sql"
	cmp "$BATS_TEST_TMPDIR/a.sql" "$BATS_TEST_TMPDIR/b.sql"
	assert_equal "$(counts copy1)" "$(counts awkward)"
	# the dump from this machine's pg_dump carries the \restrict pair
	grep -q '^\\restrict ' "$BATS_FILE_TMPDIR/awkward.sql"
}

@test "cr-restore --clean: replaces the database atomically, from a gzip pipe too" {
	old_db copy2
	run bash -c "gzip -c '$BATS_FILE_TMPDIR/awkward.sql' | cr-restore -v --clean --yes -d copy2"
	assert_status 0
	assert_output_contains "restoring into scratch database copy2_cr_restore_"
	assert_output_contains "0 sessions ended"
	run q "SELECT count(*) FROM pg_class WHERE relname = 'keepme'" copy2
	assert_equal "$output" 0
	assert_equal "$(counts copy2)" "$(counts awkward)"
	assert_equal "$(scratch_dbs)" 0
	# a target that does not exist yet is created
	run cr-restore --clean --yes -d brand_new "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_equal "$(counts brand_new)" "$(counts awkward)"
}

@test "cr-restore: a dump with \\! is refused (65) and the command never runs" {
	marker="$BATS_TEST_TMPDIR/pwned"
	awk -v m="$marker" '/^CREATE TABLE public.projects/ { print "\\! touch " m } 1' \
		"$BATS_FILE_TMPDIR/awkward.sql" >"$BATS_TEST_TMPDIR/evil.sql"
	line=$(grep -n '^\\!' "$BATS_TEST_TMPDIR/evil.sql" | cut -d: -f1)

	# --clean: the old database stays, no scratch database is left
	old_db victim
	run cr-restore --clean --yes -d victim <"$BATS_TEST_TMPDIR/evil.sql"
	assert_status 65
	assert_output_contains "line $line: refused psql meta-command \\! touch"
	assert_output_contains '"victim" is as it was'
	[ ! -e "$marker" ]
	assert_old_db victim

	# a file without --clean: read through first, nothing executed
	run cr-restore -d victim "$BATS_TEST_TMPDIR/evil.sql"
	assert_status 65
	assert_output_contains "nothing was executed"
	[ ! -e "$marker" ]
	run q "SELECT count(*) FROM pg_namespace WHERE nspname = 'Mixed Schema'" victim
	assert_equal "$output" 0

	# a pipe without --clean: refused where it is reached, and said so
	run bash -c "cat '$BATS_TEST_TMPDIR/evil.sql' | cr-restore -d victim"
	assert_status 65
	assert_output_contains "executed and stay"
	[ ! -e "$marker" ]

	# with -1 the statements before it are rolled back
	mkdb victim1
	run bash -c "cat '$BATS_TEST_TMPDIR/evil.sql' | cr-restore -1 -d victim1"
	assert_status 65
	assert_output_contains "rolled back"
	run q "SELECT count(*) FROM pg_namespace WHERE nspname = 'Mixed Schema'" victim1
	assert_equal "$output" 0
}

@test "cr-restore: other meta-commands are refused too; \\connect only to the target itself" {
	mkdb meta
	for cmd in '\o /tmp/x' '\i /etc/passwd' '\copy t from /etc/passwd' '\set ON_ERROR_STOP 0' \
		'\connect postgres' '\c other'; do
		printf 'CREATE TABLE t (a text);\n%s\nSELECT 1;\n' "$cmd" >"$BATS_TEST_TMPDIR/m.sql"
		run cr-restore -d meta "$BATS_TEST_TMPDIR/m.sql"
		assert_status 65
		assert_output_contains "line 2: refused"
	done
	printf 'CREATE TABLE t (a text);\n\\connect -reuse-previous=on "dbname='"'meta'"'"\nSELECT 1;\n' \
		>"$BATS_TEST_TMPDIR/m.sql"
	run cr-restore --trust-dump -d meta "$BATS_TEST_TMPDIR/m.sql"
	assert_status 0
	# a \unrestrict that does not match its \restrict is bad input
	printf '\\restrict abc\nSELECT 1;\n\\unrestrict abd\n' >"$BATS_TEST_TMPDIR/m.sql"
	run cr-restore --trust-dump -d meta "$BATS_TEST_TMPDIR/m.sql"
	assert_status 65
	assert_output_contains "line 3: \\unrestrict does not match"
}

@test "cr-restore: statements beyond the target (pg_dump -C -c, ALTER SYSTEM, COPY PROGRAM) are refused" {
	old_db other
	mkdb created
	pg_dump -C -c -d created >"$BATS_TEST_TMPDIR/create.sql"
	q "CREATE TABLE keepme (id int); INSERT INTO keepme SELECT generate_series(1, 42)" created >/dev/null
	run cr-restore --clean --yes -d other "$BATS_TEST_TMPDIR/create.sql"
	assert_status 65
	assert_output_contains "refused DROP DATABASE created;"
	assert_old_db other
	assert_old_db created
	printf 'ALTER SYSTEM SET work_mem = $$1GB$$;\n' >"$BATS_TEST_TMPDIR/sys.sql"
	run cr-restore -d other "$BATS_TEST_TMPDIR/sys.sql"
	assert_status 65
	assert_output_contains "line 1: refused ALTER SYSTEM"
	# The program and the file would run as the server's OS user: the
	# marker lives where that user can write, so a COPY that ran shows.
	marker="$CR_PGROOT/copied"
	for copy in "COPY keepme TO PROGRAM 'touch $marker';" "COPY keepme FROM PROGRAM 'touch $marker';" \
		"copy keepme to '$marker';" "COPY (SELECT 1) TO STDOUT;"; do
		printf 'SELECT 1;\n%s\n' "$copy" >"$BATS_TEST_TMPDIR/copy.sql"
		# refused even when the dump is trusted
		run cr-restore --trust-dump -d other "$BATS_TEST_TMPDIR/copy.sql"
		assert_status 65
		assert_output_contains "line 2: refused"
		run test -e "$marker"
		assert_status 1
	done
	# the same COPY run directly does leave the marker
	q "COPY keepme TO PROGRAM 'cat >/dev/null; touch $marker'" other >/dev/null
	run test -e "$marker"
	assert_status 0
}

@test "cr-restore --clean: the target named by a URI in an env file" {
	old_db fromenv
	printf 'NODE_ENV=development\nDATABASE_URL=postgresql:///fromenv?host=%s&port=%s\n' \
		"$(printf %s "$PGHOST" | sed 's|/|%2F|g')" "$PGPORT" >"$BATS_TEST_TMPDIR/dev.env"
	run env -u PGDATABASE cr-restore -v --clean --yes --env-file "$BATS_TEST_TMPDIR/dev.env" \
		"$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_output_contains "fromenv: 374"
	assert_equal "$(counts fromenv)" "$(counts awkward)"
	run cr-restore --clean --yes -d "dbname=fromenv2 port=$PGPORT" "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_equal "$(counts fromenv2)" "$(counts awkward)"
}

@test "cr-restore reads the env file once: its connection settings and the production guard" {
	# A FIFO written once: a tool that opened the file a second time
	# would wait on it until timeout ends it (124).
	old_db fifo_dev
	once_fifo "$BATS_TEST_TMPDIR/prod.env" $'NODE_ENV=production\nPGDATABASE=fifo_dev\n'
	run timeout 10 cr-restore --clean --yes --env-file "$BATS_TEST_TMPDIR/prod.env" \
		"$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 77
	assert_output_contains "the env file says NODE_ENV=production"
	assert_old_db fifo_dev
	once_fifo "$BATS_TEST_TMPDIR/dev.env" $'NODE_ENV=development\nPGDATABASE=fifo_dev\n'
	run timeout 10 cr-restore --clean --yes --env-file "$BATS_TEST_TMPDIR/dev.env" \
		"$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_equal "$(counts fifo_dev)" "$(counts awkward)"
}

@test "cr-restore: a dump failing halfway leaves the old database and no scratch" {
	old_db half
	sed 's/^CREATE TABLE public.projects (/CREATE TABLE public.projects (oops nosuchtype,/' \
		"$BATS_FILE_TMPDIR/awkward.sql" >"$BATS_TEST_TMPDIR/bad.sql"
	line=$(grep -n '^CREATE TABLE public.projects' "$BATS_TEST_TMPDIR/bad.sql" | cut -d: -f1)
	run cr-restore --clean --yes -d half "$BATS_TEST_TMPDIR/bad.sql"
	assert_status 1
	assert_output_contains "line $line: ERROR: type \"nosuchtype\" does not exist (statement: CREATE TABLE public.projects (oops nosuchtype,"
	assert_old_db half

	# a bad row in COPY data: the message names the input line of the row
	awk '/^COPY public.projects /{c=1} c && /^17\t/{sub(/^17\t[0-9]+/, "17\tnotanumber"); c=0} 1' \
		"$BATS_FILE_TMPDIR/awkward.sql" >"$BATS_TEST_TMPDIR/badrow.sql"
	line=$(grep -n '^17	notanumber' "$BATS_TEST_TMPDIR/badrow.sql" | cut -d: -f1)
	run cr-restore --clean --yes -d half "$BATS_TEST_TMPDIR/badrow.sql"
	assert_status 1
	assert_output_contains "line $line: ERROR: invalid input syntax for type bigint: \"notanumber\""
	assert_output_contains "(COPY projects, line 17, column owner_id"
	assert_old_db half
}

@test "cr-restore: truncated dumps are refused (65), mid-COPY or at a statement boundary" {
	old_db trunc
	dump="$BATS_FILE_TMPDIR/awkward.sql"
	cut_at=$(( $(grep -n '^COPY public.users ' "$dump" | cut -d: -f1) + 50 ))
	head -n "$cut_at" "$dump" >"$BATS_TEST_TMPDIR/t1.sql"
	run cr-restore --clean --yes -d trunc "$BATS_TEST_TMPDIR/t1.sql"
	assert_status 65
	assert_output_contains "end of input in COPY data"
	assert_old_db trunc

	# cut after the data but before the constraints: every statement is
	# whole, only the end of the dump is missing
	cut_at=$(grep -n '^SELECT pg_catalog.setval' "$dump" | tail -n 1 | cut -d: -f1)
	head -n "$cut_at" "$dump" >"$BATS_TEST_TMPDIR/t2.sql"
	run cr-restore --clean --yes -d trunc "$BATS_TEST_TMPDIR/t2.sql"
	assert_status 65
	assert_output_contains "truncated dump?"
	assert_old_db trunc
	# an empty pipe (ssh failed, the file was missing) replaces nothing
	run bash -c "cat /dev/null | cr-restore --clean --yes -d trunc"
	assert_status 65
	assert_output_contains "the input is empty"
	run bash -c "printf -- '-- only a comment\n' | cr-restore --clean --yes -d trunc"
	assert_status 65
	assert_output_contains "no SQL statement"
	assert_old_db trunc
	# a gzip stream cut short
	gzip -c "$dump" | head -c 20000 >"$BATS_TEST_TMPDIR/t3.sql.gz"
	run cr-restore --clean --yes -d trunc "$BATS_TEST_TMPDIR/t3.sql.gz"
	assert_status 65
	assert_old_db trunc
}

@test "cr-restore: a cr-dump stream must end with its trailer, whose count and CRC-32 match" {
	old_db crdump
	# cr-dump's trailer (docs/stream-format.md), its CRC-32 taken from a
	# gzip member's trailer: the same CRC, little-endian
	trailer() {
		printf -- '-- cr-dump trailer: bytes=%d crc32=%s end\n' "$(wc -c <"$1")" \
			"$(gzip -c <"$1" | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n')"
	}
	d=$BATS_TEST_TMPDIR
	{ printf -- '-- cr-dump: format=1\n-- cr-dump: database=awkward\n\n'
	  cat "$BATS_FILE_TMPDIR/awkward.sql"; } >"$d/notrailer.sql"
	{ cat "$d/notrailer.sql"; trailer "$d/notrailer.sql"; } >"$d/good.sql"
	{ sed 's/user100@example.com/USER100@example.com/' "$d/notrailer.sql"
	  trailer "$d/notrailer.sql"; } >"$d/flipped.sql"
	head -c -1 "$d/notrailer.sql" >"$d/cut.sql"
	{ cat "$d/cut.sql"; trailer "$d/cut.sql" | sed 's/bytes=/bytes=1/'; } >"$d/short.sql"
	grep -q 'USER100@' "$d/flipped.sql"
	run cr-restore --clean --yes -d crdump "$BATS_TEST_TMPDIR/notrailer.sql"
	assert_status 65
	assert_output_contains "the cr-dump trailer is missing"
	run cr-restore --clean --yes -d crdump "$BATS_TEST_TMPDIR/flipped.sql"
	assert_status 65
	assert_output_contains "CRC-32 mismatch"
	run cr-restore --clean --yes -d crdump "$BATS_TEST_TMPDIR/short.sql"
	assert_status 65
	assert_output_contains "the dump is damaged"
	assert_old_db crdump
	run bash -c "gzip -c '$BATS_TEST_TMPDIR/good.sql' | cr-restore --clean --yes -d crdump"
	assert_status 0
	assert_equal "$(counts crdump)" "$(counts awkward)"
}

@test "cr-restore --clean: sessions on the busy target are ended and counted" {
	old_db busy
	psql -X -d busy -c 'SELECT pg_sleep(60)' >/dev/null 2>&1 &
	sleeper=$!
	for i in $(seq 50); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'busy'")" -ge 1 ] && break
		sleep 0.1
	done
	run cr-restore -v --clean --yes -d busy "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_output_contains "1 session ended"
	rc=0
	wait "$sleeper" || rc=$?
	[ "$rc" -ne 0 ]
	assert_equal "$(counts busy)" "$(counts awkward)"
	assert_equal "$(q "SELECT datallowconn FROM pg_database WHERE datname = 'busy'")" t
}

@test "cr-restore: production-looking targets are refused (77) before anything is touched" {
	dump="$BATS_FILE_TMPDIR/awkward.sql"
	old_db app_prod
	run cr-restore --clean --yes -d app_prod "$dump"
	assert_status 77
	assert_output_contains "matches the production pattern '*prod*'"
	run cr-restore -d app_prod "$dump"
	assert_status 77
	assert_old_db app_prod

	old_db app_dev
	NODE_ENV=production run cr-restore --clean --yes -d app_dev "$dump"
	assert_status 77
	assert_output_contains "NODE_ENV=production"
	APP_ENV=Production run cr-restore -d app_dev "$dump"
	assert_status 77
	printf 'NODE_ENV=production\nPGDATABASE=app_dev\n' >"$BATS_TEST_TMPDIR/prod.env"
	run cr-restore --clean --yes --env-file "$BATS_TEST_TMPDIR/prod.env" "$dump"
	assert_status 77
	assert_output_contains "the env file says NODE_ENV=production"

	# the markers on the database itself
	q "COMMENT ON DATABASE app_dev IS 'main database (cr:production)'" >/dev/null
	run cr-restore --clean --yes -d app_dev "$dump"
	assert_status 77
	assert_output_contains "cr:production"
	q "COMMENT ON DATABASE app_dev IS NULL" >/dev/null
	q "ALTER DATABASE app_dev SET cr.environment = 'production'" >/dev/null
	run cr-restore -d app_dev "$dump"
	assert_status 77
	assert_output_contains "cr.environment"
	assert_old_db app_dev

	# own patterns, and the override
	CR_PRODUCTION_PATTERNS='*_live:*_main' run cr-restore --clean --yes -d shop_live "$dump"
	assert_status 77
	run cr-restore --clean --yes --allow-production -d app_prod "$dump"
	assert_status 0
	assert_equal "$(counts app_prod)" "$(counts awkward)"
}

@test "cr-restore --clean: without a terminal and without --yes it refuses (64)" {
	old_db notty
	run setsid -w cr-restore --clean -d notty "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 64
	assert_output_contains "confirm on a terminal, or pass --yes"
	assert_old_db notty
}

@test "cr-restore --clean: on a terminal the database name must be typed" {
	old_db withtty
	dump="$BATS_FILE_TMPDIR/awkward.sql"
	run bash -c "printf 'wrong\n' | script -qec 'cr-restore --clean -d withtty $dump' /dev/null"
	assert_output_contains "Type the database name to confirm"
	assert_output_contains "not confirmed"
	assert_old_db withtty
	run bash -c "printf 'withtty\n' | script -qec 'cr-restore --clean -d withtty $dump' /dev/null"
	assert_output_contains "Type the database name to confirm"
	assert_output_contains "0 sessions ended"
	assert_equal "$(counts withtty)" "$(counts awkward)"
}

@test "cr-restore: rows a trigger drops, or a statement deletes, fail the row-count proof" {
	old_db counted
	cat >"$BATS_TEST_TMPDIR/trigger.sql" <<-'EOF'
	CREATE TABLE t (id int);
	CREATE FUNCTION skip_odd() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN IF NEW.id % 2 = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$;
	CREATE TRIGGER skip BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION skip_odd();
	COPY public.t (id) FROM stdin;
	1
	2
	3
	4
	\.
	EOF
	run cr-restore --clean --yes -d counted "$BATS_TEST_TMPDIR/trigger.sql"
	assert_status 1
	assert_output_contains "line 5: row count mismatch: public.t loaded 2 rows but the dump carried 4"
	assert_old_db counted

	printf 'CREATE TABLE "odd name" (id int);\nCOPY "odd name" (id) FROM stdin;\n1\n2\n\\.\nDELETE FROM "odd name" WHERE id = 1;\n' \
		>"$BATS_TEST_TMPDIR/delete.sql"
	run cr-restore --trust-dump --clean --yes -d counted "$BATS_TEST_TMPDIR/delete.sql"
	assert_status 1
	assert_output_contains 'row count mismatch: "odd name" has 1 rows after the restore but the dump carried 2'
	assert_old_db counted
}

@test "cr-restore: counts hold for COPY inside a transaction and for two COPY blocks into one table" {
	mkdb txn
	printf '%s\n' 'BEGIN;' 'CREATE TABLE t (id int);' 'COPY t (id) FROM stdin;' 1 2 3 '\.' \
		'CREATE INDEX ON t (id);' 'COPY t (id) FROM stdin;' 4 5 '\.' 'COMMIT;' \
		'CREATE TABLE u (id int);' 'COPY u (id) FROM stdin;' 1 '\.' 'COPY u (id) FROM stdin;' 2 3 '\.' \
		'ALTER TABLE u ADD PRIMARY KEY (id);' 'SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence($$u$$, $$id$$), 1);' \
		>"$BATS_TEST_TMPDIR/txn.sql"
	sed -i '/setval/d' "$BATS_TEST_TMPDIR/txn.sql"
	run cr-restore -v -d txn "$BATS_TEST_TMPDIR/txn.sql"
	assert_status 0
	assert_output_contains "2 tables, 8 rows"
	assert_equal "$(q "SELECT (SELECT count(*) FROM t) || ' ' || (SELECT count(*) FROM u)" txn)" "5 3"
}

@test "cr-restore: partitions (also loaded via the root) and inheritance count right" {
	mkdb parts
	q "CREATE TABLE p (id int, k int) PARTITION BY RANGE (id);
	   CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (100);
	   CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (100) TO (200);
	   INSERT INTO p SELECT g, g FROM generate_series(0, 199) g;
	   CREATE TABLE parent (id int); CREATE TABLE child () INHERITS (parent);
	   INSERT INTO parent VALUES (1); INSERT INTO child VALUES (2), (3);" parts >/dev/null
	pg_dump -d parts >"$BATS_TEST_TMPDIR/leaf.sql"
	pg_dump --load-via-partition-root -d parts >"$BATS_TEST_TMPDIR/root.sql"
	run cr-restore -v --clean --yes -d parts_leaf "$BATS_TEST_TMPDIR/leaf.sql"
	assert_status 0
	assert_output_contains "4 tables, 203 rows"
	run cr-restore -v --clean --yes -d parts_root "$BATS_TEST_TMPDIR/root.sql"
	assert_status 0
	assert_output_contains "203 rows"
	assert_equal "$(q "SELECT count(*) FROM p" parts_root) $(q "SELECT count(*) FROM parent" parts_root)" "200 3"
	run cr-restore -1 -d parts_root "$BATS_TEST_TMPDIR/root.sql"
	assert_status 1	# the tables exist already: rolled back
}

@test "cr-restore: a script ending inside a transaction is refused, without hanging" {
	old_db opentx
	printf '%s\n' 'CREATE TABLE t (id int);' 'COPY t (id) FROM stdin;' 1 '\.' 'BEGIN;' \
		'LOCK TABLE t IN ACCESS EXCLUSIVE MODE;' 'INSERT INTO t VALUES (2);' >"$BATS_TEST_TMPDIR/open.sql"
	run timeout 60 cr-restore --trust-dump --clean --yes -d opentx "$BATS_TEST_TMPDIR/open.sql"
	assert_status 65
	assert_output_contains "BEGIN without COMMIT"
	assert_old_db opentx
}

@test "cr-restore: the owner is kept; a non-superuser owner can replace, others can --test" {
	q "CREATE ROLE app_owner LOGIN CREATEDB; CREATE ROLE app_backup LOGIN CREATEDB" >/dev/null
	mkdb owned
	q "ALTER DATABASE owned OWNER TO app_owner" >/dev/null
	pg_dump --no-owner -d awkward >"$BATS_TEST_TMPDIR/noowner.sql"
	# a superuser replacing it: the new database has the old owner
	run cr-restore --clean --yes -d owned "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 0
	assert_equal "$(q "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'owned'")" app_owner
	# the owner itself, no superuser
	run cr-restore --clean --yes -U app_owner -d owned "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 0
	assert_equal "$(q "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'owned'")" app_owner
	# another role: may test-restore, may not replace
	run cr-restore --test -U app_backup -d owned "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 0
	run cr-restore --clean --yes -U app_backup -d owned "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 77
	assert_output_contains 'creating the scratch database: ERROR:  must be member of role "app_owner"'
	assert_equal "$(scratch_dbs)" 0
	assert_equal "$(counts owned)" "$(counts awkward)"

	# a session the owner may not end: the old database stays, open again
	psql -X -d owned -c 'SELECT pg_sleep(30)' >/dev/null 2>&1 &
	sleeper=$!
	for i in $(seq 50); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'owned'")" -ge 1 ] && break
		sleep 0.1
	done
	run cr-restore --clean --yes -U app_owner -d owned "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 1
	assert_output_contains 'swapping in the restored database: ERROR:  database "owned" is being accessed by other users'
	assert_output_contains '"owned" is as it was'
	assert_equal "$(q "SELECT datallowconn FROM pg_database WHERE datname = 'owned'")" t
	assert_equal "$(scratch_dbs)" 0
	assert_equal "$(counts owned)" "$(counts awkward)"
	kill "$sleeper" 2>/dev/null || true
	wait "$sleeper" || true
}

@test "cr-restore: a role that may not create the scratch database or set the role exits 77" {
	q "CREATE ROLE no_createdb LOGIN NOCREATEDB" >/dev/null
	old_db nocreate
	q "ALTER DATABASE nocreate OWNER TO no_createdb" >/dev/null
	pg_dump --no-owner -d awkward >"$BATS_TEST_TMPDIR/noowner.sql"
	run cr-restore --test -U no_createdb -d nocreate "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 77
	assert_output_contains "creating the scratch database: ERROR:  permission denied to create database (no privilege: "
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 1
	run cr-restore --clean --yes -U no_createdb -d nocreate "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 77
	assert_old_db nocreate
	# its own SET ROLE refused by the server: the same code, nothing loaded
	run cr-restore -U no_createdb --role pg_read_server_files -d nocreate "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 77
	assert_output_contains 'permission denied to set role "pg_read_server_files"'
	run q "SELECT to_regclass('users') IS NULL" nocreate
	assert_equal "$output" t
}

@test "cr-restore: connection failures are classified whatever the client's language" {
	q "CREATE ROLE crpass LOGIN PASSWORD 'S3cret-pw-42'" >/dev/null
	# libpq's German catalogue is installed and LANGUAGE would pick it
	# (no German locale is): cr tools keep libpq's messages English, and
	# a missing password is told by PQconnectionNeedsPassword anyway.
	# A server speaking German: tests/restore-locale.bats
	LANGUAGE=de LC_ALL=C.UTF-8 run cr-restore -U crpass -d postgres "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 77
	assert_output_contains "no password supplied"
	LANGUAGE=de LC_ALL=C.UTF-8 run cr-restore -h "$BATS_TEST_TMPDIR/nowhere" -d postgres "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 69
}

@test "cr-restore --extension: created before the data, name quoted" {
	mkdb ext
	printf 'CREATE TABLE pw (h text);\nINSERT INTO pw VALUES (crypt($$x$$, gen_salt($$md5$$)));\n' \
		>"$BATS_TEST_TMPDIR/ext.sql"
	run cr-restore -d ext "$BATS_TEST_TMPDIR/ext.sql"
	assert_status 1
	assert_output_contains "function gen_salt(unknown) does not exist"
	mkdb ext
	run cr-restore --extension pgcrypto -d ext "$BATS_TEST_TMPDIR/ext.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM pw WHERE h = crypt('x', h)" ext)" 1
	run cr-restore --extension 'pgcrypto; DROP TABLE pw' -d ext "$BATS_TEST_TMPDIR/ext.sql"
	assert_status 1
	assert_output_contains 'extension "pgcrypto; DROP TABLE pw" is not available'
}

@test "cr-restore -1: a failure rolls everything back" {
	mkdb single
	printf 'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nSELECT nosuchcolumn FROM a;\n' \
		>"$BATS_TEST_TMPDIR/s.sql"
	run cr-restore --trust-dump -1 -d single "$BATS_TEST_TMPDIR/s.sql"
	assert_status 1
	assert_output_contains 'line 3: ERROR: column "nosuchcolumn" does not exist'
	assert_equal "$(q "SELECT count(*) FROM pg_class WHERE relname = 'a'" single)" 0
	run cr-restore --trust-dump -d single "$BATS_TEST_TMPDIR/s.sql"
	assert_status 1
	assert_equal "$(q "SELECT count(*) FROM a" single)" 1
}

@test "cr-restore --clean: SIGTERM mid-restore drops the scratch database, target untouched" {
	old_db interrupted
	{ sed -n '1,/^COPY public.users /p' "$BATS_FILE_TMPDIR/awkward.sql" | sed '$d'
	  echo 'SELECT pg_sleep(60);'
	  sed -n '/^COPY public.users /,$p' "$BATS_FILE_TMPDIR/awkward.sql"; } >"$BATS_TEST_TMPDIR/slow.sql"
	cr-restore --trust-dump --clean --yes -d interrupted "$BATS_TEST_TMPDIR/slow.sql" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for i in $(seq 100); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")" -ge 1 ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 1
	grep -q 'interrupted' "$BATS_TEST_TMPDIR/err"
	grep -q '"interrupted" is as it was' "$BATS_TEST_TMPDIR/err"
	assert_old_db interrupted
}

@test "cr-restore --test: restores into a scratch database, checks, drops it" {
	old_db tested
	run cr-restore -v --test -d tested "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_output_contains "6 tables, 5507 rows"
	assert_old_db tested
	printf 'SELECT 1/0;\n' >"$BATS_TEST_TMPDIR/z.sql"
	run cr-restore --trust-dump --test -d tested "$BATS_TEST_TMPDIR/z.sql"
	assert_status 1
	assert_output_contains "division by zero"
	assert_old_db tested
}

@test "cr-restore: leftover scratch databases are pointed out; template databases refused" {
	old_db leftover
	q 'CREATE DATABASE leftover_cr_restore_999999' >/dev/null
	run cr-restore --clean --yes -d leftover "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_output_contains "leftover_cr_restore_999999"
	q 'DROP DATABASE leftover_cr_restore_999999' >/dev/null
	run cr-restore --clean --yes -d template1 "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 64
}

@test "cr-restore: --help, -? and --version on stdout; usage errors on stderr (64)" {
	run --separate-stderr cr-restore --help
	assert_status 0
	assert_output_contains "usage: cr-restore "
	assert_equal "$stderr" ""
	run --separate-stderr cr-restore '-?'
	assert_status 0
	assert_output_contains "--role role"
	assert_equal "$stderr" ""
	run --separate-stderr cr-restore --version
	assert_status 0
	assert_equal "$output" "cr-restore $(cr_version)"
	run --separate-stderr cr-restore --no-such-option
	assert_status 64
	assert_equal "$output" ""
	assert_equal "$stderr" "cr-restore: unrecognized option '--no-such-option'
Try 'cr-restore --help' for more information."
	run --separate-stderr cr-restore --keep-old -d x
	assert_status 64
	output=$stderr assert_output_contains "usage: cr-restore "
}

@test "cr-restore -v: the summary gives the size in IEC units" {
	mkdb iec
	run cr-restore -v -d iec "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	assert_output_contains " KiB), "
}

@test "cr-restore: usage and input errors" {
	run cr-restore --clean --test -d x
	assert_status 64
	run cr-restore -d nosuch "$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 66
	run cr-restore nosuchfile.sql
	assert_status 66
	assert_output_contains "the database is given with -d"
	run cr-restore ./nosuchfile
	assert_status 66
	assert_output_contains "the database is given with -d"
	run cr-restore -d postgres "$BATS_TEST_TMPDIR"
	assert_status 66
}

@test "cr-restore: without -d a name that is no file is the database, SQL from stdin" {
	mkdb by_operand
	q "CREATE TABLE old_marker (x int)" by_operand >/dev/null
	run bash -c "gzip -c '$BATS_FILE_TMPDIR/awkward.sql' | cr-restore --clean --yes by_operand"
	assert_status 0
	assert_equal "$(counts by_operand)" "$(counts awkward)"
	assert_equal "$(q "SELECT to_regclass('old_marker') IS NULL" by_operand)" t
}
