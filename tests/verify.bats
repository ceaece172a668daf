#!/usr/bin/env bats
# cr-verify: passes whole dumps (cr-dump or plain pg_dump, gzip or not) with
# the right per-table counts, and fails with 65 and an offset on every kind of
# damage: truncation, flipped bytes, lost trailer or \. line, foreign input.

load helpers
load dump-helpers

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	load_awkward src
	# Text that looks like dump structure, inside a string literal.
	q "COMMENT ON TABLE users IS E'x\nCOPY public.users (id) FROM stdin;\n\\\\.\n-- PostgreSQL database dump complete\n'" src >/dev/null
	local d=$BATS_FILE_TMPDIR
	cr-dump src >"$d/good.sql"
	cr-gz <"$d/good.sql" >"$d/good.sql.gz"
	pg_dump src >"$d/plain.sql"
	gzip -c "$d/plain.sql" >"$d/plain.sql.gz"
	pg_dump -Fc src >"$d/custom.dump"
	table_counts src >"$d/counts"
	# The scanner alone, fed in pieces of any size (tests/dump-scan.c).
	build_driver dump-scan "$d/scan"
}
teardown_file() { pg_stop; }

setup() {
	f=$BATS_FILE_TMPDIR
	d=$BATS_TEST_TMPDIR
	ro_top=
}
teardown() {
	[ -z "$ro_top" ] || rm -rf "$ro_top"
}

@test "cr-verify passes a cr-dump | cr-gz backup and reports every table's row count" {
	run cr-verify -v "$f/good.sql.gz"
	assert_status 0
	assert_output_contains "$f/good.sql.gz: OK, complete (cr-dump trailer and pg_dump completion line)"
	assert_output_contains "  database:     src"
	assert_output_contains "  role:         cr"
	assert_output_contains "  server:       PostgreSQL 15"
	assert_output_contains "  schema only:  no"
	assert_output_contains "  tables:       6"
	assert_output_contains "  rows:         5507"
	assert_output_contains "  uncompressed: "
	assert_output_contains "  compressed:   "
	# the members as zlib counts them: cr-gz cuts where the content says
	# (one or two data members here, by the header's length), and its end member
	local members
	members=$(python3 -c 'import sys, zlib
data, n = open(sys.argv[1], "rb").read(), 0
while data:
    d = zlib.decompressobj(31); d.decompress(data); data = d.unused_data; n += 1
print(n)' "$f/good.sql.gz")
	[ "$members" -ge 2 ]
	assert_output_contains "  bytes:        $(stat -c %s "$f/good.sql") SQL, $(stat -c %s "$f/good.sql.gz") gzip in $members members"
	while read -r line; do
		assert_output_contains "$(printf '%12s  %s' "${line##* }" "${line% *}")"
	done <"$f/counts"
	[ "$(wc -l <"$f/counts")" -eq 6 ]
}

@test "cr-verify --json: one object per file, for monitoring" {
	run --separate-stderr cr-verify --json "$f/good.sql.gz" "$f/good.sql"
	assert_status 0
	assert_equal "$stderr" ""
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	line=$(echo "$output" | head -n 1)
	for want in '"ok":true' '"gzip":true' '"trailer":true' '"database":"src"' \
	    '"schema_only":false' '"tables_with_data":6' '"rows":5507' \
	    '{"name":"public.users","rows":202,"bytes":' '{"name":"\"Mixed Schema\".\"Events\"","rows":5000,"bytes":' \
	    '{"name":"public.\"table with space\"","rows":2,"bytes":15}' '"server_version":"15.'; do
		case "$line" in *"$want"*) ;; *) echo "missing $want in $line" >&2; return 1 ;; esac
	done
	assert_output_contains "\"bytes\":$(stat -c %s "$f/good.sql")"
	assert_output_contains "\"stored_bytes\":$(stat -c %s "$f/good.sql.gz")"
}

@test "cr-verify reads standard input; -q prints nothing" {
	run cr-verify -q <"$f/good.sql.gz"
	assert_status 0
	assert_equal "$output" ""
	run cr-verify - <"$f/good.sql"
	assert_status 0
	assert_output_contains "-: OK"
}

@test "cr-verify passes a plain pg_dump dump with a note that only pg_dump vouches for it" {
	for file in "$f/plain.sql" "$f/plain.sql.gz"; do
		run cr-verify -v "$file"
		assert_status 0
		assert_output_contains "only pg_dump's completion line vouches for this dump"
		assert_output_contains "         202  public.users"
	done
}

