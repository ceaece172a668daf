#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# make bench: run every bench/bench-*.sh in turn.  Each prints its own figures
# and its ratios against the stock tools, measured in the same run.
# BENCH_MB scales the inputs, in MiB (default 500); BENCH_DIR holds the scratch files.
set -e
dir=$(cd "$(dirname "$0")" && pwd)
: "${BENCH_MB:=500}"
# A BENCH_DIR given is the caller's: only the one made here is removed.
if [ -z "$BENCH_DIR" ]; then
	BENCH_DIR=$(mktemp -d /var/tmp/cr-bench.XXXXXX)
	trap 'rm -rf "$BENCH_DIR"' EXIT
fi
mkdir -p "$BENCH_DIR"
export BENCH_MB BENCH_DIR CR_BIN
PATH="$CR_BIN:$PATH"
for b in "$dir"/bench-*.sh; do
	[ -n "$BENCH_ONLY" ] && case "$b" in *"$BENCH_ONLY"*) ;; *) continue ;; esac
	sh "$b"
done
