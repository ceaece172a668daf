#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# shellcheck disable=SC2154 # the ms_* variables are set through eval in best()
# bench-gz: cr-gz against gzip -6 and pigz on one SQL-like input: MiB/s and
# size when compressing, MiB/s when decompressing (a cr-gz file and a gzip -6
# file), ratios with the targets, cr-gz's peak RSS.  BENCH_GZ_INPUT names a
# file (a real pg_dump, say) to use instead of the generated text.
set -e
: "${BENCH_MB:=500}"
: "${BENCH_RUNS:=3}"	# each figure is the best of this many runs
if [ -z "$BENCH_DIR" ]; then
	BENCH_DIR=$(mktemp -d /var/tmp/cr-bench.XXXXXX)
	trap 'rm -rf "$BENCH_DIR"' EXIT
fi
[ -n "$CR_BIN" ] && PATH="$CR_BIN:$PATH"
command -v cr-gz >/dev/null || { echo "bench-gz: no cr-gz on PATH (set CR_BIN)" >&2; exit 1; }
have_pigz=0
command -v pigz >/dev/null && have_pigz=1

in=$BENCH_DIR/gz-input.sql
gz=$BENCH_DIR/gz-gzip.gz
crgz=$BENCH_DIR/gz-cr.gz

# A COPY block like pg_dump's: ids, names, e-mails, timestamps, amounts,
# states and JSON.  It compresses about 4x with gzip -6, as dumps do.
rows=$((BENCH_MB * 1048576 / 137))
if [ -n "$BENCH_GZ_INPUT" ]; then
	cp "$BENCH_GZ_INPUT" "$in"
else
awk -v n="$rows" 'BEGIN {
	srand(42)
	split("anna bernd clara dieter eva felix greta hans ida jonas karl lena mia noah otto paula", first, " ")
	split("mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann koch richter", last, " ")
	split("new paid shipped cancelled refunded", state, " ")
	split("example.com mail.de web.org shop.net", dom, " ")
	split("red green blue small large express gift fragile", tag, " ")
	print "COPY public.orders (id, customer, email, created_at, amount, status, attrs) FROM stdin;"
	for (i = 1; i <= n; i++) {
		f = first[int(rand() * 16) + 1]; l = last[int(rand() * 12) + 1]
		printf "%d\t%s %s\t%s.%s%d@%s\t2024-%02d-%02d %02d:%02d:%02d.%06d+00\t%d.%02d\t%s\t{\"items\": %d, \"tag\": \"%s\", \"ref\": \"%08x\"}\n",
		    1000000 + i, f, l, f, l, int(rand() * 1000), dom[int(rand() * 4) + 1],
		    int(rand() * 12) + 1, int(rand() * 28) + 1, int(rand() * 24),
		    int(rand() * 60), int(rand() * 60), int(rand() * 1000000),
		    int(rand() * 500), int(rand() * 100), state[int(rand() * 5) + 1],
		    int(rand() * 9) + 1, tag[int(rand() * 8) + 1], int(rand() * 2147483647)
	}
	print "\\."
}' >"$in"
fi
insize=$(wc -c <"$in")
mb=$(awk -v b="$insize" 'BEGIN { printf "%.1f", b / 1048576 }')

now_ms() {
	date +%s%N | cut -c1-13
}

# peak RSS in KiB of "$@" <$1 >$2: GNU time when there, else VmHWM polled
# from /proc while it runs
rss_of() {
	_in=$1 _out=$2
	shift 2
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$BENCH_DIR/rss" "$@" <"$_in" >"$_out"
		cat "$BENCH_DIR/rss"
		return
	fi
	"$@" <"$_in" >"$_out" &
	_pid=$! _peak=0
	while kill -0 "$_pid" 2>/dev/null; do
		_hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$_pid/status" 2>/dev/null || true)
		[ -n "$_hwm" ] && [ "$_hwm" -gt "$_peak" ] && _peak=$_hwm
		sleep 0.05
	done
	wait "$_pid"
	echo "$_peak"
}

# cpu_of FILE: the user+sys seconds of finished children, from the output of
# the times builtin (run in this shell: in a subshell it would count nothing)
cpu_of() {
	awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$1"
}

