/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* manifest: the manifest's schema both ways: written through the JSON
 * writer (lib/base/json), read with a small JSON reader of its own; its
 * path; and comparisons of two manifests' tables. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "base/io.h"
#include "base/json.h"
#include "format/manifest.h"

/* A cursor over the whole manifest text. */
struct json {
	const char	*p, *end;
	const char	*error;
};

static void
skip_space(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
expect(struct json *j, char c)
{
	skip_space(j);
	if (j->p >= j->end || *j->p != c) {
		j->error = "malformed JSON";
		return -1;
	}
	j->p++;
	return 0;
}

/* A string: decoded into a new buffer (*out, may be NULL to skip). */
/* The low half of a surrogate pair at p ("DC00".."DFFF"), or 0. */
static unsigned
surrogate_low(const char *p)
{
	char hex[5];
	unsigned cp;
	int i;

	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return 0;
		hex[i] = p[i];
	}
	hex[4] = '\0';
	cp = (unsigned)strtoul(hex, NULL, 16);
	return cp >= 0xdc00 && cp < 0xe000 ? cp : 0;
}

/* Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. */
static int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	unsigned cp, n, k;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3, cp = *p & 0x07;
		else
			return 0;
		if ((size_t)(end - p) <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int
parse_string(struct json *j, char **out)
{
	const char *start;
	char *buf = NULL, *w, hex[5];
	unsigned cp, lo;
	int i;

	if (expect(j, '"') == -1)
		return -1;
	start = j->p;
	while (j->p < j->end && *j->p != '"') {
		/* RFC 8259 7: control characters only escaped */
		if ((unsigned char)*j->p < 0x20) {
			j->error = "a control character in a string";
			return -1;
		}
		if (*j->p == '\\')
			j->p++;
		j->p++;
	}
	if (j->p >= j->end) {
		j->error = "unterminated string";
		return -1;
	}
	if (out != NULL) {
		/* decoded is never longer than encoded */
		if ((buf = malloc((size_t)(j->p - start) + 1)) == NULL) {
			j->error = "out of memory";
			return -1;
		}
		for (w = buf; start < j->p; start++) {
			if (*start != '\\') {
				*w++ = *start;
				continue;
			}
			switch (*++start) {
			case 'n': *w++ = '\n'; break;
			case 't': *w++ = '\t'; break;
			case 'r': *w++ = '\r'; break;
			case 'b': *w++ = '\b'; break;
			case 'f': *w++ = '\f'; break;
			case 'u':
				for (i = 1; i <= 4; i++) {
					if (start + i >= j->p ||
					    !isxdigit((unsigned char)start[i])) {
						free(buf);
						j->error = "bad \\u escape";
						return -1;
					}
					hex[i - 1] = start[i];
				}
				hex[4] = '\0';
				cp = (unsigned)strtoul(hex, NULL, 16);
				start += 4;
				/* A high surrogate must be followed by its low
				 * half (RFC 8259 7); U+0000 would cut the
				 * string short for every C reader after us. */
				if (cp >= 0xd800 && cp < 0xdc00 && j->p - start >= 7 &&
				    start[1] == '\\' && start[2] == 'u' &&
				    (lo = surrogate_low(start + 3)) != 0) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					start += 6;
				}
				if (cp == 0 || (cp >= 0xd800 && cp < 0xe000)) {
					free(buf);
					j->error = cp == 0 ? "\\u0000 in a string" :
					    "a lone UTF-16 surrogate in a string";
					return -1;
				}
				/* cr writes \u only below 0x80 */
				if (cp < 0x80)
					*w++ = (char)cp;
				else if (cp < 0x800) {
					*w++ = (char)(0xc0 | cp >> 6);
					*w++ = (char)(0x80 | (cp & 0x3f));
				} else if (cp < 0x10000) {
					*w++ = (char)(0xe0 | cp >> 12);
					*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
					*w++ = (char)(0x80 | (cp & 0x3f));
				} else {
					*w++ = (char)(0xf0 | cp >> 18);
					*w++ = (char)(0x80 | (cp >> 12 & 0x3f));
					*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
					*w++ = (char)(0x80 | (cp & 0x3f));
				}
				break;
			default: *w++ = *start; break;
			}
		}
		*w = '\0';
		/* Names go on to --json and to the terminal: they must be
		 * the UTF-8 JSON requires (RFC 8259 8.1). */
		if (!utf8_valid(buf, (size_t)(w - buf))) {
			free(buf);
			j->error = "a string that is not valid UTF-8";
			return -1;
		}
		*out = buf;
	}
	j->p++;
	return 0;
}

