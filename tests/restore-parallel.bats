#!/usr/bin/env bats
# cr-restore -j N: the awkward schema and a partitioned + inherited schema
# restored on 1, 2 and 4 connections give the same data and catalog; a
# failing post-data statement and Ctrl-C leave the target untouched and no
# scratch database; COPY data spilled to temporary files that are gone
# afterwards; -j only on pg_dump's output.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	load_awkward awkward
	q "CREATE TABLE big (id int PRIMARY KEY, t text);
	   INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 60000) g;
	   CREATE INDEX big_t ON big (t);
	   CREATE INDEX big_t_id ON big (t, id);
	   CREATE TABLE big2 (id int REFERENCES big, n int);
	   INSERT INTO big2 SELECT g, g FROM generate_series(1, 60000) g;
	   CREATE TABLE measures (at date NOT NULL, city int, v numeric) PARTITION BY RANGE (at);
	   CREATE TABLE measures_2025 PARTITION OF measures FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
	   CREATE TABLE measures_2026 PARTITION OF measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
	       PARTITION BY LIST (city);
	   CREATE TABLE measures_2026_1 PARTITION OF measures_2026 FOR VALUES IN (1);
	   CREATE TABLE measures_2026_x PARTITION OF measures_2026 DEFAULT;
	   CREATE INDEX ON measures (at, city);
	   ALTER TABLE measures ADD UNIQUE (at, city, v);
	   INSERT INTO measures SELECT date '2025-01-01' + (g % 700), g % 5, g FROM generate_series(1, 20000) g;
	   CREATE TABLE animals (id serial PRIMARY KEY, name text);
	   CREATE TABLE dogs (breed text) INHERITS (animals);
	   CREATE TABLE puppies (age int CHECK (age < 2)) INHERITS (dogs);
	   INSERT INTO animals (name) VALUES ('cat');
	   INSERT INTO dogs (name, breed) VALUES ('rex', 'collie');
	   INSERT INTO puppies (name, breed, age) VALUES ('bit', 'pug', 1);
	   CREATE INDEX dogs_breed ON dogs (breed);" awkward >/dev/null
	pg_dump -d awkward >"$BATS_FILE_TMPDIR/full.sql"
	pg_dump --data-only -d awkward >"$BATS_FILE_TMPDIR/source-data.sql"
	pg_dump --schema-only -d awkward >"$BATS_FILE_TMPDIR/source-schema.sql"
}
teardown_file() { pg_stop; }

# dumps without pg_dump's per-run \restrict key
same_dump() {	# same_dump WHAT SOURCE DB
	pg_dump "--$1" -d "$3" | grep -v '^\\\(un\)\?restrict ' >"$BATS_TEST_TMPDIR/target.sql"
	grep -v '^\\\(un\)\?restrict ' "$2" >"$BATS_TEST_TMPDIR/source.sql"
	cmp "$BATS_TEST_TMPDIR/source.sql" "$BATS_TEST_TMPDIR/target.sql"
}

# until_running TEXT: wait (a minute at most) until a session runs a query
# that starts with TEXT
until_running() {
	for _ in $(seq 1 600); do
		if [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '$1%'")" = 1 ]; then
			return 0
		fi
		sleep 0.1
	done
}

restore_with() {	# restore_with N: -j N into a fresh database, data and catalog compared
	mkdb "par$1"
	run --separate-stderr cr-restore -v -j "$1" -d "par$1" "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" "par$1"
	same_dump schema-only "$BATS_FILE_TMPDIR/source-schema.sql" "par$1"
}

@test "cr-restore -j 1: data and catalog identical" {
	restore_with 1
}

@test "cr-restore -j 2: data and catalog identical" {
	restore_with 2
}

@test "cr-restore -j 4: data and catalog identical, the row-count proof over every table" {
	restore_with 4
	assert_stderr_contains "rows in"
	assert_equal "$(q 'SELECT count(*) FROM measures' par4)" 20000
}

