/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migrate: discovery of NNN_name.sql files, their checksums, markers and
 * up sections (dbmate, goose), the files not run, and the
 * applied/pending/drifted/missing plan. */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "base/io.h"
#include "migrate/migrate.h"

int
migrate_parse_name(const char *s, size_t len, int64_t *version, size_t *stemlen)
{
	char digits[32];
	const char *errstr;
	size_t n, i;

	if (len >= 4 && memcmp(s + len - 4, ".sql", 4) == 0)
		len -= 4;
	for (n = 0; n < len && isdigit((unsigned char)s[n]); n++)
		;
	if (n == 0 || n >= sizeof(digits) || n + 1 >= len || s[n] != '_')
		return -1;
	for (i = n + 1; i < len; i++)
		if (iscntrl((unsigned char)s[i]) || s[i] == '/')
			return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	*version = strtonum(digits, 0, INT64_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	*stemlen = len;
	return 0;
}

/* Whether a line (no newline) is the no-transaction marker: "--", optional
 * blanks, "cr:no-transaction", optional blanks. */
static int
is_marker(const char *line, size_t len)
{
	static const char word[] = "cr:no-transaction";
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return 0;
	i += 2;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < sizeof(word) - 1 || memcmp(line + i, word, sizeof(word) - 1) != 0)
		return 0;
	for (i += sizeof(word) - 1; i < len; i++)
		if (!isspace((unsigned char)line[i]))
			return 0;
	return 1;
}

/* Whether a line may be part of the leading comment block. */
static int
is_header_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	return i == len || (len - i >= 2 && line[i] == '-' && line[i + 1] == '-');
}

/* The scan of one file's lines: the cr marker among the leading comment
 * lines, and the dbmate or goose markers that say which lines run. */
struct scan {
	struct migration	*m;
	unsigned long		 line;		/* the line being read */
	int			 header;	/* still in the leading comment lines */
	unsigned long		 statement;	/* first line before any up marker
						 * that is not blank or a comment */
	unsigned long		 first_up;	/* line of the first up marker */
	int			 in_up;		/* inside an up section */
	unsigned long		 goose_block;	/* line of an open StatementBegin
						 * (goose, sql-migrate) */
	size_t			 cap;
	char			*err;
	size_t			 errlen;
};