/* A JSON number (RFC 8259's grammar).  Where the manifest keeps one (out
 * not NULL: a count of rows or bytes) it must be a whole number that is not
 * negative: "-5", "1.5" or "1e3" there is an error, not a different count
 * read in silence.  A skipped member's number may be any JSON number. */
static int
parse_number(struct json *j, uint64_t *out)
{
	uint64_t v = 0;
	int neg = 0, digits = 0, frac = 0, over = 0;

	skip_space(j);
	if (j->p < j->end && *j->p == '-') {
		neg = 1;
		j->p++;
	}
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 &&
		    (uint64_t)(*j->p - '0') > UINT64_MAX % 10))
			over = 1;
		else
			v = v * 10 + (uint64_t)(*j->p - '0');
		j->p++;
		digits++;
	}
	if (digits == 0 || (digits > 1 && j->p[-digits] == '0')) {
		j->error = "malformed JSON number";
		return -1;
	}
	if (j->p < j->end && *j->p == '.') {
		frac = 1;
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			j->error = "malformed JSON number";
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		frac = 1;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			j->error = "malformed JSON number";
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (out == NULL)
		return 0;
	if (neg || frac || over) {
		j->error = neg ? "a negative number where a count belongs" : frac ?
		    "a fraction or exponent where a whole count belongs" :
		    "number too large";
		return -1;
	}
	*out = v;
	return 0;
}

static int
literal(struct json *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) {
		j->error = "malformed JSON";
		return -1;
	}
	j->p += n;
	return 0;
}

/* The members of an object (open '{', each with its key) or the elements of
 * an array (open '[', key NULL), in order, each handed to fn, which reads
 * its value.  One loop for every container the manifest has. */