@test "cr-restore -j 4 --clean: a failing index build names its line, the scratch is dropped and the target untouched" {
	mkdb failing
	q "CREATE TABLE keepme (id int); INSERT INTO keepme VALUES (42)" failing
	# n % 2 repeats: the unique index build fails in post-data
	awk '/^-- PostgreSQL database dump complete/ && !done {
		print "CREATE UNIQUE INDEX big2_bad ON public.big2 USING btree (((n % 2)));\n"; done = 1 } 1' \
		"$BATS_FILE_TMPDIR/full.sql" >"$BATS_TEST_TMPDIR/bad.sql"
	line=$(grep -n 'big2_bad' "$BATS_TEST_TMPDIR/bad.sql" | cut -d: -f1)
	run --separate-stderr cr-restore -j 4 --clean --yes -d failing "$BATS_TEST_TMPDIR/bad.sql"
	assert_status 1
	assert_stderr_contains "line $line: ERROR:"
	assert_stderr_contains "could not create unique index"
	assert_equal "$(q 'SELECT id FROM keepme' failing)" 42
	assert_equal "$(scratch_dbs)" 0
}

@test "cr-restore -j 4 --clean: Ctrl-C mid-load cancels the workers, drops the scratch, leaves the target" {
	mkdb interrupted
	q "CREATE TABLE keepme (id int); INSERT INTO keepme VALUES (42)" interrupted
	# a pause before big2's data, big's being loaded: the load is under way
	awk '/^COPY public.big2 / { print "SELECT pg_sleep(20);\n" } 1' \
		"$BATS_FILE_TMPDIR/full.sql" >"$BATS_TEST_TMPDIR/slow.sql"
	cr-restore --trust-dump -j 4 --clean --yes -d interrupted "$BATS_TEST_TMPDIR/slow.sql" \
		2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	until_running 'SELECT pg_sleep(20)'
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 1
	run grep -c interrupted "$BATS_TEST_TMPDIR/err"
	assert_status 0
	assert_equal "$(q 'SELECT id FROM keepme' interrupted)" 42
	assert_equal "$(scratch_dbs)" 0
	assert_equal "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cr-restore'")" 0
}

@test "cr-restore -j 2 with a tiny buffer spills COPY data to temporary files, all gone afterwards" {
	mkdb spilled
	mkdir "$BATS_TEST_TMPDIR/tmp"
	run --separate-stderr env TMPDIR="$BATS_TEST_TMPDIR/tmp" CR_RESTORE_BUFFER=4096 \
		cr-restore -v -j 2 -d spilled "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_stderr_contains "of COPY data spilled to temporary files in $BATS_TEST_TMPDIR/tmp"
	run ! grep -q ': 0 B of COPY data spilled' <<<"$stderr"
	same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" spilled
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ""
}