# best VAR IN OUT CMD...: run once, keep in VAR the fewest wall-clock ms yet
# and in VAR_cpu the least CPU time, which load elsewhere disturbs less
best() {
	_var=$1 _in=$2 _out=$3
	shift 3
	times >"$BENCH_DIR/times0"
	_t0=$(now_ms)
	"$@" <"$_in" >"$_out"
	_t1=$(now_ms)
	times >"$BENCH_DIR/times1"
	_ms=$((_t1 - _t0))
	[ "$_ms" -gt 0 ] || _ms=1
	_cpu=$(awk -v a="$(cpu_of "$BENCH_DIR/times0")" -v b="$(cpu_of "$BENCH_DIR/times1")" \
	    'BEGIN { printf "%.2f", b - a }')
	eval "_old=\${$_var:-} _oldcpu=\${${_var}_cpu:-}"
	if [ -z "$_old" ] || [ "$_ms" -lt "$_old" ]; then
		eval "$_var=$_ms"
	fi
	if [ -z "$_oldcpu" ] || awk -v a="$_cpu" -v b="$_oldcpu" 'BEGIN { exit !(a < b) }'; then
		eval "${_var}_cpu=$_cpu"
	fi
}

# report LABEL VAR [OUTFILE]: MiB/s of the uncompressed size, CPU seconds,
# and the size of OUTFILE when given
report() {
	_size=
	[ -n "${3:-}" ] && _size=$(wc -c <"$3")
	eval "_ms=\$$2 _cpu=\$${2}_cpu"
	awk -v l="$1" -v b="$insize" -v ms="$_ms" -v cpu="$_cpu" -v s="$_size" 'BEGIN {
		printf "  %-12s %7.1f MiB/s %7.2f s  cpu %6.2f s", l, b / 1048576 / (ms / 1000), ms / 1000, cpu
		if (s != "") printf "  %11d bytes  ratio %.2fx", s, b / s
		printf "\n" }'
}

# ratio A B: how many times faster A ran than B
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'
}

# verdict RATIO TARGET: "ok" or "MISSED"
verdict() {
	awk -v r="$1" -v t="$2" 'BEGIN { print (r + 0 >= t + 0) ? "ok" : "MISSED" }'
}

# cpu_ratio A B: how many times less CPU A took than B
cpu_ratio() {
	eval "_a=\$${1}_cpu _b=\$${2}_cpu"
	awk -v a="$_a" -v b="$_b" 'BEGIN { printf "%.2f", (a > 0) ? b / a : 0 }'
}

echo "bench-gz: $mb MiB of ${BENCH_GZ_INPUT:-generated SQL-like text}, $(nproc 2>/dev/null || echo '?') CPUs," \
    "load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null), best of $BENCH_RUNS runs each"
# the tools take turns, so a burst of load elsewhere hits them alike
run=1
while [ "$run" -le "$BENCH_RUNS" ]; do
	best ms_cr "$in" "$crgz" cr-gz -p 2
	best ms_gzip "$in" "$gz" gzip -6
	[ "$have_pigz" = 0 ] || best ms_pigz "$in" "$BENCH_DIR/gz-pigz.gz" pigz -p 2 -6
	best ms_crd "$crgz" /dev/null cr-gz -d
	best ms_crdg "$gz" /dev/null cr-gz -d
	best ms_gunzip "$gz" /dev/null gzip -d -c
	[ "$have_pigz" = 0 ] || best ms_pigzd "$crgz" /dev/null pigz -d -c
	[ "$have_pigz" = 0 ] || best ms_pigzdg "$gz" /dev/null pigz -d -c
	run=$((run + 1))
done
echo "compress:"
report "cr-gz -p2" ms_cr "$crgz"
report "gzip -6" ms_gzip "$gz"
[ "$have_pigz" = 0 ] || report "pigz -p2 -6" ms_pigz "$BENCH_DIR/gz-pigz.gz"
echo "decompress the cr-gz file, to /dev/null:"
report "cr-gz -d" ms_crd
[ "$have_pigz" = 0 ] || report "pigz -d -c" ms_pigzd
echo "decompress the gzip -6 file, to /dev/null:"
report "cr-gz -d" ms_crdg
report "gunzip -c" ms_gunzip
[ "$have_pigz" = 0 ] || report "pigz -d -c" ms_pigzdg