@test "cr-verify fails a gzip backup truncated at any of several offsets" {
	size=$(stat -c %s "$f/good.sql.gz")
	for n in 1 10 100 1000 $((size / 3)) $((size / 2)) $((size - 9)) $((size - 4)) $((size - 1)); do
		head -c "$n" "$f/good.sql.gz" >"$d/t.gz"
		run cr-verify "$d/t.gz"
		assert_status 65
		assert_output_contains "offset"
	done
}

@test "cr-verify fails an uncompressed cr dump truncated at any of several offsets" {
	size=$(stat -c %s "$f/good.sql")
	last=$(tail -n 1 "$f/good.sql" | wc -c)
	for n in 1 300 1000 $((size / 2)) $((size - last - 200)) $((size - last)) $((size - 10)) $((size - 1)); do
		head -c "$n" "$f/good.sql" >"$d/t.sql"
		run cr-verify "$d/t.sql"
		assert_status 65
		assert_output_contains "offset"
	done
	head -c $((size / 2)) "$f/good.sql" >"$d/t.sql"
	run cr-verify "$d/t.sql"
	assert_status 65
	assert_output_contains "incomplete: no cr-dump trailer (input ends inside the COPY data of"
}

@test "cr-verify fails a plain pg_dump dump truncated at several offsets" {
	size=$(stat -c %s "$f/plain.sql")
	# (Its last byte is a blank line's newline: without it, it is still whole.)
	for n in 100 $((size / 2)) $((size - 100)) $((size - 3)); do
		head -c "$n" "$f/plain.sql" >"$d/t.sql"
		run cr-verify "$d/t.sql"
		assert_status 65
	done
}

@test "cr-verify fails a backup with one byte flipped" {
	cp "$f/good.sql.gz" "$d/x.gz"
	flip "$d/x.gz" $(( $(stat -c %s "$d/x.gz") / 2 ))
	run cr-verify "$d/x.gz"
	assert_status 65
	assert_output_contains "gzip: "
	# In the uncompressed dump, inside COPY data: only the CRC can tell.
	cp "$f/good.sql" "$d/x.sql"
	off=$(grep -b -m1 '^1	user1@example.com' "$d/x.sql" | cut -d: -f1)
	printf 7 | dd of="$d/x.sql" bs=1 seek="$off" conv=notrunc 2>/dev/null
	run cr-verify "$d/x.sql"
	assert_status 65
	assert_output_contains "CRC-32 mismatch"
}

@test "cr-verify fails a cr dump whose trailer was removed" {
	head -n -1 "$f/good.sql" >"$d/n.sql"
	run cr-verify "$d/n.sql"
	assert_status 65
	assert_output_contains "incomplete: no cr-dump trailer"
	cr-gz <"$d/n.sql" >"$d/n.sql.gz"
	run cr-verify "$d/n.sql.gz"
	assert_status 65
}

@test "cr-verify fails a trailer with a wrong byte count, checksum or spelling" {
	last=$(tail -n 1 "$f/good.sql")
	[[ $last =~ bytes=([0-9]+)\ crc32=([0-9a-f]{8}) ]]
	bytes=${BASH_REMATCH[1]} crc=${BASH_REMATCH[2]}
	head -n -1 "$f/good.sql" >"$d/body"
	{ cat "$d/body"; echo "-- cr-dump trailer: bytes=$((bytes + 1)) crc32=$crc end"; } >"$d/a.sql"
	run cr-verify "$d/a.sql"
	assert_status 65
	assert_output_contains "data was lost or added"
	{ cat "$d/body"; echo "-- cr-dump trailer: bytes=$bytes crc32=00000000 end"; } >"$d/b.sql"
	run cr-verify "$d/b.sql"
	assert_status 65
	assert_output_contains "CRC-32 mismatch"
	{ cat "$d/body"; echo "-- cr-dump trailer: bytes=$bytes  crc32=$crc end"; } >"$d/c.sql"
	run cr-verify "$d/c.sql"
	assert_status 65
	assert_output_contains "damaged or truncated cr-dump trailer"
	# A trailer followed by more text is not the last line.
	{ cat "$f/good.sql"; echo "SELECT 1;"; } >"$d/e.sql"
	run cr-verify "$d/e.sql"
	assert_status 65
}

