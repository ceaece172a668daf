#!/usr/bin/env bats
# cr-rotate: which backups the retention policy keeps, what it removes, and
# the safety rules (newest kept, stopped backups, hostile names).  No server.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/cr-rotate.XXXXXX")
}

teardown() {
	rm -rf "$T"
}

# stamps FIRST LAST STEP FORMAT: one name per STEP seconds from FIRST to
# LAST (UTC times), made by one date(1) run.
stamps() {
	local first last
	first=$(date -u -d "$1" +%s) last=$(date -u -d "$2" +%s)
	seq "$first" "$3" "$last" | sed 's/^/@/' | date -u -f - "+$4"
}
daily() {	# daily FIRST_DAY LAST_DAY: one automated backup a day at 02:00
	stamps "$1 02:00:00" "$2 02:00:00" 86400 'db_backup_%Y%m%d_%H%M%S.sql.gz'
}

# sorted_equal GOT_FILE EXPECTED_FILE: the same set of lines.
sorted_equal() {
	if ! diff <(sort "$1") <(sort "$2") >"$T/diff"; then
		echo "sets differ (< got, > expected):" >&2
		cat "$T/diff" >&2
		return 1
	fi
}

# The month used by several tests: October 2025, seen on 31 October noon.
NOW=2025-10-31T12:00:00Z
month_of_names() {
	daily 2025-10-01 2025-10-31
	echo db_backup_pre_deployment_v1.0_20250915_120000.sql.gz
	echo db_backup_pre_deployment_v1.1_20251010_120000.sql.gz
	echo db_backup_pre_deployment_v1.2_20251025_120000.sql.gz
	echo db_backup_pre_deployment_hotfix.sql.gz
	stamps "2025-06-01 03:00:00" "2025-10-26 03:00:00" 604800 \
		'db_backup_weekly_archive_%Y%m%d_%H%M%S.sql.gz'
	echo db_backup_pre_migration_020.sql.gz
	echo db_backup_pre_migration_021.sql.gz
	echo db_backup_test_backup.sql.gz
	echo README
	echo notes.txt
}

@test "cr-rotate: default policy on a month of names keeps 7 daily, 30 days of pre-deployment, 90 days of archives" {
	month_of_names >"$T/in"
	{
		daily 2025-10-01 2025-10-24
		echo db_backup_pre_deployment_v1.0_20250915_120000.sql.gz
		# 90 days before 31 October noon is 2 August noon
		stamps "2025-06-01 03:00:00" "2025-07-27 03:00:00" 604800 \
			'db_backup_weekly_archive_%Y%m%d_%H%M%S.sql.gz'
	} >"$T/expected"
	run --separate-stderr cr-rotate --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: -v says per file which rule keeps it or why it goes" {
	month_of_names >"$T/in"
	run --separate-stderr cr-rotate -v --now "$NOW" <"$T/in"
	assert_status 0
	output=$stderr
	assert_output_contains "keep db_backup_20251031_020000.sql.gz: newest daily .sql.gz backup, never removed"
	assert_output_contains "keep db_backup_20251030_020000.sql.gz: daily: #2 of the newest 7"
	assert_output_contains "remove db_backup_20251024_020000.sql.gz: daily: no rule keeps it, policy last 7"
	assert_output_contains "keep db_backup_pre_deployment_v1.1_20251010_120000.sql.gz: pre_deployment: within the keep window, policy within 30d"
	assert_output_contains "remove db_backup_pre_deployment_v1.0_20250915_120000.sql.gz: pre_deployment: no rule keeps it, policy within 30d"
	assert_output_contains "keep db_backup_pre_migration_020.sql.gz: pre_migration: kept forever"
	assert_output_contains "keep db_backup_pre_deployment_hotfix.sql.gz: pre_deployment: no timestamp in the name"
	assert_output_contains "keep README: not a backup name, always kept"
	[ "$(grep -c '^keep \|^remove ' <<<"$stderr")" -eq "$(wc -l <"$T/in")" ]
}

