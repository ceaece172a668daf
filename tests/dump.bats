#!/usr/bin/env bats
# cr-dump against a real server: round trips of the awkward schema, the
# header and trailer, selections, connection failures and their exit codes,
# password handling, and producers that die midway.

bats_require_minimum_version 1.5.0

load helpers
load dump-helpers

setup_file() {
	pg_start
	load_awkward src
	q "CREATE ROLE crpass LOGIN PASSWORD 'S3cret-pw-42'" >/dev/null
	q "GRANT pg_read_all_data TO crpass" >/dev/null
	q "CREATE ROLE weak LOGIN" >/dev/null
	# Big enough that pg_dump is still busy after the first megabyte.
	mkdb bigdb
	q "CREATE TABLE big AS SELECT g, repeat(md5(g::text), 4) AS t
	     FROM generate_series(1, 100000) g" bigdb >/dev/null
}
teardown_file() { pg_stop; }

@test "cr-dump | cr-gz restores with gunzip | psql: same row counts, same data" {
	d=$BATS_TEST_TMPDIR
	cr-dump src | cr-gz >"$d/src.sql.gz"
	mkdb copy
	gunzip -c "$d/src.sql.gz" | psql -X -q -v ON_ERROR_STOP=1 -d copy >/dev/null
	assert_equal "$(table_counts copy)" "$(table_counts src)"
	[ "$(table_counts src | wc -l)" -eq 6 ]
	canonical_dump src >"$d/a.sql"
	canonical_dump copy >"$d/b.sql"
	diff "$d/a.sql" "$d/b.sql"
	# The awkward values survived byte for byte.
	run q "SELECT count(*) FROM users WHERE email = E'multi\nline\\\\.\n@example.com'
	        AND avatar IS NULL" copy
	assert_equal "$output" 1
	assert_equal "$(q 'SELECT tricky(7)' copy)" "$(q 'SELECT tricky(7)' src)"
}

@test "cr-dump: header names the dump, trailer counts and checksums every byte before it" {
	d=$BATS_TEST_TMPDIR
	cr-dump src >"$d/out.sql"
	run head -n 9 "$d/out.sql"
	assert_output_contains "-- cr-dump: format=1"
	assert_output_contains "-- cr-dump: database=src"
	assert_output_contains "-- cr-dump: user=cr"
	assert_output_contains "-- cr-dump: server=15"
	assert_output_contains "-- cr-dump: pg_dump=pg_dump (PostgreSQL)"
	assert_output_contains "-- cr-dump: contents=schema+data"
	grep -Eq '^-- cr-dump: started=20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$d/out.sql"
	grep -qx -- '-- PostgreSQL database dump complete' "$d/out.sql"
	last=$(tail -n 1 "$d/out.sql")
	[[ $last =~ ^--\ cr-dump\ trailer:\ bytes=([0-9]+)\ crc32=([0-9a-f]{8})\ end$ ]]
	bytes=${BASH_REMATCH[1]} crc=${BASH_REMATCH[2]}
	assert_equal "$bytes" "$(( $(stat -c %s "$d/out.sql") - ${#last} - 1 ))"
	assert_equal "$crc" "$(crc32_of "$d/out.sql" "$bytes")"
}

@test "cr-dump -s: schema only, says so in the header, restores empty tables" {
	d=$BATS_TEST_TMPDIR
	cr-dump -s src >"$d/s.sql"
	refute_grep '^COPY ' "$d/s.sql"
	grep -qx -- '-- cr-dump: contents=schema' "$d/s.sql"
	grep -qx -- '-- cr-dump: options=--schema-only' "$d/s.sql"
	run --separate-stderr cr-verify --json "$d/s.sql"
	assert_status 0
	assert_equal "$stderr" ""
	assert_output_contains '"schema_only":true'
	mkdb schema_copy
	psql -X -q -v ON_ERROR_STOP=1 -d schema_copy -f "$d/s.sql" >/dev/null
	assert_equal "$(q 'SELECT count(*) FROM users' schema_copy)" 0
}