static enum migrate_status
scan_refuse(struct scan *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static enum migrate_status
scan_refuse(struct scan *sc, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(sc->err, sc->errlen, "%s: line %lu: %s", sc->m->path, sc->line, why);
	return MIGRATE_EDATA;
}

/* An up section starts on the next line. */
static enum migrate_status
span_open(struct scan *sc)
{
	struct migration *m = sc->m;
	struct migrate_span *v;

	if (m->nup == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 4;
		if ((v = reallocarray(m->up, sc->cap, sizeof(*v))) == NULL)
			return MIGRATE_ENOMEM;
		m->up = v;
	}
	m->up[m->nup].first = sc->line + 1;
	m->up[m->nup++].last = ULONG_MAX;
	sc->in_up = 1;
	if (sc->first_up == 0)
		sc->first_up = sc->line;
	return MIGRATE_OK;
}

/* The open up section ended on the line before this one. */
static void
span_close(struct scan *sc)
{
	if (sc->in_up)
		sc->m->up[sc->m->nup - 1].last = sc->line - 1;
	sc->in_up = 0;
}

/* dbmate's markers, as its regular expressions match them:
 * ^--\s*migrate:(up|down) followed by blanks and options, or the end.
 * Returns 1 for up, 2 for down, 0 for neither; *opt is where the options
 * start.  *near: the words are there, but not as dbmate reads them
 * (indented, other case), so dbmate would run what follows as part of the
 * section before. */
static int
dbmate_marker(const char *line, size_t len, size_t *opt, int *near)
{
	static const char *const words[2] = { "migrate:up", "migrate:down" };
	size_t i = 0, j, w;
	int kind;

	*near = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (len - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return 0;
	for (j = i + 2; j < len && isspace((unsigned char)line[j]); j++)
		;
	for (kind = 0; kind < 2; kind++) {
		w = strlen(words[kind]);
		if (len - j >= w && strncasecmp(line + j, words[kind], w) == 0 &&
		    (j + w == len || isspace((unsigned char)line[j + w])))
			break;
	}
	if (kind == 2)
		return 0;
	if (i > 0 || strncmp(line + j, words[kind], w) != 0) {
		*near = 1;
		return 0;
	}
	*opt = j + w;
	return kind + 1;
}

/* dbmate's options after "-- migrate:up": key:value words; only
 * transaction:false means anything. */
static int
dbmate_no_transaction(const char *s, size_t len)
{
	static const char opt[] = "transaction:false";
	size_t i = 0, n;

	while (i < len) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		for (n = 0; i + n < len && !isspace((unsigned char)s[i + n]); n++)
			;
		if (n == sizeof(opt) - 1 && memcmp(s + i, opt, n) == 0)
			return 1;
		i += n;
	}
	return 0;
}

static enum migrate_status
dbmate_line(struct scan *sc, int kind, const char *opt, size_t optlen)
{
	enum migrate_status rc;

	if (sc->m->format != MIGRATE_PLAIN && sc->m->format != MIGRATE_DBMATE)
		return scan_refuse(sc, "a dbmate marker in a %s file; use one "
		    "format per file", sc->m->format == MIGRATE_GOOSE ? "goose" :
		    "sql-migrate");
	sc->m->format = MIGRATE_DBMATE;
	if (kind == 2) {
		if (!sc->in_up)
			return scan_refuse(sc, "\"-- migrate:down\" without a "
			    "\"-- migrate:up\" before it in its section");
		span_close(sc);
		return MIGRATE_OK;
	}
	span_close(sc);
	if ((rc = span_open(sc)) != MIGRATE_OK)
		return rc;
	if (dbmate_no_transaction(opt, optlen))
		sc->m->no_transaction = 1;
	return MIGRATE_OK;
}

enum goose_annotation {
	GOOSE_UP, GOOSE_DOWN, GOOSE_BEGIN, GOOSE_END, GOOSE_NO_TRANSACTION,
	GOOSE_ENVSUB_ON, GOOSE_ENVSUB_OFF, GOOSE_UNKNOWN
};

/* goose takes a line as an annotation when, without leading blanks, it
 * starts with "--" and contains "+goose" (internal/sqlparser). */
static int
is_goose_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	return len - i >= 2 && line[i] == '-' && line[i + 1] == '-' &&
	    memmem(line, len, "+goose", 6) != NULL;
}

/* The annotation as goose's extractAnnotation reads it: no leading blank,
 * every "--" and the first "+goose" removed, trimmed, compared without
 * case. */
static enum goose_annotation
goose_annotation(const char *line, size_t len)
{
	static const char *const names[] = {
		"Up", "Down", "StatementBegin", "StatementEnd", "NO TRANSACTION",
		"ENVSUB ON", "ENVSUB OFF"
	};
	char cmd[256], *p, *end;
	size_t i = 0, n = 0, k;

	if (len > 0 && (line[0] == ' ' || line[0] == '\t'))
		return GOOSE_UNKNOWN;
	while (i < len && n < sizeof(cmd) - 1) {
		if (i + 1 < len && line[i] == '-' && line[i + 1] == '-') {
			i += 2;
			continue;
		}
		cmd[n++] = line[i++];
	}
	if (i < len)
		return GOOSE_UNKNOWN;
	cmd[n] = '\0';
	if ((p = strstr(cmd, "+goose")) == NULL)
		return GOOSE_UNKNOWN;
	memmove(p, p + 6, strlen(p + 6) + 1);
	if (strstr(cmd, "+goose") != NULL)
		return GOOSE_UNKNOWN;
	for (p = cmd; isspace((unsigned char)*p); p++)
		;
	for (end = p + strlen(p); end > p && isspace((unsigned char)end[-1]); end--)
		;
	*end = '\0';
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strcasecmp(p, names[k]) == 0)
			return (enum goose_annotation)k;
	return GOOSE_UNKNOWN;
}

