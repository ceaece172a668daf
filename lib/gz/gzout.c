/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzout: parallel gzip writer (see gzout.h).  The caller's thread fills
 * blocks and cuts them where the content says, worker threads compress them
 * into members, one writer thread emits them in order and ends the stream
 * with the end member. */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "gz/gzout.h"
#include "base/io.h"
#include "base/workpool.h"


/* Content-defined cuts (FastCDC's normalized chunking, docs/stream-format.md):
 * a gear hash of the input, h = (h << 1) + gear[byte], whose top bits depend
 * on the last 64 bytes alone; a block ends after a byte where the bits of the
 * mask are all zero.  Before GZOUT_BLOCK_NORMAL the mask has more bits (a
 * cut is rarer), after it fewer, so sizes bunch around the normal size and
 * hardly any block reaches GZOUT_BLOCK, where it is cut whatever the content. */
#define GEAR_WINDOW	64
#define MASK_BEFORE	(~UINT64_C(0) << (64 - 20))	/* 1 in 1 MiB */
#define MASK_AFTER	(~UINT64_C(0) << (64 - 16))	/* 1 in 64 KiB */
#define GEAR_SEED	UINT64_C(0x63722d677a2d3031)	/* "cr-gz-01" */
#define READ_MAX	(256 * 1024)	/* less to move when a block is cut */

struct job {
	struct workpool_item item;	/* the workers' queue */
	struct job *next;		/* free list */
	uint64_t seq;			/* position in the output */
	uint32_t link;			/* LINK: the previous block's last bytes */
	unsigned char *in;		/* the block */
	size_t inlen;
	unsigned char *out;		/* the whole member */
	size_t outlen;
	uint32_t crc;			/* CRC-32 of the block alone */
	int last;			/* no data: the writer ends the stream */
};

struct worker {
	struct gzout *g;
	struct libdeflate_compressor *compressor;
};

struct gzout {
	int fd, level;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;	/* writer: a job is compressed, or stop */
	pthread_cond_t free_cond;	/* caller: a job is free, finished, or stop */
	struct job *jobs;
	size_t njobs;
	struct job *free_list;
	struct workpool pool;		/* compresses queued jobs */
	struct job **done;		/* compressed jobs, slot seq % njobs */
	uint64_t seq_next;		/* next seq to hand out (caller) */
	uint64_t seq_write;		/* next seq to write (writer) */
	struct job *cur;		/* block being filled by the caller */
	size_t scan;			/* cur->in up to here is hashed into gear_hash */
	uint64_t gear_hash;
	uint32_t link;			/* LINK for the next block (0: first) */
	uint64_t gear[256];
	struct worker *workers;
	int threads;			/* workers allocated */
	pthread_t writer;
	int writer_started;
	int stop;			/* threads must return */
	int finished;			/* the end member is written */
	int submitted_last;
	enum gzout_errkind kind;
	char errbuf[160];
};

/* Record the first error and stop everything; lock held. */
static void
fail_locked(struct gzout *g, enum gzout_errkind kind, const char *fmt, ...)
{
	va_list ap;

	if (g->kind == GZOUT_ENONE) {
		g->kind = kind;
		va_start(ap, fmt);
		vsnprintf(g->errbuf, sizeof(g->errbuf), fmt, ap);
		va_end(ap);
	}
	g->stop = 1;
	workpool_wake(&g->pool);
	pthread_cond_broadcast(&g->done_cond);
	pthread_cond_broadcast(&g->free_cond);
}

/* One block into one member.  The bytes depend only on the block, the end
 * of the block before and the level, never on which thread ran it. */
static int
compress_job(struct worker *w, struct job *j)
{
	size_t n;

	n = libdeflate_deflate_compress(w->compressor, j->in, j->inlen,
	    j->out + GZ_DATA_HEADER, GZ_MEMBER_MAX - GZ_DATA_HEADER - GZ_TRAILER);
	if (n == 0)		/* GZ_MEMBER_MAX exceeds the bound: unreachable */
		return -1;
	j->outlen = GZ_DATA_HEADER + n + GZ_TRAILER;
	j->crc = (uint32_t)libdeflate_crc32(0, j->in, j->inlen);
	gzfmt_put_data_header(j->out, w->g->level, (uint32_t)j->outlen, j->link);
	gzfmt_put_trailer(j->out + GZ_DATA_HEADER + n, j->crc, j->inlen);
	return 0;
}