@test "cr-verify fails a COPY block missing its \\. line, even under a correct trailer" {
	# users has 7 columns; the lines after its data do not.
	awk '/^COPY public.users \(id, email/{c=1} c && $0 == "\\." {c=0; next} {print}' "$f/plain.sql" >"$d/p.sql"
	[ "$(grep -c '^\\\.$' "$d/p.sql")" -eq $(( $(grep -c '^\\\.$' "$f/plain.sql") - 1 )) ]
	run cr-verify "$d/p.sql"
	assert_status 65
	assert_output_contains "of the COPY data of public.users has 1 fields, the COPY names 7 columns"
	awk '/^COPY public.users \(id, email/{c=1} c && $0 == "\\." {c=0; next} {print}' "$f/good.sql" >"$d/g.sql"
	retrailer "$d/g.sql"
	run cr-verify "$d/g.sql"
	assert_status 65
	assert_output_contains "COPY names 7 columns"
	# The last COPY in the file, its \. gone and the rest cut: no end at all.
	grep -n '^\\\.$' "$f/plain.sql" | tail -n 1 | cut -d: -f1 >"$d/lineno"
	head -n $(( $(cat "$d/lineno") - 1 )) "$f/plain.sql" >"$d/h.sql"
	run cr-verify "$d/h.sql"
	assert_status 65
	assert_output_contains "input ends inside the COPY data of"
}

@test "cr-verify fails SQL after the completion line and a wrong or missing \\unrestrict" {
	{ cat "$f/plain.sql"; echo "DROP TABLE users;"; } >"$d/a.sql"
	run cr-verify "$d/a.sql"
	assert_status 65
	assert_output_contains "SQL after pg_dump's completion line"
	sed 's/^\\unrestrict .*/\\unrestrict wrongkey/' "$f/plain.sql" >"$d/b.sql"
	run cr-verify "$d/b.sql"
	assert_status 65
	assert_output_contains "does not match the \\restrict line"
	grep -v '^\\unrestrict ' "$f/plain.sql" >"$d/c.sql"
	run cr-verify "$d/c.sql"
	assert_status 65
	assert_output_contains "no \\unrestrict line"
}

@test "cr-verify fails input that is not a plain dump: text, binary, empty, custom format" {
	printf 'hello world\nSELECT 1;\n' >"$d/text"
	head -c 100000 /dev/urandom >"$d/binary"
	: >"$d/empty"
	for file in "$d/text" "$d/binary" "$d/empty" "$f/custom.dump"; do
		run cr-verify "$file"
		assert_status 65
	done
	run cr-verify "$f/custom.dump"
	assert_status 65
	assert_output_contains "a pg_dump custom-format archive, not a plain SQL dump"
	run cr-verify "$d/text"
	assert_status 65
	assert_output_contains "not a plain pg_dump dump"
	gzip -c "$d/text" >"$d/text.gz"
	run cr-verify "$d/text.gz"
	assert_status 65
}

@test "cr-verify fails gzip with trailing garbage" {
	{ cat "$f/good.sql.gz"; printf 'garbage'; } >"$d/g.gz"
	run cr-verify "$d/g.gz"
	assert_status 65
	assert_output_contains "trailing garbage"
}

@test "cr-verify: a missing file is 66; with several files every one is checked and the worst status wins" {
	run cr-verify "$d/nope.sql.gz"
	assert_status 66
	assert_output_contains "nope.sql.gz: No such file or directory"
	head -c 5000 "$f/good.sql.gz" >"$d/t.gz"
	run cr-verify "$f/good.sql.gz" "$d/t.gz" "$f/plain.sql"
	assert_status 65
	assert_output_contains "$f/good.sql.gz: OK"
	assert_output_contains "$f/plain.sql: OK"
	run cr-verify "$d/t.gz" "$d/nope.sql.gz" "$f/good.sql"
	assert_status 66
	run --separate-stderr cr-verify --json "$d/t.gz" "$d/nope.sql.gz"
	assert_status 66
	assert_equal "$(grep -cv '^{"format_version":1,"file":' <<<"$output")" 0	# JSON lines only
	assert_stderr_contains "nope.sql.gz: No such file or directory"
	assert_output_contains '"ok":false'
	assert_output_contains '"error":"gzip: '
	assert_output_contains '"exit":66'
}

