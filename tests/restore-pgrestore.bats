#!/usr/bin/env bats
# What people used to pg_restore bring to cr-restore: pg_restore's options
# are refused with the reason (as cr-dump explains pg_dump's), and a
# pg_dump archive (custom or tar format, gzipped or not) is named as one,
# exit 65, before anything connects: no "refused psql meta-command" and no
# binary bytes on the terminal.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	mkdb src
	q "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'x' || g FROM generate_series(1, 50) g" src >/dev/null
	pg_dump -Fc src >"$BATS_FILE_TMPDIR/src.dump"
	pg_dump -Ft src >"$BATS_FILE_TMPDIR/src.tar"
	mkdb dst
}
teardown_file() { pg_stop; }

@test "cr-restore: pg_restore's -c -C -e -O -x -l -L -f and their long forms are refused with the reason, 64" {
	for opt in -c -C -e -O -x -l -L -f --create --exit-on-error --no-owner \
	    --no-privileges --no-acl --list --use-list --file=out.sql; do
		run --separate-stderr cr-restore "$opt" -d dst "$BATS_FILE_TMPDIR/src.dump"
		assert_status 64
		assert_equal "$output" ""
		assert_equal "${#stderr_lines[@]}" 1
		if [[ ${stderr_lines[0]} != "cr-restore: ${opt%%=*}: "?* ]]; then
			echo "$opt: ${stderr_lines[0]}" >&2
			return 1
		fi
	done
	run --separate-stderr cr-restore -c -d dst
	assert_equal "$stderr" "cr-restore: -c: pg_restore's -c drops objects one by one; cr-restore --clean replaces the whole database atomically: write --clean"
	run --separate-stderr cr-restore --no-owner -d dst
	assert_stderr_contains "cr-restore: --no-owner: cr-restore runs the dump as written: make it with pg_dump --no-owner (cr-dump always does)"
	# -1 is cr-restore's too, and other mistakes are said as by every tool (cliopt)
	run --separate-stderr cr-restore -q -d dst
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-restore: unrecognized option '-q'"
	run --separate-stderr cr-restore --bogus -d dst
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-restore: unrecognized option '--bogus'"
	run --separate-stderr cr-restore -d
	assert_status 64
	assert_equal "${stderr_lines[0]}" "cr-restore: option '-d' requires an argument"
}

@test "cr-restore: a pg_dump custom archive is named, 65, nothing executed, no binary on stderr" {
	f=$BATS_FILE_TMPDIR/src.dump
	run --separate-stderr cr-restore -d dst "$f"
	assert_status 65
	assert_equal "$output" ""
	assert_equal "$stderr" "cr-restore: $f: this is a pg_dump custom archive: use pg_restore"
	run q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relname OPERATOR(pg_catalog.=) 't'" dst
	assert_equal "$output" 0
	# on stdin, and gzipped
	run --separate-stderr cr-restore -d dst <"$f"
	assert_status 65
	assert_equal "$stderr" "cr-restore: stdin: this is a pg_dump custom archive: use pg_restore"
	gzip -c "$f" >"$BATS_TEST_TMPDIR/src.dump.gz"
	run --separate-stderr cr-restore --clean --yes -d dst "$BATS_TEST_TMPDIR/src.dump.gz"
	assert_status 65
	assert_equal "$stderr" "cr-restore: $BATS_TEST_TMPDIR/src.dump.gz: this is a pg_dump custom archive: use pg_restore"
}

@test "cr-restore: a pg_dump tar archive is named too, 65" {
	f=$BATS_FILE_TMPDIR/src.tar
	run --separate-stderr cr-restore -d dst "$f"
	assert_status 65
	assert_equal "$stderr" "cr-restore: $f: this is a pg_dump tar archive: use pg_restore"
}

@test "cr-restore: a plain dump still restores after the format check read its first bytes" {
	pg_dump src | gzip >"$BATS_TEST_TMPDIR/src.sql.gz"
	run --separate-stderr cr-restore -d dst "$BATS_TEST_TMPDIR/src.sql.gz"
	assert_status 0
	run q "SELECT pg_catalog.count(*) FROM public.t" dst
	assert_equal "$output" 50
}
