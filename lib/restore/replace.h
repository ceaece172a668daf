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

/* A command for the user to run (dropdb, psql -c ...), shell-quoted. */
#define REPLACE_COMMAND_LEN	1024

void replace_scratch_name(const char *target, long pid, char *out, size_t outlen);
void replace_old_name(const char *target, long pid, char *out, size_t outlen);
void replace_kept_name(const char *target, time_t when, char *out, size_t outlen);

/* Whether database name exists: 1 (and *allowconn, may be NULL, gets its
 * datallowconn), 0, or -1 with err set. */
int replace_db_state(PGconn *maint, const char *name, int *allowconn, char *err,
    size_t errlen);

/* What interrupted runs left for target: scratch databases and replaced
 * databases not yet dropped (names with a pid), whether target refuses
 * connections, each with the command that clears it when running that
 * command is safe (a scratch database beside the target it never
 * replaced: dropdb; a replaced one: dropdb when target holds the restored
 * data, else a rename back; target blocked: allow connections).  Returns
 * 0, or -1 with err set. */
struct replace_leftovers {
	char	 scratch[4][64];
	char	 scratch_command[4][REPLACE_COMMAND_LEN];	/* "" when none is safe */
	int	 nscratch;		/* may be more than the names kept */
	char	 old[4][64];
	char	 old_command[4][REPLACE_COMMAND_LEN];
	int	 nold;
	int	 target_exists;
	int	 target_blocked;	/* datallowconn = false */
	char	 blocked_command[REPLACE_COMMAND_LEN];
};
int replace_leftovers(PGconn *maint, const char *target, struct replace_leftovers *,
    char *err, size_t errlen);
/* The leftovers in words, one warning a call ("warning: ..." without the
 * program's name): i from 0 until it returns NULL. */
const char *replace_leftovers_line(const struct replace_leftovers *, const char *target,
    int i, char *buf, size_t len);

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

/* The owner of database name into out ("" when it does not exist).
 * Returns 0 or -1. */
int replace_db_owner(PGconn *maint, const char *name, char *out, size_t outlen,
    char *err, size_t errlen);

/* The replace protocol of --clean and --test, conducted on maint, with
 * target's lock held (replace_lock) and the restore's role chosen.  A
 * scratch database is created (owned by owner), opts->load restores into
 * it (the row-count proof included), then with --clean it is sealed, given
 * what belongs to target's database and swapped into target's place, and
 * the old database dropped (or kept: keep_old); with --test it is dropped.
 * At no instant is target's name without complete data.  On a failure,
 * anywhere, replace_run looks where the data is, drops the scratch
 * database when it is no one's only copy, and says so in the outcome. */
struct replace_opts {
	const char	*target;
	int		 exists;	/* target exists */
	int		 test;		/* --test: else --clean */
	int		 keep_old;	/* --keep-old */
	const char	*owner;		/* the scratch database's owner, or ""/NULL */
	long		 pid;		/* names the scratch and replaced databases */
	time_t		 now;		/* names the kept one */
	/* Restore into the scratch database on conn (to it, with maint's
	 * settings).  Returns 0, or an exit status, having said why. */
	int		(*load)(void *arg, PGconn *conn);
	/* The scratch database is created, before load (may be NULL). */
	void		(*created)(void *arg, const char *scratch);
	/* From sealing to the swap's commit (may be NULL): a stop (a signal)
	 * cancels maint's running statement while conn is maint, never once
	 * it is NULL (the drops after the swap or a failure); returns whether
	 * a stop was asked: then nothing more is done before the commit. */
	int		(*stop)(void *arg, PGconn *conn);
	void		*arg;
};

/* Where the data is when replace_run returns. */
enum replace_state {
	REPLACE_NOT_STARTED,	/* no scratch database could be created: error says
				 * why; nothing was done */
	REPLACE_TESTED,		/* --test: restored and proved, scratch dropped */
	REPLACE_REPLACED,	/* target holds the restored data; the old one dropped
				 * (none when target did not exist) */
	REPLACE_KEPT_OLD,	/* and the old one kept as aside (--keep-old) */
	REPLACE_UNTOUCHED,	/* failed: target is as it was */
	REPLACE_NOT_CREATED,	/* failed: target did not exist, and still does not */
	REPLACE_OLD_ASIDE,	/* failed after the rename: aside holds target's old
				 * data (command renames it back when target does not
				 * exist) */
	REPLACE_BLOCKED,	/* failed: target holds its old data but refuses
				 * connections (command allows them) */
	REPLACE_UNCLEAR,	/* failed: none of the above; target_exists says */
	REPLACE_UNKNOWN,	/* failed, and where the data is could not be looked
				 * up: why says why */
	REPLACE_LOST		/* failed, and the maintenance connection is lost:
				 * target holds old or new data, never neither */
};

struct replace_outcome {
	enum replace_state state;
	int		 status;	/* the exit status: 0 when target holds the
					 * restored data or the test passed */
	int		 late;		/* REPLACED: the swap committed after all,
					 * though a step reported a failure */
	int		 target_exists;
	int		 sealed;	/* the scratch database was sealed */
	int		 scratch_ended;	/* sessions on it the seal ended */
	int		 ended;		/* sessions on target the swap ended */
	char		 scratch[64], aside[64];
	char		 error[2048];	/* the step of cr's that failed ("" when
					 * none, or when load said it) */
	const char	*hint;		/* and what to check, or NULL */
	char		 why[512];	/* UNKNOWN, LOST: why nobody looked */
	char		 command[REPLACE_COMMAND_LEN];	/* for state, "" when none */
	/* A database replace_run could not drop: the old one after a
	 * replace, the scratch one after a test or a failure. */
	char		 left[64], left_error[512], left_command[REPLACE_COMMAND_LEN];
};

void replace_run(PGconn *maint, const struct replace_opts *, struct replace_outcome *);
/* The outcome in words, the lines cr-restore says (without the program's
 * name), one a call: the failed step of cr's, a scratch copy it could not
 * drop, where the data is with the command to run.  i from 0 until it
 * returns NULL. */
const char *replace_outcome_line(const struct replace_outcome *, const char *target, int i,
    char *buf, size_t len);

#endif