@test "dumpscan: the same verdict, offsets and counts whatever the piece sizes it is fed" {
	# Whole dumps, and damage of each kind.
	cp "$f/good.sql" "$d/1.sql"
	cp "$f/plain.sql" "$d/2.sql"
	head -c $(( $(stat -c %s "$f/good.sql") / 2 )) "$f/good.sql" >"$d/3.sql"
	head -n -1 "$f/good.sql" >"$d/4.sql"
	awk '/^COPY public.users \(id, email/{c=1} c && $0 == "\\." {c=0; next} {print}' "$f/plain.sql" >"$d/5.sql"
	sed 's/^\\unrestrict .*/\\unrestrict wrongkey/' "$f/plain.sql" >"$d/6.sql"
	cp "$f/good.sql" "$d/7.sql"
	printf X | dd of="$d/7.sql" bs=1 seek=$(( $(stat -c %s "$f/good.sql") - 300 )) conv=notrunc 2>/dev/null
	{ cat "$f/plain.sql"; echo "SELECT 1;"; } >"$d/8.sql"
	sed 's/^\\\.$/\\.\r/' "$f/plain.sql" >"$d/9.sql"	# \.\r ends the COPY for psql and the splitter, so for schemasum
	for i in 1 2 3 4 5 6 7 8 9; do
		"$f/scan" 1048576 sum <"$d/$i.sql" >"$d/$i.want" || true
		for piece in 1 2 3 5 7 13 64 1000 4096 65536; do
			"$f/scan" "$piece" sum <"$d/$i.sql" >"$d/$i.got" || true
			cmp "$d/$i.want" "$d/$i.got" || { echo "input $i, pieces of $piece:" >&2; diff "$d/$i.want" "$d/$i.got" >&2; return 1; }
		done
	done
	assert_equal "$(head -n 1 "$d/1.want")" "ok $(stat -c %s "$f/good.sql") 6 5507 1"
	assert_equal "$(head -n 1 "$d/2.want")" "ok $(stat -c %s "$f/plain.sql") 6 5507 0"
	for i in 3 4 5 6 7 8; do
		grep -q '^error [0-9]*: ' "$d/$i.want"
	done
	assert_equal "$(sed -n 's/^blocks \([0-9]*\).*/\1/p' "$d/9.want")" 6
}

@test "schemasum: cr-verify's schema hash and per-table bytes whatever the piece sizes" {
	mkdb sumdb
	q "CREATE TABLE t (a int, b text); CREATE TABLE u (x text);
	   INSERT INTO t SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE E'\\\\.x\n' || g END
	   FROM generate_series(1, 3000) g;
	   INSERT INTO u VALUES (E'\\\\'), ('.'), (NULL);" sumdb
	cr-dump -d sumdb >"$d/s.sql"
	run --separate-stderr cr-verify --json "$d/s.sql"
	assert_status 0
	hash=$(grep -o '"schema_sha256":"[0-9a-f]*"' <<<"$output" | cut -d'"' -f4)
	bytes=$(grep -o '"bytes":[0-9]*}' <<<"$output" | tr -dc '0-9\n' | paste -sd ' ')
	for piece in 1 2 3 5 7 13 64 1000 4096 1048576; do
		"$f/scan" "$piece" sum <"$d/s.sql" >"$d/s.got"
		grep -qx "schema $hash" "$d/s.got"
		grep -qx "blocks 2 $bytes" "$d/s.got"
	done
	assert_equal "$(wc -w <<<"$hash $bytes")" 3
}

@test "cr-verify: a directory is an input that cannot be opened (66)" {
	run cr-verify "$d"
	assert_status 66
	assert_output_contains "Is a directory"
	run --separate-stderr cr-verify --json "$d"
	assert_status 66
	assert_output_contains '"ok":false,"error":"Is a directory"'
	assert_stderr_contains "Is a directory"
}

@test "cr-verify: a dump split across several gzip members verifies whole" {
	size=$(stat -c %s "$f/good.sql")
	{ head -c 1000 "$f/good.sql" | gzip -c
	  tail -c +1001 "$f/good.sql" | head -c $((size / 2)) | gzip -1 -c
	  tail -c +$((size / 2 + 1001)) "$f/good.sql" | gzip -9 -c; } >"$d/multi.gz"
	cmp <(gunzip -c "$d/multi.gz") "$f/good.sql"
	run cr-verify -v "$d/multi.gz"
	assert_status 0
	assert_output_contains "gzip in 3 members"
	assert_output_contains "  rows:         5507"
}

