#!/usr/bin/env bats
# The progress line (lib/progress): on a terminal (script(1) gives the tool
# one) cr-verify and cr-restore draw "done / total (percent), rate" in
# place; with standard error a pipe or a file they draw nothing;
# --progress and --no-progress force either.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	command -v script >/dev/null || return 0
	pg_start
	load_awkward src
	cr-dump src | cr-gz >"$BATS_FILE_TMPDIR/src.sql.gz"
}
teardown_file() { [ -z "${CR_PGROOT:-}" ] || pg_stop; }

setup() {
	command -v script >/dev/null || skip "script(1) is not installed (Debian: util-linux)"
	f=$BATS_FILE_TMPDIR/src.sql.gz
	size=$(stat -c %s "$f")
	source <(sed -n '/^iec() {$/,/^}$/p' "$CR_REPO/cmd/wrapper.bash")
}

# on_tty CMD: CMD with a terminal for its standard output and error (the
# bytes it wrote there, on stdout), as script(1) runs it.
on_tty() {
	script -qec "$(printf '%q ' "$@")" /dev/null </dev/null
}

@test "cr-verify on a terminal: one progress line, redrawn in place, with the total and percent, then erased" {
	run on_tty cr-verify "$f"
	assert_status 0
	assert_output_contains $'\r'"cr-verify: $f: "
	assert_output_contains " / $(iec "$size") ("
	assert_output_contains "%), "
	assert_output_contains $'\r\e[K'
	assert_output_contains "$f: OK, complete"
}

@test "cr-verify with stderr a pipe or a file: no progress line; --progress forces one, --no-progress none" {
	run --separate-stderr cr-verify "$f"
	assert_status 0
	assert_equal "$stderr" ""
	cr-verify "$f" 2>"$BATS_TEST_TMPDIR/err" >/dev/null
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	run --separate-stderr cr-verify --progress "$f"
	assert_status 0
	[[ $stderr == $'\r'"cr-verify: $f: "*" / $(iec "$size") ("* ]]
	run on_tty cr-verify --no-progress "$f"
	assert_status 0
	refute_grep -F "cr-verify: $f: " <(printf '%s' "$output")
	# -q: nothing but errors, and so no progress line either
	run on_tty cr-verify -q "$f"
	assert_status 0
	assert_equal "$output" ""
}

@test "cr-restore on a terminal: the progress line with statements, tables and rows; none in a pipe" {
	mkdb dst1
	run on_tty cr-restore -d dst1 "$f"
	assert_status 0
	assert_output_contains $'\r'"cr-restore: "
	assert_output_contains " / $(iec "$size") ("
	assert_output_contains " statements, "
	assert_output_contains " rows"
	mkdb dst2
	run --separate-stderr cr-restore -d dst2 "$f"
	assert_status 0
	assert_equal "$stderr" ""
	mkdb dst3
	run --separate-stderr cr-restore --progress -d dst3 "$f"
	assert_status 0
	[[ $stderr == $'\r'"cr-restore: "*" statements, "* ]]
}

@test "cr-restore on a terminal: a long COPY's row count moves while its rows stream, before the COPY ends" {
	# One COPY of 400000 rows whose CHECK costs the server a little per
	# row: seconds of streaming, so redraws (twice a second) fall inside it.
	mkdb long
	q "CREATE TABLE t (id int CHECK (pg_catalog.length(pg_catalog.md5(pg_catalog.repeat(id::text, 40))) OPERATOR(pg_catalog.=) 32), pad text);
	   INSERT INTO t SELECT g, pg_catalog.repeat('x', 20) FROM pg_catalog.generate_series(1, 400000) g" long
	cr-dump long | cr-gz >"$BATS_TEST_TMPDIR/long.sql.gz"
	mkdb long2
	run on_tty cr-restore -d long2 "$BATS_TEST_TMPDIR/long.sql.gz"
	assert_status 0
	assert_equal "$(q "SELECT pg_catalog.count(*) FROM t" long2)" 400000
	# the rows the lines showed, in order: some between none and all of
	# the one COPY's (unfixed, the count stood at 0 until the COPY ended)
	shown=$(printf '%s' "$output" | tr '\r' '\n' | sed -n 's/.*, \([0-9][0-9]*\) rows.*/\1/p' | sort -un)
	mid=$(awk '$1 > 0 && $1 < 400000' <<<"$shown")
	echo "rows shown: $shown" >&2
	[ -n "$mid" ]
}

