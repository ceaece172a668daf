#!/usr/bin/env bats
# cr-restore --clean: the replace never loses a database.  Sessions on the
# scratch database, the server stopped in the middle of the swap, kill -9 at
# random moments and during the swap, leftovers reported with safe commands,
# --keep-old and its rollback.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	# as a production server: an immediate stop loses no commit
	q "ALTER SYSTEM SET synchronous_commit = on" >/dev/null
	q "SELECT pg_reload_conf()" >/dev/null
	mkdb src
	# big enough that a restore takes a second or two
	q "CREATE TABLE big (id int PRIMARY KEY, pad text);
	   INSERT INTO big SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 300000) g" src >/dev/null
	pg_dump -d src >"$BATS_FILE_TMPDIR/big.sql"
	# the same with a pause after the data: time to act before the swap
	# (pg_dump writes no pg_sleep: restored with --trust-dump)
	awk '/^-- PostgreSQL database dump complete/ && !done { print "SELECT pg_sleep(3);\n"; done = 1 } 1' \
		"$BATS_FILE_TMPDIR/big.sql" >"$BATS_FILE_TMPDIR/slow.sql"
	echo "SELECT pg_catalog.set_config('search_path', '', false);" >"$BATS_FILE_TMPDIR/one.sql"
}
teardown_file() { pg_stop; }

NEW_ROWS=300000

# what_is DB: "old", "new", "missing" or something else, whatever its
# datallowconn (put right first with the documented command).
what_is() {
	if [ "$(q "SELECT count(*) FROM pg_database WHERE datname = '$1'")" != 1 ]; then
		echo missing
		return
	fi
	q "ALTER DATABASE \"$1\" ALLOW_CONNECTIONS true" >/dev/null
	if [ "$(q "SELECT to_regclass('keepme') IS NOT NULL" "$1")" = t ]; then
		q "SELECT 'old:' || count(*) FROM keepme" "$1"
	elif [ "$(q "SELECT to_regclass('big') IS NOT NULL" "$1")" = t ]; then
		q "SELECT 'new:' || count(*) FROM big" "$1"
	else
		echo empty
	fi | sed "s/^old:42\$/old/; s/^new:$NEW_ROWS\$/new/"
}

# wait_for SQL: until the query prints something other than 0 or nothing (10 s).
wait_for() {
	local i out
	for i in $(seq 200); do
		out=$(q "$1" 2>/dev/null) || true
		[ -n "$out" ] && [ "$out" != 0 ] && { echo "$out"; return 0; }
		sleep 0.05
	done
	return 1
}

# The scratch database of a running restore into $1.
scratch_of() {
	wait_for "SELECT datname FROM pg_database WHERE datname LIKE '$1\\_cr\\_restore\\_%'"
}

# No backend of a cr-restore left (a killed client's backend finishes first).
wait_no_restore_backends() {
	local i
	for i in $(seq 200); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cr-restore'")" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# Until the restore waits for a lock in the swap (the old code's drop counts too).
wait_in_swap() {
	wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cr-restore'
		AND wait_event_type = 'Lock' AND query ~ '(ALTER DATABASE.*RENAME TO|DROP DATABASE)'"
}

# hold_lock DB: a session (application_name holder) in the background
# ($holder) holding a lock on database DB for up to a minute: renaming or
# dropping DB waits for it.
hold_lock() {
	PGAPPNAME=holder psql -X -d postgres -c "BEGIN; COMMENT ON DATABASE \"$1\" IS 'held'; SELECT pg_sleep(60)" >/dev/null 2>&1 &
	holder=$!
}

leftovers() {
	q "SELECT count(*) FROM pg_database WHERE datname LIKE '$1\\_cr\\_%'"
}

