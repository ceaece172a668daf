#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench-dedup: what a second nightly backup adds to a deduplicating store
# (restic) when the database changed a little, for the plain dump, gzip -6
# --rsyncable and cr-gz.  One throwaway database of about BENCH_MB MiB of
# plain dump (an events table, pgbench's tables, a users table, in that
# order in the dump); the "next day" is an append-mostly change (2% new
# events, the newest 0.1% of events and every branch balance updated: the
# dump changes at the end of events, and everything after moves) and a
# scattered one (1% of the events updated, evenly).  CR_GZ_FORMAT1 may name a cr-gz binary of the fixed-block format
# (before content-defined members) for the same table.
[ -z "$BASH_VERSION" ] && exec bash "$0" "$@"
set -eu
set -o pipefail
: "${BENCH_MB:=500}"
mkdir -p "${BENCH_DIR:-/var/tmp}"
BENCH_DIR=$(mktemp -d "${BENCH_DIR:-/var/tmp}/cr-bench-dedup.XXXXXX")
trap 'rm -rf "$BENCH_DIR"' EXIT
[ -n "${CR_BIN:-}" ] && PATH="$CR_BIN:$PATH"
command -v cr-gz >/dev/null || { echo "bench-dedup: no cr-gz on PATH (set CR_BIN)" >&2; exit 1; }
command -v pgbench >/dev/null || { echo "bench-dedup: pgbench not installed, skipped" >&2; exit 0; }
command -v restic >/dev/null || { echo "bench-dedup: restic not installed, skipped" >&2; exit 0; }

BATS_TEST_DIRNAME=$(cd "$(dirname "$0")/../tests" && pwd)
. "$BATS_TEST_DIRNAME/helpers.bash"
pg_start >/dev/null
trap 'pg_stop; rm -rf "$BENCH_DIR"' EXIT

# A quarter pgbench (about 10 MiB of dump per scale unit, compressing 30x),
# half events of about 200 bytes of dump each, in the order they happened,
# a quarter users of about 150 bytes.
scale=$((BENCH_MB / 4 / 10))
[ "$scale" -ge 1 ] || scale=1
events=$((BENCH_MB * 1048576 / 2 / 200))
users=$((BENCH_MB * 1048576 / 4 / 150))
createdb day1
pgbench -i -q -s "$scale" day1 >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d day1 <<-SQL
CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, kind text NOT NULL,
                     account int NOT NULL, payload jsonb NOT NULL);
INSERT INTO events
SELECT g, timestamptz '2026-01-01' + g * interval '1 second',
       (ARRAY['login','view','order','payment','logout'])[1 + g % 5], (g::bigint * 7919 % 100000)::int,
       jsonb_build_object('ip', '10.' || (g % 256) || '.' || (g * 7 % 256) || '.' || (g * 13 % 256),
                          'agent', 'Mozilla/5.0 (X11; Linux x86_64) build ' || (g % 97),
                          'ref', md5(g::text))
FROM generate_series(1, $events) g;
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL,
                    password_hash text NOT NULL, created timestamptz NOT NULL);
INSERT INTO users
SELECT g, 'user' || g || '@' || (ARRAY['example.com','mail.de','web.org'])[1 + g % 3],
       initcap(md5((g * 3)::text)), '\$2b\$12\$' || md5(g::text) || md5((g * 7)::text),
       timestamptz '2025-01-01' + g * interval '1 minute'
FROM generate_series(1, $users) g;
VACUUM ANALYZE;
SQL
createdb -T day1 append
createdb -T day1 scattered
new=$((events / 50))
recent=$((events / 1000))
psql -X -q -v ON_ERROR_STOP=1 -d append <<-SQL
INSERT INTO events
SELECT g, timestamptz '2026-01-01' + g * interval '1 second', 'view', (g::bigint * 7919 % 100000)::int,
       jsonb_build_object('ip', '10.1.2.3', 'agent', 'curl/8.0', 'ref', md5(g::text))
FROM generate_series($events + 1, $events + $new) g;
UPDATE events SET kind = 'refund' WHERE id > $events - $recent;
UPDATE pgbench_branches SET bbalance = bbalance + 100;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d scattered -c \
    "UPDATE events SET kind = 'seen' WHERE id % 100 = 0"