@test "cr-dump -t, -T and -n select what pg_dump dumps" {
	d=$BATS_TEST_TMPDIR
	cr-dump -t users -t '"MixedCase"' src >"$d/t.sql"
	assert_equal "$(grep '^COPY ' "$d/t.sql" | cut -d' ' -f2 | sort | tr '\n' ' ')" \
		'public."MixedCase" public.users '
	grep -qx -- "-- cr-dump: options=--table=users --table='\"MixedCase\"'" "$d/t.sql"
	cr-dump -T users -T projects -T '"Mixed Schema".*' src >"$d/x.sql"
	refute_grep '^COPY public.users ' "$d/x.sql"
	refute_grep '^COPY public.projects ' "$d/x.sql"
	grep -q '^COPY public."table with space" ' "$d/x.sql"
	cr-dump -n '"Mixed Schema"' src >"$d/n.sql"
	assert_equal "$(grep -c '^COPY ' "$d/n.sql")" 1
	grep -q '^COPY "Mixed Schema"."Events" ("EventId", ' "$d/n.sql"
	for f in t x n; do
		run cr-verify -q "$d/$f.sql"
		assert_status 0
	done
}

@test "cr-dump: wrong password: exit 77 with the server's message and a hint" {
	d=$BATS_TEST_TMPDIR
	PGPASSWORD=wrong run --separate-stderr cr-dump -U crpass src
	assert_status 77
	assert_stderr_contains 'cr-dump: cannot connect to the database: '
	assert_stderr_contains 'password authentication failed for user "crpass"'
	assert_stderr_contains 'cr-dump: hint: '
	assert_equal "$output" ""
	# No password at all and no terminal: the same, without a prompt.
	run --separate-stderr cr-dump -U crpass src </dev/null
	assert_status 77
	assert_stderr_contains 'no password supplied'
	assert_equal "$output" ""
	PGPASSWORD=wrong cr-dump -U crpass src >"$d/out" 2>/dev/null || true
	[ ! -s "$d/out" ]
}

@test "cr-dump: password from --env-file works and never reaches pg_dump's argv, environment or a message" {
	d=$BATS_TEST_TMPDIR
	make_wrapper "$d"
	printf 'NODE_ENV=production\nDATABASE_URL=postgres://crpass:S3cret-pw-42@/src?host=%s&port=%s\n' \
		"$PGHOST" "$PGPORT" >"$d/app.env"
	CR_PG_DUMP=$d/pg_dump TMPDIR=$d cr-dump -v --env-file "$d/app.env" >"$d/out.sql" 2>"$d/err"
	grep -q '^-- cr-dump trailer: ' "$d/out.sql"
	grep -qx -- '-- cr-dump: user=crpass' "$d/out.sql"
	grep -q "argv: .*user='crpass'" "$d/pg_dump.log"
	# The wrapper logged its whole environment: the password is not in it.
	grep -qx 'env:' "$d/pg_dump.log"
	grep -q '^PATH=' "$d/pg_dump.log"
	refute_grep 'S3cret' "$d/pg_dump.log" "$d/err" "$d/out.sql"
	grep -qx 'PGPASSWORD=unset' "$d/pg_dump.log"
	# An inherited descriptor of a file with no name, readable by us only.
	grep -Eqx 'PGPASSFILE=/dev/fd/[0-9]+' "$d/pg_dump.log"
	grep -qx 'passfile mode 600' "$d/pg_dump.log"
	# No passfile or directory for it was left in TMPDIR.
	assert_equal "$(find "$d" -name 'cr-dump.*' -o -name pgpass)" ""
	run cr-verify -q "$d/out.sql"
	assert_status 0
}

@test "cr-dump: PGPASSWORD is handed over in a passfile, not in pg_dump's environment" {
	d=$BATS_TEST_TMPDIR
	make_wrapper "$d"
	PGPASSWORD=S3cret-pw-42 CR_PG_DUMP=$d/pg_dump cr-dump -U crpass src >"$d/out.sql"
	grep -q '^-- cr-dump trailer: ' "$d/out.sql"
	grep -qx 'PGPASSWORD=unset' "$d/pg_dump.log"
	grep -qx 'env:' "$d/pg_dump.log"
	refute_grep 'S3cret' "$d/pg_dump.log" "$d/out.sql"
}

