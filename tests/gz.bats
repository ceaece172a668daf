#!/usr/bin/env bats
# cr-gz: round trips, interop with gzip, identical output for any thread
# count, and a clear error with the right exit status for every bad input.

load helpers

bats_require_minimum_version 1.5.0

BLOCK=262144	# lib/gzout.h GZOUT_BLOCK

setup_file() {
	cd "$BATS_FILE_TMPDIR"
	head -c 3000000 /dev/urandom >random
	# COPY-like rows: about 4.5 MiB that compress like dump data
	awk 'BEGIN { for (i = 1; i <= 60000; i++)
		printf "%d\tuser%d\t%s %d\t2024-%02d-%02d 12:%02d:%02d+00\t{\"score\": %d, \"tags\": [\"t%d\"]}\n",
		    i, i * 7919 % 100000, (i % 3 ? "Anna" : "Bernd"), i * 31 % 977,
		    i % 12 + 1, i % 28 + 1, i % 60, i * 13 % 60, i * 37 % 1009, i % 17 }' >sql
	cr-gz <sql >sql.gz
}

setup() {
	cd "$BATS_FILE_TMPDIR"
}

# roundtrip FILE [OPTION...]: compress with options, check with gzip, get the bytes back
roundtrip() {
	local f=$1
	shift
	cr-gz "$@" <"$f" >"$f.rt.gz" || return 1
	gzip -t "$f.rt.gz" || return 1
	gzip -dc "$f.rt.gz" | cmp - "$f" || return 1
	cr-gz -d <"$f.rt.gz" >"$f.rt" || return 1
	cmp "$f.rt" "$f"
}

# flip FILE OFFSET: invert every bit of the byte at OFFSET
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

size() {
	wc -c <"$1" | tr -d ' '
}

@test "cr-gz round trips empty input" {
	: >empty
	roundtrip empty
	[ "$(size empty.rt)" -eq 0 ]
}

@test "cr-gz round trips one byte" {
	printf x >one
	roundtrip one
}

@test "cr-gz round trips a block, a block less one byte and a block plus one" {
	for n in $((BLOCK - 1)) $BLOCK $((BLOCK + 1)) $((2 * BLOCK)); do
		head -c "$n" random >"b$n"
		roundtrip "b$n"
	done
}

@test "cr-gz round trips random data" {
	roundtrip random
}

@test "cr-gz round trips SQL text within 1% of gzip -6 and smaller by 3x" {
	roundtrip sql
	ours=$(size sql.rt.gz)
	theirs=$(gzip -6 <sql | wc -c)
	[ "$((ours * 100))" -le "$((theirs * 101))" ]
	[ "$((ours * 3))" -lt "$(size sql)" ]
}

@test "cr-gz round trips at levels 1 and 9" {
	roundtrip sql -1
	cp sql.rt.gz sql.1.gz
	roundtrip sql -9
	[ "$(size sql.rt.gz)" -lt "$(size sql.1.gz)" ]
}

@test "cr-gz output is byte-identical for 1, 2, 3 and 4 threads" {
	for f in sql random; do
		cr-gz -p 1 <"$f" >"$f.p1.gz"
		for p in 2 3 4; do
			cr-gz -p "$p" <"$f" >"$f.p$p.gz"
			cmp "$f.p1.gz" "$f.p$p.gz"
		done
	done
	cmp sql.p1.gz sql.gz	# and for the default count
}

@test "cr-gz -d reads what gzip wrote, file name in the header included" {
	cp sql named
	gzip -9 -c named >named.gz	# gzip stores the name: FNAME header field
	cr-gz -d named.gz >named.out
	cmp named.out sql
	gzip -1 -c <random >random.gzip.gz
	cr-gz -d <random.gzip.gz >random.out
	cmp random.out random
}

@test "cr-gz -d reads every optional header field and checks the header CRC" {
	printf hello >hello
	cr-gz <hello >hello.gz
	# FLG = FHCRC|FEXTRA|FNAME|FCOMMENT, XLEN 4, name "n", comment "c", CRC16 4fd4
	fields='\x1f\x8b\x08\x1e\x00\x00\x00\x00\x00\x03\x04\x00ab\x00\x00n\x00c\x00'
	{ printf "$fields\xd4\x4f"; tail -c +11 hello.gz; } >fields.gz
	gzip -t fields.gz
	cr-gz -d fields.gz >fields.out
	cmp fields.out hello
	{ printf "$fields\xd4\x4e"; tail -c +11 hello.gz; } >badhcrc.gz
	run --separate-stderr cr-gz -t badhcrc.gz
	assert_status 65
	assert_equal "$stderr" "cr-gz: badhcrc.gz: header CRC mismatch in member 1"
	assert_equal "$output" ""
}

