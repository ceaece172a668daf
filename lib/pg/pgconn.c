/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgconn: connection settings and failure classification for cr tools. */
#include <sys/stat.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/string.h>

#include "base/dotenv.h"
#include "pg/pgconn.h"

#define PGCONN_MAXKW	16
#define PGCONN_MAXSECRET	4

struct pgconn_params {
	const char	*kw[PGCONN_MAXKW];
	char		*val[PGCONN_MAXKW];
	int		 n;
	struct dotenv	*env;		/* the env file as read, or NULL */
	char		 source[320];	/* where the database name came from */
	char		 warning[512];	/* e.g. an env file others can read */
	/* Passwords as the user wrote them (in a URI, a conninfo string or
	 * the env file), scrubbed from every message pgconn returns. */
	char		*secret[PGCONN_MAXSECRET];
	int		 nsecret;
	int		(*ask_password)(char *, size_t);	/* pgconn_opts' */
};

/* dotenv keys, in the order later ones override earlier ones. */
static const struct {
	const char	*envkey;
	const char	*keyword;
} dotenv_map[] = {
	{ "DB_HOST",		"host" },
	{ "PGHOST",		"host" },
	{ "DB_PORT",		"port" },
	{ "PGPORT",		"port" },
	{ "DB_USER",		"user" },
	{ "PGUSER",		"user" },
	{ "DB_PASSWORD",	"password" },
	{ "PGPASSWORD",		"password" },
	{ "PGSSLMODE",		"sslmode" },
};

static int
params_add(struct pgconn_params *p, const char *kw, const char *val)
{
	if (val == NULL || *val == '\0')
		return 0;
	if (p->n == PGCONN_MAXKW - 1)
		return -1;
	if ((p->val[p->n] = strdup(val)) == NULL)
		return -1;
	p->kw[p->n++] = kw;
	return 0;
}

int
pgconn_getopt(struct pgconn_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'd':			o->dbname = arg; return 1;
	case 'h':			o->host = arg; return 1;
	case 'p':			o->port = arg; return 1;
	case 'U':			o->user = arg; return 1;
	case PGCONN_OPT_ENV_FILE:	o->env_file = arg; return 1;
	}
	return 0;
}

/* The env file to read: o->env_file (--env-file), else the file named by
 * the CR_ENV_FILE variable, else NULL (no env file). */
static const char *
env_file_path(const struct pgconn_opts *o)
{
	const char *f = o->env_file;

	/* An env file only when asked for: --env-file, else CR_ENV_FILE. */
	if (f == NULL && (f = getenv("CR_ENV_FILE")) != NULL && *f == '\0')
		f = NULL;
	return f;
}

/* libpq's own test: a URI prefix or an '=' makes dbname a conninfo string. */
static int
pgconn_is_conninfo(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0 || strchr(s, '=') != NULL;
}

/* The password in s as the user wrote it, when s is a URI
 * (scheme://user:PASSWORD@host, ?password=...) or a conninfo string
 * (password=... or password='...'), into out; "" when there is none.
 * Read as libpq reads them (fe-connect.c: the user part of a URI ends at
 * the first '@' or '/'). */
static void
raw_password(const char *s, char *out, size_t outlen)
{
	const char *p, *q, *end;
	size_t n;

	out[0] = '\0';
	if ((p = strstr(s, "://")) != NULL) {
		p += 3;
		end = p + strcspn(p, "@/");
		if (*end == '@' && (q = memchr(p, ':', (size_t)(end - p))) != NULL) {
			n = (size_t)(end - q - 1);
			snprintf(out, outlen, "%.*s", (int)n, q + 1);
			return;
		}
		if ((q = strstr(end, "password=")) != NULL && (q[-1] == '?' || q[-1] == '&')) {
			q += 9;
			snprintf(out, outlen, "%.*s", (int)strcspn(q, "&"), q);
		}
		return;
	}
	for (p = s; (p = strstr(p, "password")) != NULL; p += 8) {
		if (p != s && !isspace((unsigned char)p[-1]))
			continue;
		q = p + 8;
		while (isspace((unsigned char)*q))
			q++;
		if (*q++ != '=')
			continue;
		while (isspace((unsigned char)*q))
			q++;
		if (*q == '\'') {
			q++;
			for (n = 0; q[n] != '\0' && q[n] != '\''; n++)
				if (q[n] == '\\' && q[n + 1] != '\0')
					n++;
		} else
			n = strcspn(q, " \t\n\r\f\v");
		snprintf(out, outlen, "%.*s", (int)n, q);
		return;
	}
}