@test "cr-rotate: per-kind overrides replace that kind's rules only" {
	month_of_names >"$T/in"
	{
		daily 2025-10-01 2025-10-28
		stamps "2025-06-01 03:00:00" "2025-09-28 03:00:00" 604800 \
			'db_backup_weekly_archive_%Y%m%d_%H%M%S.sql.gz'
	} >"$T/expected"
	run --separate-stderr cr-rotate --keep daily=3 --keep weekly_archive=4 \
		--keep pre_deployment=forever --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"

	# a later --keep for the same kind adds to it: newest 3 or within 5 days
	run --separate-stderr cr-rotate --keep daily=3 --keep daily=5d --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	grep '^db_backup_2025' <<<"$output" >"$T/got"
	daily 2025-10-01 2025-10-26 >"$T/expected"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: a global --keep option replaces the default table for every kind; --keep KIND overrides it" {
	month_of_names >"$T/in"
	run --separate-stderr cr-rotate --keep-last 2 --keep pre_deployment=forever --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	{
		daily 2025-10-01 2025-10-29
		stamps "2025-06-01 03:00:00" "2025-10-12 03:00:00" 604800 \
			'db_backup_weekly_archive_%Y%m%d_%H%M%S.sql.gz'
	} >"$T/expected"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: --keep-daily/--keep-weekly/--keep-monthly keep the newest of each day, week and month" {
	cat >"$T/in" <<-EOF
	db_backup_20250331_020000.sql.gz
	db_backup_20250330_140000.sql.gz
	db_backup_20250330_020000.sql.gz
	db_backup_20250328_020000.sql.gz
	db_backup_20250320_020000.sql.gz
	db_backup_20250310_020000.sql.gz
	db_backup_20250227_020000.sql.gz
	db_backup_20250215_020000.sql.gz
	db_backup_20250131_020000.sql.gz
	db_backup_20250105_020000.sql.gz
	db_backup_20241231_020000.sql.gz
	db_backup_20240630_020000.sql.gz
	EOF
	# kept: days 31, 30 (the 14:00 one), 28 March; week from Monday 24 March
	# (30 March 14:00); months March, February (27th), January (31st)
	cat >"$T/expected" <<-EOF
	db_backup_20250330_020000.sql.gz
	db_backup_20250320_020000.sql.gz
	db_backup_20250310_020000.sql.gz
	db_backup_20250215_020000.sql.gz
	db_backup_20250105_020000.sql.gz
	db_backup_20241231_020000.sql.gz
	db_backup_20240630_020000.sql.gz
	EOF
	run --separate-stderr cr-rotate --keep-daily 3 --keep-weekly 2 --keep-monthly 3 \
		--now 2025-03-31T12:00:00Z <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: GFS on a year of daily names keeps 7 days, 4 weeks and 12 months" {
	daily 2024-11-01 2025-10-31 >"$T/in"
	[ "$(wc -l <"$T/in")" -eq 365 ]
	run --separate-stderr cr-rotate --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/removed"
	sort "$T/in" | comm -23 - <(sort "$T/removed") >"$T/kept"
	{
		daily 2025-10-25 2025-10-31		# 7 days
		printf 'db_backup_2025%s_020000.sql.gz\n' 1019 1012	# weeks 3 and 4
		printf 'db_backup_%s_020000.sql.gz\n' 20250930 20250831 20250731 \
			20250630 20250531 20250430 20250331 20250228 20250131 \
			20241231 20241130		# months 2 to 12
	} >"$T/expected"
	sorted_equal "$T/kept" "$T/expected"
	[ "$(wc -l <"$T/removed")" -eq 345 ]
}

# A directory of files named NAME, modified at the time in their name.
make_files() {
	local dir=$1 name
	shift
	mkdir -p "$dir"
	while IFS= read -r name; do
		: >"$dir/$name"
	done
}

@test "cr-rotate: backups stopped 10 days ago: --delete removes nothing and exits 75" {
	daily 2025-09-20 2025-10-21 | make_files "$T/b"
	ls "$T/b" >"$T/before"
	run --separate-stderr cr-rotate --delete --now "$NOW" "$T/b"
	assert_status 75
	assert_equal "$output" ""
	output=$stderr
	assert_output_contains "backups have stopped: the newest daily backup is from 2025-10-21T02:00:00Z, 10 days ago"
	assert_output_contains "refusing to remove anything"
	ls "$T/b" >"$T/after"
	sorted_equal "$T/after" "$T/before"

	# listing mode refuses too, so a pipe into rm is as safe
	run --separate-stderr cr-rotate --now "$NOW" "$T/b"
	assert_status 75
	assert_equal "$output" ""

	# --allow-stale rotates anyway and keeps the last 7 there are
	run --separate-stderr cr-rotate --allow-stale --delete --now "$NOW" "$T/b"
	assert_status 0
	ls "$T/b" >"$T/after"
	daily 2025-10-15 2025-10-21 >"$T/expected"
	sorted_equal "$T/after" "$T/expected"
}

@test "cr-rotate: stopped weekly archives are noticed too; a fresh daily backup 6 days old is not stale" {
	stamps "2025-05-04 03:00:00" "2025-07-27 03:00:00" 604800 \
		'db_backup_weekly_archive_%Y%m%d_%H%M%S.sql.gz' >"$T/in"
	run --separate-stderr cr-rotate --now "$NOW" <"$T/in"
	assert_status 75
	assert_equal "$output" ""
	[[ $stderr == *"newest weekly_archive backup is from 2025-07-27T03:00:00Z"* ]]

	daily 2025-10-01 2025-10-25 >"$T/in"
	run --separate-stderr cr-rotate --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	[ "$(wc -l <<<"$output")" -eq 18 ]
}

