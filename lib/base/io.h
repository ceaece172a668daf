/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* io: whole-buffer reads and writes on file descriptors, retrying on EINTR
 * and short transfers.  Errors are returned with errno set; nothing prints. */
#ifndef CR_IO_H
#define CR_IO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Write all len bytes.  Returns 0, or -1 with errno (EPIPE, ENOSPC, ...). */
int io_write_all(int fd, const void *buf, size_t len);

/* One read(2) of up to len bytes, retried when a signal interrupts it:
 * what a stream reader wants (a pipe gives what it has).  Returns the
 * count, 0 at end of file, or -1 with errno. */
ssize_t io_read(int fd, void *buf, size_t len);

/* Write all len bytes at offset off (pwrite(2)).  Returns 0, or -1 with
 * errno. */
int io_pwrite_all(int fd, const void *buf, size_t len, off_t off);

/* Read until len bytes or end of file.  Returns the count (short only at
 * end of file), or -1 with errno. */
ssize_t io_read_full(int fd, void *buf, size_t len);

/* CLOCK_MONOTONIC in seconds: durations, rates and progress ticks. */
double io_clock(void);

/* Write path atomically: fill writes the content to a 0600 temp file in the
 * same directory (".NAME.XXXXXX.tmp", hidden: cr-rotate skips such names),
 * which is flushed, fsync'd and renamed over path, and the directory
 * fsync'd.  fill returns 0 or -1 (errno set).  Returns 0, or -1 with a
 * reason in err (no temp file is left). */
int io_write_atomic(const char *path, int (*fill)(FILE *, void *), void *arg,
    char *err, size_t errlen);

#endif