@test "cr-verify: memory stays bounded with very many tables: counted all, listed up to the cap" {
	awk 'BEGIN { print "--\n-- PostgreSQL database dump\n--\n"
		for (i = 0; i < 200010; i++) printf "COPY public.t%d (a) FROM stdin;\n%d\n\\.\n\n", i, i
		print "--\n-- PostgreSQL database dump complete\n--\n" }' >"$d/many.sql"
	run cr-verify -v "$d/many.sql"
	assert_status 0
	assert_output_contains "  tables:       200010"
	assert_output_contains "  rows:         200010"
	assert_output_contains "(and 10 more tables, not listed)"
	run --separate-stderr cr-verify --json "$d/many.sql"
	assert_status 0
	assert_equal "$stderr" ""
	assert_output_contains '"tables_listed":200000'
}

@test "cr-verify --manifest writes a 0600 manifest: SHA-256, sizes, selection, versions, per-table rows" {
	cp "$f/good.sql.gz" "$d/db_backup_20251028_020000.sql.gz"
	run --separate-stderr cr-verify -q --manifest "$d/m.json" --duration 7 "$d/db_backup_20251028_020000.sql.gz"
	assert_status 0
	assert_equal "$output" ""
	assert_equal "$(stat -c %a "$d/m.json")" 600
	m=$(cat "$d/m.json")
	for want in "\"sha256\":\"$(sha256sum <"$d/db_backup_20251028_020000.sql.gz" | cut -c1-64)\"" \
	    "\"file_bytes\":$(stat -c %s "$d/db_backup_20251028_020000.sql.gz")" \
	    "\"bytes\":$(stat -c %s "$f/good.sql")" '"name":"db_backup_20251028_020000.sql.gz"' \
	    '"healthy":true' '"alarms":[]' '"duration_s":7' '"selection":"full"' \
	    '"server_version":"15.' '"pg_dump_version":"15.' \
	    '"schema_sha256":"' '{"name":"public.users","rows":202,"bytes":'; do	# a string literal here holds a COPY line: no COPY block for the splitter
		case "$m" in *"$want"*) ;; *) echo "missing $want in $m" >&2; return 1 ;; esac
	done
	assert_equal "$(ls -A "$d" | grep -v '^separate-stderr')" "$(printf 'db_backup_20251028_020000.sql.gz\nm.json')"
}

@test "cr-verify --manifest reads the backup once: its SHA-256 comes from the verifying pass (a FIFO works)" {
	sum=$(sha256sum <"$f/good.sql.gz" | cut -c1-64)
	mkfifo "$d/db_backup_20251028_020000.sql.gz"
	cat "$f/good.sql.gz" >"$d/db_backup_20251028_020000.sql.gz" &
	# A second open of the FIFO would wait for a writer that never comes.
	run --separate-stderr timeout 60 cr-verify -q --manifest "$d/m.json" "$d/db_backup_20251028_020000.sql.gz"
	assert_status 0
	assert_equal "$stderr" ""
	run grep -c "\"sha256\":\"$sum\",\"file_bytes\":$(stat -c %s "$f/good.sql.gz")" "$d/m.json"
	assert_equal "$output" 1
}

@test "cr-verify --manifest writes nothing for a damaged backup" {
	head -c 3000 "$f/good.sql.gz" >"$d/bad.sql.gz"
	run cr-verify -q --manifest "$d/bad.json" "$d/bad.sql.gz"
	assert_status 65
	run ls -A "$d"
	assert_equal "$output" "bad.sql.gz"
}

@test "cr-verify says which selection a dump was made with" {
	cr-dump -s src >"$d/schema.sql"
	cr-dump -t users src >"$d/users.sql"
	run --separate-stderr cr-verify "$d/schema.sql"
	assert_status 0
	[[ $output == *"  selection:    schema (--schema-only)"* ]]
	run --separate-stderr cr-verify --json "$d/users.sql"
	assert_status 0
	[[ $output == *'"selection":"schema+data (--table=users)"'* ]]
	run --separate-stderr cr-verify "$f/good.sql"
	[[ $output == *"  selection:    full"* ]]
	run --separate-stderr cr-verify "$f/plain.sql"
	[[ $output == *"  selection:    unknown (made without cr-dump, which records it)"* ]]
}

