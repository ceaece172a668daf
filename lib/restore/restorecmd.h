/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* restorecmd: one cr-restore run, from its options on: the input (a file,
 * stdin, or an operand that names the database), the refusals the settings
 * alone decide (--clean of a database nobody named, a production env
 * file), the connection, the production guard, who the script runs as,
 * the read-through that refuses bad input before any statement runs, and
 * the restore itself: in place, or through a scratch database with the
 * replace protocol (lib/restore/replace) and its confirmation and lock;
 * a signal cancels the running statement.  Its lines go to the report's
 * stream (lib/restore/report), the --json outcome to the stream json
 * names.  It never exits: each step returns cr-restore's exit status
 * (sysexits.h), and a failure it has not said is left in error and hint
 * for the tool to say, as it says its own. */
#ifndef CR_RESTORECMD_H
#define CR_RESTORECMD_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdio.h>

#include "base/progress.h"
#include "pg/pgconn.h"
#include "restore/report.h"
#include "restore/restore.h"
#include "restore/source.h"
#include "restore/target.h"

#define RESTORECMD_MAXEXT	32
#define RESTORECMD_MAXTABLES	256

struct restorecmd {
	/* set by the caller: the options */
	int		 clean, test, yes, single, allow_prod, keep_old;
	int		 verbose;	/* -v: 1, twice: 2 */
	int		 as_login;	/* --as-login */
	enum progress_mode progress_mode;
	FILE		*json;		/* --json: the outcome object here, else NULL */
	/* --clean without --yes: prompt shown on the terminal, answer
	 * typed?  1 yes, 0 no, -1 no terminal (askpass_confirm). */
	int		(*confirm)(const char *prompt, const char *answer);
	struct restore_opts ropts;	/* role, jobs, trust_dump, data_only, ... */
	int		 salvage;	/* --salvage */
	const char	*extensions[RESTORECMD_MAXEXT];
	const char	*tables[RESTORECMD_MAXTABLES];	/* -t */
	const char	*accept[RESTORECMD_MAXTABLES];	/* --accept-rows */
	size_t		 nextensions, ntables, naccept;

	/* made by restorecmd_open */
	struct pgconn_params *params;
	struct source	 src;
	struct stat	 sb;
	struct restore_stats st;
	struct progress	 bar;
	struct report	 rep;
	double		 t0;		/* io_clock() at the start */

	/* a failure not said yet, for the tool to say */
	char		 error[2048];
	const char	*hint;		/* and what to check, or NULL */

	/* private */
	char		 owner[128];	/* the role the script runs as when
					 * none is given */
	/* --extension, then the target's extensions only a superuser could
	 * create, when the script runs as the owner in a scratch database */
	const char	*ext[RESTORECMD_MAXEXT + TARGET_MAXEXT];
};

/* The dump's input (operand: the file, "-" or NULL for stdin, or with no
 * -d a database: a URI, a conninfo string, or a name that is no file, as
 * psql's), the connection settings (copts, completed with the operand's
 * database), the refusals they alone decide, and the report and progress
 * line on err.  Returns 0, or the exit status with error set. */
int restorecmd_open(struct restorecmd *, const char *operand, struct pgconn_opts *copts,
    FILE *err);

/* The restore: with clean or test through a scratch database, else in
 * place.  Returns the exit status: 0, or having said why on the report's
 * stream, or with error set (and hint, maybe) when it has not.  With
 * salvage, what the damage took is said after it (report_salvage). */
int restorecmd_run(struct restorecmd *);

void restorecmd_free(struct restorecmd *);

#endif