#define JOB(it)	((struct job *)(void *)((char *)(it) - offsetof(struct job, item)))

/* A worker's job (lib/workpool): the end member has nothing to compress. */
static int
run_job(void *ctx, struct workpool_item *it)
{
	struct job *j = JOB(it);

	return j->last ? 0 : compress_job(ctx, j);
}

/* Lock held: the job goes to its slot for the writer. */
static void
job_done(void *owner, struct workpool_item *it, int rc)
{
	struct gzout *g = owner;
	struct job *j = JOB(it);

	if (rc == -1) {
		fail_locked(g, GZOUT_ENOMEM, "libdeflate: output larger than its bound");
		return;
	}
	g->done[j->seq % g->njobs] = j;
	if (j->seq == g->seq_write)
		pthread_cond_signal(&g->done_cond);
}

/* The end member (docs/stream-format.md): no data, and in its subfield the
 * link to the last data member, the count of data members and the length and
 * CRC-32 of everything before it, so a reader knows that no member was lost,
 * repeated or moved and the stream not cut. */
static int
write_end(struct gzout *g, const struct job *j, uint64_t total, uint32_t crc)
{
	unsigned char m[GZ_END_MEMBER];

	gzfmt_put_end_member(m, g->level, j->link, j->seq, total, crc);
	return io_write_all(g->fd, m, sizeof(m));
}

static void *
writer_main(void *arg)
{
	struct gzout *g = arg;
	struct job *j;
	uint32_t crc = 0;
	uint64_t total = 0;
	int last, rc;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!g->stop && g->done[g->seq_write % g->njobs] == NULL)
			pthread_cond_wait(&g->done_cond, &g->lock);
		if (g->stop)
			break;
		j = g->done[g->seq_write % g->njobs];
		g->done[g->seq_write % g->njobs] = NULL;
		pthread_mutex_unlock(&g->lock);

		if ((last = j->last))
			rc = write_end(g, j, total, crc);
		else {
			rc = io_write_all(g->fd, j->out, j->outlen);
			crc = (uint32_t)crc32_combine(crc, j->crc, (z_off_t)j->inlen);
			total += j->inlen;
		}

		pthread_mutex_lock(&g->lock);
		if (rc == -1) {
			fail_locked(g, GZOUT_EWRITE, "write: %s", strerror(errno));
			break;
		}
		g->seq_write++;
		j->next = g->free_list;
		g->free_list = j;
		if (last) {
			g->finished = 1;
			pthread_cond_broadcast(&g->free_cond);
			break;
		}
		pthread_cond_signal(&g->free_cond);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* The gear table: splitmix64 from a fixed seed.  Part of what makes the
 * output what it is: changing it moves every cut. */
static void
gear_table(uint64_t gear[256])
{
	uint64_t x = GEAR_SEED, z;
	int i;

	for (i = 0; i < 256; i++) {
		z = (x += UINT64_C(0x9e3779b97f4a7c15));
		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		gear[i] = z ^ (z >> 31);
	}
}