@test "cr-rotate: a backup dated in the future is kept but hides neither the newest nor stopped backups" {
	{ echo db_backup_20991231_000000.sql.gz; daily 2025-10-20 2025-10-30; } >"$T/in"
	run --separate-stderr cr-rotate -v --now "$NOW" <"$T/in"
	assert_status 0
	echo "$output" >"$T/got"
	daily 2025-10-20 2025-10-23 >"$T/expected"
	sorted_equal "$T/got" "$T/expected"
	[[ $stderr == *"keep db_backup_20991231_000000.sql.gz: daily: dated more than a day in the future"* ]]

	{ echo db_backup_20991231_000000.sql.gz; daily 2025-10-01 2025-10-20; } >"$T/in"
	run --separate-stderr cr-rotate --now "$NOW" <"$T/in"
	assert_status 75
	assert_equal "$output" ""
}

@test "cr-rotate: --delete removes exactly the files it names, and nothing else" {
	month_of_names | make_files "$T/b"
	run --separate-stderr cr-rotate --now "$NOW" "$T/b"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/listed"
	[ "$(wc -l <"$T/listed")" -gt 30 ]
	ls "$T/b" >"$T/before"
	run --separate-stderr cr-rotate --delete --now "$NOW" "$T/b"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/deleted"
	sorted_equal "$T/deleted" "$T/listed"
	ls "$T/b" >"$T/after"
	sort "$T/before" | comm -23 - <(sort "$T/listed") >"$T/expected"
	sorted_equal "$T/after" "$T/expected"
	[ -f "$T/b/README" ]
	[ -f "$T/b/db_backup_pre_migration_020.sql.gz" ]

	# a second run has nothing left to do
	run --separate-stderr cr-rotate --delete --now "$NOW" "$T/b"
	assert_status 0
	assert_equal "$stderr" ""
	assert_equal "$output" ""
}

@test "cr-rotate: in a directory, a name without a timestamp ages by its mtime" {
	mkdir "$T/b"
	for v in 1 2 3; do : >"$T/b/db_backup_pre_deployment_v$v.sql.gz"; done
	: >"$T/b/db_backup_pre_migration_007.sql.gz"
	touch -d 2025-08-01T00:00:00Z "$T/b/db_backup_pre_deployment_v1.sql.gz" \
		"$T/b/db_backup_pre_migration_007.sql.gz"
	touch -d 2025-09-01T00:00:00Z "$T/b/db_backup_pre_deployment_v2.sql.gz"
	touch -d 2025-10-20T00:00:00Z "$T/b/db_backup_pre_deployment_v3.sql.gz"
	run --separate-stderr cr-rotate --now "$NOW" "$T/b"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	printf '%s\n' db_backup_pre_deployment_v1.sql.gz \
		db_backup_pre_deployment_v2.sql.gz >"$T/expected"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: the newest backup of each kind and suffix stays even with --keep-last 0" {
	for k in "" pre_deployment_ weekly_archive_ pre_migration_001_ release_; do
		for d in 20251029 20251030 20251031; do
			echo "db_backup_${k}${d}_020000.sql.gz"
		done
	done >"$T/in"
	printf '%s\n' db_backup_20251030_020000.sql.gz.age \
		db_backup_20251031_020000.sql.gz.age db_backup_20251031_020000.sql \
		>>"$T/in"
	grep -v 20251031 "$T/in" >"$T/expected"
	run --separate-stderr cr-rotate --keep-last 0 --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"

	run --separate-stderr cr-rotate --keep daily=none --keep pre_migration=0 --keep named=none \
		--keep pre_deployment=0 --keep weekly_archive=0 --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: hostile names on stdin are rejected by line, never output, exit 65" {
	{
		daily 2025-10-01 2025-10-31
		echo '../x'
		echo 'db_backup_../../etc/passwd.sql.gz'
		echo 'sub/db_backup_20250101_020000.sql.gz'
		printf 'db_backup_20250101_020000.sql.gz\033[2J\n'
		echo '..'
	} >"$T/in"
	run --separate-stderr cr-rotate --now "$NOW" <"$T/in"
	assert_status 65
	echo "$output" >"$T/got"
	daily 2025-10-01 2025-10-24 >"$T/expected"
	sorted_equal "$T/got" "$T/expected"
	output=$stderr
	assert_output_contains 'cr-rotate: line 32: rejected "../x": contains'
	assert_output_contains 'cr-rotate: line 34: rejected "sub/db_backup_20250101_020000.sql.gz": contains '"'/'"
	assert_output_contains 'line 35: rejected "db_backup_20250101_020000.sql.gz\033[2J": contains a control character'
	assert_output_contains 'line 36: rejected'
	[ "$(wc -l <<<"$stderr")" -eq 5 ]
	[[ $stderr != *$'\033'* ]]
}

