/* gzout: parallel gzip (RFC 1952) writer in the manner of pigz.  The input is
 * cut into fixed blocks that worker threads deflate, each primed with the
 * previous 32 KiB as dictionary; a writer thread emits them in order.  The
 * output is byte-identical for any thread count.  Memory is fixed at creation:
 * about 1 MiB per thread, 34 MiB at GZOUT_MAX_THREADS.  Nothing prints:
 * errors are described by gzout_error(). */
#ifndef CR_GZOUT_H
#define CR_GZOUT_H

#include <stddef.h>
#include <sys/types.h>

/* Input bytes per block.  Priming each block with 32 KiB costs a few per cent
 * of the CPU at 128 KiB blocks, half that at 256 KiB; the thread cap keeps
 * the memory of the larger blocks well under 64 MiB. */
#define GZOUT_BLOCK		(256 * 1024)
#define GZOUT_MAX_THREADS	32

struct gzout;

enum gzout_errkind {
	GZOUT_ENONE = 0,
	GZOUT_EREAD,		/* read(2) of the input failed (gzout_read_from) */
	GZOUT_EWRITE,		/* write(2) of the output failed: EPIPE, ENOSPC, ... */
	GZOUT_ENOMEM		/* allocation or zlib failure */
};

/* Compress into fd (not closed by gzout) at level 1..9 on threads workers
 * (clamped to 1..GZOUT_MAX_THREADS).  Returns NULL with errno set when memory
 * or threads cannot be had. */
struct gzout *gzout_new(int fd, int level, int threads);

/* Append len bytes to the stream.  Returns 0, or -1 once the stream failed. */
int gzout_write(struct gzout *, const void *buf, size_t len);

/* Append what one read(2) of fd gives, read straight into a block buffer.
 * Returns the byte count, 0 at end of file, -1 on error (GZOUT_EREAD for the
 * input; any other kind means the stream failed). */
ssize_t gzout_read_from(struct gzout *, int fd);

/* End the stream: last block, CRC-32 and ISIZE trailer, all written.
 * Returns 0, or -1 on error. */
int gzout_finish(struct gzout *);

/* After a -1: what went wrong, one line, e.g. "write: Broken pipe". */
const char *gzout_error(const struct gzout *);
enum gzout_errkind gzout_errkind(const struct gzout *);

/* Stop the threads and free everything; fine after an error or without
 * gzout_finish (the stream is then left incomplete). */
void gzout_free(struct gzout *);

#endif
