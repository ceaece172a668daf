#!/usr/bin/env bats
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# Salvage of a damaged cr-gz backup on a real server: cr-restore --salvage
# restores every table the damage did not touch identical to the source,
# keeps the rows of a table around the damage, names what was lost, and
# exits 3; without --salvage the damaged backup is refused.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	mkdb src
	# users, then events (about 6 MiB of dump: many members), then notes
	q "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
	   INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 2000) g;
	   CREATE TABLE events (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users,
	                        payload text NOT NULL);
	   INSERT INTO events SELECT g, 1 + g % 2000, md5(g::text) || ' ' || md5((g * 3)::text)
	     FROM generate_series(1, 80000) g;
	   CREATE TABLE notes (id int PRIMARY KEY, event_id int NOT NULL REFERENCES events,
	                       body text NOT NULL);
	   INSERT INTO notes SELECT g, g * 160, 'note ' || g FROM generate_series(1, 500) g;" src >/dev/null
	cr-dump -d src | cr-gz >"$BATS_FILE_TMPDIR/src.sql.gz"
}
teardown_file() { pg_stop; }

setup() {
	cd "$BATS_FILE_TMPDIR"
}

# sums DB: a checksum of each table's COPY data, one line per table
sums() {
	local t
	for t in users events notes; do
		echo "$t $(psql -X -q -d "$1" -c "COPY $t TO STDOUT" | md5sum | cut -c1-32)"
	done
}

# rows_not_in_source DB TABLE: rows of TABLE in DB that the source lacks
rows_not_in_source() {
	psql -X -q -d "$1" -c "COPY $2 TO STDOUT" | sort >"$1.$2.rows"
	psql -X -q -d src -c "COPY $2 TO STDOUT" | sort >"src.$2.rows"
	comm -23 "$1.$2.rows" "src.$2.rows" | wc -l
}

@test "cr-restore --salvage: a flipped byte in a member of events' data loses that member's rows and no others" {
	n=$(members src.sql.gz | wc -l)
	[ "$n" -ge 8 ]
	read -r off m < <(members src.sql.gz | sed -n "$((n / 2))p")
	cp src.sql.gz flip.sql.gz
	printf '\377' | dd of=flip.sql.gz bs=1 seek=$((off + m / 2)) conv=notrunc status=none
	# by default the damage is refused, nothing restored
	mkdb strict
	run cr-restore -d strict flip.sql.gz
	assert_status 65
	assert_equal "$(q "SELECT count(*) FROM pg_class WHERE relname = 'events'" strict)" 0

	mkdb salv
	run --separate-stderr cr-restore --salvage -d salv flip.sql.gz
	echo "$stderr" >&2
	assert_status 3
	assert_stderr_contains "of the stream lost (exact)"
	assert_stderr_contains "salvage: COPY data of public.events: rows lost after the row starting"
	assert_stderr_contains "restored with losses"
	# notes refer to events all along: the lost ones fail its foreign key,
	# named, not fatal
	assert_stderr_contains "skipped ALTER TABLE ONLY public.notes"
	assert_stderr_contains "rows it refers to were lost"
	sums src >src.sums
	sums salv >salv.sums
	assert_equal "$(grep -v '^events' salv.sums)" "$(grep -v '^events' src.sums)"
	# events: every row restored is the source's; at most a member's worth
	# of rows (plus the two cut ones) is missing
	assert_equal "$(rows_not_in_source salv events)" 0
	lost=$((80000 - $(q "SELECT count(*) FROM events" salv)))
	isize=$(od -An -tu4 -j $((off + m - 4)) -N4 src.sql.gz | tr -d ' ')
	echo "lost $lost rows, member of $isize bytes" >&2
	[ "$lost" -ge 1 ]
	[ "$lost" -le $((isize / 70 + 2)) ]
}