static int
secret_add(struct pgconn_params *p, const char *value, int raw)
{
	char pw[256];

	if (value == NULL)
		return 0;
	if (raw)
		raw_password(value, pw, sizeof(pw));
	else
		strlcpy(pw, value, sizeof(pw));
	/* A password of a few characters is masked by pattern only: scrubbing
	 * every "ab" from a message would garble it. */
	if (strlen(pw) < 4 || p->nsecret == PGCONN_MAXSECRET) {
		explicit_bzero(pw, sizeof(pw));
		return 0;
	}
	p->secret[p->nsecret] = strdup(pw);
	explicit_bzero(pw, sizeof(pw));
	return p->secret[p->nsecret++] == NULL ? -1 : 0;
}

/* Whether libpq's defaults (PQconndefaults: PGDATABASE, the section of
 * PGSERVICE) give a database name: 1, 0, or -1 when they cannot be read. */
static int
defaults_name_database(void)
{
	PQconninfoOption *opts, *o;
	int named = 0;

	if ((opts = PQconndefaults()) == NULL)
		return -1;
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val != NULL && *o->val != '\0')
			named = 1;
	PQconninfoFree(opts);
	return named;
}

/* Whether the service section names a database (dbname=): libpq's
 * defaults read with PGSERVICE set for the call.  A section libpq cannot
 * find is left to libpq to report. */
static int
service_names_database(const char *service)
{
	const char *old = getenv("PGSERVICE");
	char *saved = NULL;
	int named;

	if ((old != NULL && (saved = strdup(old)) == NULL) ||
	    setenv("PGSERVICE", service, 1) == -1) {
		free(saved);
		return 0;
	}
	named = defaults_name_database();
	if (saved != NULL)
		setenv("PGSERVICE", saved, 1);
	else
		unsetenv("PGSERVICE");
	free(saved);
	return named != 0;
}

/* Whether s (a -d value, DATABASE_URL, ...) names a database by itself:
 * a plain name does; a conninfo string or URI when it has a dbname, or a
 * service whose section has one (without, libpq falls back to the user
 * name).  One libpq cannot parse is left to libpq to report. */
static int
names_database(const char *s)
{
	PQconninfoOption *opts, *o;
	const char *service = NULL;
	char *msg = NULL;
	int named = 0;

	if (s == NULL || *s == '\0')
		return 0;
	if (!pgconn_is_conninfo(s))
		return 1;
	if ((opts = PQconninfoParse(s, &msg)) == NULL) {
		PQfreemem(msg);
		return 1;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "dbname") == 0)
			named = 1;
		else if (strcmp(o->keyword, "service") == 0)
			service = o->val;
	}
	if (!named && service != NULL)
		named = service_names_database(service);
	PQconninfoFree(opts);
	return named;
}

/* Where libpq itself finds a database name when none of cr's sources gave
 * one: PGDATABASE, or a service file (PGSERVICE); NULL: nowhere, so libpq
 * falls back to the user name. */
static const char *
libpq_source(void)
{
	if (getenv("PGDATABASE") != NULL && *getenv("PGDATABASE") != '\0')
		return "PGDATABASE in the environment";
	return defaults_name_database() == 1 ? "the service file (PGSERVICE)" : NULL;
}

/* A password in an env file that others may read or write: said, as libpq
 * does for ~/.pgpass (which it then ignores; the file is still used here,
 * the app reads it too). */