@test "cr-gz -d reads concatenated members" {
	head -c 1000 random >part
	cr-gz <part >part.gz
	gzip -c <sql >sqlg.gz
	cat sql.gz part.gz sqlg.gz | cr-gz -d >multi
	cat sql part sql | cmp - multi
}

@test "cr-gz compresses several files, - being stdin, into one member" {
	head -c 5000 random >part
	cr-gz -c sql - part <sql >cat.gz
	gzip -t cat.gz
	cat sql sql part | cmp - <(gzip -dc cat.gz)
	# one member, the same bytes as for the inputs joined beforehand
	cat sql sql part >all
	cr-gz <all | cmp - cat.gz
}

@test "cr-gz -d decompresses several files in order" {
	head -c 5000 random >part
	gzip -c part >part.gz
	cr-gz -d sql.gz part.gz >both
	cat sql part | cmp - both
}

@test "cr-gz -t checks without writing anything" {
	run --separate-stderr cr-gz -t sql.gz
	assert_status 0
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	cr-gz -t sql.gz >tout
	[ "$(size tout)" -eq 0 ]
}

@test "cr-gz -d rejects input that is not gzip" {
	run --separate-stderr cr-gz -d sql
	assert_status 65
	assert_equal "$stderr" "cr-gz: sql: not in gzip format"
	assert_equal "$output" ""
	run --separate-stderr cr-gz -t <sql
	assert_status 65
	assert_equal "$stderr" "cr-gz: stdin: not in gzip format"
	assert_equal "$output" ""
}

@test "cr-gz -d rejects empty input" {
	run --separate-stderr cr-gz -d </dev/null
	assert_status 65
	assert_equal "$stderr" "cr-gz: stdin: empty input, not gzip"
	assert_equal "$output" ""
}

@test "cr-gz -d rejects a flipped byte in the middle" {
	cp sql.gz mid.gz
	flip mid.gz $(($(size mid.gz) / 2))
	run bash -c "cr-gz -d mid.gz >/dev/null"
	assert_status 65
	assert_output_contains "cr-gz: mid.gz: "
	run cr-gz -t mid.gz
	assert_status 65
}

@test "cr-gz -t rejects a flipped byte anywhere but in MTIME, XFL and OS" {
	n=$(size sql.gz)
	# bytes 4-9 (MTIME, XFL, OS) carry no check in RFC 1952
	for off in 0 1 2 3 10 11 50 500 5000 50000 $((n / 3)) $((n - 9)) $((n - 8)) $((n - 5)) $((n - 4)) $((n - 1)); do
		cp sql.gz any.gz
		flip any.gz "$off"
		run cr-gz -t any.gz
		[ "$status" -eq 65 ] || { echo "offset $off: exit $status: $output" >&2; return 1; }
	done
}

@test "cr-gz -d rejects a flipped CRC-32 in the trailer" {
	cp sql.gz crc.gz
	flip crc.gz $(($(size crc.gz) - 8))
	run bash -c "cr-gz -d crc.gz >/dev/null"
	assert_status 65
	assert_output_contains "cr-gz: crc.gz: CRC-32 mismatch in member 1"
}

@test "cr-gz -d rejects a flipped ISIZE in the trailer" {
	cp sql.gz isize.gz
	flip isize.gz $(($(size isize.gz) - 3))
	run bash -c "cr-gz -d isize.gz >/dev/null"
	assert_status 65
	assert_output_contains "cr-gz: isize.gz: length mismatch in member 1"
}

@test "cr-gz -d names the damaged member of several" {
	head -c 1000 random | cr-gz >small.gz
	cp sql.gz bad2.gz
	flip bad2.gz $(($(size bad2.gz) - 6))
	cat small.gz bad2.gz >two.gz
	run --separate-stderr cr-gz -t two.gz
	assert_status 65
	assert_stderr_contains "cr-gz: two.gz: CRC-32 mismatch in member 2"
	assert_equal "$output" ""
}

@test "cr-gz -t stops at a bad member while its input stalls" {
	cp sql.gz stall.gz
	flip stall.gz $(($(size stall.gz) - 6))
	# the writer of the pipe lingers: cr-gz must not wait for it
	run bash -c 'timeout 5 cr-gz -t < <(cat stall.gz; exec sleep 10 2>/dev/null)'
	assert_status 65
	assert_output_contains "CRC-32 mismatch in member 1"
}

@test "cr-gz -d rejects truncation in the header, the data and the trailer" {
	n=$(size sql.gz)
	for cut in 1 2 5 9 10 11 200 $((n / 2)) $((n - 8)) $((n - 5)) $((n - 1)); do
		run bash -c "head -c $cut sql.gz | cr-gz -d >/dev/null"
		assert_status 65
		assert_equal "$output" "cr-gz: stdin: unexpected end of data after $cut bytes"
	done
}