for db in day1 append scattered; do
	pg_dump -d "$db" >"$BENCH_DIR/$db.sql"
done

export RESTIC_PASSWORD=bench RESTIC_CACHE_DIR=$BENCH_DIR/restic-cache

# compress FORMAT <IN >OUT
compress() {
	case $1 in
	plain) cat ;;
	gzip) gzip -6 --rsyncable -n ;;
	format1) "$CR_GZ_FORMAT1" -p 2 ;;
	cr-gz) cr-gz -p 2 ;;
	esac
}

repo_bytes() {
	du -sb "$1" | cut -f1
}

mb() {
	awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'
}

formats="plain gzip cr-gz"
[ -n "${CR_GZ_FORMAT1:-}" ] && formats="plain gzip format1 cr-gz"
echo "bench-dedup: dump of $(mb "$(wc -c <"$BENCH_DIR/day1.sql")") MiB, restic $(restic version | cut -d' ' -f2)," \
    "bytes the second snapshot adds to the repository"
printf '  %-28s %12s %16s %16s\n' "stored as" "first, MiB" "append-mostly" "scattered"
for f in $formats; do
	compress "$f" <"$BENCH_DIR/day1.sql" >"$BENCH_DIR/day1.out"
	line=
	for change in append scattered; do
		repo=$BENCH_DIR/repo-$f-$change
		restic -q -r "$repo" init >/dev/null
		restic -q -r "$repo" backup --stdin --stdin-filename db.sql <"$BENCH_DIR/day1.out"
		first=$(repo_bytes "$repo")
		compress "$f" <"$BENCH_DIR/$change.sql" | restic -q -r "$repo" backup --stdin --stdin-filename db.sql
		added=$(($(repo_bytes "$repo") - first))
		eval "added_${f//-/_}_$change=$added"
		line="$line $(printf '%9s (%3d%%)' "$(mb "$added")" $((100 * added / first)))"
		rm -rf "$repo"
	done
	case $f in
	plain) label="plain .sql" ;;
	gzip) label="gzip -6 --rsyncable" ;;
	format1) label="cr-gz, fixed 1 MiB members" ;;
	cr-gz) label="cr-gz" ;;
	esac
	printf '  %-28s %12s %s\n' "$label" "$(mb "$first")" "$line"
done
gzip -6 <"$BENCH_DIR/day1.sql" >"$BENCH_DIR/day1.gz6"
cr-gz -p 2 <"$BENCH_DIR/day1.sql" >"$BENCH_DIR/day1.crgz"
echo "  size of the first dump: cr-gz $(wc -c <"$BENCH_DIR/day1.crgz") B, gzip -6 $(wc -c <"$BENCH_DIR/day1.gz6") B:" \
    "$(awk -v a="$(wc -c <"$BENCH_DIR/day1.crgz")" -v b="$(wc -c <"$BENCH_DIR/day1.gz6")" \
    'BEGIN { printf "%.3fx (target 0.92x or less: %s)", a / b, a / b <= 0.92 ? "ok" : "MISSED" }')"
for change in append scattered; do
	eval "p=\$added_plain_$change c=\$added_cr_gz_$change"
	r=$(awk -v c="$c" -v p="$p" 'BEGIN { printf "%.2f", c / p }')
	echo "  cr-gz / plain, $change: ${r}x$([ "$change" = append ] &&
	    awk -v r="$r" 'BEGIN { print (r <= 1.2) ? " (target 1.2x or less: ok)" : " (target 1.2x or less: MISSED)" }')"
done

# The chart: MiB the second snapshot adds to the restic repository (less is better).
for f in $formats; do
	case $f in
	plain) label="plain .sql" kind=peer ;;
	gzip) label="gzip -6 --rsyncable" kind=peer ;;
	format1) label="cr-gz, fixed 1 MiB members" kind=cr ;;
	cr-gz) label="cr-gz" kind=cr ;;
	esac
	for change in append scattered; do
		eval "a=\$added_${f//-/_}_$change"
		printf '%s, %s\t%s\t%s\n' "$label" "$change" "$(mb "$a")" "$kind"
	done
done | sh "$(dirname "$0")/chart.sh" dedup \
	"restic: MiB a day's second snapshot adds, by how the dump is stored (less is better)" "MiB"
