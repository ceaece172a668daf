#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench-dump: on one throwaway database of about BENCH_MB MiB of plain dump
# (pgbench tables plus a table of text, jsonb and bytea), in the same run:
# `cr-dump | cr-gz -p2` against `pg_dump | gzip -6` (MiB/s, size), cr-dump
# against pg_dump into /dev/null, and cr-verify against gunzip -t.
[ -z "$BASH_VERSION" ] && exec bash "$0" "$@"
set -eu
set -o pipefail
: "${BENCH_MB:=500}"
: "${BENCH_RUNS:=2}"	# each figure is the best of this many runs
# Our own directory, inside BENCH_DIR when run.sh gives one (the other
# benchmarks use it too, so it is not ours to remove).
mkdir -p "${BENCH_DIR:-/var/tmp}"
BENCH_DIR=$(mktemp -d "${BENCH_DIR:-/var/tmp}/cr-bench-dump.XXXXXX")
trap 'rm -rf "$BENCH_DIR"' EXIT
[ -n "${CR_BIN:-}" ] && PATH="$CR_BIN:$PATH"
for t in cr-dump cr-gz cr-verify; do
	command -v "$t" >/dev/null || { echo "bench-dump: no $t on PATH (set CR_BIN)" >&2; exit 1; }
done
command -v pgbench >/dev/null || { echo "bench-dump: pgbench not installed, skipped" >&2; exit 0; }

# The test harness's throwaway cluster: private socket, started and stopped here.
BATS_TEST_DIRNAME=$(cd "$(dirname "$0")/../tests" && pwd)
. "$BATS_TEST_DIRNAME/helpers.bash"
pg_start >/dev/null
trap 'pg_stop; rm -rf "$BENCH_DIR"' EXIT

# Half pgbench (narrow rows, about 10 MiB of dump per scale unit), half wide
# rows of text, jsonb and bytea (about 300 bytes of dump each).
scale=$((BENCH_MB / 2 / 10))
[ "$scale" -ge 1 ] || scale=1
docs=$((BENCH_MB * 1048576 / 2 / 300))
createdb bench_dump
pgbench -i -q -s "$scale" bench_dump >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d bench_dump <<-SQL
CREATE TABLE docs (id bigint PRIMARY KEY, title text, body text, meta jsonb, blob bytea);
INSERT INTO docs
SELECT g, 'Document ' || g,
       'Dear customer ' || (g % 997) || E',\n' || repeat(md5((g % 5000)::text), 2) ||
           E'\twith a tab and a backslash \\\\ ' || md5(g::text),
       jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b', md5((g * 7)::text)),
                          'owner', 'user' || (g % 1000), 'ok', g % 3 = 0),
       decode(md5(g::text) || md5((g + 1)::text), 'hex')
FROM generate_series(1, $docs) g;
VACUUM ANALYZE;
CHECKPOINT;
SQL

now_ms() { date +%s%N | cut -c1-13; }

# best NAME CMD: run the shell command CMD BENCH_RUNS times; ms_NAME is the
# fastest wall-clock time in milliseconds.
best() {
	local name=$1 cmd=$2 i t0 t1 ms cur
	for i in $(seq "$BENCH_RUNS"); do
		t0=$(now_ms)
		bash -c "set -o pipefail; $cmd"
		t1=$(now_ms)
		ms=$((t1 - t0))
		[ "$ms" -gt 0 ] || ms=1
		eval "cur=\${ms_$name:-}"
		if [ -z "$cur" ] || [ "$ms" -lt "$cur" ]; then
			eval "ms_$name=$ms"
		fi
	done
}

