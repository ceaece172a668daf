#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench-salvage: what cr-restore --salvage gets back from a damaged backup.
# One throwaway database (users, events of about BENCH_MB/2 MiB of dump,
# notes whose rows refer to events), dumped by cr-dump into cr-gz and into
# gzip -6; each damage kind is restored with --salvage into a new database,
# and each table compared with the source (COPY ... TO STDOUT checksums):
# identical, or how many rows are missing.
[ -z "$BASH_VERSION" ] && exec bash "$0" "$@"
set -eu
set -o pipefail
: "${BENCH_MB:=500}"
mkdir -p "${BENCH_DIR:-/var/tmp}"
BENCH_DIR=$(mktemp -d "${BENCH_DIR:-/var/tmp}/cr-bench-salvage.XXXXXX")
trap 'rm -rf "$BENCH_DIR"' EXIT
[ -n "${CR_BIN:-}" ] && PATH="$CR_BIN:$PATH"
for t in cr-dump cr-gz cr-restore; do
	command -v "$t" >/dev/null || { echo "bench-salvage: no $t on PATH (set CR_BIN)" >&2; exit 1; }
done
BATS_TEST_DIRNAME=$(cd "$(dirname "$0")/../tests" && pwd)
. "$BATS_TEST_DIRNAME/helpers.bash"
pg_start >/dev/null
trap 'pg_stop; rm -rf "$BENCH_DIR"' EXIT
bench=$(cd "$(dirname "$0")" && pwd)
cd "$BENCH_DIR"

events=$((BENCH_MB * 1048576 / 2 / 80))
users=$((events / 40 + 1))
createdb src
psql -X -q -v ON_ERROR_STOP=1 -d src <<-SQL
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, $users) g;
CREATE TABLE events (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users, payload text NOT NULL);
INSERT INTO events SELECT g, 1 + g % $users, md5(g::text) || ' ' || md5((g * 3)::text)
  FROM generate_series(1, $events) g;
CREATE TABLE notes (id int PRIMARY KEY, event_id int NOT NULL REFERENCES events, body text NOT NULL);
INSERT INTO notes SELECT g, 1 + (g * 7919) % $events, 'note ' || g FROM generate_series(1, 2000) g;
SQL
cr-dump -d src >src.sql
cr-gz <src.sql >src.gz
gzip -6 <src.sql >src.g6

# members FILE: "OFFSET SIZE" of each cr-gz member
members() {
	python3 - "$1" <<-'PY'
	import struct, sys
	d = open(sys.argv[1], 'rb').read(); off = 0
	while off < len(d):
	    m = struct.unpack_from('<I', d, off + 16)[0]; print(off, m); off += m
	PY
}
n=$(members src.gz | wc -l)
read -r off m < <(members src.gz | sed -n "$((n / 2))p")
size=$(wc -c <src.gz)
cp src.gz flip.gz
printf '\377' | dd of=flip.gz bs=1 seek=$((off + m / 2)) conv=notrunc status=none
{ head -c "$off" src.gz; tail -c +$((off + m + 1)) src.gz; } >deleted.gz
{ head -c $((off + m)) src.gz; tail -c +$((off + 1)) src.gz; } >duplicated.gz
cp src.gz zeros.gz
dd if=/dev/zero of=zeros.gz bs=1 seek=$((off + 100)) count=65536 conv=notrunc status=none
head -c $((size - size / 50)) src.gz >cut.gz
g6=$(wc -c <src.g6)
cp src.g6 g6-flip.gz
printf '\377' | dd of=g6-flip.gz bs=1 seek=$((g6 / 2)) conv=notrunc status=none
head -c $((g6 - g6 / 50)) src.g6 >g6-cut.gz

sum_of() {
	psql -X -q -d "$1" -c "COPY $2 TO STDOUT" 2>/dev/null | md5sum | cut -c1-32
}
rows_of() {
	psql -X -q -A -t -d "$1" -c "SELECT count(*) FROM $2" 2>/dev/null || echo 0
}
echo "bench-salvage: dump of $(awk -v b="$(wc -c <src.sql)" 'BEGIN { printf "%.1f", b / 1048576 }') MiB" \
    "(users $users rows, events $events, notes 2000), cr-gz $n members; damage in member $((n / 2))"
printf '  %-22s %5s  %-10s %s\n' "damage" "exit" "identical" "rows lost per table (users/events/notes)"
chart=
for f in flip deleted duplicated zeros cut g6-flip g6-cut; do
	createdb "r_$f"
	rc=0
	cr-restore --salvage -d "r_$f" "$f.gz" 2>"$f.err" || rc=$?
	same=0 lost= total=0
	for t in users events notes; do
		[ "$(sum_of "r_$f" "$t")" = "$(sum_of src "$t")" ] && same=$((same + 1))
		l=$(($(rows_of src "$t") - $(rows_of "r_$f" "$t")))
		lost="$lost${lost:+/}$l"
		total=$((total + l))
	done
	case $f in g6-*) label="gzip -6, ${f#g6-}" kind=peer ;; *) label="cr-gz, $f" kind=cr ;; esac
	chart="$chart$label	$total	$kind
"
	printf '  %-22s %5s  %-10s %s\n' "$label" "$rc" "$same of 3" "$lost"
done
echo "  (a cr-gz member here holds about $(( $(wc -c <src.sql) / n / 1024 )) KiB of dump," \
    "about $(( $(wc -c <src.sql) / n / 80 )) events rows)"
# The chart: rows lost in all three tables, by damage (less is better).
printf '%s' "$chart" | sh "$bench/chart.sh" salvage \
	"cr-restore --salvage: rows lost to one damaged spot, of $((users + events + 2000)) (less is better)" "rows lost"
