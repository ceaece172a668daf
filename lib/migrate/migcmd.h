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
#include <stdio.h>
#include <libpq-fe.h>

#include "migrate/migrate.h"
#include "migrate/migtrack.h"
#include "pg/pgconn.h"

enum migcmd_line {
	MIGCMD_SAY,	/* progress the app's developers know ("Running migration: x"); -q silences */
	MIGCMD_WARN,	/* a warning or note on stderr; -q silences */
	MIGCMD_INFO,	/* with -v only: durations, counts */
	MIGCMD_ERROR	/* why the command failed; always shown */
};

/* What the command line said; NULL where it said nothing. */
struct migcmd_config {
	const struct pgconn_opts *conn;
	const char		*dir;		/* --dir */
	const char		*table;		/* --table */
	const char		*json_list;	/* --json-list */
};

struct migcmd {
	/* set by the caller */
	int			 dry_run, wait, quiet, verbose;
	void			(*line)(void *arg, enum migcmd_line, const char *text);
	void			*arg;
	PGconn			*conn;		/* after migcmd_open, before a command */

	/* made by migcmd_open */
	struct migtrack		*track;
	struct migrate_set	 set;
	const char		*dir;		/* the migrations directory */
	char			 invocation[4096]; /* "cr-migrate ..." to paste in a hint */

	/* results, for the caller's --json; freed by migcmd_free */
	struct migrate_plan	 plan;		/* what status, verify and up read */
	const struct migration	**ran;		/* up: the migrations it ran, in order */
	size_t			 nran;
	int64_t			 newest;	/* up: the newest applied after it, or -1 */

	/* private */
	struct migrate_applied	*applied;
	size_t			 napplied;
	int			 have_plan, have_set;
	const char		*running;	/* the file whose notices arrive now */
};

/* Before connecting: the settings (each the option, else the
 * environment, else the env file params read: CR_MIGRATIONS_DIR, default
 * "migrations", and CR_MIGRATIONS_JSON_LIST), the migrations directory
 * read, the tracking named, and the files never run named in warnings.
 * Returns 0, or the exit status after an ERROR line. */
int migcmd_open(struct migcmd *, const struct migcmd_config *,
    const struct pgconn_params *);

/* Once m->conn is set: its notices go to the callback (a migration's
 * WARNINGs always, its NOTICEs with verbose, never cr's own). */
void migcmd_init(struct migcmd *);

int migcmd_status(struct migcmd *);	/* reads the plan; warns of an unreadable history */
int migcmd_verify(struct migcmd *);	/* EX_DATAERR when an applied file changed or went */
int migcmd_up(struct migcmd *);
int migcmd_baseline(struct migcmd *, const char *version);

/* After status or up: its object for --json (docs/json.md, "migrate"),
 * on one line of fp.  Returns 0, or -1 on a write error. */
int migcmd_json(const struct migcmd *, FILE *fp);

/* All but the connection, which is the caller's. */
void migcmd_free(struct migcmd *);

#endif