@test "cr-rotate: a symlink and a directory named like backups are never listed, followed or removed" {
	daily 2025-10-20 2025-10-27 | make_files "$T/b"	# 8 regular files
	mkdir "$T/outside"
	echo precious >"$T/outside/target"
	ln -s ../outside/target "$T/b/db_backup_20251001_020000.sql.gz"
	ln -s ../outside/target "$T/b/db_backup_20251030_020000.sql.gz"
	mkdir "$T/b/db_backup_20251002_020000.sql.gz" "$T/b/db_backup_20251031_020000.sql.gz"
	: >"$T/b/db_backup_20251031_020000.sql.gz/inner"
	mkfifo "$T/b/db_backup_20251003_020000.sql.gz"
	run --separate-stderr cr-rotate --delete --now "$NOW" "$T/b"
	assert_status 0
	# the links and directories neither count as newer backups nor go
	assert_equal "$output" "db_backup_20251020_020000.sql.gz"
	[ -L "$T/b/db_backup_20251001_020000.sql.gz" ]
	[ -L "$T/b/db_backup_20251030_020000.sql.gz" ]
	[ -d "$T/b/db_backup_20251002_020000.sql.gz" ]
	[ -f "$T/b/db_backup_20251031_020000.sql.gz/inner" ]
	[ -p "$T/b/db_backup_20251003_020000.sql.gz" ]
	assert_equal "$(cat "$T/outside/target")" precious
	[ "$(ls "$T/b" | wc -l)" -eq 12 ]
}

@test "cr-rotate: an odd name in the directory is skipped with a warning, never removed, and rotation goes on" {
	daily 2025-10-01 2025-10-31 | make_files "$T/b"
	: >"$T/b/db_backup_evil"$'\n'"x.sql.gz"
	: >"$T/b/notes..txt"
	: >"$T/b/db_backup_20250901_020000.sql.gz..bak"
	run --separate-stderr cr-rotate --delete --now "$NOW" "$T/b"
	assert_status 0
	[ "$(wc -l <<<"$output")" -eq 24 ]
	[[ $stderr == *'skipped "db_backup_evil\nx.sql.gz": contains a control character; never removed'* ]]
	[[ $stderr == *'skipped "notes..txt": contains'* ]]
	[ -e "$T/b/db_backup_evil"$'\n'"x.sql.gz" ]
	[ -e "$T/b/notes..txt" ]
	[ -e "$T/b/db_backup_20250901_020000.sql.gz..bak" ]
	[ "$(ls -b "$T/b" | wc -l)" -eq 10 ]
}

@test "cr-rotate: names that are not backups are always kept, even with --keep-last 0" {
	cat >"$T/in" <<-EOF
	README
	backup.sql.gz
	db_backup_.sql.gz
	db_backup_20251001_020000.sql.gz.tmp
	db_backup_20251001_020000.sql.xz
	.cr-backup.Ab12Cd.partial
	.cr-backup.lock
	db_backup_20251001 020000.sql.gz
	DB_BACKUP_20251001_020000.sql.gz
	EOF
	run --separate-stderr cr-rotate -v --keep-last 0 --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$output" ""
	[ "$(grep -c ': not a backup name, always kept$' <<<"$stderr")" -eq 9 ]

	# invalid dates are labels, not timestamps: named, kept forever by default
	printf '%s\n' db_backup_20251301_020000.sql.gz db_backup_20250230_020000.sql.gz \
		db_backup_20251001_250000.sql.gz >"$T/in"
	run --separate-stderr cr-rotate -v --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$output" ""
	[ "$(grep -c ': named: kept forever$' <<<"$stderr")" -eq 3 ]
}

