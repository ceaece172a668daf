#!/usr/bin/env bats
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench/chart.sh: what a bench measured becomes a data file first, and the
# chart is drawn from that file (gnuplot), never from typed-in numbers.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	export BENCH_DOCS=$BATS_TEST_TMPDIR/docs
	mkdir -p "$BENCH_DOCS"
}

@test "chart.sh writes the figures to docs/bench-NAME.tsv with the run's date, load and size, then draws the SVG from it" {
	command -v gnuplot >/dev/null || skip "gnuplot is not installed (Debian: gnuplot-nox)"
	run sh "$CR_REPO/bench/chart.sh" t "A title" "MiB/s" < <(printf 'cr-gz -p2\t101.5\tcr\ngzip -6\t20.25\tpeer\nverify\t7\n')
	assert_status 0
	assert_output_contains "docs/bench-t.svg (data docs/bench-t.tsv)"
	assert_equal "$(sed -n 1p "$BENCH_DOCS/bench-t.tsv")" "# title: A title"
	assert_equal "$(sed -n 2p "$BENCH_DOCS/bench-t.tsv")" "# unit: MiB/s"
	[[ $(sed -n 3p "$BENCH_DOCS/bench-t.tsv") == "# measured: 20"*", load average "*" CPUs, BENCH_MB="* ]]
	assert_equal "$(sed -n 4,6p "$BENCH_DOCS/bench-t.tsv")" $'cr-gz -p2\t101.5\tcr\ngzip -6\t20.25\tpeer\nverify\t7\tcr'
	grep -q '<svg' "$BENCH_DOCS/bench-t.svg"
	grep -q '>101.5<' "$BENCH_DOCS/bench-t.svg"
	grep -q '>gzip -6<' "$BENCH_DOCS/bench-t.svg"
	# --redraw: the same chart from the data file alone
	sed -i 's/^gzip -6\t20.25/gzip -6\t33.5/' "$BENCH_DOCS/bench-t.tsv"
	run sh "$CR_REPO/bench/chart.sh" --redraw
	assert_status 0
	grep -q '>33.5<' "$BENCH_DOCS/bench-t.svg"
	run ! grep -q '>20.25<' "$BENCH_DOCS/bench-t.svg"
}

@test "chart.sh with BENCH_CHARTS=0 keeps the data and draws nothing" {
	BENCH_CHARTS=0 run sh "$CR_REPO/bench/chart.sh" t "T" "s" < <(printf 'a\t1\tcr\n')
	assert_status 0
	assert_output_contains "not drawn"
	[ -f "$BENCH_DOCS/bench-t.tsv" ]
	[ ! -e "$BENCH_DOCS/bench-t.svg" ]
}

@test "every chart in docs/ has the data file it was drawn from, and docs/benchmarks.md shows it" {
	cd "$CR_REPO/docs"
	for svg in bench-*.svg; do
		[ -f "${svg%.svg}.tsv" ]
		grep -qF "($svg)" benchmarks.md
	done
}
