/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumprun: find a pg_dump that can dump the server, run it without a shell
 * with the password in an unlinked passfile (never in argv or on disk by
 * name), tied to our life, and pump its stdout and stderr to the caller;
 * before it, check the role's privileges in SQL; after it, tell from its
 * words why it failed.  Nothing prints. */
#ifndef CR_DUMPRUN_H
#define CR_DUMPRUN_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <libpq-fe.h>

#include "pg/pgexec.h"

/* Find pg_dump in two steps, so that `pg_dump --version` runs while the
 * caller connects.  Start probes the first candidate: 'override' (CR_PG_DUMP)
 * when not NULL, else pg_dump on PATH, else the newest
 * /usr/lib/postgresql/N/bin/pg_dump (never NULL but when out of memory).
 * Finish, once the server version is known (server_major is
 * PQserverVersion() / 100: 1500 for 15.x, 906 for 9.6.x), falls back to the
 * newest installed pg_dump when the first is older than the server, and
 * fills path and version (first line of `pg_dump --version`); returns 0, or
 * -1 with a one-line reason in err.  Then free. */
struct dumprun_probe;
struct dumprun_probe *dumprun_probe_start(const char *override);
int dumprun_probe_finish(struct dumprun_probe *, int server_major, char *path,
    size_t pathlen, char *version, size_t versionlen, char *err, size_t errlen);
void dumprun_probe_free(struct dumprun_probe *);

/* A conninfo string that reaches the same server, database and role as
 * conn, with every setting the connection used except the password.
 * Returns a malloc'd string, or NULL when out of memory. */
char *dumprun_conninfo(PGconn *conn);

/* Before pg_dump starts: can the connected role read every table (and,
 * unless schema_only, every sequence and every row under row-level
 * security) that a whole-database dump reads?  Returns 0 when it can, 1
 * with a one-line problem in err and the fix in hint, -1 when the check
 * itself failed (e->message, and e->sqlstate to classify it by). */
int dumprun_precheck(PGconn *conn, int schema_only, char *err, size_t errlen,
    char *hint, size_t hintlen, struct pgexec_error *e);

struct dumprun;

/* Why pg_dump failed, judged by the end of what it wrote to stderr (its
 * last 2 KiB, kept by dumprun_pump).  role (quoted) goes into the hint,
 * which is "" when there is none.  pg_dump is another program: its
 * failures reach us as text only, never as a SQLSTATE, so this recognises
 * English words: the server's (its lc_messages) and pg_dump's and libpq's
 * (the locale pg_dump runs in).  In another language the answer is
 * DUMPRUN_FAILED; a whole-database dump's privileges are checked first by
 * dumprun_precheck, in SQL, which does not depend on any language. */
enum dumprun_failure {
	DUMPRUN_FAILED,			/* anything else */
	DUMPRUN_FAILED_PRIVILEGE,	/* a privilege or row-level security */
	DUMPRUN_FAILED_CONNECTION	/* the server went away */
};
enum dumprun_failure dumprun_failure(const struct dumprun *, const char *role,
    char *hint, size_t hintlen);

/* Start path with argv (argv[0] included) and stdin from /dev/null.  When
 * password is not NULL it is written to a 0600 file that has no name (a
 * memfd, or a temporary file unlinked at once), inherited by the child as
 * descriptor N and named to it as PGPASSFILE=/dev/fd/N; PGPASSWORD is
 * removed from the child's environment.  The child gets SIGKILL when we
 * die (PR_SET_PDEATHSIG), so a kill -9 leaves neither pg_dump nor the
 * password behind.  Returns NULL with a reason in err. */
struct dumprun *dumprun_start(const char *path, char *const argv[],
    const char *password, char *err, size_t errlen);

struct dumprun_io {
	/* pg_dump's stdout, in order.  Returns 0, or -1 (errno set) to stop. */
	int	(*data)(void *arg, const void *buf, size_t len);
	/* pg_dump's stderr, in order. */
	void	(*diag)(void *arg, const char *buf, size_t len);
	/* Called about once a second while data flows. */
	void	(*tick)(void *arg);
	void	*arg;
	/* When it becomes non-zero (a signal handler sets it) the pump stops
	 * with errno EINTR. */
	volatile sig_atomic_t *stop;
};

/* Move data until pg_dump closes both outputs.  Returns 0, or -1 with
 * errno when data() failed, the stop flag was set, or poll/read failed. */
int dumprun_pump(struct dumprun *, const struct dumprun_io *);

/* Send sig to pg_dump (if still running). */
void dumprun_kill(struct dumprun *, int sig);


/* Reap pg_dump, close the passfile, and return its wait(2) status, or -1
 * with errno. */
int dumprun_wait(struct dumprun *);

/* Kill (SIGKILL) and reap a still running pg_dump, close the passfile, free. */
void dumprun_free(struct dumprun *);

#endif
