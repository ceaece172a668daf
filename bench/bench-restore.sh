#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench-restore: cr-restore and cr-restore -j2 against psql -q -X -v
# ON_ERROR_STOP=1 on the same plain dump, and pg_restore -j2 of a directory
# dump of the same database,
# each into a fresh database of a throwaway cluster: seconds, MiB/s, ratios,
# cr-restore's peak RSS.  BENCH_MB sizes the database (default 500).
[ -z "$BASH_VERSION" ] && exec bash "$0" "$@"
set -eu
: "${BENCH_MB:=500}"
# Our own directory, inside BENCH_DIR when run.sh gives one (other
# benchmarks use it after us).
mkdir -p "${BENCH_DIR:-/var/tmp}"
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/cr-bench-restore.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "${CR_BIN:-}" ] && PATH="$CR_BIN:$PATH"
command -v cr-restore >/dev/null || { echo "bench-restore: no cr-restore on PATH (set CR_BIN)" >&2; exit 1; }
command -v pgbench >/dev/null || { echo "bench-restore: pgbench not installed, skipped" >&2; exit 0; }

# The test harness's throwaway cluster: private socket, started and stopped here.
BATS_TEST_DIRNAME=$(cd "$(dirname "$0")/../tests" && pwd)
. "$BATS_TEST_DIRNAME/helpers.bash"
pg_start >/dev/null
trap 'pg_stop; rm -rf "$work"' EXIT
# The test cluster turns durability off for speed; a restore is measured on a
# server as people run one (fsync, synchronous_commit, full_page_writes on,
# PostgreSQL's defaults), where what cr-restore sets per session counts.
# BENCH_FAST_SERVER=1 keeps the test cluster's settings.
if [ -z "${BENCH_FAST_SERVER:-}" ]; then
	psql -X -q -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
		-c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
fi

psqlq() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# Half pgbench tables (narrow rows, an index per table), half a table of text
# and jsonb (wide rows): about BENCH_MB MiB of plain dump.
scale=$((BENCH_MB / 2 / 10))
[ "$scale" -ge 1 ] || scale=1
docs=$((BENCH_MB * 1048576 / 2 / 330))
createdb bench_src
pgbench -i -q -s "$scale" bench_src >/dev/null 2>&1
psqlq -d bench_src <<-SQL
CREATE TABLE docs (id bigint PRIMARY KEY, title text, body text, meta jsonb);
INSERT INTO docs
SELECT g, 'Document ' || g, repeat(md5(g::text), 4) || E'\nline two\twith tab',
       jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b', md5((g * 7)::text)),
                          'owner', 'user' || (g % 1000), 'ok', g % 3 = 0)
FROM generate_series(1, $docs) g;
SQL
# BENCH_INDEXES=1: a GIN index on docs.meta and a btree on docs.title, a
# long post-data chain on one table (the critical path of a -j restore).
if [ -n "${BENCH_INDEXES:-}" ]; then
	psqlq -d bench_src -c "CREATE INDEX docs_meta ON docs USING gin (meta)" \
		-c "CREATE INDEX docs_title ON docs (title)"
fi
pg_dump -d bench_src -f "$work/plain.sql"
pg_dump -d bench_src -Fd -j2 -f "$work/dir"
size=$(wc -c <"$work/plain.sql")
mb=$(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1048576 }')

now_ms() { date +%s%N | cut -c1-13; }

# timed NAME CMD...: run CMD, append its milliseconds to the list ms_NAME
timed() {
	local name=$1 t0 t1
	shift
	psqlq -d postgres -c CHECKPOINT
	sync
	t0=$(now_ms)
	"$@"
	t1=$(now_ms)
	eval "ms_$name=\"\${ms_$name:-} $((t1 - t0))\""
}

run_psql() { createdb r_psql && psqlq -d r_psql -f "$work/plain.sql" >/dev/null; }
# cr-restore's peak RSS in KiB goes to $work/rss: GNU time when there,
# else VmHWM polled from /proc while it runs.
run_cr() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -a -o "$work/rss" \
			cr-restore --clean --yes -d r_cr <"$work/plain.sql"
		return
	fi
	local pid peak=0 hwm
	cr-restore --clean --yes -d r_cr <"$work/plain.sql" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
		[ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
		sleep 0.05
	done
	echo "$peak" >>"$work/rss"
	wait "$pid"
}
run_pgr() { createdb r_pgr && pg_restore -j2 -d r_pgr "$work/dir"; }
# The same restores without --clean, into a fresh database like psql's and
# pg_restore's: what the scratch database and the swap cost is the difference.
run_crf() { createdb r_crf && cr-restore -d r_crf <"$work/plain.sql"; }
run_crjf() { createdb r_crjf && cr-restore -j2 -d r_crjf <"$work/plain.sql"; }
# Four connections each, where there are cores for them.
run_crj4() { createdb r_crj4 && cr-restore -j4 -d r_crj4 <"$work/plain.sql"; }
run_pgr4() { createdb r_pgr4 && pg_restore -j4 -d r_pgr4 "$work/dir"; }
# cr-restore -j2, the same way as run_cr (GNU time for its peak RSS).
run_crj() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -a -o "$work/rss_j" \
			cr-restore -j2 --clean --yes -d r_crj <"$work/plain.sql"
	else
		cr-restore -j2 --clean --yes -d r_crj <"$work/plain.sql"
		echo 0 >>"$work/rss_j"
	fi
}

