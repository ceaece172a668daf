/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgconn: how every cr tool connects to PostgreSQL.  Settings come, lowest
 * precedence first, from libpq's own defaults (PG* environment, ~/.pgpass,
 * service files), an application's dotenv file (--env-file, else the file
 * named by CR_ENV_FILE), the dbname
 * operand (a name, conninfo string or URI, expanded by libpq), and -h -p -U.
 * A plain database name together with an env file's DATABASE_URL means the
 * app's server and role with that other database (e.g. a scratch copy).
 * A password is only ever handed to libpq, never to argv or a log. */
#ifndef CR_PGCONN_H
#define CR_PGCONN_H

#include <stddef.h>
#include <libpq-fe.h>

struct dotenv;

struct pgconn_opts {
	const char	*dbname;	/* -d or operand: name, conninfo or URI */
	const char	*host;		/* -h */
	const char	*port;		/* -p */
	const char	*user;		/* -U */
	const char	*env_file;	/* --env-file */
	const char	*appname;	/* fallback_application_name, e.g. "cr-dump" */
	/* Called when the server asks for a password none of the settings
	 * gives: fills buf and returns 0, or returns -1 for none.  NULL: none
	 * is asked for.  pgconn never reads the terminal: a tool that may
	 * prompt sets askpass_tty (lib/base/askpass.h). */
	int		(*ask_password)(char *buf, size_t len);
};

/* getopt_long value of --env-file in every tool's option table. */
#define PGCONN_OPT_ENV_FILE	'E'

/* Their getopt_long entries, to open a tool's option table with. */
#define PGCONN_LONGOPTS \
	{ "dbname",	required_argument,	NULL, 'd' }, \
	{ "host",	required_argument,	NULL, 'h' }, \
	{ "port",	required_argument,	NULL, 'p' }, \
	{ "username",	required_argument,	NULL, 'U' }, \
	{ "env-file",	required_argument,	NULL, PGCONN_OPT_ENV_FILE }

/* Their lines in --help (struct cliopt_help, lib/base/cliopt.h). */
#define PGCONN_HELP \
	{ "dbname",	"DBNAME",	"database name, conninfo string or URI" }, \
	{ "host",	"HOST",		"server host or unix socket directory" }, \
	{ "port",	"PORT",		"server port" }, \
	{ "username",	"USER",		"role to connect as" }, \
	{ "env-file",	"FILE",		"the app's dotenv file (DATABASE_URL or PG*)" }

/* The connection options every tool takes (-d -h -p -U --env-file): store
 * arg in o and return 1 when ch is one of them, else return 0. */
int pgconn_getopt(struct pgconn_opts *o, int ch, const char *arg);

enum pgconn_status {
	PGCONN_OK = 0,
	PGCONN_EUSAGE,		/* bad conninfo/URI, unreadable env file (EX_USAGE/EX_CONFIG) */
	PGCONN_EUNAVAILABLE,	/* server down or unreachable (EX_UNAVAILABLE) */
	PGCONN_EAUTH,		/* refused for another reason (EX_NOPERM) */
	PGCONN_ENOPASSWORD,	/* a password is needed, none was given (EX_NOPERM) */
	PGCONN_EPASSWORD,	/* the password was refused (EX_NOPERM) */
	PGCONN_ENOROLE,		/* the role does not exist (EX_NOPERM) */
	PGCONN_EPEER,		/* peer/ident authentication: another OS user (EX_NOPERM) */
	PGCONN_EHBA,		/* no pg_hba.conf line lets it in (EX_NOPERM) */
	PGCONN_ENOCONNECT,	/* no CONNECT privilege on the database (EX_NOPERM) */
	PGCONN_ENOLOGIN,	/* the role may not log in (EX_NOPERM) */
	PGCONN_ENODB,		/* database does not exist (EX_NOINPUT) */
	PGCONN_EREFUSED,	/* database does not allow connections (EX_UNAVAILABLE) */
	PGCONN_EOTHER		/* anything else (1) */
};

/* Resolved settings: built once, then used to open any number of
 * connections (to the target, or to another database on the same server). */
struct pgconn_params;

/* Read the env file (if any) and fix the settings.  Without -d or an env
 * file, DATABASE_URL in the process environment is read as an env file's
 * would be (libpq's PG* variables still fill what it leaves out).  On failure returns NULL
 * and writes a one-line reason to err. */
struct pgconn_params *pgconn_params_new(const struct pgconn_opts *, char *err, size_t errlen);
void pgconn_params_free(struct pgconn_params *);

/* The env file pgconn_params_new read, for a tool's other settings from it
 * (so each tool reads the file once), or NULL when there is none.  It lives
 * as long as the params. */
const struct dotenv *pgconn_params_env(const struct pgconn_params *);

/* Where the database name comes from, for -v and for tools that must not
 * guess: "the command line", "DATABASE_URL in FILE", "PGDATABASE in FILE",
 * "DB_NAME in FILE", "DATABASE_URL in the environment", "PGDATABASE in the
 * environment", "the service file (PGSERVICE)"; NULL when none names one
 * and libpq falls back to the user name. */
const char *pgconn_params_source(const struct pgconn_params *);

/* The i-th warning about the settings, or NULL when there are no more; the
 * tool prints them: an env file holding a password that group or others
 * may read or write, then those of reading the env file ("FILE: line N:
 * ..." for a line skipped or taken as written). */
const char *pgconn_params_warning(const struct pgconn_params *, size_t i);

/* s with any password it holds (scheme://user:PASSWORD@..., password=...)
 * replaced by "***", for a message.  Messages pgconn returns are masked
 * already. */
void pgconn_mask(const char *s, char *out, size_t outlen);

/* Connect.  dbname_override (may be NULL) replaces the database name, e.g.
 * "postgres" for the maintenance connection cr-restore --clean needs.
 * When the server asks for a password none of the settings gives, the
 * options' ask_password (if any) is asked for one and the connection tried
 * again with it.
 * On failure returns NULL, sets *status, and writes the server's message
 * (verbatim but for any password, joined onto one line) to err. */
PGconn *pgconn_open(const struct pgconn_params *, const char *dbname_override,
    enum pgconn_status *status, char *err, size_t errlen);

/* Like pgconn_open with no override, and whether it connects or not, the
 * database name libpq resolved from every source of settings (-d, URI,
 * conninfo, service file, PGDATABASE, the user name) into dbname: what
 * PQdb() reports.  dbname is "" when the settings could not be resolved. */
PGconn *pgconn_open_resolved(const struct pgconn_params *, char *dbname, size_t dblen,
    enum pgconn_status *status, char *err, size_t errlen);

/* Another connection with all of conn's settings (a password typed on the
 * terminal too) but to database dbname (NULL: the same database).  On
 * failure as pgconn_open. */
PGconn *pgconn_open_like(PGconn *conn, const char *dbname, enum pgconn_status *status,
    char *err, size_t errlen);

/* A failed connection as every tool says it: "cannot connect to DBNAME:
 * MSG" into line ("the database" when dbname is NULL or ""), the hint for
 * the status (or NULL) in *hint; returns the exit code.  The tool prints
 * "cr-X: LINE" and "cr-X: hint: HINT", then exits with the code. */
int pgconn_failure(enum pgconn_status, const char *dbname, const char *msg,
    char *line, size_t linelen, const char **hint);

/* Copy msg to out as one line: trailing newline removed, inner newlines and
 * tabs joined with single spaces. */
void pgconn_oneline(const char *msg, char *out, size_t outlen);

#endif
