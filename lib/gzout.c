/* gzout: parallel gzip writer (see gzout.h).  The caller's thread fills
 * blocks, worker threads deflate them, one writer thread emits them in order. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "gzout.h"
#include "io.h"

#define DICT	32768		/* deflate window: what a block may refer back to */

struct job {
	struct job *next;		/* free list or work queue */
	uint64_t seq;			/* position in the output */
	unsigned char *in;		/* DICT bytes of dictionary, then the block */
	size_t dictlen, inlen;
	unsigned char *out;
	size_t outlen, outcap;
	uint32_t crc;			/* CRC-32 of the block alone */
	int last;
};

struct worker {
	struct gzout *g;
	z_stream strm;
	pthread_t thread;
};

struct gzout {
	int fd, level;
	pthread_mutex_t lock;
	pthread_cond_t work_cond;	/* workers: a job is queued, or stop */
	pthread_cond_t done_cond;	/* writer: a job is compressed, or stop */
	pthread_cond_t free_cond;	/* caller: a job is free, finished, or stop */
	struct job *jobs;
	size_t njobs;
	struct job *free_list;
	struct job *queue_head, *queue_tail;
	struct job **done;		/* compressed jobs, slot seq % njobs */
	uint64_t seq_next;		/* next seq to hand out (caller) */
	uint64_t seq_write;		/* next seq to write (writer) */
	struct job *cur;		/* block being filled by the caller */
	struct job *spare;		/* next block, dictionary already copied */
	struct worker *workers;
	int nworkers;
	pthread_t writer;
	int writer_started;
	int stop;			/* threads must return */
	int finished;			/* the trailer is written */
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
	pthread_cond_broadcast(&g->work_cond);
	pthread_cond_broadcast(&g->done_cond);
	pthread_cond_broadcast(&g->free_cond);
}

/* Deflate one block as raw deflate ending on a byte boundary: Z_SYNC_FLUSH,
 * or Z_FINISH for the last.  The bytes depend only on the dictionary, the
 * block and the level, never on which thread ran it. */
static int
compress_job(z_stream *s, struct job *j)
{
	unsigned char *bigger;
	int flush = j->last ? Z_FINISH : Z_SYNC_FLUSH, ret;

	if (deflateReset(s) != Z_OK)
		return -1;
	if (j->dictlen > 0 &&
	    deflateSetDictionary(s, j->in + DICT - j->dictlen, (uInt)j->dictlen) != Z_OK)
		return -1;
	s->next_in = j->in + DICT;
	s->avail_in = (uInt)j->inlen;
	j->outlen = 0;
	for (;;) {
		s->next_out = j->out + j->outlen;
		s->avail_out = (uInt)(j->outcap - j->outlen);
		ret = deflate(s, flush);
		j->outlen = j->outcap - s->avail_out;
		if (ret == Z_STREAM_ERROR)
			return -1;
		if (flush == Z_FINISH ? ret == Z_STREAM_END : s->avail_out > 0)
			break;
		/* deflateBound makes this unreachable; stay correct anyway */
		if ((bigger = realloc(j->out, j->outcap * 2)) == NULL)
			return -1;
		j->out = bigger;
		j->outcap *= 2;
	}
	j->crc = (uint32_t)crc32(0, j->in + DICT, (uInt)j->inlen);
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct gzout *g = w->g;
	struct job *j;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!g->stop && g->queue_head == NULL)
			pthread_cond_wait(&g->work_cond, &g->lock);
		if (g->stop)
			break;
		j = g->queue_head;
		if ((g->queue_head = j->next) == NULL)
			g->queue_tail = NULL;
		pthread_mutex_unlock(&g->lock);

		if (compress_job(&w->strm, j) == -1) {
			pthread_mutex_lock(&g->lock);
			fail_locked(g, GZOUT_ENOMEM, "deflate: %s",
			    w->strm.msg ? w->strm.msg : "out of memory");
			break;
		}

		pthread_mutex_lock(&g->lock);
		g->done[j->seq % g->njobs] = j;
		if (j->seq == g->seq_write)
			pthread_cond_signal(&g->done_cond);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static void
