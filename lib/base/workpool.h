/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* workpool: N worker threads taking items from a FIFO queue, under the
 * owner's mutex.  The owner keeps its items (so the number in flight, and
 * the memory, stay bounded by what it allocated) and puts results back in
 * order itself: gzin's ring, gzout's writer. */
#ifndef CR_WORKPOOL_H
#define CR_WORKPOOL_H

#include <pthread.h>

/* Embedded in each item the owner queues. */
struct workpool_item {
	struct workpool_item *next;
};

/* run: the work, outside the lock, on the worker's own ctx; returns 0 or
 * -1.  done: with the owner's lock held, after run, with its result. */
typedef int (*workpool_run_fn)(void *ctx, struct workpool_item *);
typedef void (*workpool_done_fn)(void *owner, struct workpool_item *, int rc);

struct workpool_thread;

struct workpool {
	pthread_mutex_t		*lock;		/* the owner's */
	const int		*stop;		/* the owner's: workers return */
	pthread_cond_t		 cond;		/* an item is queued, or stop */
	struct workpool_item	*head, *tail;
	workpool_run_fn		 run;
	workpool_done_fn	 done;
	void			*owner;
	struct workpool_thread	*threads;
	int			 nthreads;	/* running */
	int			 started;
};

/* Start up to n workers, worker i on ctx[i].  Fewer start when threads
 * cannot be had (same results, slower).  Returns 0, or -1 with errno when
 * none started.  Call workpool_join even then. */
int workpool_start(struct workpool *, pthread_mutex_t *lock, const int *stop,
    int n, void *const ctx[], workpool_run_fn, workpool_done_fn, void *owner);

/* Queue an item and wake a worker; the owner's lock held. */
void workpool_push(struct workpool *, struct workpool_item *);

/* The owner set *stop: wake every worker; the owner's lock held. */
void workpool_wake(struct workpool *);

/* Wait for the workers to return (after stop) and free the pool. */
void workpool_join(struct workpool *);

#endif