@test "cr-dump: server down: exit 69 with a clear message" {
	pg_server_stop
	run cr-dump src
	pg_server_start
	assert_status 69
	assert_output_contains 'cr-dump: cannot connect to the database: '
	assert_output_contains 'hint: no server answers there: is PostgreSQL running'
}

@test "cr-dump: unknown database: exit 66; bad conninfo: exit 64" {
	run --separate-stderr cr-dump nosuchdb
	assert_status 66
	assert_stderr_contains 'database "nosuchdb" does not exist'
	assert_equal "$output" ""
	run --separate-stderr cr-dump -d 'host=/tmp bogus=1'
	assert_status 64
	assert_stderr_contains 'invalid connection option "bogus"'
	assert_equal "$output" ""
	run cr-dump --no-such-option
	assert_status 64
}

@test "cr-dump: a role that cannot read every table fails before the dump, with the GRANTs" {
	d=$BATS_TEST_TMPDIR
	run cr-dump -U weak src
	assert_status 77
	assert_output_contains 'permission denied for'
	assert_output_contains '"Mixed Schema"."Events", public."MixedCase"'
	assert_output_contains '(and 4 more)'
	assert_output_contains 'GRANT SELECT ON ALL TABLES IN SCHEMA "Mixed Schema", public TO "weak"'
	cr-dump -U weak src >"$d/out" 2>/dev/null || true
	[ ! -s "$d/out" ]
	# With -t the check is pg_dump's own; the exit status is the same.
	run cr-dump -U weak -t users src
	assert_status 77
	assert_output_contains 'pg_dump: error: query failed: ERROR:  permission denied for table users'
	assert_output_contains 'cr-dump: pg_dump exited with status 1; the dump is incomplete'
	assert_output_contains 'cr-dump: hint: '
}

@test "cr-dump: a privilege the pre-flight check itself lacks is exit 77, by SQLSTATE" {
	mkdb nofunc
	q "CREATE TABLE t (a int)" nofunc >/dev/null
	q "REVOKE EXECUTE ON FUNCTION pg_catalog.has_table_privilege(oid, text) FROM PUBLIC" nofunc >/dev/null
	run cr-dump -U weak nofunc
	assert_status 77
	assert_output_contains 'cr-dump: privilege check failed: ERROR:  permission denied for function has_table_privilege'
	run cr-dump --check -U weak nofunc
	assert_status 77
}

@test "cr-dump: a pg_dump too old for the server is refused" {
	d=$BATS_TEST_TMPDIR
	printf '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n' >"$d/old"
	chmod 755 "$d/old"
	CR_PG_DUMP=$d/old run cr-dump src
	assert_status 69
	assert_output_contains 'pg_dump 9.6, which cannot dump a PostgreSQL 15 server'
}

# start_blocked NAME DB: cr-dump DB into a fifo; read its first megabyte, so
# pg_dump is mid-stream and blocked on the full pipe.  Sets $pid.
start_blocked() {
	d=$BATS_TEST_TMPDIR
	mkfifo "$d/fifo"
	cr-dump "$2" >"$d/fifo" 2>"$d/err" 3>&- &
	pid=$!
	exec 5<"$d/fifo"
	dd bs=65536 count=16 iflag=fullblock <&5 >"$d/$1" 2>/dev/null
}

@test "cr-dump: pg_dump killed midway: non-zero exit, no trailer, and the output does not verify" {
	start_blocked out.sql bigdb
	child=$(pgrep -P "$pid")
	[ -n "$child" ]
	kill "$child"
	cat <&5 >>"$d/out.sql"
	exec 5<&-
	status=0
	wait "$pid" || status=$?
	[ "$status" -ne 0 ]
	grep -q 'cr-dump: pg_dump .*the dump is incomplete' "$d/err"
	refute_grep '^-- cr-dump trailer' "$d/out.sql"
	run cr-verify "$d/out.sql"
	assert_status 65
	assert_output_contains 'incomplete: no cr-dump trailer'
}

