/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzrange: a cr-gz file's member map and a reader of any range of its
 * stream (see gzrange.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libdeflate.h>

#include "format/gzfmt.h"
#include "gz/gzrange.h"

struct gzmap {
	size_t		 n;		/* data members */
	uint64_t	*at;		/* n + 1 file offsets: member i, then the end member */
	uint64_t	*out;		/* n + 1 stream offsets: where member i's data starts */
};

struct gzrange {
	const struct gzmap *map;
	int		 fd;
	struct libdeflate_decompressor *d;
	unsigned char	*member;	/* GZ_MEMBER_MAX */
	unsigned char	*buf;		/* GZ_BLOCK_MAX: the data of member 'loaded' */
	size_t		 loaded;	/* member in buf, or (size_t)-1 */
	uint64_t	 pos;		/* stream offset of the next byte */
	enum gzrange_errkind kind;
	char		 err[160];
};

static int
pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t have = 0;
	ssize_t n;

	while (have < len) {
		n = pread(fd, (char *)buf + have, len - have, (off_t)(off + have));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		have += (size_t)n;
	}
	return 1;
}

static int
grow(struct gzmap *m, size_t *cap)
{
	uint64_t *at, *out;
	size_t ncap = *cap ? *cap * 2 : 1024;

	if ((at = realloc(m->at, ncap * sizeof(*at))) == NULL)
		return -1;
	m->at = at;
	if ((out = realloc(m->out, ncap * sizeof(*out))) == NULL)
		return -1;
	m->out = out;
	*cap = ncap;
	return 0;
}

/* Walk the members by their size fields: data members, then the end member
 * ending the file, whose COUNT and TOTAL must be what the walk found. */