static void
env_file_check(struct pgconn_params *p, const char *path, const struct dotenv *env)
{
	const char *url = dotenv_get(env, "DATABASE_URL");
	const char *pw1 = dotenv_get(env, "PGPASSWORD"), *pw2 = dotenv_get(env, "DB_PASSWORD");
	char pw[256];
	struct stat sb;
	int has = 0;

	if ((pw1 != NULL && *pw1 != '\0') || (pw2 != NULL && *pw2 != '\0'))
		has = 1;
	if (url != NULL) {
		raw_password(url, pw, sizeof(pw));
		has |= pw[0] != '\0';
		explicit_bzero(pw, sizeof(pw));
	}
	if (has && stat(path, &sb) == 0 &&
	    (sb.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0)
		snprintf(p->warning, sizeof(p->warning), "%s: holds a password and group or "
		    "others may read or write it (mode %04o): chmod 600 %s", path,
		    (unsigned)(sb.st_mode & 07777), path);
}

struct pgconn_params *
pgconn_params_new(const struct pgconn_opts *o, char *err, size_t errlen)
{
	struct pgconn_params *p;
	struct dotenv *env;
	const char *dbname = o->dbname, *url, *env_file, *key, *v;
	char reason[256];
	size_t i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto nomem;
	p->ask_password = o->ask_password;
	if (dbname != NULL && *dbname == '\0')
		dbname = NULL;
	if (names_database(dbname))
		strlcpy(p->source, "the command line", sizeof(p->source));
	if (secret_add(p, dbname, 1) == -1)
		goto nomem;
	if ((env_file = env_file_path(o)) != NULL) {
		if ((env = dotenv_load(env_file, NULL, reason, sizeof(reason))) == NULL) {
			snprintf(err, errlen, "%s: %s", env_file, reason);
			free(p);
			return NULL;
		}
		/* Kept with the settings: the file is read once, and a tool's
		 * other settings (the production guard, cr-migrate's
		 * CR_MIGRATIONS_DIR) come from the same reading. */
		p->env = env;
		env_file_check(p, env_file, env);
		for (i = 0; i < sizeof(dotenv_map) / sizeof(dotenv_map[0]); i++)
			if (params_add(p, dotenv_map[i].keyword,
			    dotenv_get(env, dotenv_map[i].envkey)) == -1)
				goto nomem;
		if (secret_add(p, dotenv_get(env, "PGPASSWORD"), 0) == -1 ||
		    secret_add(p, dotenv_get(env, "DB_PASSWORD"), 0) == -1)
			goto nomem;
		url = dotenv_get(env, "DATABASE_URL");
		if (url != NULL && *url == '\0')
			url = NULL;
		if (secret_add(p, url, 1) == -1)
			goto nomem;
		key = "DATABASE_URL";
		if (url != NULL && dbname != NULL && !pgconn_is_conninfo(dbname)) {
			/* A plain name with an app's DATABASE_URL: the app's
			 * server and role, another database on it. */
			if (params_add(p, "dbname", url) == -1)
				goto nomem;
		} else if (dbname == NULL)
			dbname = url;
		if (dbname == NULL && (v = dotenv_get(env, "PGDATABASE")) != NULL && *v != '\0') {
			dbname = v;
			key = "PGDATABASE";
		}
		if (dbname == NULL && (v = dotenv_get(env, "DB_NAME")) != NULL && *v != '\0') {
			dbname = v;
			key = "DB_NAME";
		}
		if (p->source[0] == '\0' && names_database(dbname))
			snprintf(p->source, sizeof(p->source), "%s in %s", key, env_file);
	} else if (dbname == NULL && (url = getenv("DATABASE_URL")) != NULL && *url != '\0') {
		/* The convention of Rails, dbmate, Heroku: honoured as the env
		 * file's, below -d and --env-file. */
		dbname = url;
		if (secret_add(p, url, 1) == -1)
			goto nomem;
		if (names_database(url))
			strlcpy(p->source, "DATABASE_URL in the environment", sizeof(p->source));
	}
	if (p->source[0] == '\0' && (v = libpq_source()) != NULL)
		strlcpy(p->source, v, sizeof(p->source));
	/* libpq expands only the first dbname (a later one is a plain name
	 * and wins); the expanded settings override the env file's, and
	 * -h -p -U override both. */
	if (dbname != NULL && *dbname != '\0') {
		if (params_add(p, "dbname", dbname) == -1)
			goto nomem;
	}
	if (params_add(p, "host", o->host) == -1 ||
	    params_add(p, "port", o->port) == -1 ||
	    params_add(p, "user", o->user) == -1 ||
	    params_add(p, "fallback_application_name", o->appname) == -1)
		goto nomem;
	return p;
nomem:
	pgconn_params_free(p);
	strlcpy(err, "out of memory", errlen);
	return NULL;
}

void
pgconn_params_free(struct pgconn_params *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		explicit_bzero(p->val[i], strlen(p->val[i]));
		free(p->val[i]);
	}
	for (i = 0; i < p->nsecret; i++) {
		explicit_bzero(p->secret[i], strlen(p->secret[i]));
		free(p->secret[i]);
	}
	dotenv_free(p->env);
	free(p);
}