struct gzout *
gzout_new(int fd, int level, int threads)
{
	struct gzout *g;
	void *ctx[GZOUT_MAX_THREADS];
	size_t i;
	int n, rc;

	if (level < 1 || level > GZOUT_LEVEL_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if (threads < 1)
		threads = 1;
	if (threads > GZOUT_MAX_THREADS)
		threads = GZOUT_MAX_THREADS;
	if (level >= 10 && threads > GZOUT_MAX_THREADS_SLOW)
		threads = GZOUT_MAX_THREADS_SLOW;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->fd = fd;
	g->level = level;
	gear_table(g->gear);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->done_cond, NULL);
	pthread_cond_init(&g->free_cond, NULL);

	/* One job per worker, one being filled, one being written, one spare
	 * for a block finishing out of order. */
	g->njobs = (size_t)threads + 3;
	if ((g->jobs = calloc(g->njobs, sizeof(*g->jobs))) == NULL ||
	    (g->done = calloc(g->njobs, sizeof(*g->done))) == NULL ||
	    (g->workers = calloc((size_t)threads, sizeof(*g->workers))) == NULL)
		goto fail;
	g->threads = threads;
	for (i = 0; i < g->njobs; i++) {
		if ((g->jobs[i].in = malloc(GZOUT_BLOCK)) == NULL ||
		    (g->jobs[i].out = malloc(GZ_MEMBER_MAX)) == NULL)
			goto fail;
		g->jobs[i].next = g->free_list;
		g->free_list = &g->jobs[i];
	}
	/* libdeflate picks its CPU-specific CRC-32 on the first call: make that
	 * call here, not racing on the workers */
	(void)libdeflate_crc32(0, "", 0);
	for (n = 0; n < threads; n++) {
		g->workers[n].g = g;
		if ((g->workers[n].compressor = libdeflate_alloc_compressor(level)) == NULL) {
			errno = ENOMEM;
			goto fail;
		}
		ctx[n] = &g->workers[n];
	}
	if (workpool_start(&g->pool, &g->lock, &g->stop, threads, ctx, run_job,
	    job_done, g) == -1)
		goto fail;
	if ((rc = pthread_create(&g->writer, NULL, writer_main, g)) != 0) {
		errno = rc;
		goto fail;
	}
	g->writer_started = 1;
	return g;
fail:
	rc = errno;
	gzout_free(g);
	errno = rc;
	return NULL;
}

/* A free job, waiting for the writer if need be; NULL once the stream failed. */
static struct job *
get_job(struct gzout *g)
{
	struct job *j;

	pthread_mutex_lock(&g->lock);
	while (!g->stop && g->free_list == NULL)
		pthread_cond_wait(&g->free_cond, &g->lock);
	if ((j = g->free_list) != NULL && !g->stop)
		g->free_list = j->next;
	else
		j = NULL;
	pthread_mutex_unlock(&g->lock);
	if (j != NULL)
		j->inlen = 0;
	return j;
}

/* Queue j, linked to the block before; the next links to j's last bytes. */
static void
submit(struct gzout *g, struct job *j, int last)
{
	size_t tail;

	j->seq = g->seq_next++;
	j->last = last;
	j->link = g->link;
	if (!last) {
		tail = j->inlen < GZ_LINK_BYTES ? j->inlen : GZ_LINK_BYTES;
		g->link = (uint32_t)libdeflate_crc32(0, j->in + j->inlen - tail, tail);
	}
	pthread_mutex_lock(&g->lock);
	workpool_push(&g->pool, &j->item);
	pthread_mutex_unlock(&g->lock);
}

static int
failed(struct gzout *g)
{
	int stop;

	pthread_mutex_lock(&g->lock);
	stop = g->stop;
	pthread_mutex_unlock(&g->lock);
	return stop;
}

/* The block to append to, or NULL once the stream failed.  A block is
 * submitted as soon as it is cut: the end member follows it, so no block
 * has to know that it is the last. */
static struct job *
block_with_room(struct gzout *g)
{
	if (g->cur == NULL) {
		g->cur = get_job(g);
		g->scan = 0;
		g->gear_hash = 0;
	}
	return g->cur;
}

/* Where the current block ends: the offset after the first byte, at least
 * GZOUT_BLOCK_MIN in, where the gear hash matches its mask; GZOUT_BLOCK if
 * the block is full without one; 0 if more input is needed to tell.  The
 * hash starts GEAR_WINDOW bytes before the minimum, so at every candidate it
 * is a function of the 64 bytes before it alone, whatever the reads were. */
