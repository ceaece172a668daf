/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzlist: sizes of a gzip file, from a cr-gz stream's end member or by
 * decompressing (see gzlist.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "gz/gzin.h"
#include "gz/gzlist.h"
#include "gz/gzout.h"

/* A file of cr-gz members only, walked by their size fields: 0 with the
 * sizes, or -1 when it is anything else (a pipe, another gzip, damage). */
static int
walk_members(int fd, uint64_t *in, uint64_t *out)
{
	unsigned char h[44];
	off_t at = 0, size;
	ssize_t n;
	size_t slen, hlen;
	uint32_t msize;
	int i;

	*out = 0;
	if ((size = lseek(fd, 0, SEEK_END)) <= 0)
		return -1;
	while (at < size) {
		if ((n = pread(fd, h, sizeof(h), at)) < 16 || h[0] != 0x1f || h[1] != 0x8b ||
		    h[3] != 0x04 || h[12] != GZ_SUBFIELD_ID1 || h[13] != GZ_SUBFIELD_ID2)
			return -1;
		slen = (size_t)h[14] | (size_t)h[15] << 8;
		hlen = 16 + slen;
		msize = gz_get32le(h + 16);
		if ((size_t)n < hlen || msize < hlen || msize > GZ_MEMBER_MAX)
			return -1;
		/* the end member's TOTAL: at 32 in format 2, 28 in format 1 */
		if (slen == GZ_SUBFIELD_END || slen == GZ_SUBFIELD_END1)
			for (i = 0; i < 8; i++)
				*out += (uint64_t)h[(slen == GZ_SUBFIELD_END ? 32 : 28) + i] << (8 * i);
		at += msize;
	}
	*in = (uint64_t)size;
	return at == size ? 0 : -1;
}

int
gzlist_sizes(int fd, uint64_t *in, uint64_t *out, char *err, size_t errlen)
{
	struct gzin *g;
	const void *p;
	ssize_t n;
	int status = 0;

	*in = *out = 0;
	if (walk_members(fd, in, out) == 0)
		return 0;
	/* anything else: count it by decompressing, which also checks it */
	*out = 0;
	if (lseek(fd, 0, SEEK_SET) == -1 && errno != ESPIPE) {
		snprintf(err, errlen, "%s", strerror(errno));
		return EX_IOERR;
	}
	if ((g = gzin_open(fd, 0)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return EX_OSERR;
	}
	while ((n = gzin_next(g, &p)) > 0)
		*out += (uint64_t)n;
	if (n == -1) {
		snprintf(err, errlen, "%s", gzin_error(g));
		status = gzin_exit_code(g);
	}
	*in = gzin_bytes_in(g);
	gzin_close(g);
	return status;
}