@test "cr-verify: a pg_dump made the old way is said to be made without cr-dump, not partial" {
	run --separate-stderr cr-verify "$f/plain.sql"
	assert_status 0
	[[ $output == *"  made by:      pg_dump without cr-dump"* ]]
	[[ $output == *"  selection:    unknown (made without cr-dump, which records it)"* ]]
	[[ $output != *partial* ]]
	[[ $stderr != *partial* ]]
	run --separate-stderr cr-verify --json "$f/plain.sql"
	assert_status 0
	assert_output_contains '"selection":"unknown (made without cr-dump, which records it)"'
}

@test "cr-verify --manifest: a dump without tables is written as unhealthy and exits 3, unless --allow-empty" {
	mkdb empty
	cr-dump empty | cr-gz >"$d/e.sql.gz"
	run --separate-stderr cr-verify -q --manifest "$d/e.json" "$d/e.sql.gz"
	assert_status 3
	[[ $stderr == *"e.sql.gz: no tables: an empty database, or the wrong one?"* ]]
	grep -q '"healthy":false,"alarms":\["no tables' "$d/e.json"
	run cr-verify -q --allow-empty --manifest "$d/e.json" "$d/e.sql.gz"
	assert_status 0
	grep -q '"healthy":true' "$d/e.json"
	run --separate-stderr cr-verify "$d/e.sql.gz"
	assert_status 0
	[[ $output == *"note:         no table data at all"* ]]
}

@test "cr-verify --compare: per-table rows, added and removed tables, schema changed, --json, --max-shrink" {
	mkdb cmp
	q "CREATE TABLE a AS SELECT g AS id FROM generate_series(1, 1000) g; CREATE TABLE b AS SELECT 1 AS x" cmp >/dev/null
	cr-dump cmp | cr-gz >"$d/old.sql.gz"
	cr-verify -q --manifest "$d/old.sql.gz.json" "$d/old.sql.gz"
	q "DELETE FROM a WHERE id > 400; DROP TABLE b; CREATE TABLE c AS SELECT 1 AS y" cmp >/dev/null
	cr-dump cmp | cr-gz >"$d/new.sql.gz"
	run --separate-stderr cr-verify --compare "$d/old.sql.gz" "$d/new.sql.gz"
	assert_status 0
	[[ $output == *"  rows:         1001 -> 401 (-59%)"* ]]
	[[ $output == *"  changed  public.a: 1000 -> 400 rows (-600, -60%), 3.8 KiB -> 1.5 KiB"* ]]
	[[ $output == *"  removed  public.b: 1 rows"* ]]
	[[ $output == *"  added    public.c: 1 rows"* ]]
	[[ $output == *"  schema:       changed"* ]]
	run --separate-stderr cr-verify --json --max-shrink 50 --compare "$d/old.sql.gz" "$d/new.sql.gz"
	assert_status 3
	# bytes of the COPY rows: "1\n" .. "1000\n", then "1\n" .. "400\n"
	[[ $output == *'{"name":"public.a","status":"changed","old_rows":1000,"new_rows":400,"old_bytes":3893,"new_bytes":1492}'* ]]
	[[ $output == *'"schema_changed":true'* ]]
	[[ $stderr == *"table public.a shrank from 1000 to 400 rows (-60%)"* ]]
	[[ $stderr == *"table public.b is gone (had 1 rows)"* ]]
	# new rows move a sequence (setval): data, not a schema change
	q "CREATE TABLE s (id serial PRIMARY KEY); INSERT INTO s DEFAULT VALUES" cmp >/dev/null
	cr-dump cmp | cr-gz >"$d/with-seq.sql.gz"
	q "INSERT INTO s DEFAULT VALUES; INSERT INTO a VALUES (1)" cmp >/dev/null
	cr-dump cmp | cr-gz >"$d/same.sql.gz"
	run --separate-stderr cr-verify --compare "$d/with-seq.sql.gz" "$d/same.sql.gz"
	assert_status 0
	[[ $output == *"  schema:       unchanged"* ]]
}

@test "cr-verify --help and -? print usage on stdout; an unknown option exits 64" {
	run --separate-stderr cr-verify --help
	assert_status 0
	[[ $output == "usage: cr-verify"* ]]
	run --separate-stderr cr-verify -?
	assert_status 0
	[[ $output == "usage: cr-verify"* ]]
	run --separate-stderr cr-verify --bogus
	assert_status 64
	assert_equal "$output" ""
	run --separate-stderr cr-verify --max-shrink 50 "$f/good.sql"
	assert_status 64
}

