/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzout: parallel gzip (RFC 1952) writer in the manner of htslib's BGZF.
 * The input is cut into blocks where its content says (a gear hash, as in
 * FastCDC), so an insertion changes only the members around it; worker
 * threads compress the blocks with libdeflate, each into a complete gzip
 * member whose "CR" extra subfield carries the member's length and a link to
 * the member before it; a last, empty member carries the count, length and
 * CRC-32 of the whole stream (docs/stream-format.md).
 * A writer thread emits the members in order, so the output is byte-identical
 * for any thread count.  Memory is fixed at creation (see gzout_new).
 * Nothing prints: errors are described by gzout_error(). */
#ifndef CR_GZOUT_H
#define CR_GZOUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/gzfmt.h"

/* Input bytes per member, at most: 1 MiB keeps memory well under 64 MiB at
 * GZOUT_MAX_THREADS, in the writer and in every reader.  Members are cut
 * where the content says, no shorter than GZOUT_BLOCK_MIN (but the last) and
 * at GZOUT_BLOCK when the content gives no cut before (docs/stream-format.md
 * gives the rule and docs/benchmarks.md the measurements behind the sizes). */
#define GZOUT_BLOCK		GZ_BLOCK_MAX
#define GZOUT_BLOCK_MIN		(256 * 1024)
#define GZOUT_BLOCK_NORMAL	(512 * 1024)	/* cuts are rarer before, likelier after */
#define GZOUT_MAX_THREADS	16
#define GZOUT_MAX_THREADS_SLOW	8	/* levels 10-12: 3.9 MiB per compressor */
#define GZOUT_LEVEL_MAX		12	/* libdeflate's levels: 1..12 */
#define GZOUT_LEVEL_DEFAULT	6

struct gzout;

enum gzout_errkind {
	GZOUT_ENONE = 0,
	GZOUT_EREAD,		/* read(2) of the input failed (gzout_read_from) */
	GZOUT_EWRITE,		/* write(2) of the output failed: EPIPE, ENOSPC, ... */
	GZOUT_ENOMEM		/* allocation or compressor failure */
};

/* Compress into fd (not closed by gzout) at level 1..GZOUT_LEVEL_MAX on
 * threads workers (clamped to 1..GZOUT_MAX_THREADS, and to
 * GZOUT_MAX_THREADS_SLOW at levels 10-12).  Memory: (threads + 3) jobs of
 * 2 MiB (a block in, a member out) plus a libdeflate compressor per thread:
 * at most 0.3 MiB at levels 1-9, 3.9 MiB at 10-12.  That is at most 43 MiB
 * at -p 16 and level 6, 54 MiB at levels 10-12 (8 threads).  Returns NULL
 * with errno set when memory or threads cannot be had. */
struct gzout *gzout_new(int fd, int level, int threads);

/* Append what one read(2) of fd gives, read straight into a block buffer.
 * Returns the byte count, 0 at end of file, -1 on error (GZOUT_EREAD for the
 * input; any other kind means the stream failed). */
ssize_t gzout_read_from(struct gzout *, int fd);

/* End the stream: last block and the end member, all written.
 * Returns 0, or -1 on error. */
int gzout_finish(struct gzout *);

/* After a -1: what went wrong, one line, e.g. "write: Broken pipe". */
const char *gzout_error(const struct gzout *);
enum gzout_errkind gzout_errkind(const struct gzout *);

/* Stop the threads and free everything; fine after an error or without
 * gzout_finish (the stream is then left incomplete). */
void gzout_free(struct gzout *);

#endif