static int
each(struct json *j, char open, int (*fn)(struct json *, const char *, void *),
    void *arg)
{
	char close = open == '{' ? '}' : ']', *key;
	int rc;

	if (expect(j, open) == -1)
		return -1;
	skip_space(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		key = NULL;
		if (open == '{' && (parse_string(j, &key) == -1 ||
		    expect(j, ':') == -1)) {
			free(key);
			return -1;
		}
		rc = fn(j, key, arg);
		free(key);
		if (rc == -1)
			return -1;
		skip_space(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		return expect(j, close);
	}
}

static int skip_value(struct json *j, int depth);

static int
skip_member(struct json *j, const char *key, void *depth)
{
	(void)key;
	return skip_value(j, *(int *)depth + 1);
}

static int
skip_value(struct json *j, int depth)
{
	if (depth > 32) {
		j->error = "JSON nested too deep";
		return -1;
	}
	skip_space(j);
	if (j->p >= j->end) {
		j->error = "truncated JSON";
		return -1;
	}
	switch (*j->p) {
	case '"':	return parse_string(j, NULL);
	case '{':
	case '[':	return each(j, *j->p, skip_member, &depth);
	case 't':	return literal(j, "true");
	case 'f':	return literal(j, "false");
	case 'n':	return literal(j, "null");
	default:	return parse_number(j, NULL);
	}
}

/* A string or null. */
static int
parse_string_or_null(struct json *j, char **out)
{
	skip_space(j);
	if (j->p < j->end && *j->p == 'n')
		return literal(j, "null");
	free(*out);
	*out = NULL;
	return parse_string(j, out);
}

static int
table_member(struct json *j, const char *key, void *arg)
{
	struct manifest_table *t = arg;

	if (strcmp(key, "name") == 0)
		return parse_string_or_null(j, &t->name);
	if (strcmp(key, "rows") == 0)
		return parse_number(j, &t->rows);
	if (strcmp(key, "bytes") == 0) {
		t->has_bytes = 1;
		return parse_number(j, &t->bytes);
	}
	return skip_value(j, 2);
}

struct tables {
	struct manifest	*m;
	size_t		 cap;
};

/* One element of "tables"; one without a name is not kept. */
static int
table_element(struct json *j, const char *key, void *arg)
{
	struct tables *tt = arg;
	struct manifest *m = tt->m;
	struct manifest_table *grown, *t;

	(void)key;
	if (m->ntables == tt->cap) {
		tt->cap = tt->cap ? tt->cap * 2 : 64;
		if ((grown = reallocarray(m->tables, tt->cap,
		    sizeof(*grown))) == NULL) {
			j->error = "out of memory";
			return -1;
		}
		m->tables = grown;
	}
	t = &m->tables[m->ntables];
	memset(t, 0, sizeof(*t));
	if (each(j, '{', table_member, t) == -1) {
		free(t->name);
		return -1;
	}
	if (t->name != NULL)
		m->ntables++;
	return 0;
}

static int
parse_bool(struct json *j, int *out)
{
	skip_space(j);
	if (j->p < j->end && *j->p == 't') {
		*out = 1;
		return literal(j, "true");
	}
	*out = 0;
	return literal(j, "false");
}

/* "tables": the last one given counts. */
static int
parse_tables(struct json *j, struct manifest *m)
{
	struct tables tt = { m, 0 };
	size_t i;

	for (i = 0; i < m->ntables; i++)
		free(m->tables[i].name);
	free(m->tables);
	m->tables = NULL;
	m->ntables = 0;
	return each(j, '[', table_element, &tt);
}

/* The members cr reads back; the rest are skipped as unknown ones are. */
static int
manifest_member(struct json *j, const char *key, void *arg)
{
	struct manifest *m = arg;

	if (strcmp(key, "sha256") == 0)
		return parse_string_or_null(j, &m->sha256);
	if (strcmp(key, "schema_sha256") == 0)
		return parse_string_or_null(j, &m->schema_sha256);
	if (strcmp(key, "stored_bytes") == 0)
		return parse_number(j, &m->stored_bytes);
	if (strcmp(key, "file_bytes") == 0)
		return parse_number(j, &m->file_bytes);
	if (strcmp(key, "bytes") == 0)
		return parse_number(j, &m->bytes);
	if (strcmp(key, "rows") == 0)
		return parse_number(j, &m->rows);
	if (strcmp(key, "healthy") == 0)
		return parse_bool(j, &m->healthy);
	if (strcmp(key, "tables") == 0)
		return parse_tables(j, m);
	return skip_value(j, 1);
}

int
manifest_path(const char *dir, const char *name, char *buf, size_t len)
{
	int n;

	n = dir != NULL ? snprintf(buf, len, "%s/%s%s", dir, name,
	    MANIFEST_SUFFIX) : snprintf(buf, len, "%s%s", name, MANIFEST_SUFFIX);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

size_t
manifest_stem(const char *filename)
{
	size_t len = strlen(filename), slen = strlen(MANIFEST_SUFFIX);

	if (len <= slen || strcmp(filename + len - slen, MANIFEST_SUFFIX) != 0)
		return 0;
	return len - slen;
}

int
manifest_read(const char *path, struct manifest *m, char *err, size_t errlen)
{
	struct json j;
	struct stat st;
	char *text = NULL;
	ssize_t got;
	int fd;

	memset(m, 0, sizeof(*m));
	m->is_manifest = 1;
	m->ok = 1;
	m->scanned = 1;
	m->healthy = 1;
	m->duration = -1;
	m->schema_only = -1;
	/* Beside a backup anyone who can write the directory may have put a
	 * FIFO (whose open or read would wait forever) or a symbolic link
	 * under a manifest's name: neither is opened as one. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s", errno == ELOOP ?
		    "a symbolic link, not a regular file" : strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MANIFEST_MAX_BYTES) {
		snprintf(err, errlen, "%s", !S_ISREG(st.st_mode) ?
		    "not a regular file" : "too large for a manifest");
		close(fd);
		return -1;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	got = io_read_full(fd, text, (size_t)st.st_size);
	close(fd);
	if (got != st.st_size) {
		snprintf(err, errlen, "%s", got == -1 ? strerror(errno) :
		    "changed while read");
		free(text);
		return -1;
	}
	j.p = text;
	j.end = text + got;
	j.error = NULL;
	if (each(&j, '{', manifest_member, m) == 0) {
		skip_space(&j);
		if (j.p < j.end)
			j.error = "more than white space after the object";
	}
	if (j.error != NULL) {
		snprintf(err, errlen, "%s at byte %zu", j.error,
		    (size_t)(j.p - text));
		free(text);
		manifest_free(m);
		return -1;
	}
	free(text);
	return 0;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
manifest_free(struct manifest *m)
{
	size_t i;
	char **strings[] = { &m->file, &m->error, &m->name, &m->baseline,
	    &m->sha256, &m->cr_version, &m->database, &m->user, &m->dump_time,
	    &m->server_version, &m->pg_dump_version, &m->options, &m->contents,
	    &m->selection, &m->schema_sha256, &m->note };

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(*strings[i]);
	free_list(m->damage, m->ndamage);
	free_list(m->alarms, m->nalarms);
	for (i = 0; i < m->ntables; i++)
		free(m->tables[i].name);
	free(m->tables);
	memset(m, 0, sizeof(*m));
}

int
manifest_of_backup(struct manifest *m, const char *name, long duration)
{
	free(m->file);
	free(m->name);
	m->file = strdup(name);
	m->name = strdup(name);
	m->is_manifest = 1;
	m->duration = duration;
	return m->file == NULL || m->name == NULL ? -1 : 0;
}

int
manifest_alarm(struct manifest *m, const char *text)
{
	char **v, *copy;

	if ((copy = strdup(text)) == NULL)
		return -1;
	if ((v = reallocarray(m->alarms, m->nalarms + 1, sizeof(*v))) == NULL) {
		free(copy);
		return -1;
	}
	v[m->nalarms++] = copy;
	m->alarms = v;
	m->healthy = 0;
	return 0;
}

static void
put_list(struct jw *w, const char *key, char *const *v, size_t n)
{
	size_t i;

	jw_array(w, key);
	for (i = 0; i < n; i++)
		jw_str(w, NULL, v[i]);
	jw_end(w);
}

void
manifest_put(struct jw *w, const struct manifest *m)
{
	char crc[9];
	size_t i;

	jw_str(w, "file", m->file);
	jw_bool(w, "ok", m->ok);
	if (!m->ok) {
		jw_str(w, "error", m->error);
		if (m->has_offset)
			jw_uint(w, "offset", m->offset);
		else
			jw_null(w, "offset");
		jw_int(w, "exit", m->exit);
		if (m->ndamage > 0)
			put_list(w, "damage", m->damage, m->ndamage);
	}
	if (!m->scanned)
		return;
	if (m->is_manifest) {
		jw_str(w, "name", m->name);
		jw_bool(w, "healthy", m->healthy);
		put_list(w, "alarms", m->alarms, m->nalarms);
		jw_str(w, "baseline", m->baseline);
		jw_str(w, "sha256", m->sha256);
		jw_uint(w, "file_bytes", m->file_bytes);
		if (m->duration >= 0)
			jw_int(w, "duration_s", m->duration);
		else
			jw_null(w, "duration_s");
	}
	jw_bool(w, "gzip", m->gzip);
	jw_uint(w, "gzip_members", m->gzip_members);
	jw_uint(w, "stored_bytes", m->stored_bytes);
	jw_uint(w, "bytes", m->bytes);
	jw_fixed(w, "ratio", m->stored_bytes > 0 ? (double)m->bytes /
	    (double)m->stored_bytes : 0.0, 2);
	jw_bool(w, "cr_dump", m->cr_dump);
	jw_str(w, "cr_version", m->cr_version);
	jw_bool(w, "trailer", m->trailer);
	if (m->trailer) {
		snprintf(crc, sizeof(crc), "%08" PRIx32, m->trailer_crc32);
		jw_str(w, "trailer_crc32", crc);
	}
	jw_str(w, "database", m->database);
	jw_str(w, "user", m->user);
	jw_str(w, "dump_time", m->dump_time);
	jw_str(w, "server_version", m->server_version);
	jw_str(w, "pg_dump_version", m->pg_dump_version);
	jw_str(w, "options", m->options);
	jw_str(w, "contents", m->contents);
	jw_str(w, "selection", m->selection);
	if (m->schema_only >= 0)
		jw_bool(w, "schema_only", m->schema_only);
	else
		jw_null(w, "schema_only");
	if (m->ok)
		jw_str(w, "schema_sha256", m->schema_sha256);
	jw_bool(w, "complete", m->complete);
	jw_uint(w, "tables_with_data", m->tables_with_data);
	jw_uint(w, "rows", m->rows);
	jw_array(w, "tables");
	for (i = 0; i < m->ntables; i++) {
		jw_object(w, NULL);
		jw_str(w, "name", m->tables[i].name);
		jw_uint(w, "rows", m->tables[i].rows);
		if (m->tables[i].has_bytes)
			jw_uint(w, "bytes", m->tables[i].bytes);
		jw_end(w);
	}
	jw_end(w);
	if (m->ntables < m->tables_with_data)
		jw_uint(w, "tables_listed", m->ntables);
	if (m->ok)
		jw_str(w, "note", m->note);
}

static int
fill(FILE *fp, void *arg)
{
	struct jw w;

	jw_begin(&w, fp);
	manifest_put(&w, arg);
	return jw_finish(&w);
}

int
manifest_write(const char *path, const struct manifest *m, char *err,
    size_t errlen)
{
	return io_write_atomic(path, fill, (void *)(uintptr_t)m, err, errlen);
}

static int
compare_table_ptrs(const void *va, const void *vb)
{
	const struct manifest_table *const *a = va, *const *b = vb;

	return strcmp((*a)->name, (*b)->name);
}

/* m's tables by name, as pointers into m (NULL when there are none). */
static const struct manifest_table **
sorted_tables(const struct manifest *m, int *fail)
{
	const struct manifest_table **v;
	size_t i;

	if (m->ntables == 0)
		return NULL;
	if ((v = reallocarray(NULL, m->ntables, sizeof(*v))) == NULL) {
		*fail = 1;
		return NULL;
	}
	for (i = 0; i < m->ntables; i++)
		v[i] = &m->tables[i];
	qsort(v, m->ntables, sizeof(*v), compare_table_ptrs);
	return v;
}

int
manifest_compare(const struct manifest *old, const struct manifest *new,
    void (*fn)(const struct manifest_delta *, void *), void *arg)
{
	const struct manifest_table **o, **n;
	struct manifest_delta d;
	size_t i = 0, k = 0;
	int c, fail = 0;

	o = sorted_tables(old, &fail);
	n = sorted_tables(new, &fail);
	while (!fail && (i < old->ntables || k < new->ntables)) {
		memset(&d, 0, sizeof(d));
		if (i == old->ntables)
			c = 1;
		else if (k == new->ntables)
			c = -1;
		else
			c = strcmp(o[i]->name, n[k]->name);
		if (c == 0)
			d.has_bytes = o[i]->has_bytes && n[k]->has_bytes;
		if (c <= 0) {
			d.name = o[i]->name;
			d.in_old = 1;
			d.old_bytes = o[i]->bytes;
			d.old_rows = o[i++]->rows;
		}
		if (c >= 0) {
			d.name = n[k]->name;
			d.in_new = 1;
			d.new_bytes = n[k]->bytes;
			d.new_rows = n[k++]->rows;
		}
		fn(&d, arg);
	}
	free(o);
	free(n);
	return fail ? -1 : 0;
}

int
manifest_health(const char *path)
{
	struct manifest m;
	char why[256];
	int healthy;

	if (manifest_read(path, &m, why, sizeof(why)) == -1)
		return -1;
	healthy = m.healthy;
	manifest_free(&m);
	return healthy ? 1 : 0;
}