@test "cr-verify --manifest: an unwritable destination exits 73 and leaves no temp file" {
	# Root writes into any directory, so as root the tool runs as the
	# cluster's OS user, in a directory that user may read but not write.
	ro_top=$(mktemp -d "${TMPDIR:-/tmp}/cr-verify-ro.XXXXXX")
	chmod 755 "$ro_top"
	# the binary too: the checkout may be where that user cannot reach
	cp "$CR_BIN/cr-verify" "$f/good.sql.gz" "$ro_top/"
	chmod 755 "$ro_top/cr-verify"
	chmod 644 "$ro_top/good.sql.gz"
	mkdir "$ro_top/ro"
	chmod 555 "$ro_top/ro"
	run --separate-stderr as_pg_user "$ro_top/cr-verify" -q \
		--manifest "$ro_top/ro/m.json" "$ro_top/good.sql.gz"
	assert_status 73
	[[ $stderr == *"m.json: cannot create a temp file: Permission denied"* ]]
	assert_equal "$(ls -A "$ro_top/ro")" ""
}

@test "cr-verify -v writes a table name with control characters and backslashes escaped onto one line, as the header does" {
	mkdb esc
	q "CREATE TABLE \"tab$(printf '\t')le\\x\" (id int); INSERT INTO \"tab$(printf '\t')le\\x\" VALUES (1)" esc >/dev/null
	cr-dump esc >"$d/esc.sql"
	run --separate-stderr cr-verify -v "$d/esc.sql"
	assert_status 0
	[[ $output == *'tab\tle\\x'* ]]
	[[ $output != *$'\t'* ]]
}

@test "cr-verify --compare: a manifest that gives \"tables\" twice is read by its last list, within bounds" {
	t=$(for i in $(seq 1 70); do printf '{"name":"t%d","rows":%d},' "$i" "$i"; done)
	u=$(for i in $(seq 1 70); do printf '{"name":"u%d","rows":%d},' "$i" "$i"; done)
	printf '{"file":"x","rows":1,"tables":[%s],"tables":[%s]}' "${t%,}" "${u%,}" >"$d/twice.json"
	printf '{"file":"y","rows":1,"tables":[]}' >"$d/none.json"
	run --separate-stderr cr-verify --json --compare "$d/none.json" "$d/twice.json"
	assert_status 0
	[[ $output == *'"name":"u70","status":"added"'* ]]
	[[ $output != *'"name":"t1"'* ]]
}

@test "cr-verify --compare: a manifest's counts are whole and not negative, its names UTF-8 without U+0000" {
	printf '{"file":"y","rows":1,"tables":[]}' >"$d/none.json"
	bad=('{"name":"a","rows":-5}' '{"name":"a","rows":1.5}' '{"name":"a","rows":1e3}'
	    '{"name":"a\u0000b","rows":1}' '{"name":"a\ud800b","rows":1}' $'{"name":"a\xffb","rows":1}')
	why=('a negative number where a count belongs' 'a fraction or exponent where a whole count belongs'
	    'a fraction or exponent where a whole count belongs' '\u0000 in a string'
	    'a lone UTF-16 surrogate in a string' 'a string that is not valid UTF-8')
	for k in "${!bad[@]}"; do
		printf '{"file":"x","rows":1,"tables":[%s]}' "${bad[$k]}" >"$d/bad.json"
		run --separate-stderr cr-verify --json --compare "$d/none.json" "$d/bad.json"
		assert_status 65
		[[ $stderr == *"bad.json: ${why[$k]} at byte "* ]]
		# --json: the failure as the error object, nothing else
		run jq -r '[.tool, .ok, .exit, (.error | test("bad.json: .* at byte "))] | @tsv' <<<"$output"
		assert_equal "$output" $'cr-verify\tfalse\t65\ttrue'
	done
	# a surrogate pair is one character; a number the reader skips may be any JSON number
	printf '{"file":"x","rows":1,"x":-1.5e-3,"tables":[{"name":"\\ud83d\\ude00","rows":1}]}' >"$d/good.json"
	run --separate-stderr cr-verify --json --compare "$d/none.json" "$d/good.json"
	assert_status 0
	[[ $output == *'"name":"😀","status":"added"'* ]]
}
