/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzin: streaming gzip (RFC 1952) reader with strict integrity checks.
 * Pull interface shared by cr-gz -d/-t, cr-verify and cr-restore.  Handles
 * concatenated members, checks every CRC-32 and ISIZE, and reports
 * truncation and trailing garbage.  Members written by cr-gz are decompressed
 * on worker threads (one per core, up to 8) and their sequence and end member
 * checked (docs/stream-format.md); other members stream through zlib.
 * Memory is fixed at open time whatever the input size: (workers + 3) slots
 * of 2 MiB.  Nothing prints: errors are described by gzin_error(). */
#ifndef CR_GZIN_H
#define CR_GZIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gzin;

enum gzin_flags {
	GZIN_AUTO = 1 << 0	/* input without the gzip magic passes through as is */
};

enum gzin_errkind {
	GZIN_ENONE = 0,
	GZIN_EDATA,		/* not gzip, corrupt, truncated, trailing garbage (EX_DATAERR) */
	GZIN_EIO,		/* read(2) failed (EX_IOERR) */
	GZIN_ENOMEM		/* allocation failed (EX_OSERR) */
};

/* Start reading fd (not closed by gzin).  Returns NULL with errno set when
 * memory or threads cannot be had. */
struct gzin *gzin_open(int fd, int flags);
/* Like gzin_open, and tap (unless NULL) is given every byte read from fd,
 * in order, as it is read, on gzin's reading thread until gzin_close: a
 * caller hashes the stored file in the pass that checks it. */
typedef void gzin_tap_fn(void *arg, const void *buf, size_t len);
struct gzin *gzin_open_tap(int fd, int flags, gzin_tap_fn *tap, void *arg);

/* Up to len bytes of decompressed data.  Returns > 0 bytes, 0 at the clean
 * end of the last member (every check passed), -1 on error. */
ssize_t gzin_read(struct gzin *, void *buf, size_t len);

/* Like gzin_read, without the copy: points *data at the next run of
 * decompressed bytes, valid until the next call on this gzin. */
ssize_t gzin_next(struct gzin *, const void **data);

/* After gzin_read returned -1: what is wrong, one line without the input
 * name, e.g. "unexpected end of data after 1048576 bytes" or
 * "CRC-32 mismatch in member 1 (compressed offset 4242)". */
const char *gzin_error(const struct gzin *);
enum gzin_errkind gzin_errkind(const struct gzin *);
/* The sysexits code of that failure, the same in every tool: 65 damaged
 * data, 74 a read error, 71 out of memory; 0 when there is none. */
int gzin_exit_code(const struct gzin *);

int gzin_is_gzip(const struct gzin *);		/* magic seen (valid after first read) */
uint64_t gzin_bytes_in(const struct gzin *);	/* compressed bytes consumed */
uint64_t gzin_bytes_out(const struct gzin *);	/* decompressed bytes returned */
unsigned gzin_members(const struct gzin *);	/* members completed */

void gzin_close(struct gzin *);

#endif