@test "cr-restore -j spills to /var/tmp when /tmp is a tmpfs (memory), unless TMPDIR says where" {
	[ "$(id -u)" -eq 0 ] || skip "a private mount namespace needs root"
	unshare -m true 2>/dev/null || skip "no mount namespaces here (unshare -m)"
	mkdb tmpfs_default
	mkdb tmpfs_chosen
	# In a mount namespace of its own, /tmp becomes a tmpfs; the old /tmp,
	# which holds the server's socket, the dump and maybe the tools
	# themselves (a checkout under /tmp), stays reachable at $old.
	old=$(mktemp -d /var/tmp/cr-test-oldtmp.XXXXXX)
	cat >"$BATS_TEST_TMPDIR/ns.sh" <<-'SH'
	set -e
	moved() { case $1 in /tmp/*) echo "$OLD/${1#/tmp/}" ;; *) echo "$1" ;; esac; }
	mount --bind /tmp "$OLD"
	mount -t tmpfs cr-test /tmp
	export PGHOST=$(moved "$PGHOST")
	PATH=$(moved "$CR_BIN"):$PATH
	dump=$(moved "$DUMP")
	env -u TMPDIR CR_RESTORE_BUFFER=4096 cr-restore -v -j 2 -d tmpfs_default "$dump" 2>&1
	mkdir /tmp/chosen
	env TMPDIR=/tmp/chosen CR_RESTORE_BUFFER=4096 cr-restore -v -j 2 -d tmpfs_chosen "$dump" 2>&1
	SH
	run env OLD="$old" DUMP="$BATS_FILE_TMPDIR/full.sql" unshare -m bash "$BATS_TEST_TMPDIR/ns.sh"
	rmdir "$old"
	assert_status 0
	assert_output_contains "of COPY data spilled to temporary files in /var/tmp,"
	assert_output_contains "of COPY data spilled to temporary files in /tmp/chosen,"
	same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" tmpfs_default
	same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" tmpfs_chosen
}

@test "cr-restore -j refuses a script that is not pg_dump's, saying why" {
	mkdb notdump
	printf 'CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n' >"$BATS_TEST_TMPDIR/hand.sql"
	run --separate-stderr cr-restore -j 2 -d notdump "$BATS_TEST_TMPDIR/hand.sql"
	assert_status 65
	assert_stderr_contains "-j: the input is not a pg_dump dump"
	assert_equal "$(q "SELECT to_regclass('t') IS NULL" notdump)" t
}

@test "cr-restore -1 -j 2 is a usage error" {
	run --separate-stderr cr-restore -1 -j 2 -d postgres "$BATS_FILE_TMPDIR/full.sql"
	assert_status 64
	assert_stderr_contains "one transaction cannot span connections"
}

@test "cr-restore -j 0 uses the online cores, and -t works with it" {
	mkdb jzero
	run --separate-stderr cr-restore -v -j 0 -t big -t big2 -d jzero "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM big2' jzero)" 60000
	assert_equal "$(q "SELECT count(*) FROM pg_indexes WHERE tablename = 'big'" jzero)" 3
	assert_stderr_contains "-j $(getconf _NPROCESSORS_ONLN):"
}

@test "cr-restore -j 2 --role: a superuser's parallel restore leaves everything owned by the role" {
	q "CREATE ROLE app LOGIN" >/dev/null
	mkdb appsrc
	q "ALTER DATABASE appsrc OWNER TO app" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -U app -d appsrc <<-'SQL'
	CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
	INSERT INTO users (name) SELECT 'user' || g FROM generate_series(1, 5000) g;
	CREATE INDEX users_name ON users (name);
	CREATE TABLE invoices (id int PRIMARY KEY, user_id int REFERENCES users);
	INSERT INTO invoices SELECT g, g FROM generate_series(1, 3000) g;
	SQL
	pg_dump -d appsrc >"$BATS_TEST_TMPDIR/app.sql"
	run --separate-stderr cr-restore -j 2 --clean --yes --role app -d appdst "$BATS_TEST_TMPDIR/app.sql"
	assert_status 0
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'" appdst)" app
	assert_equal "$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'" appdst)" 3
	assert_equal "$(q "SELECT count(*) FROM pg_constraint WHERE contype = 'f'" appdst)" 1
	assert_equal "$(psql -X -A -t -U app -d appdst -c 'SELECT count(*) FROM invoices')" 3000
}

# A cr-restore beside the wrapper (which runs the tools beside it first)
# that writes its arguments to a file, then runs the real one.
restore_shim() {	# restore_shim WRAPPER
	mkdir -p "$BATS_TEST_TMPDIR/shim"
	cp "$CR_BIN/$1" "$BATS_TEST_TMPDIR/shim/"
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/restore-args"\nexec "%s/cr-restore" "$@"\n' \
		"$BATS_TEST_TMPDIR" "$CR_BIN" >"$BATS_TEST_TMPDIR/shim/cr-restore"
	chmod +x "$BATS_TEST_TMPDIR/shim/cr-restore"
}

default_jobs() {
	n=$(getconf _NPROCESSORS_ONLN)
	[ "$n" -le 4 ] || n=4
	echo "$n"
}

@test "cr-restore-dev restores with -j min(online cores, 4) unless -j says otherwise" {
	restore_shim cr-restore-dev
	cr-dump -d awkward | cr-gz >"$BATS_TEST_TMPDIR/b.sql.gz"
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run --separate-stderr cr-restore-dev --yes --create --no-migrate \
		-d devj "$BATS_TEST_TMPDIR/b.sql.gz"
	assert_status 0
	grep -q -- " -j $(default_jobs)\( \|\$\)" "$BATS_TEST_TMPDIR/restore-args"
	assert_equal "$(q 'SELECT count(*) FROM big2' devj)" 60000
	: >"$BATS_TEST_TMPDIR/restore-args"
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run --separate-stderr cr-restore-dev --yes --create --no-migrate \
		-j3 -d devj "$BATS_TEST_TMPDIR/b.sql.gz"
	assert_status 0
	assert_equal "$(grep -c -- ' -j ' "$BATS_TEST_TMPDIR/restore-args")" 1
	grep -q -- " -j 3\( \|\$\)" "$BATS_TEST_TMPDIR/restore-args"
	# cr-restore -v says how many connections loaded it
	assert_stderr_contains "cr-restore: -j 3:"
}

@test "cr-backup --test-restore restores with -j min(online cores, 4), or -j N" {
	restore_shim cr-backup
	mkdir "$BATS_TEST_TMPDIR/dir"
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q -d awkward --dir "$BATS_TEST_TMPDIR/dir" \
		--no-rotate --test-restore
	assert_status 0
	grep -q -- "^--test --yes -j $(default_jobs) " "$BATS_TEST_TMPDIR/restore-args"
	: >"$BATS_TEST_TMPDIR/restore-args"
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q -d awkward --dir "$BATS_TEST_TMPDIR/dir" \
		--no-rotate --name j1 --test-restore --jobs=1
	assert_status 0
	grep -q -- "^--test --yes -j 1 " "$BATS_TEST_TMPDIR/restore-args"
	run cr-backup -q -d awkward --dir "$BATS_TEST_TMPDIR/dir" --test-restore -j two
	assert_status 64
	assert_output_contains "-j two: not a number"
}

@test "cr-restore -j 2 -v -v prints the schedule, the time per phase and the critical path; one -v does not" {
	mkdb sched
	run --separate-stderr cr-restore -v -j 2 -d sched "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	[[ $stderr != *"schedule: "* ]]
	mkdb sched
	run --separate-stderr cr-restore -v -v -j 2 -d sched "$BATS_FILE_TMPDIR/full.sql"
	assert_status 0
	assert_stderr_contains "cr-restore: -j 2: schedule: "
	assert_stderr_contains " jobs on 2 workers ("
	assert_stderr_contains 'COPY "public"."big" (line '
	assert_stderr_contains "cr-restore: -j 2: phases: pre-data "
	[[ $stderr =~ phases:\ pre-data\ [0-9.]+\ s,\ data\ [0-9.]+\ s,\ post-data\ [0-9.]+\ s ]]
	# a table's chain: its data, its constraints, its indexes (which
	# table is longest is a matter of timing, not asserted)
	[[ $stderr =~ critical\ path:\ [0-9.]+\ s\ of\ the\ [0-9.]+\ s:\ pre-data\ [0-9.]+\ s,\ then\ \"[^\"]+\"\.\"[^\"]+\":\ data\ [0-9.]+\ s,\ [0-9]+\ constraints?\ [0-9.]+\ s,\ [0-9]+\ index(es)?\ \(the\ longest\)\ [0-9.]+\ s ]]
	same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" sched
}

# -j FILE, random access: a cr-gz file's COPY blocks are read by the workers
# from the file itself (the read-through maps them); anything else streams.
@test "cr-restore -j 2 and -j 4 --clean of a cr-gz file: the workers read the COPY data from the file, data and catalog identical" {
	cr-gz <"$BATS_FILE_TMPDIR/full.sql" >"$BATS_TEST_TMPDIR/full.sql.gz"
	mkdb random2
	run --separate-stderr cr-restore -v -j 2 -d random2 "$BATS_TEST_TMPDIR/full.sql.gz"
	assert_status 0
	# every COPY block with data (an empty one has nothing to read)
	blocks=$(awk '/^COPY .* FROM stdin;$/ { c = 1; next } c && !/^\\\.$/ { n++ } { c = 0 } END { print n }' "$BATS_FILE_TMPDIR/full.sql")
	assert_stderr_contains "-j 2: random access: $blocks COPY blocks"
	same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" random2
	same_dump schema-only "$BATS_FILE_TMPDIR/source-schema.sql" random2
	mkdb random4
	q "CREATE TABLE keepme (id int)" random4
	run --separate-stderr cr-restore -v -j 4 --clean --yes -d random4 "$BATS_TEST_TMPDIR/full.sql.gz"
	assert_status 0
	assert_stderr_contains "-j 4: random access:"
	same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" random4
	same_dump schema-only "$BATS_FILE_TMPDIR/source-schema.sql" random4
	assert_equal "$(scratch_dbs)" 0
}

@test "cr-restore -j 2 streams a foreign gzip, a pipe and plain SQL as before: no random access, data identical" {
	gzip -c "$BATS_FILE_TMPDIR/full.sql" >"$BATS_TEST_TMPDIR/foreign.sql.gz"
	cr-gz <"$BATS_FILE_TMPDIR/full.sql" >"$BATS_TEST_TMPDIR/full.sql.gz"
	for how in foreign pipe plain; do
		mkdb "stream_$how"
		case $how in
		foreign) run --separate-stderr cr-restore -v -j 2 -d "stream_$how" "$BATS_TEST_TMPDIR/foreign.sql.gz" ;;
		pipe) run --separate-stderr bash -c 'cat "$1" | cr-restore -v -j 2 -d stream_pipe' _ "$BATS_TEST_TMPDIR/full.sql.gz" ;;
		plain) run --separate-stderr cr-restore -v -j 2 -d "stream_$how" "$BATS_FILE_TMPDIR/full.sql" ;;
		esac
		assert_status 0
		assert_stderr_contains "of COPY data spilled"
		run ! grep -q 'random access' <<<"$stderr"
		same_dump data-only "$BATS_FILE_TMPDIR/source-data.sql" "stream_$how"
	done
}

@test "cr-restore -j 2 --clean: a member of a COPY block damaged after the read-through fails the worker, 65, the target untouched" {
	mkdb wide_src
	q "CREATE TABLE wide (id int PRIMARY KEY, t text);
	   INSERT INTO wide SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 60000) g" wide_src >/dev/null
	# the restore waits at a gate (after the read-through, before wide's
	# data) until the test has damaged a member in the middle of that data:
	# a role, which every database sees
	pg_dump -d wide_src | awk '/^COPY public.wide / {
		print "DO $$ BEGIN WHILE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) '"'"'cr_gate_open'"'"') LOOP PERFORM pg_catalog.pg_sleep(0.05); END LOOP; END $$;\n" } 1' |
		cr-gz >"$BATS_TEST_TMPDIR/wide.sql.gz"
	# the member holding the middle of wide's data, by the members' size fields
	plain=$(cr-gz -d <"$BATS_TEST_TMPDIR/wide.sql.gz")
	begin=$(grep -b '^COPY public.wide ' <<<"$plain" | cut -d: -f1)
	end=$(grep -b '^\\\.$' <<<"$plain" | cut -d: -f1 | awk -v b="$begin" '$1 > b { print; exit }')
	mid=$(( (begin + end) / 2 ))
	f=$BATS_TEST_TMPDIR/wide.sql.gz out=0
	while read -r at msize; do
		isize=$(od -An -tu4 -j $((at + msize - 4)) -N4 "$f" | tr -d ' ')
		if [ $((out + isize)) -gt "$mid" ]; then break; fi
		out=$((out + isize))
	done < <(members "$f")
	mkdb wide
	q "CREATE TABLE keepme (id int); INSERT INTO keepme VALUES (42)" wide
	cr-restore --trust-dump -v -j 2 --clean --yes -d wide "$BATS_TEST_TMPDIR/wide.sql.gz" \
		2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	until_running 'DO $$ BEGIN WHILE'
	flip "$f" $((at + msize / 2))
	q "CREATE ROLE cr_gate_open" >/dev/null
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 65
	run grep -c 'the COPY data read from the file: ' "$BATS_TEST_TMPDIR/err"
	assert_equal "$output" 1
	assert_equal "$(q 'SELECT id FROM keepme' wide)" 42
	assert_equal "$(scratch_dbs)" 0
	q "DROP ROLE cr_gate_open" >/dev/null
}