@test "cr-restore --clean: a session on the scratch database during the swap does not lose both copies" {
	old_db busy
	cr-restore --trust-dump -v --clean --yes -d busy "$BATS_FILE_TMPDIR/slow.sql" 2>"$BATS_TEST_TMPDIR/err" &
	restorer=$!
	scratch=$(scratch_of busy)
	# a monitoring agent, a GUI, a pooler: connected to the scratch database
	for i in $(seq 50); do
		psql -X -d "$scratch" -c 'SELECT pg_sleep(60)' >/dev/null 2>&1 &
		agent=$!
		sleep 0.3
		kill -0 "$agent" 2>/dev/null && break
	done
	rc=0
	wait "$restorer" || rc=$?
	kill "$agent" 2>/dev/null || true
	cat "$BATS_TEST_TMPDIR/err"
	assert_equal "$rc" 0
	assert_equal "$(what_is busy)" new
	assert_equal "$(leftovers busy)" 0
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output_contains "1 session on the scratch database ended"
	assert_output_contains "; 0 sessions ended"
}

@test "cr-restore --clean: the server stopped in the middle of the swap leaves the old data, and says only what it knows" {
	old_db stopped
	cr-restore --trust-dump --clean --yes -d stopped "$BATS_FILE_TMPDIR/slow.sql" 2>"$BATS_TEST_TMPDIR/err" &
	restorer=$!
	scratch=$(scratch_of stopped)
	# hold a lock on the scratch database: renaming it waits
	hold_lock "$scratch"
	wait_in_swap
	pg_server_stop immediate
	rc=0
	wait "$restorer" || rc=$?
	kill "$holder" 2>/dev/null || true
	pg_server_start
	cat "$BATS_TEST_TMPDIR/err"
	assert_equal "$rc" 1
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output_contains "cannot look where the data is now"
	# no command that could drop the only copy
	run grep -c dropdb "$BATS_TEST_TMPDIR/err"
	assert_equal "$output" 0

	# the next run names the leftovers, with commands that put things right
	run cr-restore --test -d stopped "$BATS_FILE_TMPDIR/one.sql"
	assert_status 0
	assert_output_contains "\"$scratch\" is a scratch database an interrupted run left"
	assert_output_contains '"stopped" refuses connections (datallowconn = false)'
	echo "$output" | sed -n 's/.* with: //p' >"$BATS_TEST_TMPDIR/fix.sh"
	run bash -e "$BATS_TEST_TMPDIR/fix.sh"
	assert_status 0
	assert_equal "$(q "SELECT datallowconn FROM pg_database WHERE datname = 'stopped'")" t
	assert_equal "$(leftovers stopped)" 0
	assert_equal "$(what_is stopped)" old
}

@test "cr-restore --clean: SIGINT while the swap waits for a lock stops it before the commit; the target is as it was" {
	old_db sigswap
	cr-restore --trust-dump --clean --yes -d sigswap "$BATS_FILE_TMPDIR/slow.sql" 2>"$BATS_TEST_TMPDIR/err" &
	restorer=$!
	scratch=$(scratch_of sigswap)
	# hold a lock on the scratch database: renaming it waits
	hold_lock "$scratch"
	wait_in_swap
	kill -INT "$restorer"
	sleep 0.5
	q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder'" >/dev/null
	rc=0
	wait "$restorer" || rc=$?
	kill "$holder" 2>/dev/null || true
	cat "$BATS_TEST_TMPDIR/err"
	assert_equal "$rc" 1
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output_contains '"sigswap" is as it was'
	assert_equal "$(what_is sigswap)" old
	assert_equal "$(leftovers sigswap)" 0
}