@test "cr-gz -t rejects a member cut at every offset" {
	head -c 300 sql | cr-gz >every.gz
	n=$(size every.gz)
	for ((cut = 0; cut < n; cut++)); do
		head -c "$cut" every.gz >cut.gz
		status=0
		cr-gz -t cut.gz 2>/dev/null || status=$?
		[ "$status" -eq 65 ] || { echo "cut at $cut of $n: exit $status" >&2; return 1; }
	done
}

@test "cr-gz -d rejects a truncated second member" {
	cat sql.gz sql.gz | head -c $(($(size sql.gz) + 1)) >cut.gz
	run --separate-stderr cr-gz -t cut.gz
	assert_status 65
	assert_stderr_contains "unexpected end of data after"
	assert_equal "$output" ""
}

@test "cr-gz -d rejects trailing garbage, even zeros" {
	{ cat sql.gz; printf garbage; } >tail.gz
	run bash -c "cr-gz -d tail.gz >/dev/null"
	assert_status 65
	assert_equal "$output" "cr-gz: tail.gz: trailing garbage after member 1 at offset $(size sql.gz)"
	{ cat sql.gz; printf '\0\0\0\0'; } >zeros.gz
	run --separate-stderr cr-gz -t zeros.gz
	assert_status 65
	assert_stderr_contains "trailing garbage after member 1"
	assert_equal "$output" ""
}

@test "cr-gz -t reports every bad file and goes on" {
	printf 'plain' >plain
	run --separate-stderr cr-gz -t plain sql.gz plain
	assert_status 65
	assert_equal "$stderr" "cr-gz: plain: not in gzip format
cr-gz: plain: not in gzip format"
	assert_equal "$output" ""
}

@test "cr-gz exits 66 for a missing input, writing nothing" {
	run --separate-stderr cr-gz -d no-such-file.gz
	assert_status 66
	assert_equal "$stderr" "cr-gz: no-such-file.gz: No such file or directory"
	assert_equal "$output" ""
	run bash -c "cr-gz sql no-such-file >out.gz"
	assert_status 66
	[ "$(size out.gz)" -eq 0 ]
}

@test "cr-gz exits 66 for a directory" {
	mkdir -p adir
	run --separate-stderr cr-gz adir
	assert_status 66
	assert_equal "$stderr" "cr-gz: adir: is a directory"
	assert_equal "$output" ""
	run --separate-stderr cr-gz -d <adir
	assert_status 66
	assert_equal "$stderr" "cr-gz: stdin: is a directory"
	assert_equal "$output" ""
}

@test "cr-gz exits 74 when the output device is full" {
	run bash -c "cr-gz <sql >/dev/full"
	assert_status 74
	assert_equal "$output" "cr-gz: stdout: write: No space left on device"
	run bash -c "cr-gz -d <sql.gz >/dev/full"
	assert_status 74
	assert_equal "$output" "cr-gz: stdout: write: No space left on device"
}

@test "cr-gz exits 74 promptly when its reader goes away" {
	run bash -c "set -o pipefail; timeout 20 cr-gz -p 2 <sql | head -c 10 >/dev/null"
	assert_status 74
	assert_output_contains "cr-gz: stdout: write: Broken pipe"
	run bash -c "set -o pipefail; timeout 20 cr-gz -d <sql.gz | head -c 10 >/dev/null"
	assert_status 74
	assert_output_contains "cr-gz: stdout: write: Broken pipe"
}

@test "cr-gz rejects bad options with 64" {
	for p in 0 -1 33 abc ''; do
		run cr-gz -p "$p" </dev/null
		assert_status 64
		assert_output_contains "cr-gz: threads"
	done
	run cr-gz -x
	assert_status 64
	assert_output_contains "usage: cr-gz"
}

@test "cr-gz stays under 64 MiB with 32 threads on incompressible input" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	[ "${CR_SANITIZE:-}" = 1 ] && skip "sanitizers change memory use"
	# enough blocks to fill every buffer, each as large as it gets
	cat random random random random >big
	/usr/bin/time -f %M -o rss cr-gz -p 32 <big >big.gz
	cr-gz -d <big.gz >big.out
	cmp big.out big
	echo "peak RSS $(cat rss) KiB" >&2
	[ "$(cat rss)" -lt 65536 ]
}

@test "cr-gz leaks nothing under valgrind" {
	command -v valgrind >/dev/null || skip "no valgrind"
	[ "${CR_SANITIZE:-}" = 1 ] && skip "sanitized build"
	vg="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99"
	head -c 1000000 sql >vsql
	run bash -c "$vg cr-gz -p 3 <vsql >vsql.gz"
	assert_status 0
	run bash -c "$vg cr-gz -d <vsql.gz >vsql.out"
	assert_status 0
	cmp vsql vsql.out
	# error paths: damaged input, full output
	head -c 5000 vsql.gz >vcut.gz
	run bash -c "$vg cr-gz -d <vcut.gz >/dev/null"
	assert_status 65
	run bash -c "$vg cr-gz <vsql >/dev/full"
	assert_status 74
}
