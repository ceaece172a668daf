/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migcmd: cr-migrate's four commands over one connection: status, verify,
 * up and baseline.  Which checks come first (the lock, a history that can
 * be read, migrations that cannot run refused before any runs), what runs
 * and is recorded, and what the user is told at each step.  Its lines go
 * to the caller's callback; it prints nothing and never exits: each
 * command returns cr-migrate's exit status (sysexits.h). */
#ifndef CR_MIGCMD_H
#define CR_MIGCMD_H

#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "migrate/migrate.h"
#include "migrate/migtrack.h"

enum migcmd_line {
	MIGCMD_SAY,	/* progress the app's developers know ("Running migration: x"); -q silences */
	MIGCMD_WARN,	/* a warning or note on stderr; -q silences */
	MIGCMD_INFO,	/* with -v only: durations, counts */
	MIGCMD_ERROR	/* why the command failed; always shown */
};

struct migcmd {
	/* set by the caller */
	PGconn			*conn;
	struct migtrack		*track;
	const struct migrate_set *set;
	const char		*dir;		/* the migrations directory, for messages */
	const char		*invocation;	/* "cr-migrate ..." to paste in a hint */
	int			 dry_run, wait, quiet, verbose;
	void			(*line)(void *arg, enum migcmd_line, const char *text);
	void			*arg;

	/* results, for the caller's --json; freed by migcmd_free */
	struct migrate_plan	 plan;		/* what status, verify and up read */
	const struct migration	**ran;		/* up: the migrations it ran, in order */
	size_t			 nran;
	int64_t			 newest;	/* up: the newest applied after it, or -1 */

	/* private */
	struct migrate_applied	*applied;
	size_t			 napplied;
	int			 have_plan;
	const char		*running;	/* the file whose notices arrive now */
};

/* Start: the connection's notices go to the callback (a migration's
 * WARNINGs always, its NOTICEs with verbose, never cr's own). */
void migcmd_init(struct migcmd *);

int migcmd_status(struct migcmd *);	/* reads the plan; warns of an unreadable history */
int migcmd_verify(struct migcmd *);	/* EX_DATAERR when an applied file changed or went */
int migcmd_up(struct migcmd *);
int migcmd_baseline(struct migcmd *, const char *version);

void migcmd_free(struct migcmd *);

/* "osuser@host", recorded with each applied migration beside the role. */
void migcmd_client_name(char *out, size_t outlen);

#endif