# BENCH_BASE_BIN: the bin directory of another build (e.g. main's), whose
# cr-restore and cr-restore -j2 run in the same rounds, for a before/after
# measured in the same window.
run_crb() { "$BENCH_BASE_BIN/cr-restore" --clean --yes -d r_crb <"$work/plain.sql"; }
run_crjb() { "$BENCH_BASE_BIN/cr-restore" -j2 --clean --yes -d r_crjb <"$work/plain.sql"; }
rows_sql="SELECT (SELECT count(*) FROM pgbench_accounts) + (SELECT count(*) FROM docs)"
want_rows=$(psql -X -A -t -d bench_src -c "$rows_sql")
check_rows() {	# DB: every row arrived
	local n
	n=$(psql -X -A -t -d "$1" -c "$rows_sql")
	[ "$n" = "$want_rows" ] || { echo "bench-restore: $1 has $n rows, not $want_rows: restore incomplete" >&2; exit 1; }
}
names="psql cr crj pgr crf crjf"
[ "$(nproc)" -ge 4 ] && names="$names crj4 pgr4"
[ -n "${BENCH_BASE_BIN:-}" ] && names="$names crb crjb"

# BENCH_ROUNDS rounds (default 3), the order rotating, the median counts:
# the machine is shared and one run is noise.
rounds=${BENCH_ROUNDS:-3}
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
# rotated R NAME...: the names, started at the R-th (1-based, wrapping).
rotated() {
	local k=$((($1 - 1) % ($# - 1))) i=0 first='' last='' n
	shift
	for n; do
		if [ "$i" -lt "$k" ]; then last="$last $n"; else first="$first $n"; fi
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # the words, one space apart
	echo $first $last
}
for r in $(seq "$rounds"); do
	for n in $names; do
		dropdb --if-exists "r_$n" 2>/dev/null
	done
	# shellcheck disable=SC2086 # a list of words
	for n in $(rotated "$r" $names); do
		timed "$n" "run_$n"
		check_rows "r_$n"
		# Dropped at once: autovacuum working through a restored
		# database would otherwise run beside the next restore.
		dropdb "r_$n"
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
all_psql=$ms_psql all_cr=$ms_cr all_pgr=$ms_pgr all_crj=$ms_crj
all_crb=${ms_crb:-} all_crjb=${ms_crjb:-}
ms_psql=$(echo "$ms_psql" | median)
ms_cr=$(echo "$ms_cr" | median)
ms_crj=$(echo "$ms_crj" | median)
ms_pgr=$(echo "$ms_pgr" | median)
ms_crb=$(echo "${ms_crb:-}" | median)
ms_crjb=$(echo "${ms_crjb:-}" | median)
all_crf=$ms_crf all_crjf=$ms_crjf
ms_crf=$(echo "$ms_crf" | median)
ms_crjf=$(echo "$ms_crjf" | median)
all_crj4=${ms_crj4:-} all_pgr4=${ms_pgr4:-}
ms_crj4=$(echo "${ms_crj4:-}" | median)
ms_pgr4=$(echo "${ms_pgr4:-}" | median)


line() {	# label ms
	awk -v l="$1" -v ms="$2" -v mb="$mb" -v base="$ms_psql" 'BEGIN {
		s = ms / 1000; if (s <= 0) s = 0.001
		printf "  %-44s %7.2f s %7.1f MiB/s  %5.2fx psql\n", l, s, mb / s, base / (ms > 0 ? ms : 1)
	}'
}
echo "bench-restore: ${mb} MiB plain dump (pgbench scale $scale + $docs text/jsonb rows)"
echo "  (median of $rounds rounds; ms per round: psql$all_psql, cr-restore$all_cr, cr-restore -j2$all_crj, pg_restore$all_pgr,"
echo "   fresh db: cr-restore$all_crf, cr-restore -j2$all_crjf${all_crj4:+, cr-restore -j4$all_crj4, pg_restore -j4$all_pgr4})"
echo "  (load average before: $load0; $(nproc) cores)"
line "psql -q -X -v ON_ERROR_STOP=1 (fresh db)" "$ms_psql"
line "cr-restore --clean --yes (scratch+swap)" "$ms_cr"
line "cr-restore -j2 --clean --yes (scratch+swap)" "$ms_crj"
line "pg_restore -j2, directory dump (fresh db)" "$ms_pgr"
line "cr-restore (fresh db)" "$ms_crf"
line "cr-restore -j2 (fresh db)" "$ms_crjf"
if [ -n "$all_crj4" ]; then
	line "cr-restore -j4 (fresh db)" "$ms_crj4"
	line "pg_restore -j4, directory dump (fresh db)" "$ms_pgr4"
fi
if [ -n "${BENCH_BASE_BIN:-}" ]; then
	echo "  (base build $BENCH_BASE_BIN, ms per round: cr-restore$all_crb, cr-restore -j2$all_crjb)"
	line "base: cr-restore --clean --yes" "$ms_crb"
	line "base: cr-restore -j2 --clean --yes" "$ms_crjb"
fi
awk -v cr="$ms_cr" -v crj="$ms_crj" -v p="$ms_pgr" -v crf="$ms_crf" -v crjf="$ms_crjf" -v ps="$ms_psql" \
    -v crj4="${ms_crj4:-0}" -v p4="${ms_pgr4:-0}" -v rss="$(sort -n "$work/rss" | tail -n 1)" \
    -v rssj="$(sort -n "$work/rss_j" | tail -n 1)" 'BEGIN {
	printf "  cr-restore vs pg_restore -j2: %.2fx (pg_restore -j2 takes %.0f%% of cr-restore'\''s time)\n", p / cr, 100 * p / cr
	printf "  cr-restore -j2 vs pg_restore -j2: %.2fx (fresh db: %.2fx)\n", p / crj, p / crjf
	printf "  cr-restore vs psql, one connection: %.2fx (fresh db: %.2fx)\n", ps / cr, ps / crf
	if (crj4 > 0) printf "  cr-restore -j4 vs pg_restore -j4 (fresh db): %.2fx\n", p4 / crj4
	printf "  cr-restore peak RSS: %.1f MiB; cr-restore -j2: %.1f MiB\n", rss / 1024, rssj / 1024
}'
# The chart: seconds of each restore of part one (medians; less is better).
{
	printf 'psql (fresh db)\t%s\tpeer\n' "$(awk -v ms="$ms_psql" 'BEGIN { printf "%.2f", ms / 1000 }')"
	printf 'cr-restore --clean\t%s\tcr\n' "$(awk -v ms="$ms_cr" 'BEGIN { printf "%.2f", ms / 1000 }')"
	printf 'cr-restore -j2 --clean\t%s\tcr\n' "$(awk -v ms="$ms_crj" 'BEGIN { printf "%.2f", ms / 1000 }')"
	printf 'cr-restore -j2 (fresh db)\t%s\tcr\n' "$(awk -v ms="$ms_crjf" 'BEGIN { printf "%.2f", ms / 1000 }')"
	printf 'pg_restore -j2 (fresh db)\t%s\tpeer\n' "$(awk -v ms="$ms_pgr" 'BEGIN { printf "%.2f", ms / 1000 }')"
} | sh "$(dirname "$0")/chart.sh" restore \
	"Restoring $mb MiB of plain dump: seconds, median of $rounds rounds (less is better)" "s"
# One more -j2 run with -v -v: the critical path it prints against its own
# wall time (the issue's target: within 1.2x), and -j4's peak RSS.
createdb r_crv
psqlq -d postgres -c CHECKPOINT
t0=$(now_ms)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$work/rss_v" cr-restore -v -v -j2 -d r_crv <"$work/plain.sql" 2>"$work/v.err"
else
	cr-restore -v -v -j2 -d r_crv <"$work/plain.sql" 2>"$work/v.err"
fi
t1=$(now_ms)
grep -E 'phases:|critical path:' "$work/v.err" | sed 's/^/  /'
cp=$(sed -n 's/.*critical path: \([0-9.]*\) s.*/\1/p' "$work/v.err")
awk -v cp="${cp:-0}" -v ms=$((t1 - t0)) 'BEGIN {
	printf "  cr-restore -j2 -v -v: wall %.2f s, printed critical path %.2f s: wall / path %.2fx\n", ms / 1000, cp, (cp > 0 ? ms / 1000 / cp : 0) }'
