#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# chart.sh NAME TITLE UNIT: a bar chart of the "label<TAB>value" lines on
# standard input, as docs/bench-NAME.svg (gnuplot), for docs/benchmarks.md.
# A bench script feeds it the figures it measured, in the same run; without
# gnuplot, or with BENCH_CHARTS=0, it draws nothing and says so.
set -e
name=$1 title=$2 unit=$3
out=$(cd "$(dirname "$0")/.." && pwd)/docs/bench-$name.svg
data=$(mktemp)
trap 'rm -f "$data"' EXIT
cat >"$data"
if [ "${BENCH_CHARTS:-1}" = 0 ] || ! command -v gnuplot >/dev/null; then
	echo "chart $name: not drawn (no gnuplot, or BENCH_CHARTS=0)"
	exit 0
fi
gnuplot <<-PLOT
	set terminal svg size 720,360 dynamic font "sans,12"
	set output "$out.tmp"
	set title "$title"
	set ylabel "$unit"
	set style fill solid 0.8 border -1
	set boxwidth 0.6
	set yrange [0:*]
	set grid ytics
	set datafile separator "\t"
	unset key
	set xtics noenhanced
	plot "$data" using 0:2:xtic(1) with boxes lc rgb "#4a78b5", \
	     "" using 0:2:(sprintf("%.2f", \$2)) with labels offset 0,0.8
PLOT
mv "$out.tmp" "$out"
echo "chart $name: docs/bench-$name.svg"