# every tool read back the same bytes
cr-gz -d <"$crgz" | cmp -s - "$in" || { echo "bench-gz: cr-gz round trip FAILED" >&2; exit 1; }
gzip -dc <"$crgz" | cmp -s - "$in" || { echo "bench-gz: gunzip of cr-gz output FAILED" >&2; exit 1; }

crsize=$(wc -c <"$crgz")
gzsize=$(wc -c <"$gz")
size=$(awk -v a="$crsize" -v b="$gzsize" 'BEGIN { printf "%.3f", a / b }')
echo "ratios (wall clock; CPU time in brackets):"
echo "  cr-gz -p2 size / gzip -6:      ${size}x (target 0.92x or less: $(awk -v s="$size" 'BEGIN { print (s <= 0.92) ? "ok" : "MISSED" }'))"
r=$(ratio "$ms_cr" "$ms_gzip")
echo "  cr-gz -p2 / gzip -6:           ${r}x speed [$(cpu_ratio ms_cr ms_gzip)x]"
if [ "$have_pigz" = 1 ]; then
	r=$(ratio "$ms_cr" "$ms_pigz")
	echo "  cr-gz -p2 / pigz -p2 -6:       ${r}x speed [$(cpu_ratio ms_cr ms_pigz)x] (target 2.0x: $(verdict "$r" 2.0))"
	r=$(ratio "$ms_crd" "$ms_pigzd")
	echo "  cr-gz -d / pigz -d, cr-gz file: ${r}x speed [$(cpu_ratio ms_crd ms_pigzd)x] (target 3.0x: $(verdict "$r" 3.0))"
	r=$(ratio "$ms_crdg" "$ms_pigzdg")
	echo "  cr-gz -d / pigz -d, gzip file:  ${r}x speed [$(cpu_ratio ms_crdg ms_pigzdg)x] (zlib cr-gz: 1.56x)"
else
	echo "  pigz: not installed, its lines skipped"
fi
r=$(ratio "$ms_crdg" "$ms_gunzip")
echo "  cr-gz -d / gunzip, gzip file:  ${r}x speed"

# memory is fixed after the first blocks: 64 MiB of the input show the peak
head -c 67108864 "$in" >"$BENCH_DIR/gz-rss.sql"
cr-gz <"$BENCH_DIR/gz-rss.sql" >"$BENCH_DIR/gz-rss.gz"
rc=$(rss_of "$BENCH_DIR/gz-rss.sql" /dev/null cr-gz -p 2)
r16=$(rss_of "$BENCH_DIR/gz-rss.sql" /dev/null cr-gz -p 16)
rd=$(rss_of "$BENCH_DIR/gz-rss.gz" /dev/null cr-gz -d)
echo "peak RSS: cr-gz -p2 $((rc / 1024)) MiB, -p16 $((r16 / 1024)) MiB, cr-gz -d $((rd / 1024)) MiB" \
    "(target under 64 MiB: $(verdict $((65536 - r16)) 1)/$(verdict $((65536 - rd)) 1))"
rm -f "$in" "$gz" "$BENCH_DIR"/gz-* "$BENCH_DIR/rss" "$BENCH_DIR"/times?

# The chart: MiB/s of each tool in this run (more is better).
mbs() { eval "_ms=\$$1"; awk -v b="$insize" -v ms="$_ms" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }'; }
{
	printf 'compress: cr-gz -p2\t%s\tcr\n' "$(mbs ms_cr)"
	printf 'compress: gzip -6\t%s\tpeer\n' "$(mbs ms_gzip)"
	[ "$have_pigz" = 0 ] || printf 'compress: pigz -p2 -6\t%s\tpeer\n' "$(mbs ms_pigz)"
	printf 'decompress: cr-gz -d (cr-gz file)\t%s\tcr\n' "$(mbs ms_crd)"
	printf 'decompress: gunzip (gzip file)\t%s\tpeer\n' "$(mbs ms_gunzip)"
	[ "$have_pigz" = 0 ] || printf 'decompress: pigz -d (cr-gz file)\t%s\tpeer\n' "$(mbs ms_pigzd)"
} | sh "$(dirname "$0")/chart.sh" gz "cr-gz against gzip and pigz, $mb MiB of SQL text: MiB/s (more is better)" "MiB/s"