@test "cr-rotate: -0 reads and writes NUL-separated names and rejects an embedded newline" {
	daily 2025-10-01 2025-10-31 | tr '\n' '\0' >"$T/in"
	printf 'db_backup_x\ny.sql.gz\0' >>"$T/in"
	run --separate-stderr bash -c 'set -o pipefail; cr-rotate -0 --now "$1" <"$2" | od -An -c | tr -s " \n" " "' _ "$NOW" "$T/in"
	assert_status 65	# cr-rotate's own status: one name rejected
	[[ $output == *'g z \0 d b'* ]]
	[[ $stderr == *'name 32: rejected "db_backup_x\ny.sql.gz": contains a control character'* ]]
	cr-rotate -0 --now "$NOW" <"$T/in" 2>/dev/null | tr '\0' '\n' >"$T/got"
	daily 2025-10-01 2025-10-24 >"$T/expected"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: encrypted and uncompressed copies rotate as series of their own" {
	for s in .sql.gz .sql.gz.age .sql; do
		daily 2025-10-21 2025-10-31 | sed "s/\.sql\.gz\$/$s/"
	done >"$T/in"
	run --separate-stderr cr-rotate --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	for s in .sql.gz .sql.gz.age .sql; do
		daily 2025-10-21 2025-10-24 | sed "s/\.sql\.gz\$/$s/"
	done >"$T/expected"
	echo "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: a name given twice counts once and is never both kept and removed" {
	{ daily 2025-10-20 2025-10-31; daily 2025-10-20 2025-10-31; } >"$T/in"
	run --separate-stderr cr-rotate --now "$NOW" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/got"
	daily 2025-10-20 2025-10-24 >"$T/expected"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate: usage errors exit 64, a missing directory 66" {
	run cr-rotate --delete </dev/null
	assert_status 64
	run cr-rotate --keep-within 7x </dev/null
	assert_status 64
	assert_output_contains "--keep-within 7x: not a duration"
	run cr-rotate --keep-last -1 </dev/null
	assert_status 64
	run cr-rotate --keep bogus=7 </dev/null
	assert_status 64
	assert_output_contains "unknown kind"
	run cr-rotate --keep daily=7q </dev/null
	assert_status 64
	run cr-rotate --now 2025-02-30T00:00:00Z </dev/null
	assert_status 64
	run cr-rotate a b
	assert_status 64
	run cr-rotate "$T/nonexistent"
	assert_status 66
	assert_output_contains "cr-rotate: $T/nonexistent: No such file or directory"
}

@test "cr-rotate: --keep-within takes calendar months and years" {
	stamps "2024-01-15 00:00:00" "2025-10-15 00:00:00" 2592000 \
		'db_backup_%Y%m%d_%H%M%S.sql.gz' >"$T/in"
	run --separate-stderr cr-rotate --keep-within 3m --now 2025-10-31T00:00:00Z <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	# kept: on or after 31 July 2025
	while IFS= read -r n; do
		[[ ${n:10:8} < 20250731 ]] || { echo "removed too new: $n" >&2; return 1; }
	done <<<"$output"
	sort "$T/in" | comm -23 - <(echo "$output" | sort) >"$T/kept"
	while IFS= read -r n; do
		[[ ${n:10:8} > 20250730 ]] || { echo "kept too old: $n" >&2; return 1; }
	done <"$T/kept"
}

@test "cr-rotate: 100 000 names on stdin are decided" {
	awk 'BEGIN {
		for (y = 2000; y < 2030; y++) for (m = 1; m <= 12; m++)
		for (d = 1; d <= 28; d++) for (h = 0; h < 24; h += 2) {
			if (n++ == 100000) exit
			printf "db_backup_%04d%02d%02d_%02d0000.sql.gz\n", y, m, d, h
		}
	}' >"$T/in"
	[ "$(wc -l <"$T/in")" -eq 100000 ]
	last=$(tail -n 1 "$T/in")
	run --separate-stderr cr-rotate --now "${last:10:4}-${last:14:2}-${last:16:2}T23:00:00Z" <"$T/in"
	assert_status 0
	assert_equal "$stderr" ""
	# kept: the 84 names (12 a day) of the 7x24h back from the newest
	[ "$(wc -l <<<"$output")" -eq 99916 ]
}

@test "cr-rotate: an empty directory is nothing to do, not an error" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	run --separate-stderr cr-rotate --delete "$BATS_TEST_TMPDIR/empty"
	assert_status 0
	assert_equal "$stderr" ""
	assert_equal "$output" ""
}

@test "cr-rotate default: dailies of the 7x24h back from the newest stay, however many a day" {
	{
		daily 2025-10-01 2025-10-24
		stamps "2025-10-24 10:00:00" "2025-10-24 14:00:00" 3600 'db_backup_%Y%m%d_%H%M%S.sql.gz'
	} >"$T/in"
	run --separate-stderr cr-rotate -v --now 2025-10-24T15:00:00Z <"$T/in"
	assert_status 0
	daily 2025-10-01 2025-10-17 >"$T/expected"
	printf '%s\n' "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"
	[[ $stderr == *"keep db_backup_20251018_020000.sql.gz: daily: within the span back from the newest daily backup, policy last 7, 7d back from the newest (age 6d13h)"* ]]
}

@test "cr-rotate default: stopped dailies never age out, and the newest 7 stay whatever their dates" {
	# one every third day, the last of them 40 days ago
	stamps "2025-08-01 02:00:00" "2025-09-21 02:00:00" $((3 * 86400)) 'db_backup_%Y%m%d_%H%M%S.sql.gz' >"$T/in"
	run --separate-stderr cr-rotate --allow-stale --now 2025-10-31T12:00:00Z <"$T/in"
	assert_status 0
	head -n $(( $(wc -l <"$T/in") - 7 )) "$T/in" >"$T/expected"
	printf '%s\n' "$output" >"$T/got"
	sorted_equal "$T/got" "$T/expected"
}