@test "cr-backup on a terminal: cr-verify's progress line while the new backup is verified; none with -q or in a pipe" {
	mkdir "$BATS_TEST_TMPDIR/b"
	run on_tty cr-backup -d src --dir "$BATS_TEST_TMPDIR/b"
	assert_status 0
	assert_output_contains $'\r'"cr-verify: $BATS_TEST_TMPDIR/b/"
	assert_output_contains "%), "
	assert_output_contains $'\r'"cr-gz: stdin: "	# the dump, as it is compressed
	run on_tty cr-backup -q -d src --dir "$BATS_TEST_TMPDIR/b" --name quiet
	assert_status 0
	refute_grep -F $'\r' <(printf '%s' "$output")
	run --separate-stderr cr-backup -d src --dir "$BATS_TEST_TMPDIR/b" --name piped
	assert_status 0
	refute_grep -F $'\r' <(printf '%s' "$stderr")
}

@test "cr-restore-dev -: saving stdin and the verify step draw the progress line on a terminal, none in a pipe; --progress forces it, --no-progress none" {
	mkdb dev_progress
	run on_tty bash -c "cat '$f' | cr-restore-dev --yes --no-migrate -d dev_progress -"
	assert_status 0
	assert_output_contains $'\r'"cr-restore-dev: stdin: $(iec "$size"), "
	assert_output_contains $'\r\e[K'
	assert_output_contains $'\r'"cr-verify: "
	assert_output_contains " / $(iec "$size") ("
	assert_output_contains "Restore Complete!"
	run --separate-stderr bash -c "cat '$f' | cr-restore-dev --yes --no-migrate -d dev_progress -"
	assert_status 0
	refute_grep -F "stdin: " <(printf '%s' "$stderr")
	refute_grep -F " / $(iec "$size") (" <(printf '%s' "$stderr")
	run --separate-stderr bash -c "cat '$f' | cr-restore-dev --progress --yes --no-migrate -d dev_progress -"
	assert_status 0
	assert_stderr_contains $'\r'"cr-restore-dev: stdin: $(iec "$size"), "
	assert_stderr_contains " / $(iec "$size") ("
	run on_tty bash -c "cat '$f' | cr-restore-dev --no-progress --yes --no-migrate -d dev_progress -"
	assert_status 0
	refute_grep -F "stdin: " <(printf '%s' "$output")
	assert_equal "$(q 'SELECT count(*) FROM "Mixed Schema"."Events"' dev_progress)" 5000
}

@test "cr-gz -t and -d of a file on a terminal: done / the file's size (percent), then erased; none in a pipe" {
	run on_tty cr-gz -t "$f"
	assert_status 0
	assert_output_contains $'\r'"cr-gz: $f: "
	assert_output_contains " / $(iec "$size") ("
	assert_output_contains $'\r\e[K'
	run on_tty bash -c 'cr-gz -d "$1" > "$2"' _ "$f" "$BATS_TEST_TMPDIR/plain.sql"
	assert_status 0
	assert_output_contains $'\r'"cr-gz: $f: "
	assert_output_contains " / $(iec "$size") ("
	run cmp "$BATS_TEST_TMPDIR/plain.sql" <(gzip -dc "$f")
	assert_status 0
	run --separate-stderr cr-gz -t "$f"
	assert_status 0
	assert_equal "$stderr" ""
	run --separate-stderr bash -c 'cr-gz -d "$1" | cat >/dev/null' _ "$f"
	assert_status 0
	assert_equal "$stderr" ""
}

@test "cr-gz compressing a file on a terminal: done / its size; stdin of unknown size: bytes and rate only" {
	local plain=$BATS_TEST_TMPDIR/plain.sql psize
	gzip -dc "$f" >"$plain"
	psize=$(stat -c %s "$plain")
	run on_tty bash -c 'cr-gz "$1" > "$2"' _ "$plain" "$BATS_TEST_TMPDIR/a.gz"
	assert_status 0
	assert_output_contains $'\r'"cr-gz: $plain: "
	assert_output_contains " / $(iec "$psize") ("
	run on_tty bash -c 'cat "$1" | cr-gz > "$2"' _ "$plain" "$BATS_TEST_TMPDIR/b.gz"
	assert_status 0
	assert_output_contains $'\r'"cr-gz: stdin: "
	refute_grep -F " / " <(printf '%s' "$output")
	run cmp "$BATS_TEST_TMPDIR/a.gz" "$BATS_TEST_TMPDIR/b.gz"
	assert_status 0
	run --separate-stderr bash -c 'cr-gz < "$1" > "$2"' _ "$plain" "$BATS_TEST_TMPDIR/c.gz"
	assert_status 0
	assert_equal "$stderr" ""
}

@test "cr-gz --progress draws the line in a pipe, --no-progress none on a terminal" {
	run --separate-stderr cr-gz -t --progress "$f"
	assert_status 0
	[[ $stderr == $'\r'"cr-gz: $f: "*" / $(iec "$size") ("* ]]
	run on_tty cr-gz -t --no-progress "$f"
	assert_status 0
	assert_equal "$output" ""
}