static enum migrate_status
goose_line(struct scan *sc, const char *line, size_t len)
{
	enum goose_annotation a;

	if ((a = goose_annotation(line, len)) == GOOSE_UNKNOWN)
		return scan_refuse(sc, "\"%.*s\" is not a goose annotation "
		    "(\"-- +goose Up\", \"Down\", \"StatementBegin\", "
		    "\"StatementEnd\", \"NO TRANSACTION\", at the start of "
		    "the line)", (int)(len > 80 ? 80 : len), line);
	if (sc->m->format != MIGRATE_PLAIN && sc->m->format != MIGRATE_GOOSE)
		return scan_refuse(sc, "a goose annotation in a %s file; use one "
		    "format per file", sc->m->format == MIGRATE_DBMATE ? "dbmate" :
		    "sql-migrate");
	sc->m->format = MIGRATE_GOOSE;
	switch (a) {
	case GOOSE_UP:
		if (sc->first_up != 0)
			return scan_refuse(sc, "a second \"-- +goose Up\" "
			    "(the first is on line %lu)", sc->first_up);
		return span_open(sc);
	case GOOSE_DOWN:
		if (!sc->in_up)
			return scan_refuse(sc, "\"-- +goose Down\" without "
			    "\"-- +goose Up\" before it");
		if (sc->goose_block)
			return scan_refuse(sc, "\"-- +goose Down\" inside the "
			    "StatementBegin of line %lu", sc->goose_block);
		span_close(sc);
		break;
	case GOOSE_BEGIN:
		if (sc->first_up == 0 || sc->goose_block)
			return scan_refuse(sc, "\"-- +goose StatementBegin\" "
			    "%s", sc->goose_block ? "inside another" :
			    "before \"-- +goose Up\"");
		sc->goose_block = sc->line;
		break;
	case GOOSE_END:
		if (!sc->goose_block)
			return scan_refuse(sc, "\"-- +goose StatementEnd\" "
			    "without StatementBegin");
		sc->goose_block = 0;
		break;
	case GOOSE_NO_TRANSACTION:
		sc->m->no_transaction = 1;
		break;
	case GOOSE_ENVSUB_ON:
		return scan_refuse(sc, "\"-- +goose ENVSUB ON\": cr-migrate "
		    "does not substitute environment variables into SQL");
	case GOOSE_ENVSUB_OFF:
	case GOOSE_UNKNOWN:
		break;
	}
	return MIGRATE_OK;
}

/* sql-migrate (rubenv) reads a line starting with "-- +migrate " as a
 * command: Up or Down (with the option notransaction), StatementBegin,
 * StatementEnd.  A line that only looks like one ("--+migrate up",
 * indented) it would read as SQL of the section before: 1 for those too. */
static int
is_sqlmigrate_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (len - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return 0;
	for (i += 2; i < len && isspace((unsigned char)line[i]); i++)
		;
	return len - i >= 8 && strncasecmp(line + i, "+migrate", 8) == 0 &&
	    (i + 8 == len || isspace((unsigned char)line[i + 8]));
}

static enum migrate_status
sqlmigrate_line(struct scan *sc, const char *line, size_t len)
{
	static const char prefix[] = "-- +migrate ";
	const char *cmd, *end = line + len;
	size_t n, k;

	cmd = line + sizeof(prefix) - 1;
	if (len < sizeof(prefix) - 1 || memcmp(line, prefix, sizeof(prefix) - 1) != 0)
		cmd = NULL;
	while (cmd != NULL && cmd < end && isspace((unsigned char)*cmd))
		cmd++;
	for (n = 0; cmd != NULL && cmd + n < end && !isspace((unsigned char)cmd[n]); n++)
		;
	if (cmd == NULL || !((n == 2 && memcmp(cmd, "Up", 2) == 0) ||
	    (n == 4 && memcmp(cmd, "Down", 4) == 0) ||
	    (n == 14 && memcmp(cmd, "StatementBegin", 14) == 0) ||
	    (n == 12 && memcmp(cmd, "StatementEnd", 12) == 0)))
		return scan_refuse(sc, "\"%.*s\" is not a command sql-migrate "
		    "reads (\"-- +migrate Up\", \"Down\", \"StatementBegin\", "
		    "\"StatementEnd\", at the start of the line)",
		    (int)(len > 80 ? 80 : len), line);
	if (sc->m->format != MIGRATE_PLAIN && sc->m->format != MIGRATE_SQL_MIGRATE)
		return scan_refuse(sc, "a sql-migrate command in a %s file; use "
		    "one format per file", sc->m->format == MIGRATE_DBMATE ?
		    "dbmate" : "goose");
	sc->m->format = MIGRATE_SQL_MIGRATE;
	if (*cmd == 'S') {
		if (cmd[9] == 'B')
			sc->goose_block = sc->line;
		else
			sc->goose_block = 0;
		return MIGRATE_OK;
	}
	span_close(sc);
	if (*cmd == 'D')
		return MIGRATE_OK;
	/* options after Up: notransaction */
	for (cmd += n; cmd < end; cmd += k) {
		while (cmd < end && isspace((unsigned char)*cmd))
			cmd++;
		for (k = 0; cmd + k < end && !isspace((unsigned char)cmd[k]); k++)
			;
		if (k == 13 && memcmp(cmd, "notransaction", 13) == 0)
			sc->m->no_transaction = 1;
	}
	return span_open(sc);
}

