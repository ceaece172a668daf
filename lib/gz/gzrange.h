/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzrange: random access into a cr-gz file (docs/stream-format.md).  A map
 * of its members is made with pread alone (MSIZE in each member's header,
 * ISIZE in its trailer, the end member's COUNT and TOTAL), without
 * inflating; a reader then reads any range of the uncompressed stream,
 * inflating only the members the range covers and checking each one's
 * header, size, CRC-32 and ISIZE.  cr-restore -j FILE: each worker reads
 * its own table's COPY data from the file.  A file that is not one whole
 * cr-gz stream (a foreign gzip, concatenated streams, plain SQL, a pipe)
 * has no map: its reader streams it through gzin.  The map is read-only
 * once made (any thread may use it); a reader belongs to one thread and
 * holds 2 MiB.  Nothing prints. */
#ifndef CR_GZRANGE_H
#define CR_GZRANGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gzmap;
struct gzrange;

/* The map of the cr-gz stream in the regular file fd (pread only: the file
 * offset is not moved).  NULL with errno 0 when fd is not one whole cr-gz
 * stream (format 1 or 2) whose sizes add up; NULL with errno set on a read
 * error or out of memory.  16 bytes per member (~30 KiB per GiB of dump). */
struct gzmap *gzmap_open(int fd);
uint64_t gzmap_total(const struct gzmap *);	/* uncompressed length */
void gzmap_free(struct gzmap *);

enum gzrange_errkind {
	GZRANGE_ENONE = 0,
	GZRANGE_EDATA,		/* a member does not decode or check (EX_DATAERR) */
	GZRANGE_EIO,		/* pread failed or the file got shorter (EX_IOERR) */
	GZRANGE_ENOMEM
};

/* A reader of map's stream in fd, at offset 0.  NULL when out of memory. */
struct gzrange *gzrange_open(const struct gzmap *, int fd);
/* Read next at offset at of the uncompressed stream (at most its length). */
void gzrange_seek(struct gzrange *, uint64_t at);
/* Up to max bytes from the current offset at *data, valid until the next
 * call: > 0, 0 at the end of the stream, -1 on error (gzrange_error). */
ssize_t gzrange_next(struct gzrange *, const void **data, size_t max);
uint64_t gzrange_tell(const struct gzrange *);
/* Where in the file the current offset lies: the start of the member
 * holding it (the file's data members' end once past them), for progress. */
uint64_t gzrange_file_offset(const struct gzrange *);
const char *gzrange_error(const struct gzrange *);
enum gzrange_errkind gzrange_errkind(const struct gzrange *);
void gzrange_close(struct gzrange *);

#endif
