/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpjob: one cr-dump run between its command line and its exit status:
 * pg_dump's arguments and the header's record of them; the pre-flight
 * (connect, learn what the header records, find pg_dump, check the role's
 * privileges); the --connection-facts and --check lines; and the stream on
 * stdout: the header, pg_dump's bytes counted and checksummed, and the
 * trailer that only a complete dump gets.  A step that fails fills a
 * struct dumpjob_fail (the exit status, the message, a hint) for the tool
 * to print; on the stream the tool gives (stderr) go only pg_dump's own
 * messages, the progress line and -v's lines. */
#ifndef CR_DUMPJOB_H
#define CR_DUMPJOB_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "dump/dumprun.h"
#include "pg/pgconn.h"

#define DUMPJOB_MAXARGS		512

/* What the command line asks for. */
struct dumpjob {
	const char		*tool_version;	/* the header's: the tool's CR_VERSION */
	struct pgconn_opts	 copts;
	char			*argv[DUMPJOB_MAXARGS];	/* pg_dump's */
	int			 argc;
	int			 nadded;	/* dumpjob_add_arg's */
	char			*conninfo;	/* --dbname's, once started */
	char			 options[4096];	/* the header's options */
	int			 verbose, check, schema_only, data_only;
	int			 connection_facts;	/* connect, say, and stop */
	int			 selective;	/* -t -T -n -N: no whole-database check */
};

/* What the pre-flight learned. */
struct dumpjob_facts {
	PGconn		*conn;
	char		 user[256];		/* current_user */
	char		 role[600];		/* the same, quoted for a hint */
	char		 owner[256];		/* the database's (--connection-facts) */
	const char	*server_version;
	char		 pg_dump[PATH_MAX];
	char		 pg_dump_version[256];
};

/* A failed step: exit with code after printing "cr-dump: msg" and, when
 * hint is not "", "cr-dump: hint: hint"; when signal is not 0, die of that
 * signal instead of exiting. */
struct dumpjob_fail {
	int	code;
	int	signal;
	char	msg[1100];
	char	hint[1024];
};

/* The stream on stdout, and what stderr shows of it. */
struct dumpjob_out {
	uint64_t			 bytes;
	uint32_t			 crc;
	int				 last_newline;
	volatile sig_atomic_t		*stop;		/* dumpjob_catch_signals' */
	FILE				*err;		/* pg_dump's messages, -v */
	int				 verbose;
	int				 progress;	/* a progress line on err */
	int				 tty;		/* err is a terminal: redraw */
	int				 shown;		/* a line is on the screen */
	unsigned			 ticks;
	double				 started;
};

/* pg_dump with the options cr-dump always passes: plain, no owner, no
 * ACL, no password prompt; tool_version for the header (the tool's own, as
 * only the tools are rebuilt when the version changes). */
void dumpjob_init(struct dumpjob *, const char *tool_version);
/* A pg_dump option (value NULL for none), passed on and recorded in the
 * header.  Returns 0, or -1 with errno E2BIG (too many) or ENOMEM. */
int dumpjob_add_arg(struct dumpjob *, const char *opt, const char *value);
void dumpjob_free(struct dumpjob *);

/* -F format: NULL for plain (p, plain), else why it is refused. */
const char *dumpjob_format_refusal(const char *format);

/* A closed stdin or stderr would be reused by the pipes to pg_dump: they
 * get /dev/null; a closed stdout is a failure.  SIGPIPE is ignored, so a
 * failed write comes back as EPIPE.  Returns 0, or -1 with f set. */
int dumpjob_guard_stdio(struct dumpjob_fail *f);

/* Connect, and learn the facts a header records; pg_dump --version runs
 * meanwhile (CR_PG_DUMP names it), but not for --connection-facts.  say()
 * gets each line for stderr: the settings' warnings and, with -v, where
 * the database name came from.  For --connection-facts of a database that
 * does not exist, where it would be goes to out first.  Returns 0, or -1
 * with f set. */
int dumpjob_preflight(const struct dumpjob *, struct dumpjob_facts *,
    void (*say)(const char *line), FILE *out, struct dumpjob_fail *f);

/* Can the role read everything a whole-database dump reads (not asked for
 * -t -T -n -N)?  Returns 0, or -1 with f set: code 77 with the GRANTs in
 * the hint, or the check's own failure by its SQLSTATE. */
int dumpjob_precheck(const struct dumpjob *, const struct dumpjob_facts *,
    struct dumpjob_fail *f);

/* --connection-facts and --check: key=value lines to out, each value
 * escaped onto one line (dumpfmt_escape); with_pg_dump adds pg_dump and
 * its version.  Returns 0, or -1 when a value does not fit (f set). */
int dumpjob_print_facts(FILE *out, const struct dumpjob_facts *, int with_pg_dump,
    struct dumpjob_fail *f);

/* SIGINT, SIGTERM and SIGHUP stop the run: a write to stdout, even one
 * blocked on a stalled reader, then fails with EINTR (out->stop is set). */
void dumpjob_catch_signals(struct dumpjob_out *out);

/* Where pg_dump's messages go (err: stderr), and the progress line with
 * them when verbose or err is a terminal. */
void dumpjob_show(struct dumpjob_out *out, FILE *err, int verbose);

/* Start pg_dump (-v: its command line to out->err) on the connection's
 * settings but the password, which goes in a nameless passfile; check the
 * privileges while it connects (dumpjob_precheck); close our connection
 * and write the header.  Returns the run, or NULL with f set (pg_dump
 * stopped). */
struct dumprun *dumpjob_start(struct dumpjob *, struct dumpjob_facts *,
    struct dumpjob_out *out, struct dumpjob_fail *f);

/* Write len bytes to stdout, counted and checksummed.  Returns 0, or -1
 * with errno (EINTR once out->stop is set). */
int dumpjob_write(struct dumpjob_out *, const void *buf, size_t len);

/* pg_dump's output to stdout, its messages to out->err, until it ends.
 * Returns 0, or -1 with f set when a write failed or a signal came (then
 * pg_dump is stopped and the run freed: no trailer follows). */
int dumpjob_pump(struct dumprun *, struct dumpjob_out *out, struct dumpjob_fail *f);

/* Reap pg_dump and free the run.  When it succeeded: end the stream with a
 * newline if it lacks one, then the trailer, and close stdout.  Returns 0,
 * or -1 with f set: "pg_dump exited with status N; the dump is incomplete"
 * (or killed by signal N) with the code and hint of dumprun_failure (77
 * privilege, 69 connection, else 1), or a failed write (74). */
int dumpjob_finish(struct dumprun *, struct dumpjob_out *out,
    const struct dumpjob_facts *, struct dumpjob_fail *f);

#endif