@test "cr-dump: server stopped during the dump: exit 69, and the output does not verify" {
	start_blocked out.sql bigdb
	pg_server_stop fast
	cat <&5 >>"$d/out.sql"
	exec 5<&-
	status=0
	wait "$pid" || status=$?
	pg_server_start
	assert_equal "$status" 69
	grep -q 'cr-dump: pg_dump exited with status 1; the dump is incomplete' "$d/err"
	run cr-verify "$d/out.sql"
	assert_status 65
}

@test "cr-dump: SIGTERM stops pg_dump and leaves no trailer, even with the reader stalled" {
	start_blocked out.sql bigdb
	child=$(pgrep -P "$pid")
	kill -TERM "$pid"
	# Nobody reads: cr-dump is blocked writing, and must still stop.
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	run ! kill -0 "$pid"
	cat <&5 >>"$d/out.sql"
	exec 5<&-
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
	run ! kill -0 "$child"
	run cr-verify "$d/out.sql"
	assert_status 65
}

@test "cr-dump: a closed stdout stops pg_dump and exits 74" {
	run bash -c 'cr-dump bigdb | head -c 1000 >/dev/null; echo "status=${PIPESTATUS[0]}"'
	assert_output_contains 'cr-dump: write to standard output: Broken pipe'
	assert_output_contains 'status=74'
}

@test "cr-dump: quiet on success unless -v; -v shows the command (no password) and progress" {
	d=$BATS_TEST_TMPDIR
	cr-dump src >"$d/out" 2>"$d/err"
	[ ! -s "$d/err" ]
	cr-dump -v src >"$d/out" 2>"$d/err"
	grep -q "^cr-dump: running: .*pg_dump --format=plain --no-owner --no-acl --no-password .*dbname='src'" "$d/err"
	# the summary line; its rate depends on the machine's load, not its unit
	grep -Eq '^cr-dump: [0-9.]+ [KMG]iB in [0-9]+ s, [0-9.]+ ([KMG]i)?B/s$' "$d/err"
}

@test "cr-dump -v: sizes in IEC units, the summary's size is the output's bytes, written as every tool does" {
	d=$BATS_TEST_TMPDIR
	cr-dump -v bigdb >"$d/out" 2>"$d/err"
	# the wrappers' iec writes what lib/base/size.c does (tests/size.bats)
	source <(sed -n '/^iec() {$/,/^}$/p' "$CR_REPO/cmd/wrapper.bash")
	want=$(iec "$(stat -c %s "$d/out")")
	run tail -n 1 "$d/err"
	[[ $output =~ ^cr-dump:\ ([0-9.]+\ [KMG]iB)\ in\ [0-9]+\ s,\ [0-9.]+\ ([KMG]i)?B/s$ ]]
	assert_equal "${BASH_REMATCH[1]}" "$want"
}

@test "cr-dump: a database name with a backslash, a quote and a newline is escaped in the header" {
	d=$BATS_TEST_TMPDIR
	name=$'odd \\ "db\nname'
	q $'CREATE DATABASE "odd \\ ""db\nname"' >/dev/null
	cr-dump -d "dbname='odd \\\\ \"db
name'" >"$d/out.sql"
	grep -qx -- '-- cr-dump: database=odd \\\\ "db\\nname' "$d/out.sql"
	run cr-verify "$d/out.sql"
	assert_status 0
	assert_output_contains '  database:     odd \\ "db\nname'
	run --separate-stderr cr-verify --json "$d/out.sql"
	assert_status 0
	assert_equal "$stderr" ""
	assert_output_contains '"database":"odd \\ \"db\u000aname"'
	q "DROP DATABASE \"$(printf '%s' "$name" | sed 's/"/""/g')\"" >/dev/null
}