dropdb r_crv
createdb r_crv4
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$work/rss_4" cr-restore -j4 -d r_crv4 <"$work/plain.sql"
	awk -v k="$(cat "$work/rss_4")" 'BEGIN { printf "  cr-restore -j4 peak RSS: %.1f MiB\n", k / 1024 }'
fi
dropdb r_crv4

# Part two: a dump shaped like a web app's schema rather than like pgbench.
# BENCH_APP_TABLES tables (default 1500; 0 skips this part), each with a
# bigserial primary key, a foreign key to the one before, an index, a
# comment and 50 rows: thousands of small statements, each its own
# transaction.  Here the server waits on a WAL flush at every commit, which
# psql pays one statement after another; cr-restore's
# synchronous_commit = off (--no-tuning turns it off) does not.  Above, the
# server's one backend is busy parsing COPY data, which no client on one
# connection can shorten.
: "${BENCH_APP_TABLES:=1500}"
[ "$BENCH_APP_TABLES" -gt 0 ] || exit 0
createdb app_src
# One statement each (\gexec), as an app's migrations would have made them.
psqlq -d app_src <<-SQL
SELECT s FROM generate_series(0, $BENCH_APP_TABLES - 1) i, LATERAL (VALUES
	(1, format('CREATE TABLE app_%s (id bigserial PRIMARY KEY, parent bigint, '
	    'name text NOT NULL, created timestamptz NOT NULL DEFAULT now(), note text)', i)),
	(2, CASE WHEN i > 0 THEN format('ALTER TABLE app_%s ADD FOREIGN KEY (parent) '
	    'REFERENCES app_%s (id)', i, i - 1) END),
	(3, format('CREATE INDEX ON app_%s (name)', i)),
	(4, format('COMMENT ON TABLE app_%s IS %L', i, 'table ' || i)),
	(5, format('INSERT INTO app_%s (name) SELECT ''n'' || g FROM generate_series(1, 50) g', i))
) AS v(k, s) WHERE s IS NOT NULL ORDER BY i, k \\gexec
SQL
pg_dump -d app_src -f "$work/app.sql"
pg_dump -d app_src -Fd -j2 -f "$work/app_dir"
stmts=$(grep -c ';$' "$work/app.sql" || true)
app_psql() { createdb a_psql && psqlq -d a_psql -f "$work/app.sql" >/dev/null; }
app_cr() { createdb a_cr && cr-restore -d a_cr <"$work/app.sql"; }
app_crn() { createdb a_crn && cr-restore --no-tuning -d a_crn <"$work/app.sql"; }
app_crj() { createdb a_crj && cr-restore -j2 -d a_crj <"$work/app.sql"; }
app_pgr() { createdb a_pgr && pg_restore -j2 -d a_pgr "$work/app_dir"; }
anames="psql cr crn crj pgr"
app_sql="SELECT count(*) || ' tables, ' || sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', relname), false, true, '')))[1]::text::int) || ' rows' FROM pg_class WHERE relname LIKE 'app%' AND relkind = 'r'"
want=$(psql -X -A -t -d app_src -c "$app_sql")
for r in $(seq "$rounds"); do
	for n in $anames; do
		dropdb --if-exists "a_$n" 2>/dev/null
	done
	# shellcheck disable=SC2086 # a list of words
	for n in $(rotated "$r" $anames); do
		timed "a$n" "app_$n"
		got=$(psql -X -A -t -d "a_$n" -c "$app_sql")
		[ "$got" = "$want" ] || { echo "bench-restore: a_$n holds $got, not $want: restore incomplete" >&2; exit 1; }
		dropdb "a_$n"
	done
done
# shellcheck disable=SC2154 # ms_a* are set by timed through eval
{ all_apsql=$ms_apsql all_acr=$ms_acr all_acrn=$ms_acrn all_acrj=$ms_acrj all_apgr=$ms_apgr; }
ms_psql=$(echo "$all_apsql" | median)
mb=$(awk -v b="$(wc -c <"$work/app.sql")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "bench-restore: app-shaped dump, $BENCH_APP_TABLES tables, $stmts statements, $mb MiB, each into a fresh database"
echo "  (median of $rounds rounds; ms per round: psql$all_apsql, cr-restore$all_acr, cr-restore --no-tuning$all_acrn, cr-restore -j2$all_acrj, pg_restore -j2$all_apgr)"
line "psql -q -X -v ON_ERROR_STOP=1" "$ms_psql"
line "cr-restore" "$(echo "$all_acr" | median)"
line "cr-restore --no-tuning" "$(echo "$all_acrn" | median)"
line "cr-restore -j2" "$(echo "$all_acrj" | median)"
line "pg_restore -j2, directory dump" "$(echo "$all_apgr" | median)"