@test "cr-rotate --delete removes a backup's manifest (NAME.json) with it, and never one alone" {
	daily 2025-10-01 2025-10-31 | make_files "$T/b"
	for n in "$T"/b/*; do echo '{}' >"$n.json"; done
	echo '{}' >"$T/b/db_backup_20250101_020000.sql.gz.json"	# its backup is gone
	run --separate-stderr cr-rotate --delete --now "$NOW" "$T/b"
	assert_status 0
	[[ $output == *$'db_backup_20251001_020000.sql.gz\ndb_backup_20251001_020000.sql.gz.json\n'* ]]
	[ "$(wc -l <<<"$output")" -eq 48 ]
	[ ! -e "$T/b/db_backup_20251001_020000.sql.gz.json" ]
	[ -e "$T/b/db_backup_20251031_020000.sql.gz.json" ]
	[ -e "$T/b/db_backup_20250101_020000.sql.gz.json" ]
	[ "$(ls "$T/b" | grep -c '\.json$')" -eq 8 ]
}

@test "cr-rotate --resolve: latest, a kind or a label means the newest matching backup" {
	mkdir "$T/b"
	: >"$T/b/db_backup_20251027_020000.sql.gz"
	: >"$T/b/db_backup_20251028_020000.sql.gz"
	: >"$T/b/db_backup_20251029_020000.sql.gz.age"
	: >"$T/b/db_backup_pre_deployment_v1.2.0.sql.gz"
	touch -d 2025-10-20 "$T/b/db_backup_pre_deployment_v1.2.0.sql.gz"
	: >"$T/b/db_backup_pre_deployment_v1.2.0_20251026_100000.sql.gz"
	: >"$T/b/db_backup_pre_deployment_v1.3.0_20251025_100000.sql.gz"
	run --separate-stderr cr-rotate --resolve latest "$T/b"
	assert_status 0
	assert_equal "$output" "$T/b/db_backup_20251028_020000.sql.gz"
	run --separate-stderr cr-rotate --resolve pre_deployment_v1.2.0 "$T/b"
	assert_equal "$output" "$T/b/db_backup_pre_deployment_v1.2.0_20251026_100000.sql.gz"
	run --separate-stderr cr-rotate --resolve pre_deployment "$T/b"
	assert_equal "$output" "$T/b/db_backup_pre_deployment_v1.2.0_20251026_100000.sql.gz"
	run --separate-stderr cr-rotate --resolve daily "$T/b"
	assert_equal "$output" "$T/b/db_backup_20251028_020000.sql.gz"
	run --separate-stderr cr-rotate --resolve v1.2.0 "$T/b"
	assert_status 66
	assert_equal "$output" ""
	[[ $stderr == *'no backup named "v1.2.0"'* ]]
}

@test "cr-rotate --help, -? and --version on stdout; --list-options names every retention option" {
	run --separate-stderr cr-rotate --help
	assert_status 0
	[[ $output == usage:* ]]
	run --separate-stderr cr-rotate -?
	assert_status 0
	[[ $output == usage:* ]]
	run --separate-stderr cr-rotate --version
	assert_equal "$output" "cr-rotate $(cr_version)"
	run --separate-stderr cr-rotate --list-options
	assert_status 0
	assert_equal "$output" "$(printf -- '--keep-last\n--keep-daily\n--keep-weekly\n--keep-monthly\n--keep-yearly\n--keep-within\n--keep')"
	run --separate-stderr cr-rotate --bogus
	assert_status 64
	assert_equal "$output" ""
}

@test "cr-rotate -v says a manifest goes with its backup" {
	mkdir "$T/b"
	: >"$T/b/db_backup_20251001_020000.sql.gz"
	: >"$T/b/db_backup_20251001_020000.sql.gz.json"
	run --separate-stderr cr-rotate -v --now 2025-10-02T00:00:00Z "$T/b"
	assert_status 0
	[[ $stderr == *"manifest db_backup_20251001_020000.sql.gz.json: kept or removed with db_backup_20251001_020000.sql.gz"* ]]
}

@test "cr-rotate --make-name: daily, labelled and stamped names, in UTC, that parse back as asked" {
	run --separate-stderr cr-rotate --make-name --now 2025-10-30T12:00:00Z
	assert_status 0
	assert_equal "$output" db_backup_20251030_120000.sql.gz
	run --separate-stderr cr-rotate --make-name --label pre_deployment_v1.2.0
	assert_status 0
	assert_equal "$output" db_backup_pre_deployment_v1.2.0.sql.gz
	run --separate-stderr cr-rotate --make-name --label weekly_archive --stamp --now 2025-10-30T12:00:00Z
	assert_status 0
	assert_equal "$output" db_backup_weekly_archive_20251030_120000.sql.gz
	# The old runbook's date-suffixed label keeps its own date.
	run --separate-stderr cr-rotate --make-name --label pre_deployment_20251028
	assert_status 0
	assert_equal "$output" db_backup_pre_deployment_20251028.sql.gz
	mkdir "$T/b"
	: >"$T/b/db_backup_weekly_archive_20251030_120000.sql.gz"
	run --separate-stderr cr-rotate --resolve weekly_archive "$T/b"
	assert_status 0
	assert_equal "$output" "$T/b/db_backup_weekly_archive_20251030_120000.sql.gz"
}

@test "cr-rotate --make-name refuses labels that are not a letter then [A-Za-z0-9._-], or that read as a time" {
	for bad in 20251028_020000 1x ../evil a/b 'a..b' 'a b' a+b '' "$(printf 'a\nb')"; do
		run --separate-stderr cr-rotate --make-name --label "$bad"
		assert_status 64
		[[ $stderr == "cr-rotate: bad backup label "* ]]
		assert_equal "$output" ""
	done
	run --separate-stderr cr-rotate --make-name --label "$(printf 'a\nb')"
	assert_equal "$stderr" "cr-rotate: bad backup label \"a\\nb\": a letter, then letters, digits, '.', '_' or '-'"
	run --separate-stderr cr-rotate --make-name --label "x$(printf '%0300d' 0)"
	assert_status 64
	[[ $stderr == *": the name would be too long" ]]
	run --separate-stderr cr-rotate --make-name --stamp
	assert_status 64
	run --separate-stderr cr-rotate --make-name --label v1 "$T"
	assert_status 64
}

@test "cr-rotate --make-name --suspect: the name cr-backup --force keeps a suspicious backup under, never a backup's" {
	run --separate-stderr cr-rotate --make-name --suspect db_backup_pre_v1.sql.gz --now 2025-10-28T02:00:00Z
	assert_status 0
	assert_equal "$output" db_backup_pre_v1.sql.gz.suspect-20251028_020000
	# not a backup: never resolved, never removed by rotation
	d=$BATS_TEST_TMPDIR/s
	mkdir "$d"
	touch "$d/db_backup_pre_v1.sql.gz" "$d/$output"
	run --separate-stderr cr-rotate --delete --keep-last 0 "$d"
	assert_status 0
	[ -f "$d/db_backup_pre_v1.sql.gz.suspect-20251028_020000" ]
	run --separate-stderr cr-rotate --make-name --suspect notes.txt
	assert_status 64
	assert_equal "$stderr" "cr-rotate: --suspect notes.txt: not a backup name"
	run --separate-stderr cr-rotate --make-name --suspect db_backup_pre_v1.sql.gz --label x
	assert_status 64
}

@test "cr-rotate --env-get: the keys an env file sets, as lib/dotenv reads them, NUL-terminated" {
	printf '%s\n' '# app' 'export CR_BACKUP_DIR="/srv/b \"q\" #1"' "CR_X='a \$(b)' # c" 'CR_M="l1\nl2"' 'CR_X2=plain # c' >"$T/e.env"
	run --separate-stderr bash -c 'cr-rotate --env-get "$1" CR_BACKUP_DIR CR_X CR_M CR_X2 CR_UNSET | tr "\0" "|"' - "$T/e.env"
	assert_status 0
	# as the dotenv package reads it: \" stays as written, \n is a newline
	assert_equal "$output" "$(printf 'CR_BACKUP_DIR=/srv/b \\"q\\" #1|CR_X=a $(b)|CR_M=l1\nl2|CR_X2=plain|')"
	run --separate-stderr cr-rotate --env-get "$T/none.env" CR_X
	assert_status 66
	printf 'not a setting\nCR_X=1\n' >"$T/bad.env"
	run --separate-stderr cr-rotate -v --env-get "$T/bad.env" CR_X
	assert_status 0
	assert_equal "$stderr" "cr-rotate: $T/bad.env: line 1: not KEY=VALUE: skipped, as the dotenv package skips it"
	run --separate-stderr cr-rotate --env-get "$T/e.env" 'A;B'
	assert_status 64
	run --separate-stderr cr-rotate --env-get "$T/e.env"
	assert_status 64
}

@test "cr-rotate keeps the newest healthy backup of a kind when suspicious ones fill the keep window" {
	daily 2025-10-01 2025-10-31 | make_files "$T/b"
	for n in "$T"/b/*; do echo '{"healthy":false,"alarms":["no tables"]}' >"$n.json"; done
	echo '{"healthy":true,"alarms":[]}' >"$T/b/db_backup_20251003_020000.sql.gz.json"
	echo '{"healthy":true,"alarms":[]}' >"$T/b/db_backup_20251002_020000.sql.gz.json"
	run --separate-stderr cr-rotate -v --delete --now "$NOW" "$T/b"
	assert_status 0
	[[ $stderr == *"keep db_backup_20251003_020000.sql.gz: daily: kept: newest healthy backup (its manifest says so; newer ones are suspicious), which policy last 7, 7d back from the newest alone would remove (age 28d10h)"* ]]
	[[ $stderr == *"remove db_backup_20251002_020000.sql.gz: daily: no rule keeps it"* ]]
	[ -f "$T/b/db_backup_20251003_020000.sql.gz" ]
	[ -f "$T/b/db_backup_20251003_020000.sql.gz.json" ]
	[ ! -e "$T/b/db_backup_20251002_020000.sql.gz" ]
	assert_equal "$(ls "$T/b" | grep -c '\.sql\.gz$')" 8
}

@test "cr-rotate: on stdin, without manifests, the policy alone decides" {
	run --separate-stderr cr-rotate --now "$NOW" < <(daily 2025-10-01 2025-10-31)
	assert_status 0
	assert_equal "$(wc -l <<<"$output")" 24
}

@test "cr-rotate --resolve --all: every match newest first, passing over the ones whose manifest says not healthy" {
	mkdir "$T/b"
	for d in 25 26 27 28; do : >"$T/b/db_backup_202510${d}_020000.sql.gz"; done
	echo '{"healthy":false}' >"$T/b/db_backup_20251026_020000.sql.gz.json"
	: >"$T/b/db_backup_weekly_archive_20251029_030000.sql.gz"
	run --separate-stderr cr-rotate --resolve daily --all "$T/b"
	assert_status 0
	assert_equal "$output" "$T/b/db_backup_20251028_020000.sql.gz
$T/b/db_backup_20251027_020000.sql.gz
$T/b/db_backup_20251025_020000.sql.gz"
	[[ $stderr == *"skipped db_backup_20251026_020000.sql.gz: its manifest says it is not healthy"* ]]
	run --separate-stderr cr-rotate --resolve latest --all "$T/b"
	assert_equal "${lines[0]}" "$T/b/db_backup_weekly_archive_20251029_030000.sql.gz"
	assert_equal "${#lines[@]}" 4
	run --separate-stderr cr-rotate --all "$T/b"
	assert_status 64
}

@test "cr-rotate --resolve: latest and kinds pass over a backup whose manifest says not healthy; a label named exactly does not" {
	mkdir "$T/b"
	: >"$T/b/db_backup_20251027_020000.sql.gz"
	echo '{"healthy":true}' >"$T/b/db_backup_20251027_020000.sql.gz.json"
	: >"$T/b/db_backup_20251028_020000.sql.gz"
	echo '{"healthy":false,"alarms":["no tables"]}' >"$T/b/db_backup_20251028_020000.sql.gz.json"
	: >"$T/b/db_backup_pre_dep.sql.gz"
	touch -d 2025-10-01 "$T/b/db_backup_pre_dep.sql.gz"
	echo '{"healthy":false}' >"$T/b/db_backup_pre_dep.sql.gz.json"
	run --separate-stderr cr-rotate --resolve latest "$T/b"
	assert_status 0
	assert_equal "$output" "$T/b/db_backup_20251027_020000.sql.gz"
	[[ $stderr == *"skipped db_backup_20251028_020000.sql.gz: its manifest says it is not healthy"* ]]
	run --separate-stderr cr-rotate --resolve daily "$T/b"
	assert_equal "$output" "$T/b/db_backup_20251027_020000.sql.gz"
	run --separate-stderr cr-rotate --resolve pre_dep "$T/b"
	assert_status 0
	assert_equal "$output" "$T/b/db_backup_pre_dep.sql.gz"
	run --separate-stderr cr-rotate --resolve named "$T/b"
	assert_status 66
	[[ $stderr == *'every backup "named" means is suspicious (its manifest says not healthy), the newest db_backup_pre_dep.sql.gz; name it exactly'* ]]
}

@test "cr-rotate --resolve and --status are not held up by a FIFO or a symbolic link named NAME.json" {
	mkdir "$T/b"
	: >"$T/b/db_backup_20251027_020000.sql.gz"
	: >"$T/b/db_backup_20251028_020000.sql.gz"
	mkfifo "$T/b/db_backup_20251028_020000.sql.gz.json"
	echo '{"healthy":false}' >"$T/elsewhere.json"
	ln -s "$T/elsewhere.json" "$T/b/db_backup_20251027_020000.sql.gz.json"
	# before: open(2) of the FIFO waited for a writer, forever
	run --separate-stderr timeout 20 cr-rotate --resolve latest "$T/b"
	assert_status 0
	assert_equal "$output" "$T/b/db_backup_20251028_020000.sql.gz"
	run --separate-stderr timeout 20 cr-verify --status --json "$T/b"
	[ "$status" -ne 124 ]
	[[ $output == *'"manifest":"unreadable"'* ]]
}