put32le(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static void *
writer_main(void *arg)
{
	struct gzout *g = arg;
	struct job *j;
	unsigned char trailer[8];
	/* RFC 1952 header: no name, MTIME 0, OS 3 (Unix), so the bytes depend
	 * on the input alone.  XFL 2 = best compression, 4 = fastest. */
	unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
	    g->level == 9 ? 2 : g->level == 1 ? 4 : 0, 3 };
	uint32_t crc = 0;
	uint64_t total = 0;
	int last, rc;

	rc = io_write_all(g->fd, header, sizeof(header));
	pthread_mutex_lock(&g->lock);
	if (rc == -1)
		fail_locked(g, GZOUT_EWRITE, "write: %s", strerror(errno));
	for (;;) {
		while (!g->stop && g->done[g->seq_write % g->njobs] == NULL)
			pthread_cond_wait(&g->done_cond, &g->lock);
		if (g->stop)
			break;
		j = g->done[g->seq_write % g->njobs];
		g->done[g->seq_write % g->njobs] = NULL;
		pthread_mutex_unlock(&g->lock);

		rc = io_write_all(g->fd, j->out, j->outlen);
		crc = (uint32_t)crc32_combine(crc, j->crc, (z_off_t)j->inlen);
		total += j->inlen;
		if ((last = j->last) && rc == 0) {
			/* RFC 1952: CRC-32, then ISIZE = length mod 2^32, LSB first */
			put32le(trailer, crc);
			put32le(trailer + 4, (uint32_t)total);
			rc = io_write_all(g->fd, trailer, sizeof(trailer));
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

struct gzout *
gzout_new(int fd, int level, int threads)
{
	struct gzout *g;
	size_t i, outcap;
	int n, rc;

	if (level < 1 || level > 9) {
		errno = EINVAL;
		return NULL;
	}
	if (threads < 1)
		threads = 1;
	if (threads > GZOUT_MAX_THREADS)
		threads = GZOUT_MAX_THREADS;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->fd = fd;
	g->level = level;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->work_cond, NULL);
	pthread_cond_init(&g->done_cond, NULL);
	pthread_cond_init(&g->free_cond, NULL);

	/* One job per worker, one being filled, one spare, one being written,
	 * and a few to absorb blocks finishing out of order. */
	g->njobs = (size_t)threads + (size_t)(threads < 8 ? threads : 8) + 3;
	/* deflateBound for a raw stream, plus room for the sync flush marker */
	outcap = GZOUT_BLOCK + (GZOUT_BLOCK >> 12) + (GZOUT_BLOCK >> 14) + 64;
	if ((g->jobs = calloc(g->njobs, sizeof(*g->jobs))) == NULL ||
	    (g->done = calloc(g->njobs, sizeof(*g->done))) == NULL ||
	    (g->workers = calloc((size_t)threads, sizeof(*g->workers))) == NULL)
		goto fail;
	for (i = 0; i < g->njobs; i++) {
		if ((g->jobs[i].in = malloc(DICT + GZOUT_BLOCK)) == NULL ||
		    (g->jobs[i].out = malloc(outcap)) == NULL)
			goto fail;
		g->jobs[i].outcap = outcap;
		g->jobs[i].next = g->free_list;
		g->free_list = &g->jobs[i];
	}
	for (n = 0; n < threads; n++) {
		g->workers[n].g = g;
		/* raw deflate (-15): gzout writes the gzip header and trailer */
		if (deflateInit2(&g->workers[n].strm, level, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK) {
			errno = ENOMEM;
			goto fail;
		}
		if ((rc = pthread_create(&g->workers[n].thread, NULL, worker_main,
		    &g->workers[n])) != 0) {
			deflateEnd(&g->workers[n].strm);
			if (n > 0)
				break;	/* fewer workers: same output, slower */
			errno = rc;
			goto fail;
		}
		g->nworkers++;
	}
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
		j->dictlen = j->inlen = 0;
	return j;
}

static void
submit(struct gzout *g, struct job *j, int last)
{
	j->seq = g->seq_next++;
	j->last = last;
	j->next = NULL;
	pthread_mutex_lock(&g->lock);
	if (g->queue_tail != NULL)
		g->queue_tail->next = j;
	else
		g->queue_head = j;
	g->queue_tail = j;
	pthread_cond_signal(&g->work_cond);
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

/* The block to append to, or NULL once the stream failed.  A full block
 * is only submitted here, when more input is known to follow, so the last
 * block is never empty (unless the whole input is). */
static struct job *
block_with_room(struct gzout *g, int more_follows)
{
	if (g->cur == NULL)
		return g->cur = get_job(g);
	if (g->cur->inlen < GZOUT_BLOCK)
		return g->cur;
	if (g->spare == NULL) {
		if ((g->spare = get_job(g)) == NULL)
			return NULL;
		memcpy(g->spare->in, g->cur->in + GZOUT_BLOCK, DICT);
		g->spare->dictlen = DICT;
	}
	if (!more_follows)
		return g->spare;
	submit(g, g->cur, 0);
	g->cur = g->spare;
	g->spare = NULL;
	return g->cur;
}

int
gzout_write(struct gzout *g, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	struct job *j;
	size_t n;

	if (failed(g))
		return -1;
	while (len > 0) {
		if ((j = block_with_room(g, 1)) == NULL)
			return -1;
		n = GZOUT_BLOCK - j->inlen;
		if (n > len)
			n = len;
		memcpy(j->in + DICT + j->inlen, p, n);
		j->inlen += n;
		p += n;
		len -= n;
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
	/* A full current block is submitted only once this read gives data. */
	if ((j = block_with_room(g, 0)) == NULL)
		return -1;
	do
		n = read(fd, j->in + DICT + j->inlen, GZOUT_BLOCK - j->inlen);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		pthread_mutex_lock(&g->lock);
		fail_locked(g, GZOUT_EREAD, "read: %s", strerror(errno));
		pthread_mutex_unlock(&g->lock);
		return -1;
	}
	if (n > 0 && j == g->spare && block_with_room(g, 1) == NULL)
		return -1;
	j->inlen += (size_t)n;
	return n;
}

int
gzout_finish(struct gzout *g)
{
	int rc;

	if (g->submitted_last || failed(g))
		return -1;
	if (g->cur == NULL && (g->cur = get_job(g)) == NULL)
		return -1;
	submit(g, g->cur, 1);
	g->submitted_last = 1;
	g->cur = NULL;
	pthread_mutex_lock(&g->lock);
	if (g->spare != NULL) {
		g->spare->next = g->free_list;
		g->free_list = g->spare;
		g->spare = NULL;
	}
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
	pthread_cond_broadcast(&g->work_cond);
	pthread_cond_broadcast(&g->done_cond);
	pthread_mutex_unlock(&g->lock);
	for (n = 0; n < g->nworkers; n++) {
		pthread_join(g->workers[n].thread, NULL);
		deflateEnd(&g->workers[n].strm);
	}
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
	pthread_cond_destroy(&g->work_cond);
	pthread_cond_destroy(&g->done_cond);
	pthread_cond_destroy(&g->free_cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