struct gzmap *
gzmap_open(int fd)
{
	struct gzmap *m;
	struct gzfmt_member f;
	struct stat sb;
	unsigned char h[GZ_END_HEADER], t[4];
	uint64_t at = 0, out = 0;
	size_t cap = 0, slen;
	int rc, format = 0;

	if (fstat(fd, &sb) == -1)
		return NULL;
	errno = 0;
	if (!S_ISREG(sb.st_mode) || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	for (;;) {
		if (m->n + 1 >= cap && grow(m, &cap) == -1)
			goto fail;
		if ((uint64_t)sb.st_size - at < GZ_DATA_HEADER)
			goto not_ours;
		if ((rc = pread_all(fd, h, (uint64_t)sb.st_size - at < sizeof(h) ?
		    (size_t)((uint64_t)sb.st_size - at) : sizeof(h), at)) != 1)
			goto io;
		if (h[0] != 0x1f || h[1] != 0x8b ||
		    !gzfmt_has_subfield(h, (uint64_t)sb.st_size - at < sizeof(h) ?
		    (size_t)((uint64_t)sb.st_size - at) : sizeof(h), &slen) ||
		    gzfmt_parse_header(h, sizeof(h) <= (uint64_t)sb.st_size - at ? sizeof(h) :
		    (size_t)((uint64_t)sb.st_size - at), &f) != GZFMT_OK ||
		    (format != 0 && f.format != format) || at + f.msize > (uint64_t)sb.st_size)
			goto not_ours;
		format = f.format;
		m->at[m->n] = at;
		m->out[m->n] = out;
		if (f.end) {
			if (at + f.msize != (uint64_t)sb.st_size || f.seq != m->n ||
			    f.total != out)
				goto not_ours;
			return m;
		}
		if ((rc = pread_all(fd, t, sizeof(t), at + f.msize - 4)) != 1)
			goto io;
		/* data members hold 1 byte to GZ_BLOCK_MAX: ISIZE is the length */
		if (gz_get32le(t) == 0 || gz_get32le(t) > GZ_BLOCK_MAX)
			goto not_ours;
		out += gz_get32le(t);
		at += f.msize;
		m->n++;
	}
io:
	if (rc == 0)
		errno = 0;	/* shorter than its size fields: not mapped */
	goto fail;
not_ours:
	errno = 0;
fail:
	rc = errno;
	gzmap_free(m);
	errno = rc;
	return NULL;
}

uint64_t
gzmap_total(const struct gzmap *m)
{
	return m->out[m->n];
}

void
gzmap_free(struct gzmap *m)
{
	if (m == NULL)
		return;
	free(m->at);
	free(m->out);
	free(m);
}

struct gzrange *
gzrange_open(const struct gzmap *map, int fd)
{
	struct gzrange *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->map = map;
	r->fd = fd;
	r->loaded = (size_t)-1;
	if ((r->member = malloc(GZ_MEMBER_MAX)) == NULL ||
	    (r->buf = malloc(GZ_BLOCK_MAX)) == NULL ||
	    (r->d = libdeflate_alloc_decompressor()) == NULL) {
		gzrange_close(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void
gzrange_seek(struct gzrange *r, uint64_t at)
{
	r->pos = at < gzmap_total(r->map) ? at : gzmap_total(r->map);
}

uint64_t
gzrange_tell(const struct gzrange *r)
{
	return r->pos;
}

/* The member holding stream offset pos (< the total): the last whose data
 * starts at or before it. */
static size_t
member_at(const struct gzmap *m, uint64_t pos)
{
	size_t lo = 0, hi = m->n, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (m->out[mid] <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint64_t
gzrange_file_offset(const struct gzrange *r)
{
	const struct gzmap *m = r->map;

	if (r->pos >= gzmap_total(m))
		return m->at[m->n];
	return m->at[member_at(m, r->pos)];
}

static ssize_t
fail(struct gzrange *r, enum gzrange_errkind kind, const char *fmt, size_t k,
    uint64_t off)
{
	r->kind = kind;
	snprintf(r->err, sizeof(r->err), fmt, (unsigned)k + 1, (unsigned long long)off);
	r->loaded = (size_t)-1;
	return -1;
}

/* Member k into buf, checked as gzin checks it: its header as the map saw
 * it, the deflate data ending where MSIZE says, CRC-32 and ISIZE. */
static ssize_t
load(struct gzrange *r, size_t k)
{
	const struct gzmap *m = r->map;
	struct gzfmt_member f;
	uint64_t at = m->at[k];
	size_t msize = (size_t)(m->at[k + 1] - at), want = (size_t)(m->out[k + 1] - m->out[k]);
	size_t dlen, in_used = 0, out_len = 0;
	int rc;

	if ((rc = pread_all(r->fd, r->member, msize, at)) != 1)
		return fail(r, GZRANGE_EIO, rc == 0 ? "member %u (compressed offset %llu) "
		    "is cut short: the file changed" : "read of member %u (compressed "
		    "offset %llu) failed", k, at);
	if (gzfmt_parse_header(r->member, msize, &f) != GZFMT_OK || f.end || f.msize != msize)
		return fail(r, GZRANGE_EDATA, "bad cr-gz header in member %u "
		    "(compressed offset %llu)", k, at);
	dlen = msize - f.hlen - GZ_TRAILER;
	if (libdeflate_deflate_decompress_ex(r->d, r->member + f.hlen, dlen, r->buf,
	    GZ_BLOCK_MAX, &in_used, &out_len) != LIBDEFLATE_SUCCESS)
		return fail(r, GZRANGE_EDATA, "invalid compressed data in member %u "
		    "(compressed offset %llu)", k, at + f.hlen);
	if (in_used != dlen)
		return fail(r, GZRANGE_EDATA, "size field of member %u does not match "
		    "its data (compressed offset %llu)", k, at + 16);
	if ((uint32_t)libdeflate_crc32(0, r->buf, out_len) !=
	    gz_get32le(r->member + msize - GZ_TRAILER))
		return fail(r, GZRANGE_EDATA, "CRC-32 mismatch in member %u "
		    "(compressed offset %llu)", k, at + msize - GZ_TRAILER);
	if (out_len != want || gz_get32le(r->member + msize - 4) != want)
		return fail(r, GZRANGE_EDATA, "length mismatch in member %u "
		    "(compressed offset %llu)", k, at + msize - 4);
	r->loaded = k;
	return 0;
}

ssize_t
gzrange_next(struct gzrange *r, const void **data, size_t max)
{
	const struct gzmap *m = r->map;
	size_t k, off, n;

	if (r->kind != GZRANGE_ENONE)
		return -1;
	if (r->pos >= gzmap_total(m) || max == 0)
		return 0;
	/* the member holding pos: the one loaded, or found and loaded */
	if (r->loaded != (size_t)-1 && m->out[r->loaded] <= r->pos &&
	    r->pos < m->out[r->loaded + 1])
		k = r->loaded;
	else {
		k = member_at(m, r->pos);
		if (load(r, k) == -1)
			return -1;
	}
	off = (size_t)(r->pos - m->out[k]);
	n = (size_t)(m->out[k + 1] - m->out[k]) - off;
	if (n > max)
		n = max;
	*data = r->buf + off;
	r->pos += n;
	return (ssize_t)n;
}

const char *
gzrange_error(const struct gzrange *r)
{
	return r->err;
}

enum gzrange_errkind
gzrange_errkind(const struct gzrange *r)
{
	return r->kind;
}

void
gzrange_close(struct gzrange *r)
{
	if (r == NULL)
		return;
	if (r->d != NULL)
		libdeflate_free_decompressor(r->d);
	free(r->member);
	free(r->buf);
	free(r);
}