# Both sides run the same pg_dump binary (not Debian's Perl pg_wrapper).
pgdump=$(ls -d /usr/lib/postgresql/*/bin/pg_dump 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgdump" ] || pgdump=$(command -v pg_dump)
export CR_PG_DUMP=$pgdump

f=$BENCH_DIR
best pg_gzip "$pgdump -d bench_dump | gzip -6 > $f/pg.sql.gz"
best cr_gz "cr-dump -d bench_dump | cr-gz -p2 > $f/cr.sql.gz"
have_pigz=0
if command -v pigz >/dev/null; then
	have_pigz=1
	best pg_pigz "$pgdump -d bench_dump | pigz -p2 -6 > $f/pg.pigz.gz"
fi
best pg_null "$pgdump -d bench_dump > /dev/null"
best cr_null "cr-dump -d bench_dump > /dev/null"
"$pgdump" -d bench_dump >"$f/plain.sql"
raw=$(wc -c <"$f/plain.sql")
rm -f "$f/plain.sql"
best gunzip_t "gunzip -t $f/cr.sql.gz"
best verify "cr-verify -q $f/cr.sql.gz"

# BENCH_BASE_BIN: the bin directory of another build (an older commit's),
# whose cr-dump | cr-gz, cr-dump, cr-verify and cr-gz -d run on the same
# database and file, alternating with this build's, for a before/after (a
# refactor must not be slower) measured in the same window.  Both sides get
# the same number of runs (2 x BENCH_RUNS, interleaved) and their own
# figures, so neither is the best of more tries.
if [ -n "${BENCH_BASE_BIN:-}" ]; then
	B=$BENCH_BASE_BIN
	for _ in 1 2; do
		best base_gz "$B/cr-dump -d bench_dump | $B/cr-gz -p2 > $f/base.sql.gz"
		best new_gz "cr-dump -d bench_dump | cr-gz -p2 > $f/new.sql.gz"
		best base_null "$B/cr-dump -d bench_dump > /dev/null"
		best new_null "cr-dump -d bench_dump > /dev/null"
		best base_verify "$B/cr-verify -q $f/cr.sql.gz"
		best new_verify "cr-verify -q $f/cr.sql.gz"
		best base_gunzip "$B/cr-gz -d < $f/cr.sql.gz > /dev/null"
		best new_gunzip "cr-gz -d < $f/cr.sql.gz > /dev/null"
	done
fi

mbs() { awk -v b="$raw" -v ms="$1" 'BEGIN { printf "%7.1f MiB/s", b / 1048576 / (ms / 1000) }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%7.2f s", ms / 1000 }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
pgsize=$(wc -c <"$f/pg.sql.gz")
crsize=$(wc -c <"$f/cr.sql.gz")

echo "bench-dump: $(awk -v b="$raw" 'BEGIN { printf "%.1f", b / 1048576 }') MiB of plain dump" \
	"(pgbench scale $scale, $docs docs rows), best of $BENCH_RUNS, $(nproc) CPUs, $pgdump"
printf '  %-28s %s %s  %s bytes (%.2fx smaller)\n' "pg_dump | gzip -6" "$(secs "$ms_pg_gzip")" \
	"$(mbs "$ms_pg_gzip")" "$pgsize" "$(div "$raw" "$pgsize")"
printf '  %-28s %s %s  %s bytes (%.2fx smaller)\n' "cr-dump | cr-gz -p2" "$(secs "$ms_cr_gz")" \
	"$(mbs "$ms_cr_gz")" "$crsize" "$(div "$raw" "$crsize")"
printf '  %-28s %sx the throughput of pg_dump | gzip -6 (target >= 1.6)\n' "  speed-up:" \
	"$(div "$ms_pg_gzip" "$ms_cr_gz")"
if [ "$have_pigz" -eq 1 ]; then
	printf '  %-28s %s %s  %s bytes\n' "pg_dump | pigz -p2 -6" "$(secs "$ms_pg_pigz")" \
		"$(mbs "$ms_pg_pigz")" "$(wc -c <"$f/pg.pigz.gz")"
	printf '  %-28s %sx the throughput of pg_dump | pigz -p2 (target >= 1.4)\n' "  speed-up:" \
		"$(div "$ms_pg_pigz" "$ms_cr_gz")"
fi
printf '  %-28s %sx the time of pg_dump > /dev/null (target <= 1.3)\n' "cr-dump | cr-gz -p2:" \
	"$(div "$ms_cr_gz" "$ms_pg_null")"
printf '  %-28s %s %s\n' "pg_dump > /dev/null" "$(secs "$ms_pg_null")" "$(mbs "$ms_pg_null")"
printf '  %-28s %s %s\n' "cr-dump > /dev/null" "$(secs "$ms_cr_null")" "$(mbs "$ms_cr_null")"
printf '  %-28s %s%% (target <= +5%%)\n' "  cr-dump overhead:" \
	"$(awk -v a="$ms_cr_null" -v b="$ms_pg_null" 'BEGIN { printf "%+.1f", (a / b - 1) * 100 }')"
printf '  %-28s %s\n' "gunzip -t cr.sql.gz" "$(secs "$ms_gunzip_t")"
printf '  %-28s %s\n' "cr-verify cr.sql.gz" "$(secs "$ms_verify")"
printf '  %-28s %sx the time of gunzip -t (target <= 1.15)\n' "  cr-verify:" \
	"$(div "$ms_verify" "$ms_gunzip_t")"
if [ -n "${BENCH_BASE_BIN:-}" ]; then
	echo "  this build against $BENCH_BASE_BIN (its time / this build's: above 1.00 this build is faster):"
	for k in gz:"cr-dump | cr-gz -p2" null:"cr-dump > /dev/null" verify:cr-verify gunzip:"cr-gz -d"; do
		eval "b=\$ms_base_${k%%:*} n=\$ms_new_${k%%:*}"
		printf '  %-28s %s  %s  %sx\n' "${k#*:}" "$(secs "$b")" "$(secs "$n")" "$(div "$b" "$n")"
	done
fi

# The chart: MiB/s of plain dump through each pipeline (more is better).
mbs1() { awk -v b="$raw" -v ms="$1" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }'; }
{
	printf 'cr-dump | cr-gz -p2\t%s\tcr\n' "$(mbs1 "$ms_cr_gz")"
	printf 'pg_dump | gzip -6\t%s\tpeer\n' "$(mbs1 "$ms_pg_gzip")"
	[ "$have_pigz" -eq 0 ] || printf 'pg_dump | pigz -p2 -6\t%s\tpeer\n' "$(mbs1 "$ms_pg_pigz")"
	printf 'cr-dump > /dev/null\t%s\tcr\n' "$(mbs1 "$ms_cr_null")"
	printf 'pg_dump > /dev/null\t%s\tpeer\n' "$(mbs1 "$ms_pg_null")"
	printf 'cr-verify\t%s\tcr\n' "$(mbs1 "$ms_verify")"
	printf 'gunzip -t\t%s\tpeer\n' "$(mbs1 "$ms_gunzip_t")"
} | sh "$(dirname "$0")/chart.sh" dump \
	"Backing up $(awk -v b="$raw" 'BEGIN { printf "%.0f", b / 1048576 }') MiB of plain dump: MiB/s (more is better)" "MiB/s"
