#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench-footprint: what a backup costs the app on a live server.  pgbench
# runs 4 clients on a throwaway cluster for the whole bench; while it runs,
# each backup pipeline dumps the same database, and the transactions pgbench
# completed during the backup are counted (its per-second progress lines)
# against the rate of the idle windows just before and after each backup:
#   lost per backup = idle tps x backup seconds - transactions during it.
# Beside it the CPU seconds of the backup's own processes (GNU time; the
# server's backend is the same work for all) and the size written.
# Pipelines: cr-dump | cr-gz, cr-backup --gentle's pipeline, pg_dump | gzip -6,
# pg_dump | pigz.  BENCH_RUNS rounds, the order reversed every other round;
# the figure is the median over rounds.  The load average is printed beside
# each backup: on a shared machine the wall-clock figures are noisy.
[ -z "$BASH_VERSION" ] && exec bash "$0" "$@"
set -eu
set -o pipefail
: "${BENCH_MB:=500}"
: "${BENCH_RUNS:=3}"
: "${BENCH_IDLE:=8}"	# seconds of each idle window
mkdir -p "${BENCH_DIR:-/var/tmp}"
BENCH_DIR=$(mktemp -d "${BENCH_DIR:-/var/tmp}/cr-bench-footprint.XXXXXX")
trap 'rm -rf "$BENCH_DIR"' EXIT
[ -n "${CR_BIN:-}" ] && PATH="$CR_BIN:$PATH"
for t in cr-dump cr-gz; do
	command -v "$t" >/dev/null || { echo "bench-footprint: no $t on PATH (set CR_BIN)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench-footprint: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
for t in pgbench pigz; do
	command -v "$t" >/dev/null || { echo "bench-footprint: $t not installed, skipped" >&2; exit 0; }
done

BATS_TEST_DIRNAME=$(cd "$(dirname "$0")/../tests" && pwd)
. "$BATS_TEST_DIRNAME/helpers.bash"
pg_start >/dev/null
load_pid=''
trap '[ -z "$load_pid" ] || kill "$load_pid" 2>/dev/null; pg_stop; rm -rf "$BENCH_DIR"' EXIT

# pgbench's tables, about 15 MiB of plain dump per scale unit.
scale=$((BENCH_MB / 15))
[ "$scale" -ge 1 ] || scale=1
createdb bench_fp
pgbench -i -q -s "$scale" bench_fp >/dev/null 2>&1
psql -X -q -d bench_fp -c 'VACUUM ANALYZE' -c CHECKPOINT

pgdump=$(ls -d /usr/lib/postgresql/*/bin/pg_dump 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgdump" ] || pgdump=$(command -v pg_dump)
export CR_PG_DUMP=$pgdump
# cr-backup --gentle's pipeline (cmd/cr-backup.sh, gentle_cmd): the same
# words, so the bench measures what the knob does.
gentle="nice -n 19 ionice -t -c 3"

f=$BENCH_DIR/out.gz
names=(cr gentle gzip pigz)
declare -A cmd=(
	[cr]="cr-dump -d bench_fp | cr-gz >$f"
	[gentle]="$gentle cr-dump -d bench_fp | $gentle cr-gz -1 >$f"
	[gzip]="$pgdump -d bench_fp | gzip -6 >$f"
	[pigz]="$pgdump -d bench_fp | pigz -6 >$f"
)
declare -A label=(
	[cr]="cr-dump | cr-gz"
	[gentle]="cr-backup --gentle"
	[gzip]="pg_dump | gzip -6"
	[pigz]="pg_dump | pigz"
)
# BENCH_FOOTPRINT_EXTRA="name=command;..." times other pipelines beside them.
if [ -n "${BENCH_FOOTPRINT_EXTRA:-}" ]; then
	IFS=';' read -r -a extra <<<"$BENCH_FOOTPRINT_EXTRA"
	for e in "${extra[@]}"; do
		names+=("${e%%=*}")
		cmd[${e%%=*}]="${e#*=} >$f"
		label[${e%%=*}]=${e#*=}
	done
fi

# The load: 4 clients on 2 threads, a progress line a second with its
# time (stderr is unbuffered: killing pgbench loses no line).
prog=$BENCH_DIR/progress
pgbench -c 4 -j 2 -T 100000 -P 1 --progress-timestamp bench_fp >/dev/null 2>"$prog" &
load_pid=$!
sleep 3

now() { date +%s.%N; }
# tx START END: transactions pgbench completed between two times, from
# its per-second tps lines (each covers the second before its stamp).
tx() {
	awk -v s="$1" -v e="$2" '$1 == "progress:" {
		t = $2 + 0; r = $4 + 0
		lo = (t - 1 > s) ? t - 1 : s; hi = (t < e) ? t : e
		if (hi > lo) n += r * (hi - lo)
	} END { printf "%.0f", n }' "$prog"
}
load() { cut -d' ' -f1 /proc/loadavg; }

# Each backup is measured against the idle windows just before and just
# after it (the load elsewhere drifts over minutes): idle tps = their mean.
idle_s=0 idle_tx=0
declare -A runs=()	# name -> "secs:tx:idle_tps:load ..." per round
declare -A cpu=() size=()	# name -> "CPU seconds ..." per round; bytes written
idle() {	# idle: sleep BENCH_IDLE seconds; its tps in last_idle
	local t0 t1 n
	t0=$(now)
	sleep "$BENCH_IDLE"
	t1=$(now)
	n=$(tx "$t0" "$t1")
	idle_tx=$(awk -v a="$idle_tx" -v b="$n" 'BEGIN { print a + b }')
	idle_s=$(awk -v a="$idle_s" -v s="$t0" -v e="$t1" 'BEGIN { print a + e - s }')
	last_idle=$(awk -v n="$n" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", n / (e - s) }')
}
for round in $(seq "$BENCH_RUNS"); do
	order=("${names[@]}")
	if [ $((round % 2)) -eq 0 ]; then
		order=()
		for ((i = ${#names[@]} - 1; i >= 0; i--)); do order+=("${names[i]}"); done
	fi
	idle
	for n in "${order[@]}"; do
		before=$last_idle
		t1=$(now)
		/usr/bin/time -f '%U %S' -o "$BENCH_DIR/cpu" bash -c "set -o pipefail; ${cmd[$n]}"
		t2=$(now)
		read -r cu cs <"$BENCH_DIR/cpu"
		cpu[$n]+="$(awk -v u="$cu" -v s="$cs" 'BEGIN { print u + s }') "
		size[$n]=$(stat -c %s "$f")
		l=$(load)
		x=$(tx "$t1" "$t2")
		rm -f "$f"
		idle
		runs[$n]+="$(awk -v s="$t1" -v e="$t2" 'BEGIN { printf "%.2f", e - s }'):$x:$(awk -v a="$before" -v b="$last_idle" 'BEGIN { printf "%.1f", (a + b) / 2 }'):$l "
	done
done
kill "$load_pid" 2>/dev/null || true
wait "$load_pid" 2>/dev/null || true
load_pid=''
tps=$(awk -v n="$idle_tx" -v s="$idle_s" 'BEGIN { printf "%.1f", n / s }')

echo "bench-footprint: pgbench -c 4 -j 2 (scale $scale) on a throwaway cluster, $(nproc) CPUs;"
echo "  idle: $tps tps over $(printf '%.0f' "$idle_s") s in all; median of $BENCH_RUNS rounds (order reversed every other round);"
echo "  each backup against the mean of the idle windows before and after it"
printf '  %-20s %8s %6s %7s %8s %8s %12s %7s   %s\n' pipeline seconds CPU MiB tps "idle tps" "lost/backup" "lost %" "each round: lost (load average)"
chart='' cpu_chart=''
for n in "${names[@]}"; do
	kind=peer
	case $n in cr|gentle) kind=cr ;; esac
	# the round of median loss: its seconds, tps, idle tps and loss
	read -r secs dtps itps lost pct <<<"$(for r in ${runs[$n]}; do
		IFS=: read -r s x t l <<<"$r"
		awk -v s="$s" -v x="$x" -v t="$t" 'BEGIN { printf "%.2f %.1f %.1f %.0f %.1f\n", s, x / s, t, t * s - x, (t * s - x) / (t * s) * 100 }'
	done | sort -k4,4n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')"
	loads=$(for r in ${runs[$n]}; do
		IFS=: read -r s x t l <<<"$r"
		awk -v s="$s" -v x="$x" -v t="$t" -v l="$l" 'BEGIN { printf "%.0f (%s) ", t * s - x, l }'
	done)
	c=$(printf '%s\n' ${cpu[$n]} | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }')
	mib=$(awk -v b="${size[$n]}" 'BEGIN { printf "%.1f", b / 1048576 }')
	printf '  %-20s %7ss %5ss %7s %8s %8s %12s %6s%%   %s\n' "${label[$n]}" "$secs" "$c" "$mib" "$dtps" "$itps" "$lost" "$pct" "$loads"
	cpu_chart+=$(printf '%s\t%s\t%s\\n' "${label[$n]}" "$c" "$kind")
	chart+=$(printf '%s\t%s\t%s\\n' "${label[$n]}" "$lost" "$kind")
done
printf '%b' "$chart" | sh "$(dirname "$0")/chart.sh" footprint \
	"Transactions pgbench lost per backup (4 clients, scale $scale; less is better)" "transactions"
printf '%b' "$cpu_chart" | sh "$(dirname "$0")/chart.sh" footprint-cpu \
	"CPU seconds of the backup's own processes (dump, compression; median; less is better)" "s CPU"
