/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* workpool: worker threads on a FIFO queue (see workpool.h). */
#include <errno.h>
#include <stdlib.h>

#include "base/workpool.h"

struct workpool_thread {
	struct workpool	*pool;
	void		*ctx;
	pthread_t	 thread;
};

static void *
worker_main(void *arg)
{
	struct workpool_thread *t = arg;
	struct workpool *p = t->pool;
	struct workpool_item *it;
	int rc;

	pthread_mutex_lock(p->lock);
	for (;;) {
		while (!*p->stop && p->head == NULL)
			pthread_cond_wait(&p->cond, p->lock);
		if (*p->stop)
			break;
		it = p->head;
		if ((p->head = it->next) == NULL)
			p->tail = NULL;
		pthread_mutex_unlock(p->lock);

		rc = p->run(t->ctx, it);

		pthread_mutex_lock(p->lock);
		p->done(p->owner, it, rc);
	}
	pthread_mutex_unlock(p->lock);
	return NULL;
}

int
workpool_start(struct workpool *p, pthread_mutex_t *lock, const int *stop,
    int n, void *const ctx[], workpool_run_fn run, workpool_done_fn done, void *owner)
{
	int i, rc;

	p->lock = lock;
	p->stop = stop;
	p->head = p->tail = NULL;
	p->run = run;
	p->done = done;
	p->owner = owner;
	p->nthreads = 0;
	pthread_cond_init(&p->cond, NULL);
	p->started = 1;
	if ((p->threads = calloc((size_t)n, sizeof(*p->threads))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		p->threads[i].pool = p;
		p->threads[i].ctx = ctx[i];
		if ((rc = pthread_create(&p->threads[i].thread, NULL, worker_main,
		    &p->threads[i])) != 0) {
			if (i > 0)
				break;	/* fewer workers: same results, slower */
			errno = rc;
			return -1;
		}
		p->nthreads++;
	}
	return 0;
}

void
workpool_push(struct workpool *p, struct workpool_item *it)
{
	it->next = NULL;
	if (p->tail != NULL)
		p->tail->next = it;
	else
		p->head = it;
	p->tail = it;
	pthread_cond_signal(&p->cond);
}

void
workpool_wake(struct workpool *p)
{
	if (p->started)
		pthread_cond_broadcast(&p->cond);
}

void
workpool_join(struct workpool *p)
{
	int i;

	if (!p->started)
		return;
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i].thread, NULL);
	p->nthreads = 0;
	free(p->threads);
	p->threads = NULL;
	pthread_cond_destroy(&p->cond);
	p->started = 0;
}