/* One line (no newline; long lines keep their start). */
static enum migrate_status
scan_line(struct scan *sc, const char *line, size_t len)
{
	size_t opt = 0;
	int kind, near;

	sc->line++;
	if (sc->header) {
		if (is_marker(line, len))
			sc->m->no_transaction = 1;
		sc->header = is_header_line(line, len);
	}
	if ((kind = dbmate_marker(line, len, &opt, &near)) != 0)
		return dbmate_line(sc, kind, line + opt, len - opt);
	if (near)
		return scan_refuse(sc, "\"%.*s\" is not a marker dbmate "
		    "reads: write \"-- migrate:up\" or \"-- migrate:down\" "
		    "in lower case at the start of the line",
		    (int)(len > 80 ? 80 : len), line);
	if (is_goose_line(line, len))
		return goose_line(sc, line, len);
	if (is_sqlmigrate_line(line, len))
		return sqlmigrate_line(sc, line, len);
	if (sc->first_up == 0 && sc->statement == 0 && !is_header_line(line, len))
		sc->statement = sc->line;
	return MIGRATE_OK;
}

/* After the last line: a marked file must have an up section, with no
 * statement before it. */
static enum migrate_status
scan_end(struct scan *sc)
{
	const char *up = sc->m->format == MIGRATE_DBMATE ? "-- migrate:up" :
	    sc->m->format == MIGRATE_GOOSE ? "-- +goose Up" : "-- +migrate Up";

	if (sc->m->format == MIGRATE_PLAIN)
		return MIGRATE_OK;
	if (sc->first_up == 0)
		return scan_refuse(sc, "no \"%s\" line: nothing marks what "
		    "runs", up);
	if (sc->statement != 0 && sc->statement < sc->first_up) {
		sc->line = sc->statement;
		return scan_refuse(sc, "a statement before \"%s\" (line %lu), "
		    "outside any section", up, sc->first_up);
	}
	if (sc->goose_block)
		return scan_refuse(sc, "the StatementBegin of line %lu has no "
		    "StatementEnd", sc->goose_block);
	return MIGRATE_OK;
}

