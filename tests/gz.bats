#!/usr/bin/env bats
# cr-gz: round trips, interop with gzip, identical output for any thread
# count, and a clear error with the right exit status for every bad input.

bats_require_minimum_version 1.5.0
load helpers

BLOCK=1048576	# lib/gz/gzout.h GZOUT_BLOCK: the most input in a member
BLOCK_MIN=262144	# GZOUT_BLOCK_MIN: the least, but for the last
END=54		# bytes in an end member (docs/stream-format.md)

setup_file() {
	cd "$BATS_FILE_TMPDIR"
	head -c 3400000 /dev/urandom >random
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


# isizes FILE: the ISIZE of each member, from its trailer
isizes() {
	local off m
	while read -r off m; do
		od -An -tu4 -j $((off + m - 4)) -N4 "$1" | tr -d ' '
	done < <(members "$1")
}

# member_set FILE: one line per member, a checksum of its bytes, sorted
member_set() {
	local off m
	while read -r off m; do
		tail -c +$((off + 1)) "$1" | head -c "$m" | sha256sum
	done < <(members "$1") | sort
}

# member FILE N: the bytes of member N (from 1)
member() {
	local off m
	read -r off m < <(members "$1" | sed -n "$2p")
	tail -c +$((off + 1)) "$1" | head -c "$m"
}

# put32 FILE OFFSET VALUE: write VALUE there as 4 bytes, LSB first
put32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $(($3 >> 8 & 255)) \
		$(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
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

@test "cr-gz round trips a block, a block less one byte, a block plus one and three blocks and 17 bytes" {
	for n in $((BLOCK - 1)) $BLOCK $((BLOCK + 1)) $((3 * BLOCK + 17)); do
		head -c "$n" random >"b$n"
		roundtrip "b$n"
		head -c "$n" sql >"t$n"
		roundtrip "t$n"
	done
	# under the least member size: one data member and the end member
	head -c $((BLOCK_MIN - 1)) random >bmin
	roundtrip bmin
	assert_equal "$(members bmin.rt.gz | wc -l)" 2
}

@test "cr-gz cuts members of 256 KiB to 1 MiB of input where the content says, and ends with an end member" {
	head -c $((3 * BLOCK + 17)) random >b3
	cr-gz <b3 >b3.gz
	members b3.gz >b3.members
	# members add up to the file; the end member has no data
	assert_equal "$(awk '{ s += $2 } END { print s }' b3.members)" "$(size b3.gz)"
	assert_equal "$(tail -n 1 b3.members)" "$(($(size b3.gz) - END)) $END"
	isizes b3.gz >b3.isizes
	assert_equal "$(tail -n 1 b3.isizes)" 0
	assert_equal "$(awk '{ s += $1 } END { print s }' b3.isizes)" $((3 * BLOCK + 17))
	# every data member but the last between the bounds
	assert_equal "$(head -n -2 b3.isizes | awk -v lo="$BLOCK_MIN" -v hi="$BLOCK" \
		'$1 < lo || $1 > hi' | wc -l)" 0
	[ "$(wc -l <b3.members)" -ge 5 ]
	: >empty
	cr-gz <empty >empty.gz
	assert_equal "$(size empty.gz)" "$END"
}

@test "cr-gz: an insertion near the start of 20 MiB changes at most three members, the end member counted" {
	while [ "$(size sql20 2>/dev/null || echo 0)" -lt $((20 * BLOCK)) ]; do cat sql; done >sql20
	head -c $((20 * BLOCK)) sql20 >a20
	{ head -c 5000 a20; printf '4242\tinserted row\n'; tail -c +5001 a20; } >b20
	cr-gz -p 1 <a20 >a20.gz
	cr-gz -p 1 <b20 >b20.gz
	cr-gz -p 8 <b20 >b20.p8.gz
	cmp b20.gz b20.p8.gz
	member_set a20.gz >a20.set
	member_set b20.gz >b20.set
	[ "$(wc -l <a20.set)" -ge 20 ]
	changed=$(comm -13 a20.set b20.set | wc -l)
	echo "$(wc -l <b20.set) members, $changed new" >&2
	[ "$changed" -le 3 ]
	# and an insertion in the middle
	{ head -c $((10 * BLOCK + 77)) a20; printf 'x'; tail -c +$((10 * BLOCK + 78)) a20; } >c20
	cr-gz <c20 >c20.gz
	member_set c20.gz >c20.set
	[ "$(comm -13 a20.set c20.set | wc -l)" -le 3 ]
}

@test "restic: a second snapshot of a dump with a row inserted near the start and rows appended adds under half of the first" {
	command -v restic >/dev/null || skip "restic is not installed (Debian package restic)"
	# 120 MiB of rows that compress about as a dump does (4x): some 25 restic
	# chunks, whose boundaries depend on the repository's random polynomial, so
	# that two changed chunks of a few MiB stay well under half
	awk 'BEGIN { srand(7); for (i = 1; i <= 1000000; i++)
		printf "%d\tuser%d@example.com\t2026-%02d-%02d\t%d.%02d\t{\"ref\": \"%08x\", \"n\": %d}\n",
		    i, rand() * 100000, rand() * 12 + 1, rand() * 28 + 1, rand() * 1000, rand() * 100,
		    rand() * 2147483647, rand() * 1000 }' >day1.sql
	{ head -c 100000 day1.sql; printf '4242\tinserted row\n'; tail -c +100001 day1.sql
		head -c 200000 day1.sql; } >day2.sql
	export RESTIC_PASSWORD=test RESTIC_CACHE_DIR=$BATS_FILE_TMPDIR/restic-cache
	restic -q -r repo init >/dev/null
	cr-gz <day1.sql | restic -q -r repo backup --stdin --stdin-filename db.sql.gz
	first=$(du -sb repo | cut -f1)
	cr-gz <day2.sql | restic -q -r repo backup --stdin --stdin-filename db.sql.gz
	added=$(($(du -sb repo | cut -f1) - first))
	echo "first $first bytes, the second adds $added" >&2
	[ "$first" -gt 15000000 ]
	[ "$((added * 2))" -lt "$first" ]
}

@test "cr-gz -d reads format 1 (numbered members), and still catches a member removed, repeated or swapped" {
	f=$BATS_TEST_DIRNAME/fixtures/gz-format1.gz
	yes 'cr-gz stream format 1 fixture: 0123456789 abcdefghij' | head -c 2500000 >f1
	cr-gz -d "$f" | cmp - f1
	# three data members of 1 MiB but the last, and the end member of 50 bytes
	assert_equal "$(members "$f" | wc -l)" 4
	assert_equal "$(isizes "$f" | tr '\n' ' ')" "$BLOCK $BLOCK $((2500000 - 2 * BLOCK)) 0 "
	for i in 1 2 3 4; do member "$f" "$i" >"o$i"; done
	cat o2 o3 o4 >o-removed-first.gz
	cat o1 o3 o4 >o-removed.gz
	cat o1 o2 o2 o3 o4 >o-repeated.gz
	cat o1 o3 o2 o4 >o-swapped.gz
	for g in removed-first removed repeated swapped; do
		run --separate-stderr cr-gz -d "o-$g.gz"
		[ "$status" -eq 65 ] || { echo "$g: exit $status: $stderr" >&2; return 1; }
	done
	assert_equal "$stderr" "cr-gz: o-swapped.gz: member 2 is number 2 of a cr-gz stream, not 1: a member is missing, repeated or moved (compressed offset $(size o1))"
	# a format 1 member inside a format 2 stream
	member sql.gz 1 >n1
	cat n1 o2 o3 o4 >mixed.gz
	run cr-gz -t mixed.gz
	assert_status 65
	assert_output_contains "member 2 is of cr-gz format 1 inside a stream of format 2"
}

@test "cr-gz round trips random data" {
	roundtrip random
}

@test "cr-gz round trips SQL text smaller than gzip -6 and by 3x" {
	roundtrip sql
	ours=$(size sql.rt.gz)
	theirs=$(gzip -6 <sql | wc -c)
	echo "cr-gz $ours, gzip -6 $theirs" >&2
	[ "$ours" -le "$theirs" ]
	[ "$((ours * 3))" -lt "$(size sql)" ]
}

@test "cr-gz round trips at levels 1, 9 and 12, smaller as they go up" {
	roundtrip sql -1
	cp sql.rt.gz sql.1.gz
	roundtrip sql -9
	cp sql.rt.gz sql.9.gz
	roundtrip sql -12
	[ "$(size sql.9.gz)" -lt "$(size sql.1.gz)" ]
	[ "$(size sql.rt.gz)" -lt "$(size sql.9.gz)" ]
}

@test "cr-gz rejects levels 0 and 13 with 64; -1 -2 is level 2, -12 level 12" {
	run cr-gz -0 </dev/null
	assert_status 64
	assert_equal "$output" "cr-gz: invalid value for the level: '0' (a whole number from 1 to 12)
Try 'cr-gz --help' for more information."
	run cr-gz -13 </dev/null
	assert_status 64
	assert_equal "$output" "cr-gz: invalid value for the level: '13' (a whole number from 1 to 12)
Try 'cr-gz --help' for more information."
	cr-gz -1 -2 <sql >l2a.gz
	cr-gz -2 <sql >l2b.gz
	cmp l2a.gz l2b.gz
	cr-gz -12 <sql >l12a.gz
	cr-gz -c12 <sql >l12b.gz
	cmp l12a.gz l12b.gz
	cr-gz -1 <sql >l1.gz
	run ! cmp -s l1.gz l12a.gz
}

@test "cr-gz output is byte-identical for 1 to 8 threads" {
	for f in sql random; do
		cr-gz -p 1 <"$f" >"$f.p1.gz"
		for p in 2 3 4 5 6 7 8; do
			cr-gz -p "$p" <"$f" >"$f.p$p.gz"
			cmp "$f.p1.gz" "$f.p$p.gz"
		done
	done
	cmp sql.p1.gz sql.gz	# and for the default count
}

@test "stock gzip -dc, zcat and pigz -dc read cr-gz output" {
	for f in sql random; do
		cr-gz <"$f" >"$f.stock.gz"
		gzip -dc "$f.stock.gz" | cmp - "$f"
		zcat "$f.stock.gz" | cmp - "$f"
		if command -v pigz >/dev/null; then
			pigz -dc "$f.stock.gz" | cmp - "$f"
		fi
	done
}

@test "cr-gz -d reads what pigz wrote" {
	command -v pigz >/dev/null || skip "no pigz"
	pigz -p 2 -c <sql >sql.pigz.gz
	cr-gz -d <sql.pigz.gz >sql.pigz.out
	cmp sql.pigz.out sql
	pigz -p 2 -c random | cr-gz -d | cmp - random
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
	gzip -n <hello >hello.gz
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

@test "cr-gz -d reads concatenated streams, and a gzip member after a cr-gz stream" {
	head -c 1000 random >part
	cr-gz <part >part.gz
	gzip -c <sql >sqlg.gz
	cat sql.gz part.gz sqlg.gz part.gz | cr-gz -d >multi
	cat sql part sql part | cmp - multi
}

@test "cr-gz compresses several files, - being stdin, into one stream" {
	head -c 5000 random >part
	cr-gz -c sql - part <sql >cat.gz
	gzip -t cat.gz
	cat sql sql part | cmp - <(gzip -dc cat.gz)
	# one stream, the same bytes as for the inputs joined beforehand
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

@test "cr-gz -d rejects a flipped CRC-32 in a member's trailer" {
	read -r _ m1 < <(members sql.gz)
	cp sql.gz crc.gz
	flip crc.gz $((m1 - 8))
	run --separate-stderr cr-gz -d crc.gz
	assert_status 65
	assert_equal "$stderr" "cr-gz: crc.gz: CRC-32 mismatch in member 1 (compressed offset $((m1 - 8)))"
	# nothing of the bad member was written
	assert_equal "$output" ""
}

@test "cr-gz -d rejects a flipped ISIZE in a member's trailer" {
	read -r _ m1 < <(members sql.gz)
	cp sql.gz isize.gz
	flip isize.gz $((m1 - 3))
	run bash -c "cr-gz -d isize.gz >/dev/null"
	assert_status 65
	assert_output_contains "cr-gz: isize.gz: length mismatch in member 1"
}

@test "cr-gz -d rejects a gzip member's flipped CRC-32 and ISIZE" {
	gzip -c <sql >g.gz
	cp g.gz gcrc.gz
	flip gcrc.gz $(($(size g.gz) - 8))
	run bash -c "cr-gz -d gcrc.gz >/dev/null"
	assert_status 65
	assert_output_contains "cr-gz: gcrc.gz: CRC-32 mismatch in member 1"
	cp g.gz gisize.gz
	flip gisize.gz $(($(size g.gz) - 3))
	run bash -c "cr-gz -d gisize.gz >/dev/null"
	assert_status 65
	assert_output_contains "cr-gz: gisize.gz: length mismatch in member 1"
}

@test "cr-gz -d names the damaged member of several" {
	head -c 1000 random | cr-gz >small.gz	# a data member and an end member
	read -r _ m1 < <(members sql.gz)
	cp sql.gz bad2.gz
	flip bad2.gz $((m1 - 6))
	cat small.gz bad2.gz >two.gz
	run --separate-stderr cr-gz -t two.gz
	assert_status 65
	assert_stderr_contains "cr-gz: two.gz: CRC-32 mismatch in member 3"
	assert_equal "$output" ""
}

@test "cr-gz -t rejects a member whose size field lies" {
	read -r _ m1 < <(members sql.gz)
	for lie in $((m1 - 1)) $((m1 + 1)) $((m1 + 1000)) 60 $((BLOCK + 4096 + 1)) 0; do
		cp sql.gz lie.gz
		put32 lie.gz 16 "$lie"
		run cr-gz -t lie.gz
		[ "$status" -eq 65 ] || { echo "size $lie: exit $status: $output" >&2; return 1; }
	done
	assert_output_contains "cr-gz: lie.gz: size field of member 1 out of range"
	cp sql.gz lie.gz
	put32 lie.gz 16 $((m1 + 1))
	run cr-gz -t lie.gz
	assert_status 65
	assert_output_contains "member 1"
}

@test "cr-gz -t rejects a damaged CR subfield header" {
	# LEN (offset 14) 0 and 24 in a data member, XLEN (offset 10) 20
	for edit in "14 0" "14 24" "10 20"; do
		cp sql.gz sub.gz
		printf "$(printf '\\%03o' "${edit#* }")" |
			dd of=sub.gz bs=1 seek="${edit% *}" conv=notrunc status=none
		run cr-gz -t sub.gz
		[ "$status" -eq 65 ] || { echo "$edit: exit $status: $output" >&2; return 1; }
	done
	assert_equal "$output" "cr-gz: sub.gz: bad cr-gz header in member 1 (compressed offset 0)"
}

@test "cr-gz -d rejects a cr-gz stream with a member removed, repeated or swapped" {
	members sql.gz >sql.members
	[ "$(wc -l <sql.members)" -ge 4 ]
	for i in 1 2 3 4 5; do member sql.gz "$i" >"m$i"; done
	cat m2 m3 m4 m5 >removed-first.gz
	cat m1 m3 m4 m5 >removed.gz
	cat m1 m2 m2 m3 m4 m5 >repeated.gz
	cat m1 m3 m2 m4 m5 >swapped.gz
	for f in removed-first removed repeated swapped; do
		run --separate-stderr cr-gz -d "$f.gz"
		[ "$status" -eq 65 ] || { echo "$f: exit $status: $stderr" >&2; return 1; }
	done
	assert_equal "$stderr" "cr-gz: swapped.gz: member 2 does not follow the member before it in its cr-gz stream: a member is missing, repeated or moved (compressed offset $(size m1))"
	run --separate-stderr cr-gz -d removed-first.gz
	assert_equal "$stderr" "cr-gz: removed-first.gz: member 1 does not follow the member before it in its cr-gz stream: a member is missing, repeated or moved (compressed offset 0)"
	# gzip sees none of it: every member is valid on its own
	gzip -t swapped.gz
}

@test "cr-gz -d rejects a cr-gz stream cut at a member boundary" {
	n=$(members sql.gz | wc -l)
	while read -r off m; do
		head -c "$off" sql.gz >boundary.gz
		[ "$off" -gt 0 ] || continue
		run cr-gz -t boundary.gz
		assert_status 65
		assert_equal "$output" "cr-gz: boundary.gz: unexpected end of data after $off bytes"
	done <<<"$(members sql.gz)"
	[ "$n" -ge 5 ]
	gzip -t boundary.gz	# which gzip cannot see
}

@test "cr-gz -d rejects a gzip member inside a cr-gz stream" {
	for i in 1 2 3; do member sql.gz "$i" >"m$i"; done
	printf 'x' | gzip -c >x.gz
	n=$(members sql.gz | wc -l)
	{ cat m1 x.gz; tail -c +$(($(size m1) + 1)) sql.gz; } >inserted.gz
	run cr-gz -t inserted.gz
	assert_status 65
	assert_equal "$output" "cr-gz: inserted.gz: member 2 lacks the CR subfield inside a cr-gz stream"
	[ "$n" -ge 3 ]
}

@test "cr-gz -d rejects an end member whose length or CRC-32 is wrong" {
	n=$(size sql.gz)
	cp sql.gz total.gz
	put32 total.gz $((n - END + 32)) 12345
	run cr-gz -t total.gz
	assert_status 65
	assert_output_contains "does not match the length of its cr-gz stream"
	cp sql.gz scrc.gz
	flip scrc.gz $((n - END + 40))
	run cr-gz -t scrc.gz
	assert_status 65
	assert_output_contains "does not match the CRC-32 of its cr-gz stream"
	cp sql.gz count.gz
	put32 count.gz $((n - END + 24)) 1
	run cr-gz -t count.gz
	assert_status 65
	assert_output_contains "does not match the member count of its cr-gz stream"
	# the end member of another stream with as many members, the same last one
	sed '1s/Anna/Anne/' sql | cr-gz >other.gz
	{ head -c $((n - END)) sql.gz; tail -c "$END" other.gz; } >swapend.gz
	run cr-gz -t swapend.gz
	assert_status 65
	assert_output_contains "does not match the CRC-32 of its cr-gz stream"
}

@test "cr-gz -t stops at a bad member while its input stalls" {
	read -r _ m1 < <(members sql.gz)
	cp sql.gz stall.gz
	flip stall.gz $((m1 - 6))
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

@test "cr-gz -t rejects a stream of several members cut around every member boundary" {
	head -c $((2 * BLOCK + 100)) sql | cr-gz >every3.gz
	n=$(size every3.gz)
	cuts=$(members every3.gz | while read -r off m; do
		seq $((off > 80 ? off - 80 : 0)) $((off + 80)); done; seq $((n - 80)) $((n - 1)))
	for cut in $cuts; do
		[ "$cut" -lt "$n" ] || continue
		head -c "$cut" every3.gz >cut.gz
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
	n=$(members sql.gz | wc -l)
	{ cat sql.gz; printf garbage; } >tail.gz
	run bash -c "cr-gz -d tail.gz >/dev/null"
	assert_status 65
	assert_equal "$output" "cr-gz: tail.gz: trailing garbage after member $n at offset $(size sql.gz)"
	{ cat sql.gz; printf '\0\0\0\0'; } >zeros.gz
	run --separate-stderr cr-gz -t zeros.gz
	assert_status 65
	assert_stderr_contains "trailing garbage after member $n"
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

@test "cr-gz dies of SIGPIPE silently when its reader goes away, as gzip does; 74 if SIGPIPE is ignored" {
	run bash -c "set -o pipefail; timeout 20 cr-gz -d <sql.gz | head -c 1 >/dev/null"
	assert_status 141	# 128 + SIGPIPE
	assert_equal "$output" ""
	run bash -c "set -o pipefail; timeout 20 cr-gz -p 2 <sql | head -c 10 >/dev/null"
	assert_status 141
	assert_equal "$output" ""
	run bash -c "trap '' PIPE; set -o pipefail; timeout 20 cr-gz -d <sql.gz | head -c 10 >/dev/null"
	assert_status 74
	assert_output_contains "cr-gz: stdout: write: Broken pipe"
}

@test "cr-gz -l prints gzip -l's columns with the real uncompressed size, which gzip -l cannot know" {
	gzip -6 <sql >l6.gz
	cp "$BATS_TEST_DIRNAME/fixtures/gz-format1.gz" lf1.gz
	run cr-gz -l sql.gz l6.gz lf1.gz
	assert_status 0
	echo "$output" >&2
	assert_equal "$(sed -n 1p <<<"$output" | tr -s ' ')" " compressed uncompressed ratio uncompressed_name"
	for f in sql l6 lf1; do
		line=$(grep " $f\$" <<<"$output")
		assert_equal "$(awk '{ print $1 }' <<<"$line")" "$(size "$f.gz")"
		assert_equal "$(awk '{ print $2 }' <<<"$line")" "$(cr-gz -d "$f.gz" | wc -c | tr -d ' ')"
	done
	assert_equal "$(tail -n 1 <<<"$output" | awk '{ print $2, $4 }')" \
		"$(( $(size sql) + $(size sql) + 2500000 )) (totals)"
	# what gzip -l says of the same file: the end member's ISIZE, 0
	[ "$(gzip -l sql.gz | awk 'NR == 2 { print $2 }')" -eq 0 ]
	# a size field that does not lead from member to member: the file is
	# decompressed to count it, and found damaged, 65 (-l reads the
	# headers only: damage inside the data is -t's to find)
	cp sql.gz ldam.gz
	flip ldam.gz 17
	run cr-gz -l ldam.gz
	assert_status 65
}

@test "cr-gz rejects bad options with 64" {
	for p in 0 -1 17 abc ''; do
		run cr-gz -p "$p" </dev/null
		assert_status 64
		assert_output_contains "cr-gz: invalid value for -p: '$p' (a whole number from 1 to 16)"
	done
	run --separate-stderr cr-gz -x
	assert_status 64
	assert_equal "$output" ""
	assert_equal "$stderr" "cr-gz: unrecognized option '-x'
Try 'cr-gz --help' for more information."
}

@test "cr-gz --help and -? print usage to stdout, --version the version" {
	for opt in --help '-?'; do
		run --separate-stderr cr-gz "$opt"
		assert_status 0
		assert_equal "${lines[0]}" "usage: cr-gz [-cdlt] [--salvage] [-1..-12] [-p threads] [--progress | --no-progress] [file ...]"
		assert_equal "$stderr" ""
	done
	run --separate-stderr cr-gz --version
	assert_status 0
	assert_equal "$stderr" ""
	assert_equal "$output" "cr-gz $(cr_version)"
}

@test "cr-gz stays under 64 MiB with 16 threads on incompressible input, and -d too" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	[ -n "${CR_SANITIZE:-}" ] && skip "sanitizers change memory use"
	# enough blocks to fill every buffer, each as large as it gets
	for i in 1 2 3 4 5 6 7 8 9 10; do cat random; done >big
	/usr/bin/time -f %M -o rss cr-gz -12 -p 16 <big >big.gz
	/usr/bin/time -f %M -o rssd cr-gz -d <big.gz >big.out
	cmp big.out big
	echo "peak RSS $(cat rss) KiB, -d $(cat rssd) KiB" >&2
	[ "$(cat rss)" -lt 65536 ]
	[ "$(cat rssd)" -lt 65536 ]
}

@test "cr-gz leaks nothing under valgrind" {
	command -v valgrind >/dev/null || skip "no valgrind"
	[ -n "${CR_SANITIZE:-}" ] && skip "sanitized build"
	vg="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99"
	head -c 2500000 sql >vsql
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

# salvaged FILE: cr-gz -d --salvage of FILE into FILE.out, stderr in FILE.err
salvaged() {
	status=0
	cr-gz -d --salvage "$1" >"$1.out" 2>"$1.err" || status=$?
	cat "$1.err" >&2
}

# lost_range FILE: "FIRST LAST" of the one exact range --salvage reported
lost_range() {
	sed -n 's/.*: bytes \([0-9]*\) to \([0-9]*\) of the stream lost (exact).*/\1 \2/p' "$1.err"
}

# without_range IN FIRST LAST: IN without bytes FIRST..LAST (from 0)
without_range() {
	head -c "$2" "$1"
	tail -c +$(($3 + 2)) "$1"
}

@test "cr-gz -d --salvage of an intact file writes it all and exits 0, silent" {
	run --separate-stderr cr-gz -d --salvage sql.gz
	assert_status 0
	assert_equal "$stderr" ""
	cr-gz -d --salvage sql.gz | cmp - sql
}

@test "cr-gz -d --salvage skips a member with a flipped byte, names the exact range lost, exits 3" {
	read -r off m < <(members sql.gz | sed -n 4p)
	cp sql.gz sflip.gz
	flip sflip.gz $((off + m / 2))
	salvaged sflip.gz
	assert_equal "$status" 3
	read -r first last < <(lost_range sflip.gz)
	[ -n "$last" ]
	without_range sql "$first" "$last" | cmp - sflip.gz.out
	# the lost bytes are the fourth member's, no more
	lost=$(isizes sql.gz | sed -n 4p)
	assert_equal $((last - first + 1)) "$lost"
	assert_equal "$first" "$(isizes sql.gz | head -n 3 | awk '{ s += $1 } END { print s }')"
	grep -q "CRC-32 or length mismatch in the member at compressed offset $off" sflip.gz.err
	# without --salvage it is an error, as always
	run cr-gz -d sflip.gz
	assert_status 65
}

@test "cr-gz -d --salvage: a member deleted, a 64 KiB run of zeros, exact ranges; a member duplicated loses nothing" {
	read -r off m < <(members sql.gz | sed -n 3p)
	{ head -c "$off" sql.gz; tail -c +$((off + m + 1)) sql.gz; } >sdel.gz
	salvaged sdel.gz
	assert_equal "$status" 3
	read -r first last < <(lost_range sdel.gz)
	without_range sql "$first" "$last" | cmp - sdel.gz.out
	assert_equal $((last - first + 1)) "$(isizes sql.gz | sed -n 3p)"

	{ head -c $((off + m)) sql.gz; tail -c +$((off + 1)) sql.gz; } >sdup.gz
	salvaged sdup.gz
	assert_equal "$status" 0
	cmp sql sdup.gz.out
	grep -q "repeats one before it: dropped" sdup.gz.err

	cp sql.gz szero.gz
	dd if=/dev/zero of=szero.gz bs=1 seek=$((off + 100)) count=65536 conv=notrunc status=none
	salvaged szero.gz
	assert_equal "$status" 3
	read -r first last < <(lost_range szero.gz)
	without_range sql "$first" "$last" | cmp - szero.gz.out
	[ "$((last - first + 1))" -le $((2 * BLOCK)) ]
}

@test "cr-gz -d --salvage of a stream cut short gives the whole prefix and says the end is lost" {
	n=$(size sql.gz)
	head -c $((n - 3000)) sql.gz >scut.gz
	salvaged scut.gz
	assert_equal "$status" 3
	grep -q "how many unknown" scut.gz.err
	grep -q "the input ends inside the member" scut.gz.err
	got=$(size scut.gz.out)
	head -c "$got" sql | cmp - scut.gz.out
	# every member before the cut
	assert_equal "$got" "$(isizes sql.gz | head -n -2 | awk '{ s += $1 } END { print s }')"
}

@test "cr-gz -d --salvage of a gzip -6 file gives the prefix before the damage and says nothing after can be had" {
	gzip -6 <sql >g6.gz
	head -c $(($(size g6.gz) / 2)) g6.gz >g6cut.gz
	salvaged g6cut.gz
	assert_equal "$status" 3
	grep -q "it is not cr-gz's, so nothing after the damage can be recovered" g6cut.gz.err
	head -c "$(size g6cut.gz.out)" sql | cmp - g6cut.gz.out
	[ "$(size g6cut.gz.out)" -gt 1000000 ]
}

@test "cr-gz -d --salvage reads format 1 and gives the exact range of a deleted member" {
	f=$BATS_TEST_DIRNAME/fixtures/gz-format1.gz
	yes 'cr-gz stream format 1 fixture: 0123456789 abcdefghij' | head -c 2500000 >f1
	read -r off m < <(members "$f" | sed -n 2p)
	{ head -c "$off" "$f"; tail -c +$((off + m + 1)) "$f"; } >f1del.gz
	salvaged f1del.gz
	assert_equal "$status" 3
	assert_equal "$(lost_range f1del.gz)" "$BLOCK $((2 * BLOCK - 1))"
	without_range f1 "$BLOCK" $((2 * BLOCK - 1)) | cmp - f1del.gz.out
}

@test "cr-gz --salvage needs -d; input that is not gzip salvages nothing, 65" {
	run cr-gz --salvage sql
	assert_status 64
	assert_output_contains "--salvage goes with -d"
	run --separate-stderr cr-gz -d --salvage sql
	assert_status 65
	assert_stderr_contains "nothing could be salvaged"
}