static size_t
find_cut(struct gzout *g, const struct job *j)
{
	const unsigned char *in = j->in;
	const uint64_t *gear = g->gear;
	uint64_t h = g->gear_hash;
	size_t i = g->scan, end;

	/* h is the hash of the bytes before in[i]; a cut at i ends the block
	 * there.  Checked at MIN <= i < NORMAL with MASK_BEFORE, from NORMAL
	 * on with MASK_AFTER. */
	if (i < GZOUT_BLOCK_MIN - GEAR_WINDOW)
		i = GZOUT_BLOCK_MIN - GEAR_WINDOW;
	for (end = j->inlen < GZOUT_BLOCK_MIN ? j->inlen : GZOUT_BLOCK_MIN; i < end; i++)
		h = (h << 1) + gear[in[i]];
	for (end = j->inlen < GZOUT_BLOCK_NORMAL ? j->inlen : GZOUT_BLOCK_NORMAL; i < end; i++) {
		if ((h & MASK_BEFORE) == 0)
			return i;
		h = (h << 1) + gear[in[i]];
	}
	for (end = j->inlen; i < end; i++) {
		if ((h & MASK_AFTER) == 0)
			return i;
		h = (h << 1) + gear[in[i]];
	}
	if (i == GZOUT_BLOCK)
		return GZOUT_BLOCK;
	g->scan = i;
	g->gear_hash = h;
	return 0;
}

/* Submit every block that the input read so far ends, the bytes after a cut
 * going on into the next block.  Returns 0, or -1 once the stream failed. */
static int
cut_blocks(struct gzout *g)
{
	struct job *j, *next;
	size_t cut;

	while ((cut = find_cut(g, j = g->cur)) != 0) {
		g->cur = NULL;
		if ((next = block_with_room(g)) == NULL) {
			g->cur = j;	/* freed with the rest by gzout_free */
			return -1;
		}
		memcpy(next->in, j->in + cut, j->inlen - cut);
		next->inlen = j->inlen - cut;
		j->inlen = cut;
		submit(g, j, 0);
	}
	return 0;
}

ssize_t
gzout_read_from(struct gzout *g, int fd)
{
	struct job *j;
	ssize_t n;

	if (failed(g))
		return -1;
	if ((j = block_with_room(g)) == NULL)
		return -1;
	n = io_read(fd, j->in + j->inlen, GZOUT_BLOCK - j->inlen < READ_MAX ?
	    GZOUT_BLOCK - j->inlen : READ_MAX);
	if (n == -1) {
		pthread_mutex_lock(&g->lock);
		fail_locked(g, GZOUT_EREAD, "read: %s", strerror(errno));
		pthread_mutex_unlock(&g->lock);
		return -1;
	}
	j->inlen += (size_t)n;
	if (cut_blocks(g) == -1)
		return -1;
	return n;
}

int
gzout_finish(struct gzout *g)
{
	struct job *end;
	int rc;

	if (g->submitted_last || failed(g))
		return -1;
	if (g->cur != NULL && g->cur->inlen > 0) {
		submit(g, g->cur, 0);
		g->cur = NULL;
	}
	if ((end = block_with_room(g)) == NULL)
		return -1;
	g->cur = NULL;
	submit(g, end, 1);
	g->submitted_last = 1;
	pthread_mutex_lock(&g->lock);
	while (!g->stop && !g->finished)
		pthread_cond_wait(&g->free_cond, &g->lock);
	rc = g->finished ? 0 : -1;
	pthread_mutex_unlock(&g->lock);
	return rc;
}

const char *
gzout_error(const struct gzout *g)
{
	return g->kind == GZOUT_ENONE ? "no error" : g->errbuf;
}

enum gzout_errkind
gzout_errkind(const struct gzout *g)
{
	return g->kind;
}

void
gzout_free(struct gzout *g)
{
	size_t i;
	int n;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	workpool_wake(&g->pool);
	pthread_cond_broadcast(&g->done_cond);
	pthread_mutex_unlock(&g->lock);
	workpool_join(&g->pool);
	if (g->workers != NULL)
		for (n = 0; n < g->threads; n++)
			libdeflate_free_compressor(g->workers[n].compressor);
	if (g->writer_started)
		pthread_join(g->writer, NULL);
	if (g->jobs != NULL)
		for (i = 0; i < g->njobs; i++) {
			free(g->jobs[i].in);
			free(g->jobs[i].out);
		}
	free(g->jobs);
	free(g->done);
	free(g->workers);
	pthread_cond_destroy(&g->done_cond);
	pthread_cond_destroy(&g->free_cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