/* Checksum the whole file and scan its lines. */
static enum migrate_status
read_file(struct migration *m, char *err, size_t errlen)
{
	struct sha256 sha;
	struct scan sc;
	unsigned char buf[65536];
	char line[1024];
	size_t linelen = 0, i;
	enum migrate_status rc = MIGRATE_OK;
	int fd;
	ssize_t got;

	memset(&sc, 0, sizeof(sc));
	sc.m = m;
	sc.header = 1;
	sc.err = err;
	sc.errlen = errlen;
	if ((fd = open(m->path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
		return MIGRATE_ENOINPUT;
	}
	sha256_init(&sha);
	while (rc == MIGRATE_OK && (got = io_read(fd, buf, sizeof(buf))) != 0) {
		if (got == -1) {
			snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
			close(fd);
			sha256_discard(&sha);
			return MIGRATE_EIO;
		}
		sha256_update(&sha, buf, (size_t)got);
		for (i = 0; rc == MIGRATE_OK && i < (size_t)got; i++) {
			if (buf[i] != '\n') {
				/* Long lines keep their start; enough to judge. */
				if (linelen < sizeof(line))
					line[linelen++] = (char)buf[i];
				continue;
			}
			rc = scan_line(&sc, line, linelen);
			linelen = 0;
		}
	}
	if (rc == MIGRATE_OK && linelen > 0)
		rc = scan_line(&sc, line, linelen);
	if (rc == MIGRATE_OK)
		rc = scan_end(&sc);
	close(fd);
	if (sha256_final_hex(&sha, m->checksum) == -1 && rc == MIGRATE_OK) {
		snprintf(err, errlen, "%s: SHA-256: %s", m->path, strerror(errno));
		return MIGRATE_ENOMEM;
	}
	return rc;
}

static int
by_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
migration_free(struct migration *m)
{
	free(m->number);
	free(m->name);
	free(m->path);
	free(m->up);
}

static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && strcmp(s + len - n, suffix) == 0;
}

/* Whether a name that cr-migrate does not run looks like a migration meant
 * for another runner: a number first (005_add_x.ts, 1700000000000-Users.ts,
 * a numbered directory), or a program's extension (knex, umzug, goose's Go
 * migrations, Rails). */
static int
foreign_migration(const char *name, size_t len, int is_dir)
{
	static const char *const code[] = {
		".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".go", ".py", ".rb",
		".php", ".java", ".kt", ".rs", ".ex", ".exs", ".sh", ".coffee", ".cs"
	};
	size_t i;

	if (isdigit((unsigned char)name[0]))
		return 1;
	for (i = 0; !is_dir && i < sizeof(code) / sizeof(code[0]); i++)
		if (ends_with(name, len, code[i]))
			return 1;
	return 0;
}

static enum migrate_status
skip_add(struct migrate_set *set, size_t *cap, const char *dir, const char *name,
    enum migrate_skip why)
{
	struct migrate_skipped *v;

	if (set->nskipped == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		if ((v = reallocarray(set->skipped, *cap, sizeof(*v))) == NULL)
			return MIGRATE_ENOMEM;
		set->skipped = v;
	}
	v = &set->skipped[set->nskipped];
	v->why = why;
	if (asprintf(&v->path, "%s/%s", dir, name) == -1)
		return MIGRATE_ENOMEM;
	set->nskipped++;
	return MIGRATE_OK;
}

/* A directory entry that is not a migration cr-migrate runs: listed when
 * it is a down half, or a migration for another runner. */
static enum migrate_status
skip_entry(struct migrate_set *set, size_t *cap, const char *dir, const char *name,
    size_t len)
{
	struct stat st;
	char *path;
	int is_dir;

	if (asprintf(&path, "%s/%s", dir, name) == -1)
		return MIGRATE_ENOMEM;
	if (stat(path, &st) == -1 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
		free(path);
		return MIGRATE_OK;
	}
	free(path);
	is_dir = S_ISDIR(st.st_mode);
	if (!is_dir && ends_with(name, len, ".down.sql"))
		return skip_add(set, cap, dir, name, MIGRATE_SKIP_DOWN);
	if (foreign_migration(name, len, is_dir))
		return skip_add(set, cap, dir, name, MIGRATE_SKIP_NOT_SQL);
	return MIGRATE_OK;
}

static int
skipped_by_path(const void *a, const void *b)
{
	const struct migrate_skipped *x = a, *y = b;

	return strcmp(x->path, y->path);
}

enum migrate_status
migrate_scan(const char *dir, struct migrate_set *set, char *err, size_t errlen)
{
	struct migration *m;
	struct dirent *de;
	struct stat st;
	enum migrate_status rc = MIGRATE_OK;
	size_t cap = 0, skipcap = 0, len, stemlen, i, digits;
	int64_t version;
	DIR *d;

	memset(set, 0, sizeof(*set));
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return MIGRATE_ENOINPUT;
	}
	while (rc == MIGRATE_OK && (errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if (!ends_with(de->d_name, len, ".sql") ||
		    ends_with(de->d_name, len, ".down.sql")) {
			/* Never run; named, so nobody thinks it ran. */
			rc = skip_entry(set, &skipcap, dir, de->d_name, len);
			continue;
		}
		if (set->n == cap) {
			cap = cap ? 2 * cap : 64;
			m = reallocarray(set->v, cap, sizeof(*m));
			if (m == NULL) {
				rc = MIGRATE_ENOMEM;
				break;
			}
			set->v = m;
		}
		m = &set->v[set->n];
		memset(m, 0, sizeof(*m));
		if (asprintf(&m->path, "%s/%s", dir, de->d_name) == -1) {
			m->path = NULL;
			rc = MIGRATE_ENOMEM;
			break;
		}
		if (stat(m->path, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(m->path);
			continue;	/* a directory or dangling link named *.sql */
		}
		set->n++;
		if (migrate_parse_name(de->d_name, len, &version, &stemlen) == -1) {
			snprintf(err, errlen, "%s: not a migration file name "
			    "(expected NNN_name.sql)", m->path);
			rc = MIGRATE_EDATA;
			break;
		}
		for (digits = 0; isdigit((unsigned char)de->d_name[digits]); digits++)
			;
		m->version = version;
		if ((m->name = strndup(de->d_name, stemlen)) == NULL ||
		    (m->number = strndup(de->d_name, digits)) == NULL) {
			rc = MIGRATE_ENOMEM;
			break;
		}
	}
	if (rc == MIGRATE_OK && errno != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		rc = MIGRATE_EIO;
	}
	closedir(d);
	if (rc == MIGRATE_OK && set->nskipped > 0)
		qsort(set->skipped, set->nskipped, sizeof(*set->skipped), skipped_by_path);
	if (rc == MIGRATE_OK && set->n > 0) {
		/* qsort(NULL, 0, ...) is undefined: an empty directory has no v. */
		qsort(set->v, set->n, sizeof(*set->v), by_version);
		for (i = 1; i < set->n; i++)
			if (set->v[i].version == set->v[i - 1].version) {
				snprintf(err, errlen, "%s: duplicate migration "
				    "number %s (also %s)", set->v[i].path,
				    set->v[i].number, set->v[i - 1].path);
				rc = MIGRATE_EDATA;
				break;
			}
	}
	for (i = 0; rc == MIGRATE_OK && i < set->n; i++)
		rc = read_file(&set->v[i], err, errlen);
	if (rc == MIGRATE_ENOMEM)
		strlcpy(err, "out of memory", errlen);
	if (rc != MIGRATE_OK)
		migrate_set_free(set);
	return rc;
}

void
migrate_set_free(struct migrate_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		migration_free(&set->v[i]);
	free(set->v);
	for (i = 0; i < set->nskipped; i++)
		free(set->skipped[i].path);
	free(set->skipped);
	memset(set, 0, sizeof(*set));
}

const struct migration *
migrate_find(const struct migrate_set *set, int64_t version)
{
	size_t lo = 0, hi = set->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (set->v[mid].version == version)
			return &set->v[mid];
		if (set->v[mid].version < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
entry_by_version(const void *a, const void *b)
{
	const struct migrate_plan_entry *x = a, *y = b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return 0;
}

int
migrate_plan_make(const struct migrate_set *set, const struct migrate_applied *applied,
    size_t napplied, struct migrate_plan *plan)
{
	struct migrate_plan_entry *e;
	const struct migration *f;
	size_t i, j;

	memset(plan, 0, sizeof(*plan));
	plan->newest_applied = -1;
	if ((plan->v = calloc(set->n + napplied + 1, sizeof(*plan->v))) == NULL)
		return -1;
	for (i = 0; i < set->n; i++) {
		e = &plan->v[plan->n++];
		e->version = set->v[i].version;
		e->file = &set->v[i];
		e->state = MIGRATE_PENDING;
	}
	/* Files are sorted, so each applied row finds its file by search. */
	for (i = 0; i < napplied; i++) {
		for (j = 0; j < i; j++)
			if (applied[j].version == applied[i].version)
				break;
		if (j < i)
			continue;
		if (applied[i].version > plan->newest_applied)
			plan->newest_applied = applied[i].version;
		if ((f = migrate_find(set, applied[i].version)) != NULL) {
			e = &plan->v[f - set->v];
			e->applied = &applied[i];
			e->state = applied[i].checksum != NULL &&
			    strcmp(applied[i].checksum, f->checksum) != 0 ?
			    MIGRATE_DRIFTED : MIGRATE_APPLIED;
		} else {
			/* Without a checksum there never was a file we knew of:
			 * a migration the app ran in another form. */
			e = &plan->v[plan->n++];
			e->version = applied[i].version;
			e->applied = &applied[i];
			e->state = applied[i].checksum != NULL ?
			    MIGRATE_MISSING : MIGRATE_APPLIED;
		}
	}
	qsort(plan->v, plan->n, sizeof(*plan->v), entry_by_version);
	for (i = 0; i < plan->n; i++) {
		if (plan->v[i].state == MIGRATE_PENDING)
			plan->pending++;
		else if (plan->v[i].state == MIGRATE_DRIFTED)
			plan->drifted++;
		else if (plan->v[i].state == MIGRATE_MISSING)
			plan->missing++;
	}
	return 0;
}

void
migrate_plan_free(struct migrate_plan *plan)
{
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}

const char *
migrate_state_name(enum migrate_state st)
{
	switch (st) {
	case MIGRATE_APPLIED:	return "applied";
	case MIGRATE_PENDING:	return "pending";
	case MIGRATE_DRIFTED:	return "drifted";
	case MIGRATE_MISSING:	return "missing";
	}
	return "?";
}
