/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* replace: the server-side steps of cr-restore --clean and --test, on a
 * maintenance connection to another database of the same server.  The
 * restore goes into a scratch database; the swap puts it in the target's
 * place so that at every instant a database holds the target's name with
 * complete data (old or new).  Nothing prints: errors are returned. */
#ifndef CR_REPLACE_H
#define CR_REPLACE_H

#include <stddef.h>
#include <time.h>

#include <libpq-fe.h>

#include "pg/pgexec.h"

/* The names, each the target's name shortened (at a character boundary) so
 * the whole fits NAMEDATALEN-1 bytes:
 *   <target>_cr_restore_<pid>		the scratch database of a run
 *   <target>_cr_old_<pid>		the replaced database until it is dropped
 *   <target>_cr_old_<YYYYmmdd_HHMMSS>	the replaced database kept (--keep-old) */
#define REPLACE_SCRATCH_TAG	"_cr_restore_"
#define REPLACE_OLD_TAG		"_cr_old_"

void replace_scratch_name(const char *target, long pid, char *out, size_t outlen);
void replace_old_name(const char *target, long pid, char *out, size_t outlen);
void replace_kept_name(const char *target, time_t when, char *out, size_t outlen);

/* Whether database name exists: 1 (and *allowconn, may be NULL, gets its
 * datallowconn), 0, or -1 with err set. */
int replace_db_state(PGconn *maint, const char *name, int *allowconn, char *err,
    size_t errlen);

/* What interrupted runs left for target: scratch databases and replaced
 * databases not yet dropped (names with a pid), whether target refuses
 * connections.  Returns 0, or -1 with err set. */
struct replace_leftovers {
	char	 scratch[4][64];
	int	 nscratch;		/* may be more than the names kept */
	char	 old[4][64];
	int	 nold;
	int	 target_exists;
	int	 target_blocked;	/* datallowconn = false */
};
int replace_leftovers(PGconn *maint, const char *target, struct replace_leftovers *,
    char *err, size_t errlen);

/* Take the lock of target's replacement on the maintenance connection,
 * held until it closes: exclusive for --clean, shared for --test (which
 * never touches the target, but has a scratch database of its name that
 * no other run may take for a leftover).  Returns 1 taken, 0 held by
 * another run, -1 with err set.  The lock lives in the maintenance
 * database, the same one for every run on target. */
int replace_lock(PGconn *maint, const char *target, int shared, char *err, size_t errlen);

/* The extensions of the database conn is to that a superuser owns (the app
 * could not have created them) and that live in schema public, up to max
 * names.  A superuser's test restore or --clean creates them in the
 * scratch database first, as the login, while it is still empty, since
 * the script, run as the owner, may not.  Returns how many, or -1 with err
 * set. */
int replace_superuser_extensions(PGconn *conn, char names[][64], int max, char *err,
    size_t errlen);

/* CREATE DATABASE scratch from template0 with the encoding and locale of
 * target when it exists, owned by owner (NULL: the connecting role).
 * Returns 0, or -1 with e set (its SQLSTATE tells a missing privilege,
 * 42501, from other failures). */
int replace_scratch_create(PGconn *maint, const char *scratch, const char *target,
    const char *owner, struct pgexec_error *e);

/* The owner of database name into out ("" when it does not exist).
 * Returns 0 or -1. */
int replace_db_owner(PGconn *maint, const char *name, char *out, size_t outlen,
    char *err, size_t errlen);

/* Once loading has ended: no new connections to scratch, and the sessions
 * others opened on it ended (*ended gets how many). */
int replace_scratch_seal(PGconn *maint, const char *scratch, int *ended, char *err,
    size_t errlen);

/* Give scratch what belongs to the database rather than to its contents:
 * target's comment, settings (ALTER DATABASE ... SET, and per role in the
 * database), database-level privileges and connection limit.  The owner
 * is given at creation. */
int replace_carry(PGconn *maint, const char *target, const char *scratch, char *err,
    size_t errlen);

/* Put scratch in target's place.  When target exists: block new
 * connections to it, end its sessions (*ended gets how many), then in one
 * transaction rename it to aside and scratch to target, which accepts
 * connections; with keep, aside gets back target's datallowconn.  Nothing
 * is dropped here.  On an error the transaction is rolled back and target's
 * connections are allowed again as they were; when the connection is lost
 * the caller must look (replace_db_state) to know what happened. */
int replace_swap(PGconn *maint, const char *scratch, const char *target,
    const char *aside, int keep, int *ended, char *err, size_t errlen);

/* DROP DATABASE IF EXISTS name (ending its sessions). */
int replace_drop(PGconn *maint, const char *name, char *err, size_t errlen);

/* s quoted for a POSIX shell ('...' with '\'' for a quote), into out.
 * Returns 0, or -1 when out is too small. */
int replace_shell_quote(const char *s, char *out, size_t outlen);

#endif
