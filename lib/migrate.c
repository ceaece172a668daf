/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migrate: discovery of NNN_name.sql files, their checksums and markers, and
 * the applied/pending/drifted/missing plan. */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "migrate.h"

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

/* Checksum the file and look for the marker among its leading comment lines. */
static enum migrate_status
read_file(struct migration *m, char *err, size_t errlen)
{
	struct sha256 sha;
	unsigned char buf[65536];
	char line[256];
	size_t linelen = 0, i;
	int fd, header = 1;
	ssize_t got;

	if ((fd = open(m->path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
		return MIGRATE_ENOINPUT;
	}
	sha256_init(&sha);
	while ((got = read(fd, buf, sizeof(buf))) != 0) {
		if (got == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
			close(fd);
			sha256_discard(&sha);
			return MIGRATE_EIO;
		}
		sha256_update(&sha, buf, (size_t)got);
		for (i = 0; header && i < (size_t)got; i++) {
			if (buf[i] != '\n') {
				/* Long lines keep their start; enough to judge. */
				if (linelen < sizeof(line))
					line[linelen++] = (char)buf[i];
				continue;
			}
			if (is_marker(line, linelen))
				m->no_transaction = 1;
			header = is_header_line(line, linelen);
			linelen = 0;
		}
	}
	if (header && linelen > 0 && is_marker(line, linelen))
		m->no_transaction = 1;
	close(fd);
	if (sha256_final_hex(&sha, m->checksum) == -1) {
		snprintf(err, errlen, "%s: SHA-256: %s", m->path, strerror(errno));
		return MIGRATE_ENOMEM;
	}
	return MIGRATE_OK;
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
}

enum migrate_status
migrate_scan(const char *dir, struct migrate_set *set, char *err, size_t errlen)
{
	struct migration *m;
	struct dirent *de;
	struct stat st;
	enum migrate_status rc = MIGRATE_OK;
	size_t cap = 0, len, stemlen, i, digits;
	int64_t version;
	DIR *d;

	set->v = NULL;
	set->n = 0;
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return MIGRATE_ENOINPUT;
	}
	while (rc == MIGRATE_OK && (errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 4 ||
		    strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
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
	set->v = NULL;
	set->n = 0;
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