const struct dotenv *
pgconn_params_env(const struct pgconn_params *p)
{
	return p->env;
}

const char *
pgconn_params_source(const struct pgconn_params *p)
{
	return p->source[0] != '\0' ? p->source : NULL;
}

const char *
pgconn_params_warning(const struct pgconn_params *p, size_t i)
{
	/* The file's permissions first, then what reading it found. */
	if (p->warning[0] != '\0') {
		if (i == 0)
			return p->warning;
		i--;
	}
	return dotenv_warning(p->env, i);
}

/* Replace every occurrence of secret in s (NUL-terminated, in place). */
static void
scrub(char *s, const char *secret)
{
	size_t n = strlen(secret);
	char *p;

	while ((p = strstr(s, secret)) != NULL) {
		memmove(p + 3, p + n, strlen(p + n) + 1);
		memcpy(p, "***", 3);
	}
}

void
pgconn_mask(const char *in, char *out, size_t outlen)
{
	const char *p = in, *q, *end;
	size_t o = 0, n;

	if (outlen == 0)
		return;
#define PUT(c)	do { if (o + 1 < outlen) out[o++] = (c); } while (0)
	while (*p != '\0') {
		if (strncmp(p, "://", 3) == 0) {
			PUT(':'); PUT('/'); PUT('/');
			p += 3;
			end = p + strcspn(p, "@/ \t\"'");
			if (*end == '@' && (q = memchr(p, ':', (size_t)(end - p))) != NULL) {
				for (; p <= q; p++)
					PUT(*p);
				PUT('*'); PUT('*'); PUT('*');
				p = end;
			}
			continue;
		}
		if (strncmp(p, "password", 8) == 0 && (p == in || !isalnum((unsigned char)p[-1]))) {
			for (q = p + 8; *q == ' ' || *q == '\t'; q++)
				;
			if (*q == '=') {
				for (; p <= q; p++)
					PUT(*p);
				while (*p == ' ' || *p == '\t')
					PUT(*p++);
				if (*p == '\'') {
					for (n = 1; p[n] != '\0' && p[n] != '\''; n++)
						if (p[n] == '\\' && p[n + 1] != '\0')
							n++;
					p += p[n] == '\'' ? n + 1 : n;
				} else
					p += strcspn(p, " \t\n&\"");
				PUT('*'); PUT('*'); PUT('*');
				continue;
			}
		}
		PUT(*p);
		p++;
	}
#undef PUT
	out[o] = '\0';
}

/* A message for the user: one line, no password in it. */
static void
message(const struct pgconn_params *p, const char *secret, const char *msg, char *out,
    size_t outlen)
{
	char *line;
	int i;

	if ((line = malloc(outlen)) == NULL) {
		strlcpy(out, "out of memory", outlen);
		return;
	}
	pgconn_oneline(msg, line, outlen);
	for (i = 0; p != NULL && i < p->nsecret; i++)
		scrub(line, p->secret[i]);
	if (secret != NULL && strlen(secret) >= 4)
		scrub(line, secret);
	pgconn_mask(line, out, outlen);
	free(line);
}

