#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench-rotate: seconds cr-rotate takes to decide 100 000 backup names on
# stdin under the default policy and under a GFS policy (run by bench/run.sh).
set -e
: "${BENCH_DIR:=$(mktemp -d /var/tmp/cr-bench.XXXXXX)}"
names=$BENCH_DIR/rotate-names
awk 'BEGIN {
	for (y = 2000; y < 2030; y++) for (m = 1; m <= 12; m++)
	for (d = 1; d <= 28; d++) for (h = 0; h < 24; h += 2) {
		if (n++ == 100000) exit
		printf "db_backup_%04d%02d%02d_%02d0000.sql.gz\n", y, m, d, h
	}
}' | sort -R >"$names"
last=$(sort "$names" | tail -n 1)
now=$(echo "$last" | sed 's/^db_backup_\(....\)\(..\)\(..\)_.*/\1-\2-\3T23:00:00Z/')

chart=$BENCH_DIR/rotate-chart
: >"$chart"
run() {
	label=$1
	shift
	start=$(date +%s.%N)
	n=$(cr-rotate --now "$now" "$@" <"$names" | wc -l)
	end=$(date +%s.%N)
	secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
	printf 'cr-rotate %-28s 100000 names, %d to remove: %s s\n' "$label" "$n" "$secs"
	printf 'cr-rotate, %s\t%s\tcr\n' "$label" "$secs" >>"$chart"
}
run "default policy" 
run "GFS 7/4/12/5" --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --keep-yearly 5
rm -f "$names"
sh "$(dirname "$0")/chart.sh" rotate "cr-rotate deciding 100 000 backup names: seconds (less is better)" "s" <"$chart"
rm -f "$chart"