@test "cr-dump --connection-facts: database, user and server on stdout, no privilege check, no pg_dump" {
	# weak cannot read the tables: --check refuses, --connection-facts does not ask.
	run cr-dump --check -U weak src
	assert_status 77
	CR_PG_DUMP=/nonexistent/pg_dump run --separate-stderr cr-dump --connection-facts -U weak src
	assert_status 0
	assert_equal "${lines[0]}" "database=src"
	assert_equal "${lines[1]}" "user=weak"
	[[ ${lines[2]} == server=[0-9]* ]]
	assert_equal "${lines[3]}" "host=$PGHOST"
	assert_equal "${lines[4]}" "port=$PGPORT"
	assert_equal "${lines[5]}" "exists=true"
	assert_equal "${lines[6]}" "superuser=off"
	assert_equal "${lines[7]}" "owner=cr"
	assert_equal "${#lines[@]}" 8
	assert_equal "$stderr" ""
	# a database that does not exist: where it would be, from the
	# maintenance database, and still exit 66
	run --separate-stderr cr-dump --connection-facts nosuchdb
	assert_status 66
	assert_equal "${lines[0]}" "database=nosuchdb"
	assert_equal "${lines[1]}" "user=cr"
	assert_equal "${lines[3]}" "host=$PGHOST"
	assert_equal "${lines[5]}" "exists=false"
	assert_equal "${lines[6]}" "superuser=on"
}

@test "cr-dump --check: the pre-flight alone, facts on stdout, the same exit codes" {
	run --separate-stderr cr-dump --check src
	assert_status 0
	assert_equal "$stderr" ""
	assert_equal "$(grep -cv '^[a-z_]*=' <<<"$output")" 0	# facts only
	assert_output_contains "database=src"
	assert_output_contains "user=cr"
	assert_output_contains "server=15"
	assert_output_contains "pg_dump_version=pg_dump (PostgreSQL) "
	run --separate-stderr cr-dump --check -U weak src
	assert_status 77
	assert_equal "$output" ""
	run --separate-stderr cr-dump --check nosuchdb
	assert_status 66
	assert_equal "$output" ""
	assert_stderr_contains 'database "nosuchdb" does not exist'
}

@test "cr-dump | cr-gz of a bigger table verifies, with its exact row count" {
	d=$BATS_TEST_TMPDIR
	cr-dump bigdb | cr-gz >"$d/big.sql.gz"
	run cr-verify -v "$d/big.sql.gz"
	assert_status 0
	assert_output_contains "      100000  public.big"
	assert_output_contains "  database:     bigdb"
}

# alive PID: the process exists and is not a zombie.
alive() {
	local s
	s=$(ps -o stat= -p "$1") || return 1
	[[ $s != Z* ]]
}