@test "cr-restore --salvage: a member deleted, a member duplicated, zeros over 64 KiB, a cut at the end" {
	n=$(members src.sql.gz | wc -l)
	read -r off m < <(members src.sql.gz | sed -n "$((n / 2))p")
	{ head -c "$off" src.sql.gz; tail -c +$((off + m + 1)) src.sql.gz; } >del.sql.gz
	{ head -c $((off + m)) src.sql.gz; tail -c +$((off + 1)) src.sql.gz; } >dup.sql.gz
	cp src.sql.gz zero.sql.gz
	dd if=/dev/zero of=zero.sql.gz bs=1 seek=$((off + 10)) count=65536 conv=notrunc status=none
	head -c $(($(wc -c <src.sql.gz) - 2000)) src.sql.gz >cut.sql.gz
	sums src >src.sums
	for kind in del dup zero cut; do
		mkdb "s_$kind"
		status=0
		cr-restore --salvage -d "s_$kind" "$kind.sql.gz" 2>"$kind.err" || status=$?
		cat "$kind.err" >&2
		sums "s_$kind" >"$kind.sums"
		for t in users events notes; do
			[ "$(rows_not_in_source "s_$kind" "$t")" -eq 0 ] ||
				{ echo "$kind: $t has rows the source lacks" >&2; return 1; }
		done
		case $kind in
		dup)
			[ "$status" -eq 0 ] || { echo "dup: exit $status" >&2; return 1; }
			cmp src.sums dup.sums ;;
		cut)
			# data comes in name order (events, notes, users): the
			# cut takes the end of events' rows and all after them
			[ "$status" -eq 3 ] || { echo "cut: exit $status" >&2; return 1; }
			grep -q "the end of the dump is lost" cut.err
			grep -q "COPY data of public.events: rows lost after the row starting [0-9]*, to the end of its data" cut.err
			[ "$(q "SELECT count(*) FROM events" s_cut)" -gt 70000 ] ;;
		*)
			[ "$status" -eq 3 ] || { echo "$kind: exit $status" >&2; return 1; }
			[ "$(grep -v '^events' "$kind.sums")" = "$(grep -v '^events' src.sums)" ] ||
				{ echo "$kind: a table other than events differs" >&2; return 1; } ;;
		esac
	done
}

@test "cr-verify names what the damage touches: the bytes, the table whose rows it takes, in the report and --json" {
	n=$(members src.sql.gz | wc -l)
	read -r off m < <(members src.sql.gz | sed -n "$((n / 2))p")
	cp src.sql.gz vflip.sql.gz
	printf '\377' | dd of=vflip.sql.gz bs=1 seek=$((off + m / 2)) conv=notrunc status=none
	run --separate-stderr cr-verify vflip.sql.gz
	assert_status 65
	assert_stderr_contains "cr-verify: vflip.sql.gz: damage: bytes "
	assert_stderr_contains "of the stream lost (exact)"
	assert_stderr_contains "cr-verify: vflip.sql.gz: damage: COPY data of public.events: rows lost after the row starting"
	run --separate-stderr cr-verify --json vflip.sql.gz
	assert_status 65
	assert_output_contains '"damage":["bytes '
	assert_output_contains 'COPY data of public.events: rows lost after the row starting'
	# an intact backup has no damage field
	run --separate-stderr cr-verify --json src.sql.gz
	assert_status 0
	run ! grep -q '"damage"' <<<"$output"
}

@test "cr-verify: damage at the start of the dump names the statements lost and where the dump resumes" {
	cp src.sql.gz vstart.sql.gz
	printf '\377' | dd of=vstart.sql.gz bs=1 seek=3000 conv=notrunc status=none
	run --separate-stderr cr-verify vstart.sql.gz
	assert_status 65
	assert_stderr_contains "damage: bytes 0 to "
	assert_stderr_contains "damage: the start of the dump is lost"
	assert_stderr_contains 'damage: after the gap the dump resumes at "'
}

@test "cr-restore-dev --salvage restores a damaged backup into dev with the damage named, exit 3; without it, refuses" {
	n=$(members src.sql.gz | wc -l)
	read -r off m < <(members src.sql.gz | sed -n "$((n / 2))p")
	cp src.sql.gz dflip.sql.gz
	printf '\377' | dd of=dflip.sql.gz bs=1 seek=$((off + m / 2)) conv=notrunc status=none
	mkdb devsalv
	run cr-restore-dev --yes -d devsalv --no-migrate dflip.sql.gz
	assert_status 65
	run --separate-stderr cr-restore-dev --yes -d devsalv --no-migrate --salvage dflip.sql.gz
	echo "$output" >&2
	assert_status 3
	assert_output_contains "DAMAGED dflip.sql.gz"
	assert_output_contains "damage: COPY data of public.events: rows lost after the row starting"
	assert_output_contains "Backup restored WITH LOSSES"
	assert_equal "$(sums devsalv | grep '^users ')" "$(sums src | grep '^users ')"
	[ "$(q "SELECT count(*) FROM events" devsalv)" -gt 70000 ]
}