void
pgconn_oneline(const char *msg, char *out, size_t outlen)
{
	size_t o = 0;
	int space = 0;

	if (outlen == 0)
		return;
	for (; *msg != '\0' && o + 1 < outlen; msg++) {
		if (*msg == '\n' || *msg == '\t' || *msg == '\r') {
			space = 1;
			continue;
		}
		if (space && o > 0 && out[o - 1] != ' ')
			out[o++] = ' ';
		space = 0;
		if (o + 1 < outlen)
			out[o++] = *msg;
	}
	out[o] = '\0';
}

/* What a failed connection means.  libpq 15 gives a failed connection no
 * PGresult: the SQLSTATE of the server's ErrorResponse during startup
 * (28P01, 3D000, 55000, 57P03, ...) is not exposed, and its own failures
 * (bad conninfo, no route, refused) have none.  What it does expose is
 * used first: PQconnectionNeedsPassword (the server asked for a password
 * and none was given) is EX_NOPERM in any language.  The rest reads the
 * English text of libpq (English always: no cr tool calls setlocale) and
 * of the server (its lc_messages): translated, a server's message falls
 * through to PGCONN_EOTHER (exit 1), as cr-restore(1) and cr-dump(1) say.
 * "connection to server ... failed:" is libpq's prefix for every failure:
 * it means unreachable only when no server message follows, which libpq
 * writes "SEVERITY:  text" (two spaces, in any language), so a German
 * "database does not exist" does not read as a server that is down.
 * Failures after connecting go by SQLSTATE (lib/pgexec). */
static enum pgconn_status
classify(PGconn *conn, const char *msg)
{
	/* Asked for a password, had none: whatever the server's language. */
	if (PQconnectionNeedsPassword(conn) || strstr(msg, "no password supplied") != NULL)
		return PGCONN_ENOPASSWORD;
	/* 28P01.  With password methods a role that does not exist reads
	 * the same (the server does not tell), so the hint names both. */
	if (strstr(msg, "password authentication failed") != NULL)
		return PGCONN_EPASSWORD;
	/* 28000 */
	if (strstr(msg, "role \"") != NULL && strstr(msg, "does not exist") != NULL)
		return PGCONN_ENOROLE;
	if (strstr(msg, "Peer authentication failed") != NULL ||
	    strstr(msg, "Ident authentication failed") != NULL)
		return PGCONN_EPEER;
	if (strstr(msg, "no pg_hba.conf entry") != NULL ||
	    strstr(msg, "pg_hba.conf rejects") != NULL)
		return PGCONN_EHBA;
	/* 42501 at startup: CONNECT privilege */
	if (strstr(msg, "permission denied for database") != NULL)
		return PGCONN_ENOCONNECT;
	if (strstr(msg, "not permitted to log in") != NULL)
		return PGCONN_ENOLOGIN;
	/* Any other refusal: a wrong password sent to a method that is not
	 * "password" (PQconnectionUsedPassword), LDAP, certificates, ... */
	if (strstr(msg, "authentication failed") != NULL ||
	    strstr(msg, "pg_hba.conf") != NULL ||
	    strstr(msg, "permission denied") != NULL)
		return PQconnectionUsedPassword(conn) ? PGCONN_EPASSWORD : PGCONN_EAUTH;
	if (strstr(msg, "database \"") != NULL && strstr(msg, "does not exist") != NULL)
		return PGCONN_ENODB;
	if (strstr(msg, "is not currently accepting connections") != NULL)
		return PGCONN_EREFUSED;
	if (strstr(msg, "invalid connection option") != NULL ||
	    strstr(msg, "invalid URI") != NULL ||
	    strstr(msg, "missing \"=\"") != NULL ||
	    strstr(msg, "unterminated quoted string") != NULL ||
	    strstr(msg, "invalid integer value") != NULL ||
	    strstr(msg, "invalid port number") != NULL ||
	    strstr(msg, "invalid percent-encoded") != NULL)
		return PGCONN_EUSAGE;
	if (strstr(msg, "could not connect") != NULL ||
	    strstr(msg, "Connection refused") != NULL ||
	    strstr(msg, "No such file or directory") != NULL ||
	    strstr(msg, "could not translate host name") != NULL ||
	    strstr(msg, "timeout expired") != NULL ||
	    strstr(msg, "Network is unreachable") != NULL ||
	    strstr(msg, "No route to host") != NULL ||
	    strstr(msg, "server closed the connection unexpectedly") != NULL ||
	    strstr(msg, "the database system is") != NULL ||
	    strstr(msg, "too many clients") != NULL ||
	    strstr(msg, "connection slots are reserved") != NULL ||
	    (strstr(msg, "failed:") != NULL && strstr(msg, ":  ") == NULL))
		return PGCONN_EUNAVAILABLE;
	return PGCONN_EOTHER;
}

