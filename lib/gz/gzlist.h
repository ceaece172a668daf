/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzlist: a gzip file's compressed and uncompressed sizes, as gzip -l shows
 * them (cr-gz -l).  A cr-gz stream in a file is mapped by its members'
 * size fields (gzrange) and its length taken from its end member, without
 * inflating; gzip -l cannot know it, as it reads the last member's ISIZE,
 * the end member's 0.
 * Any other gzip is decompressed to count it, which also checks it.
 * Nothing prints. */
#ifndef CR_GZLIST_H
#define CR_GZLIST_H

#include <stddef.h>
#include <stdint.h>

/* The sizes of the gzip read from fd (a file or a pipe) into *in and *out.
 * Returns 0, or the sysexits code of the failure (gzin_exit_code's: 65
 * damaged, 74 read error, 71 out of memory) with a one-line reason in err. */
int gzlist_sizes(int fd, uint64_t *in, uint64_t *out, char *err, size_t errlen);

#endif
