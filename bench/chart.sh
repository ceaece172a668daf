#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# chart.sh NAME TITLE UNIT: the "label<TAB>value[<TAB>cr|peer]" lines on
# standard input, as measured by a bench script in this run, are written to
# docs/bench-NAME.tsv (with the title, unit, date, load average and
# BENCH_MB as "# key: value" lines) and drawn as a bar chart,
# docs/bench-NAME.svg (gnuplot): cr's bars blue, the peers' grey.
# chart.sh --redraw draws every docs/bench-*.tsv again, measuring nothing.
# Without gnuplot, or with BENCH_CHARTS=0, the data is kept and nothing drawn.
set -e
# BENCH_DOCS: another directory for the data and charts (the tests use one)
docs=${BENCH_DOCS:-$(cd "$(dirname "$0")/.." && pwd)/docs}

# draw TSV: docs/bench-NAME.svg from docs/bench-NAME.tsv.
draw() {
	tsv=$1 svg=${1%.tsv}.svg name=$(basename "$1" .tsv)
	if [ "${BENCH_CHARTS:-1}" = 0 ] || ! command -v gnuplot >/dev/null; then
		echo "chart ${name#bench-}: not drawn (no gnuplot, or BENCH_CHARTS=0); data in docs/$name.tsv"
		return 0
	fi
	title=$(sed -n 's/^# title: //p' "$tsv")
	unit=$(sed -n 's/^# unit: //p' "$tsv")
	note=$(sed -n 's/^# measured: //p' "$tsv")
	gnuplot <<-PLOT
		set terminal svg size 800,420 dynamic font "sans,12"
		set output "$svg.tmp"
		set title "$title\n$note" noenhanced
		set ylabel "$unit"
		set style fill solid 0.8 border -1
		set boxwidth 0.6
		set yrange [*<0:*]
		set xzeroaxis
		set offsets 0, 0, graph 0.1, 0
		set grid ytics
		set datafile separator "\t"
		set datafile commentschars "#"
		unset key
		set xtics noenhanced rotate by 20 right
		set bmargin 6
		color(k) = (k eq "peer") ? 0xa0a0a0 : 0x4a78b5
		plot "$tsv" using 0:2:(color(strcol(3))):xtic(1) with boxes lc rgb variable, \
		     "" using 0:2:(sprintf("%g", \$2)) with labels offset 0,0.8
	PLOT
	mv "$svg.tmp" "$svg"
	echo "chart ${name#bench-}: docs/$name.svg (data docs/$name.tsv)"
}

if [ "$1" = --redraw ]; then
	for t in "$docs"/bench-*.tsv; do
		[ -e "$t" ] && draw "$t"
	done
	exit 0
fi

name=$1 title=$2 unit=$3
tsv=$docs/bench-$name.tsv
{
	printf '# title: %s\n# unit: %s\n' "$title" "$unit"
	printf '# measured: %s, load average %s, %s CPUs, BENCH_MB=%s\n' \
	    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" \
	    "$(nproc 2>/dev/null)" "${BENCH_MB:-500}"
	# a line without its kind is cr's
	awk -F '\t' -v OFS='\t' 'NF == 2 { $3 = "cr" } { print }'
} >"$tsv.tmp"
mv "$tsv.tmp" "$tsv"
draw "$tsv"