static PGconn *
connect_with(const struct pgconn_params *p, const char *dbname_override,
    const char *password)
{
	const char *kw[PGCONN_MAXKW + 3], *val[PGCONN_MAXKW + 3];
	int i, n = 0;

	for (i = 0; i < p->n; i++) {
		kw[n] = p->kw[i];
		val[n++] = p->val[i];
	}
	/* A second dbname is taken literally and, being last, wins. */
	if (dbname_override != NULL) {
		kw[n] = "dbname";
		val[n++] = dbname_override;
	}
	if (password != NULL) {
		kw[n] = "password";
		val[n++] = password;
	}
	kw[n] = NULL;
	val[n] = NULL;
	return PQconnectdbParams(kw, val, 1);
}

static PGconn *
open_resolved(const struct pgconn_params *p, const char *dbname_override, char *dbname,
    size_t dblen, enum pgconn_status *status, char *err, size_t errlen)
{
	PGconn *conn;
	char password[256];

	if (dbname != NULL)
		dbname[0] = '\0';
	conn = connect_with(p, dbname_override, NULL);
	if (conn != NULL && PQstatus(conn) != CONNECTION_OK &&
	    PQconnectionNeedsPassword(conn) && p->ask_password != NULL &&
	    p->ask_password(password, sizeof(password)) == 0 && password[0] != '\0') {
		PQfinish(conn);
		conn = connect_with(p, dbname_override, password);
		explicit_bzero(password, sizeof(password));
	}
	if (conn == NULL) {
		*status = PGCONN_EOTHER;
		strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	/* libpq resolves the settings before it connects: PQdb is the
	 * database it meant even when the connection failed. */
	if (dbname != NULL && PQdb(conn) != NULL)
		strlcpy(dbname, PQdb(conn), dblen);
	if (PQstatus(conn) != CONNECTION_OK) {
		*status = classify(conn, PQerrorMessage(conn));
		message(p, NULL, PQerrorMessage(conn), err, errlen);
		PQfinish(conn);
		return NULL;
	}
	*status = PGCONN_OK;
	return conn;
}

PGconn *
pgconn_open(const struct pgconn_params *p, const char *dbname_override,
    enum pgconn_status *status, char *err, size_t errlen)
{
	return open_resolved(p, dbname_override, NULL, 0, status, err, errlen);
}

PGconn *
pgconn_open_resolved(const struct pgconn_params *p, char *dbname, size_t dblen,
    enum pgconn_status *status, char *err, size_t errlen)
{
	return open_resolved(p, NULL, dbname, dblen, status, err, errlen);
}

PGconn *
pgconn_open_like(PGconn *conn, const char *dbname, enum pgconn_status *status,
    char *err, size_t errlen)
{
	PQconninfoOption *opts, *o;
	const char **kw, **val, *password = NULL;
	PGconn *c = NULL;
	size_t n = 0;

	*status = PGCONN_EOTHER;
	strlcpy(err, "out of memory", errlen);
	if ((opts = PQconninfo(conn)) == NULL)
		return NULL;
	for (o = opts; o->keyword != NULL; o++)
		n++;
	kw = calloc(n + 1, sizeof(*kw));
	val = calloc(n + 1, sizeof(*val));
	if (kw != NULL && val != NULL) {
		/* The settings as resolved: dbname is a plain name now, and
		 * nothing is expanded again. */
		n = 0;
		for (o = opts; o->keyword != NULL; o++) {
			if (strcmp(o->keyword, "dbname") == 0 && dbname != NULL) {
				kw[n] = o->keyword;
				val[n++] = dbname;
			} else if (o->val != NULL && *o->val != '\0') {
				kw[n] = o->keyword;
				val[n++] = o->val;
				if (strcmp(o->keyword, "password") == 0)
					password = o->val;
			}
		}
		c = PQconnectdbParams(kw, val, 0);
		if (c != NULL && PQstatus(c) != CONNECTION_OK) {
			*status = classify(c, PQerrorMessage(c));
			message(NULL, password, PQerrorMessage(c), err, errlen);
			PQfinish(c);
			c = NULL;
		} else if (c != NULL)
			*status = PGCONN_OK;
	}
	free(kw);
	free(val);
	PQconninfoFree(opts);
	return c;
}

/* sysexits code for a status. */
static int
exit_code(enum pgconn_status st)
{
	switch (st) {
	case PGCONN_OK:			return EX_OK;
	case PGCONN_EUSAGE:		return EX_USAGE;
	case PGCONN_EUNAVAILABLE:	return EX_UNAVAILABLE;
	case PGCONN_EAUTH:
	case PGCONN_ENOPASSWORD:
	case PGCONN_EPASSWORD:
	case PGCONN_ENOROLE:
	case PGCONN_EPEER:
	case PGCONN_EHBA:
	case PGCONN_ENOCONNECT:
	case PGCONN_ENOLOGIN:		return EX_NOPERM;
	case PGCONN_ENODB:		return EX_NOINPUT;
	case PGCONN_EREFUSED:		return EX_UNAVAILABLE;
	case PGCONN_EOTHER:		break;
	}
	return 1;
}

/* A one-line hint for the user, or NULL: what to check or run for that
 * failure, each its own (a refused password, a missing role, a server that
 * is not running, a missing database, ...). */
static const char *
hint_for(enum pgconn_status st)
{
	switch (st) {
	case PGCONN_ENOPASSWORD:
		return "the server asks this role for a password and none was given: set "
		    "DB_PASSWORD (or PGPASSWORD) in the env file, PGPASSWORD, or a line in ~/.pgpass";
	case PGCONN_EPASSWORD:
		return "the password was refused, or no role has that name (the server does not "
		    "say which): check DB_PASSWORD/PGPASSWORD in the env file, PGPASSWORD and "
		    "~/.pgpass, and the role name (-U, DB_USER, PGUSER)";
	case PGCONN_ENOROLE:
		return "no role of that name on this server: check -U, DB_USER or PGUSER in the "
		    "env file (a superuser creates one with: createuser NAME)";
	case PGCONN_EPEER:
		return "the server's pg_hba.conf lets this role in only from the operating-system "
		    "user of the same name: run as that user, or connect over TCP (-h localhost) "
		    "with a password";
	case PGCONN_EHBA:
		return "the server's pg_hba.conf has no line for this host, role and database: "
		    "a superuser adds one and reloads (SELECT pg_reload_conf())";
	case PGCONN_ENOCONNECT:
		return "the role may not connect to this database: its owner or a superuser "
		    "runs: GRANT CONNECT ON DATABASE db TO role";
	case PGCONN_ENOLOGIN:
		return "the role exists but may not log in: a superuser runs: ALTER ROLE role LOGIN";
	case PGCONN_EAUTH:
		return "the server refused this role: check the role (-U, DB_USER, PGUSER), its "
		    "password and the server's pg_hba.conf";
	case PGCONN_EUNAVAILABLE:
		return "no server answers there: is PostgreSQL running (pg_isready -h HOST -p PORT), "
		    "and are the host/socket and port (-h -p, DB_HOST, DB_PORT) right?";
	case PGCONN_ENODB:
		return "no database of that name on this server: check -d, DB_NAME or "
		    "DATABASE_URL in the env file (psql -l lists the databases)";
	default:
		return NULL;
	}
}

int
pgconn_failure(enum pgconn_status st, const char *dbname, const char *msg,
    char *line, size_t linelen, const char **hint)
{
	snprintf(line, linelen, "cannot connect to %s: %s",
	    dbname != NULL && dbname[0] != '\0' ? dbname : "the database", msg);
	*hint = hint_for(st);
	return exit_code(st);
}
