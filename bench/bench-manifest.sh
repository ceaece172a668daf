#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# bench-manifest: the manifest step of cr-backup (cr-verify --manifest) on a
# cr-gz file of a generated plain dump of about BENCH_MB MiB: seconds for
# cr-verify alone and with --manifest (the difference is the SHA-256 of the
# stored file, taken in the verifying read), and SHA-256 MiB/s of
# sha256sum and `openssl dgst` on the same file.  CR_VERIFY_BEFORE names
# another cr-verify (an older build) to time beside it.  Best of BENCH_RUNS.
set -e
: "${BENCH_MB:=500}"
: "${BENCH_RUNS:=3}"
if [ -z "$BENCH_DIR" ]; then
	BENCH_DIR=$(mktemp -d /var/tmp/cr-bench.XXXXXX)
	trap 'rm -rf "$BENCH_DIR"' EXIT
fi
[ -n "$CR_BIN" ] && PATH="$CR_BIN:$PATH"
command -v cr-verify >/dev/null || { echo "bench-manifest: no cr-verify on PATH (set CR_BIN)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-manifest: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }

gz=$BENCH_DIR/manifest-input.sql.gz
m=$BENCH_DIR/manifest.json
rows=$((BENCH_MB * 1048576 / 100))
# A plain pg_dump of one table, as cr-verify reads it.
awk -v n="$rows" 'BEGIN {
	srand(7)
	print "--\n-- PostgreSQL database dump\n--\n"
	print "SET statement_timeout = 0;\n"
	print "CREATE TABLE public.events (id bigint, at timestamp with time zone, kind text, payload text);\n"
	print "COPY public.events (id, at, kind, payload) FROM stdin;"
	for (i = 1; i <= n; i++)
		printf "%d\t2025-%02d-%02d %02d:%02d:%02d+00\tkind%d\t%08x%08x %d %s\n", i,
		    i % 12 + 1, i % 28 + 1, i % 24, i % 60, (i * 7) % 60, i % 17,
		    rand() * 4294967295, rand() * 4294967295, i * 3, (i % 3 ? "ok" : "retry")
	print "\\.\n\n--\n-- PostgreSQL database dump complete\n--\n"
}' | cr-gz >"$gz"
size=$(stat -c %s "$gz")

# best LABEL CMD...: the least wall-clock and CPU (user + system) seconds of
# BENCH_RUNS runs; CPU time is the steadier figure on a shared machine.
best() {
	label=$1
	shift
	b='' c=''
	i=0
	while [ "$i" -lt "$BENCH_RUNS" ]; do
		/usr/bin/time -f '%e %U %S' -o "$BENCH_DIR/manifest-time" "$@" >/dev/null
		read -r e u s <"$BENCH_DIR/manifest-time"
		b=$(awk -v t="$e" -v b="$b" 'BEGIN { print (b == "" || t < b) ? t : b }')
		c=$(awk -v t="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" -v b="$c" \
		    'BEGIN { print (b == "" || t < b) ? t : b }')
		i=$((i + 1))
	done
	printf '%-46s %6.2f s wall %6.2f s CPU %7.1f MiB/s\n' "$label" "$b" "$c" \
	    "$(awk -v s="$size" -v t="$c" 'BEGIN { print (t > 0 ? s / 1048576 / t : 0) }')"
}
printf 'manifest step on a %.1f MiB cr-gz file (%d rows), best of %d:\n' \
    "$(awk -v s="$size" 'BEGIN { print s / 1048576 }')" "$rows" "$BENCH_RUNS"
best "cr-verify -q (verify only)" cr-verify -q "$gz"
v=$c t_verify=$c
best "cr-verify -q --manifest (verify + SHA-256)" cr-verify -q --manifest "$m" "$gz"
t_manifest=$c
printf '%-46s %6.2f s CPU\n' "  the manifest's own cost" "$(awk -v a="$c" -v v="$v" 'BEGIN { print a - v }')"
if [ -n "$CR_VERIFY_BEFORE" ]; then
	best "the same, CR_VERIFY_BEFORE" "$CR_VERIFY_BEFORE" -q --manifest "$m" "$gz"
	t_before=$c
	printf '%-46s %6.2f s CPU\n' "  the manifest's own cost before" "$(awk -v a="$c" -v v="$v" 'BEGIN { print a - v }')"
fi
t_sha256sum=0 t_openssl=0
if command -v sha256sum >/dev/null; then
	best "sha256sum (coreutils)" sha256sum "$gz"
	t_sha256sum=$c
fi
if command -v openssl >/dev/null; then
	best "openssl dgst -sha256 (libcrypto EVP)" openssl dgst -sha256 "$gz"
	t_openssl=$c
fi
rm -f "$gz" "$m"
# The chart: CPU seconds of the manifest step and of its parts.
{
	printf 'verify only\t%s\tcr\n' "$t_verify"
	printf 'verify + manifest\t%s\tcr\n' "$t_manifest"
	[ -z "$CR_VERIFY_BEFORE" ] || printf 'the same, CR_VERIFY_BEFORE\t%s\n' "$t_before"
	printf 'sha256sum\t%s\tpeer\n' "$t_sha256sum"
	printf 'openssl dgst -sha256\t%s\tpeer\n' "$t_openssl"
} | sh "$(dirname "$0")/chart.sh" manifest \
	    "cr-verify --manifest, $(awk -v s="$size" 'BEGIN { printf "%.0f", s / 1048576 }') MiB cr-gz file: CPU seconds (less is better)" "s CPU"
