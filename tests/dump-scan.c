/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dump-scan: test driver for lib/sql/dumpscan.c, built by tests/verify.bats.
 * Feeds stdin (uncompressed) to the scanner in pieces of the size given as
 * the first argument, to exercise buffer boundaries, and prints one line:
 * "ok BYTES TABLES ROWS TRAILER" then "TABLE ROWS" lines, or "error OFFSET: why";
 * with "sum" after the size, then what lib/sql/schemasum.c made of the same
 * pieces: "schema HASH" and "blocks N BYTES..." (N -1 when they could not
 * all be kept). */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "sql/dumpscan.h"
#include "base/io.h"
#include "sql/schemasum.h"

int
main(int argc, char *argv[])
{
	const struct dumpscan_info *in;
	struct dumpscan *s;
	struct schemasum sum;
	const uint64_t *blocks;
	const char *errstr;
	char *buf, hex[SHA256_HEX_BYTES];
	size_t nblocks;
	int kept, failed = 0;
	size_t piece, i;
	ssize_t n;
	int rc = 0;

	if (argc != 2 && (argc != 3 || strcmp(argv[2], "sum") != 0))
		errx(64, "usage: dump-scan piece-size [sum] < dump");
	piece = (size_t)strtonum(argv[1], 1, 1 << 24, &errstr);
	if (errstr != NULL)
		errx(64, "piece size %s: %s", argv[1], errstr);
	if ((buf = malloc(piece)) == NULL || (s = dumpscan_new()) == NULL)
		err(1, NULL);
	schemasum_init(&sum);
	dumpscan_schemasum(s, &sum);
	while ((n = io_read_full(STDIN_FILENO, buf, piece)) > 0) {
		if (!failed && dumpscan_feed(s, buf, (size_t)n) == -1)
			failed = 1;
	}
	if (n == -1)
		err(1, "read");
	if (dumpscan_finish(s) == -1) {
		printf("error %" PRIu64 ": %s\n", dumpscan_error_offset(s), dumpscan_error(s));
		rc = 65;
	} else {
		in = dumpscan_info(s);
		printf("ok %" PRIu64 " %zu %" PRIu64 " %d\n", in->bytes, in->ntables, in->rows,
		    in->trailer);
		for (i = 0; i < in->nlisted; i++)
			printf("%s %" PRIu64 "\n", in->tables[i].name, in->tables[i].rows);
	}
	if (argc == 3 && rc != 0)
		printf("schema -\nblocks -\n");	/* read only up to the failure */
	else if (argc == 3) {
		schemasum_final_hex(&sum, hex);
		kept = schemasum_blocks(&sum, &blocks, &nblocks);
		printf("schema %s\nblocks %zd", hex, kept == 0 ? (ssize_t)nblocks : -1);
		for (i = 0; kept == 0 && i < nblocks; i++)
			printf(" %" PRIu64, blocks[i]);
		putchar('\n');
	}
	schemasum_free(&sum);
	dumpscan_free(s);
	free(buf);
	return rc;
}
