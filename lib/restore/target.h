/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* target: the database a restore goes into and who runs its script: the
 * maintenance connection of --clean and --test, the target's superuser-only
 * extensions, and whether a superuser login runs the script as the
 * database's owner.  Nothing prints: results and reasons are returned. */
#ifndef CR_RESTORE_TARGET_H
#define CR_RESTORE_TARGET_H

#include <stddef.h>

#include <libpq-fe.h>

#include "pg/pgconn.h"

#define TARGET_MAXEXT	32

/* --clean and --test: the target and a connection to another database of
 * its server (postgres, or template1 when the target is postgres). */
struct target {
	char		 name[256];	/* the target as libpq resolved it */
	int		 resolved;	/* name is known (say it with -v) */
	const char	*maintdb;
	PGconn		*maint;
	int		 exists;	/* the target exists */
	/* its extensions only a superuser could create (replace.h) */
	char		 ext[TARGET_MAXEXT][64];
	int		 next;
	/* TARGET_ECONNECT: which connection failed, and how */
	const char	*failed_db;
	enum pgconn_status failed;
};

enum target_status {
	TARGET_OK,
	TARGET_ECONNECT,	/* no connection to failed_db: err is libpq's */
	TARGET_ESYSTEM,		/* the target is a system database: refused */
	TARGET_ERROR		/* a query failed: err */
};

/* Resolve the target from params, read its superuser extensions when it
 * exists, and open t->maint (the caller PQfinish()es it; also on a
 * failure after it opened). */
enum target_status target_open(const struct pgconn_params *, struct target *t, char *err,
    size_t errlen);

/* Who the script runs as.  A superuser login never runs the dump's code
 * (nor the functions that CHECK constraints, defaults, index expressions
 * and triggers call) with its own rights unless --as-login says so: it
 * runs as --role, else as owner, the database's owner.  conn is any
 * connection with the login's rights.  Returns 1 when the script runs as
 * owner (why says so, for -v), 0 when as the login. */
int target_runs_as_owner(PGconn *conn, const char *owner, char *why, size_t len);

/* Whether conn's login is a superuser. */
int target_superuser(PGconn *conn);

/* The owner a --clean or --test scratch database gets, into owner: the
 * replacement is the same database with new contents: the target's owner;
 * a new one belongs to role.  A test restore by a superuser is the
 * target's owner's too (ask_owner: no --role, no --as-login).  Returns 0,
 * or -1 with err set. */
int target_scratch_owner(const struct target *t, int clean, int ask_owner, const char *role,
    char *owner, size_t len, char *err, size_t errlen);

#endif