@test "cr-dump killed with SIGKILL leaves no passfile and no pg_dump behind" {
	d=$BATS_TEST_TMPDIR
	# pg_dump waits on a lock, so it writes nothing that could end it.
	psql -X -q -d bigdb -c "BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE;
	    SELECT pg_sleep(60)" >/dev/null 2>&1 3>&- &
	locker=$!
	for _ in $(seq 50); do
		n=$(q "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock'
		    AND relation = 'big'::regclass AND granted" bigdb)
		if [ "$n" -eq 1 ]; then break; fi
		sleep 0.1
	done
	PGPASSWORD=S3cret-pw-42 TMPDIR=$d cr-dump -U crpass bigdb >"$d/out.sql" 2>"$d/err" 3>&- &
	pid=$!
	for _ in $(seq 100); do
		n=$(q "SELECT count(*) FROM pg_stat_activity WHERE usename = 'crpass'
		    AND wait_event_type = 'Lock'" bigdb)
		if [ "$n" -eq 1 ]; then break; fi
		sleep 0.1
	done
	child=$(pgrep -P "$pid")
	kill -9 "$pid"
	wait "$pid" || true
	for _ in $(seq 50); do
		if ! alive "$child"; then break; fi
		sleep 0.1
	done
	left=$(find "$d" -mindepth 1 ! -name out.sql ! -name err)
	alive_after=0
	if alive "$child"; then alive_after=1; fi
	q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	    WHERE query LIKE '%LOCK TABLE big%' AND pid <> pg_backend_pid()" bigdb >/dev/null
	wait "$locker" || true
	[ -n "$child" ]
	assert_equal "$left" ""
	assert_equal "$alive_after" 0
}

# app_db: the database of the goal command, with a big-ish log table.
app_db() {
	mkdb app
	q "CREATE TABLE users (id int PRIMARY KEY, name text);
	   INSERT INTO users VALUES (1, 'ann'), (2, 'bob'), (3, 'cy');
	   CREATE TABLE events (id int, at timestamptz DEFAULT now(), what text);
	   INSERT INTO events (id, what) SELECT g, 'clicked' FROM generate_series(1, 5000) g" app >/dev/null
}

@test "cr-dump -Fp -O -x --exclude-table-data=public.events -d app | cr-gz | cr-verify works" {
	d=$BATS_TEST_TMPDIR
	app_db
	run --separate-stderr bash -o pipefail -c \
		'cr-dump -Fp -O -x --exclude-table-data=public.events -d app | cr-gz | cr-verify'
	assert_status 0
	assert_equal "$stderr" ""
	[[ $output == "-: OK, complete "* ]]
	# The report says what was left out, and counts only the data dumped.
	grep -qxF '  selection:    schema+data (--exclude-table-data=public.events)' <<<"$output"
	grep -qxF '  tables:       1' <<<"$output"
	grep -qxF '  rows:         3' <<<"$output"
	cr-dump -Fp -O -x --exclude-table-data=public.events -d app >"$d/app.sql"
	grep -qx -- '-- cr-dump: contents=schema+data' "$d/app.sql"
	grep -qx -- '-- cr-dump: options=--exclude-table-data=public.events' "$d/app.sql"
	mkdb app_copy
	psql -X -q -v ON_ERROR_STOP=1 -d app_copy -f "$d/app.sql" >/dev/null
	# events exists, empty; users has its rows.
	assert_equal "$(q 'SELECT count(*) FROM users' app_copy)" 3
	assert_equal "$(q 'SELECT count(*) FROM events' app_copy)" 0
}

@test "cr-dump accepts, silently, pg_dump's flags for what it always does" {
	d=$BATS_TEST_TMPDIR
	app_db
	for flags in "-Fp" "-F p" "-F plain" "--format=plain" "--format=p" "-O" "--no-owner" \
	    "-x" "--no-acl" "--no-privileges" "-w" "--no-password" "-Fp -O -x -w"; do
		# shellcheck disable=SC2086
		run --separate-stderr cr-dump $flags app
		assert_status 0
		assert_equal "$stderr" ""
		printf '%s\n' "$output" >"$d/out.sql"
		grep -qx -- '-- cr-dump: options=' "$d/out.sql"
		grep -q '^COPY public.events ' "$d/out.sql"
	done
	run --separate-stderr cr-dump -v -Fp app
	assert_status 0
	assert_output_contains '-- cr-dump trailer: '
	run cr-verify -q "$d/out.sql"
	assert_status 0
}

@test "cr-dump -N, --exclude-table-data and -a reach pg_dump and the header" {
	d=$BATS_TEST_TMPDIR
	cr-dump -N '"Mixed Schema"' src >"$d/n.sql"
	grep -qx -- "-- cr-dump: options=--exclude-schema='\"Mixed Schema\"'" "$d/n.sql"
	run grep -c '^COPY "Mixed Schema"\.' "$d/n.sql"
	assert_equal "$output" 0
	grep -q '^COPY public.users ' "$d/n.sql"
	cr-dump --exclude-schema=public --exclude-table-data='"Mixed Schema"."Events"' src >"$d/x.sql"
	grep -qx -- "-- cr-dump: options=--exclude-schema=public --exclude-table-data='\"Mixed Schema\".\"Events\"'" "$d/x.sql"
	run grep -c '^COPY ' "$d/x.sql"
	assert_equal "$output" 0
	grep -q '^CREATE TABLE "Mixed Schema"."Events" ' "$d/x.sql"
	# Data only: no schema, and it loads into a schema-only copy.
	cr-dump -a src >"$d/a.sql"
	grep -qx -- '-- cr-dump: contents=data' "$d/a.sql"
	grep -qx -- '-- cr-dump: options=--data-only' "$d/a.sql"
	run grep -c '^CREATE TABLE ' "$d/a.sql"
	assert_equal "$output" 0
	run cr-verify -q "$d/a.sql"
	assert_status 0
	mkdb data_copy
	cr-dump -s src | psql -X -q -v ON_ERROR_STOP=1 -d data_copy >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -d data_copy -f "$d/a.sql" >/dev/null
	assert_equal "$(table_counts data_copy)" "$(table_counts src)"
}

@test "cr-dump refuses pg_dump's flags it does not honour: exit 64, one line saying why and what instead" {
	run --separate-stderr cr-dump -Z 9 src
	assert_status 64
	assert_equal "$output" ""
	assert_equal "$stderr" "cr-dump: -Z: cr-dump does not compress; pipe its output into cr-gz (cr-dump app | cr-gz > app.sql.gz)"
	run --separate-stderr cr-dump --compress=5 src
	assert_status 64
	assert_equal "${#stderr_lines[@]}" 1
	run --separate-stderr cr-dump -f out.sql src
	assert_status 64
	assert_equal "$stderr" "cr-dump: -f: cr-dump writes to standard output; redirect it (cr-dump app > app.sql)"
	for f in c d t custom directory tar; do
		run --separate-stderr cr-dump -F "$f" src
		assert_status 64
		assert_equal "$stderr" "cr-dump: -F $f: cr keeps plain SQL, which psql and cr-restore restore and cr-verify checks; drop -F (compress with cr-gz)"
	done
	run --separate-stderr cr-dump -Fx src
	assert_status 64
	assert_equal "$stderr" "cr-dump: -F x: unknown format; cr-dump writes plain SQL (-F p)"
	run --separate-stderr cr-dump -j 4 src
	assert_status 64
	assert_equal "$stderr" "cr-dump: -j: parallel dumps need -F d, and cr keeps plain SQL, which psql restores; drop -j (cr-gz compresses on every core)"
	run --separate-stderr cr-dump -C src
	assert_status 64
	assert_equal "$stderr" "cr-dump: -C: no CREATE DATABASE in the dump; cr-restore --clean creates or replaces the database atomically"
	run --separate-stderr cr-dump --clean src
	assert_status 64
	assert_equal "$stderr" "cr-dump: -c: no DROP statements in the dump; cr-restore --clean replaces the whole database atomically"
	for f in --inserts --column-inserts --rows-per-insert=10; do
		run --separate-stderr cr-dump "$f" src
		assert_status 64
		assert_equal "$output" ""
		assert_equal "$stderr" "cr-dump: ${f%%=*}: cr-verify and cr-restore prove a dump's row counts from its COPY blocks, so a dump of INSERTs would restore unproven; drop it (COPY is also faster to restore)"
	done
	run --separate-stderr cr-dump -a -s src
	assert_status 64
	assert_equal "$stderr" "cr-dump: -a and -s: cannot be used together (a dump of nothing)"
}

@test "cr-dump --help and -? print usage on stdout and exit 0; --version; a usage error exits 64" {
	run --separate-stderr cr-dump --help
	assert_status 0
	assert_output_contains "usage: cr-dump "
	assert_equal "$stderr" ""
	run --separate-stderr cr-dump -?
	assert_status 0
	assert_output_contains "usage: cr-dump "
	assert_equal "$stderr" ""
	run --separate-stderr cr-dump --version
	assert_status 0
	assert_equal "$output" "cr-dump $(cr_version)"
	run --separate-stderr cr-dump --no-such-option
	assert_status 64
	assert_equal "$output" ""
	assert_equal "${stderr_lines[0]}" "cr-dump: unrecognized option '--no-such-option'"
	assert_equal "${stderr_lines[1]}" "Try 'cr-dump --help' for more information."
}