@test "cr-restore --clean: kill -9 at 20 random moments and during the swap never leaves the target missing" {
	old_db killed
	t0=$(date +%s%N)
	cr-restore --clean --yes -d killed "$BATS_FILE_TMPDIR/big.sql"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	assert_equal "$(what_is killed)" new
	old_db killed
	bad=
	seen=
	for i in $(seq 20); do
		cr-restore --clean --yes -d killed "$BATS_FILE_TMPDIR/big.sql" 2>/dev/null &
		pid=$!
		at=$(( RANDOM % (ms * 11 / 10 + 1) ))
		sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		wait_no_restore_backends
		state=$(what_is killed)
		seen="$seen $at:$state"
		case $state in old|new) ;; *) bad="$bad $at:$state" ;; esac
		# what the next run reports as safe to drop
		for d in $(q "SELECT datname FROM pg_database WHERE datname LIKE 'killed\\_cr\\_%'"); do
			q "DROP DATABASE \"$d\" WITH (FORCE)" >/dev/null
		done
		if [ "$state" = new ]; then old_db killed; fi
	done
	# during the swap: the rename of the target or of the scratch waits
	for what in target scratch; do
		cr-restore --trust-dump --clean --yes -d killed "$BATS_FILE_TMPDIR/slow.sql" 2>/dev/null &
		pid=$!
		scratch=$(scratch_of killed)
		db=killed
		if [ "$what" = scratch ]; then db=$scratch; fi
		hold_lock "$db"
		wait_in_swap
		kill -9 "$pid"
		wait "$pid" 2>/dev/null || true
		q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder'" >/dev/null
		wait "$holder" 2>/dev/null || true
		wait_no_restore_backends
		state=$(what_is killed)
		seen="$seen swap-$what:$state"
		case $state in old|new) ;; *) bad="$bad swap-$what:$state" ;; esac
		for d in $(q "SELECT datname FROM pg_database WHERE datname LIKE 'killed\\_cr\\_%'"); do
			q "DROP DATABASE \"$d\" WITH (FORCE)" >/dev/null
		done
		if [ "$state" = new ]; then old_db killed; fi
	done
	echo "one run: $ms ms; killed at (ms:state):$seen"
	assert_equal "$bad" ""
}

@test "cr-restore --clean: leftovers of a run killed after the swap are named with a safe command" {
	old_db after
	# as a run killed between the swap's commit and the drop leaves it
	mkdb after_cr_old_4242
	run cr-restore --clean --yes -d after "$BATS_FILE_TMPDIR/big.sql"
	assert_status 0
	assert_output_contains "\"after_cr_old_4242\" is the database an interrupted run replaced (\"after\" holds the restored data): drop it with: dropdb 'after_cr_old_4242'"
	# a replaced database whose target is gone: renamed back, never dropped
	q "DROP DATABASE after" >/dev/null
	run cr-restore --test -d after "$BATS_FILE_TMPDIR/one.sql"
	assert_status 0
	assert_output_contains "\"after_cr_old_4242\" holds the data of \"after\", which does not exist: rename it back with: psql -d postgres -c 'ALTER DATABASE \"after_cr_old_4242\" RENAME TO \"after\"'"
}

@test "cr-restore --clean --keep-old: the replaced database is kept for an instant rollback" {
	old_db kept
	run cr-restore --clean --keep-old --yes -d kept "$BATS_FILE_TMPDIR/big.sql"
	assert_status 0
	assert_output_contains 'the replaced database is kept as "kept_cr_old_'
	old=$(q "SELECT datname FROM pg_database WHERE datname LIKE 'kept\\_cr\\_old\\_%'")
	assert_equal "$(what_is kept)" new
	assert_equal "$(what_is "$old")" old
	# the next run does not take it for a leftover
	run cr-restore --test -d kept "$BATS_FILE_TMPDIR/one.sql"
	assert_status 0
	run ! grep -q warning <<<"$output"
	# the rollback of cr-restore(1)
	q "ALTER DATABASE kept ALLOW_CONNECTIONS false" >/dev/null
	q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'kept'" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "BEGIN; ALTER DATABASE kept RENAME TO kept_bad; ALTER DATABASE \"$old\" RENAME TO kept; COMMIT" 
	assert_equal "$(what_is kept)" old
	assert_equal "$(what_is kept_bad)" new
}
