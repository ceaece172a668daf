/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dotenv: parser for the KEY=VALUE files Node and other web apps keep, read
 * the way the npm dotenv package reads them (see dotenv.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "base/dotenv.h"

/* An env file is a handful of settings; a larger file is not one. */
#define DOTENV_MAX	(1024 * 1024)
#define DOTENV_MAXWARN	20

struct dotenv_entry {
	char	*key;
	char	*value;
};

struct dotenv {
	struct dotenv_entry	*entries;
	size_t			 count, cap;
	char			*warnings[DOTENV_MAXWARN + 1];
	size_t			 nwarnings;
};

/* JavaScript's \s, but for the line ends handled apart. */
static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* JavaScript's \s where dotenv's expression lets it cross a line end. */
static int
is_space(char c)
{
	return is_blank(c) || c == '\n';
}

static int
is_keychar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static int
dotenv_add(struct dotenv *env, const char *key, size_t keylen, char *value)
{
	struct dotenv_entry *grown;
	char *k;

	if (env->count == env->cap) {
		size_t cap = env->cap ? env->cap * 2 : 16;
		if ((grown = reallocarray(env->entries, cap, sizeof(*grown))) == NULL)
			return -1;
		env->entries = grown;
		env->cap = cap;
	}
	if ((k = strndup(key, keylen)) == NULL)
		return -1;
	env->entries[env->count].key = k;
	env->entries[env->count].value = value;
	env->count++;
	return 0;
}

static int
dotenv_warn(struct dotenv *env, const char *path, size_t line, const char *what)
{
	char *w;

	if (env->nwarnings > DOTENV_MAXWARN)
		return 0;
	if (env->nwarnings == DOTENV_MAXWARN) {
		if (asprintf(&w, "%s: more lines skipped or taken as written; the first %d "
		    "are named above", path, DOTENV_MAXWARN) == -1)
			return -1;
	} else if (asprintf(&w, "%s: line %zu: %s", path, line, what) == -1)
		return -1;
	env->warnings[env->nwarnings++] = w;
	return 0;
}

/* After a closing quote at q: blanks, an optional # comment, then the end
 * of the line.  Returns where the line ends, or NULL. */
static const char *
tail_ok(const char *q, const char *end)
{
	while (q < end && is_blank(*q))
		q++;
	if (q < end && *q == '#')
		while (q < end && *q != '\n')
			q++;
	return q == end || *q == '\n' ? q : NULL;
}

/* The value's text at v as dotenv's LINE matches it: a quoted value whose
 * closing quote (any quote with a backslash before it, or the first one
 * without) is followed by nothing but a comment, the farthest first; else
 * the text up to a # or the line's end.  Sets *vs and *ve to the text,
 * *lineend to the end of the match; *unclosed when a quote opened but no
 * closing quote fits. */
static void
match_value(const char *v, const char *end, const char **vs, const char **ve,
    const char **lineend, int *unclosed)
{
	const char *w = v, *p, *last = NULL, *t;
	char quote;

	*unclosed = 0;
	/* \s* before a quote: "KEY=" with the quoted value on the next
	 * line is that value to dotenv. */
	while (w < end && is_space(*w))
		w++;
	if (w < end && (*w == '"' || *w == '\'' || *w == '`')) {
		quote = *w;
		/* The candidates, nearest first; the last one is the first
		 * quote without a backslash before it. */
		for (p = w + 1; p < end; p++) {
			if (*p != quote)
				continue;
			if ((t = tail_ok(p + 1, end)) != NULL) {
				last = p;
				*lineend = t;
			}
			if (p[-1] != '\\' || p - 1 == w)
				break;
		}
		if (last != NULL) {
			*vs = w;
			*ve = last + 1;
			return;
		}
		*unclosed = memchr(v, '\n', (size_t)(w - v)) == NULL;
	}
	for (p = v; p < end && *p != '#' && *p != '\n'; p++)
		;
	*vs = v;
	*ve = p;
	while (p < end && *p != '\n')
		p++;
	*lineend = p;
}

/* The value as dotenv makes it from the matched text: trimmed, one pair of
 * surrounding quotes removed, \n and \r expanded when it began with a
 * double quote. */
static char *
make_value(const char *vs, const char *ve)
{
	char *out, *o, first;

	while (vs < ve && (is_blank(*vs) || *vs == '\n'))
		vs++;
	while (ve > vs && (is_blank(ve[-1]) || ve[-1] == '\n'))
		ve--;
	first = vs < ve ? *vs : '\0';
	if (ve - vs >= 2 && (first == '"' || first == '\'' || first == '`') &&
	    ve[-1] == first) {
		vs++;
		ve--;
	}
	if ((out = malloc((size_t)(ve - vs) + 1)) == NULL)
		return NULL;
	for (o = out; vs < ve; vs++) {
		if (first == '"' && *vs == '\\' && vs + 1 < ve &&
		    (vs[1] == 'n' || vs[1] == 'r')) {
			*o++ = vs[1] == 'n' ? '\n' : '\r';
			vs++;
		} else
			*o++ = *vs;
	}
	*o = '\0';
	return out;
}

/* KEY, then = or ": " at p.  Returns where the value starts (and the key
 * in *key, *keylen), or NULL. */
static const char *
match_key(const char *p, const char *end, const char **key, size_t *keylen)
{
	const char *k = p;

	while (p < end && is_keychar(*p))
		p++;
	if (p == k)
		return NULL;
	*key = k;
	*keylen = (size_t)(p - k);
	while (p < end && is_space(*p))
		p++;
	if (p < end && *p == '=')
		return p + 1;
	/* KEY: VALUE (one space after the colon is required, and taken) */
	if (p == k + *keylen && p + 1 < end && *p == ':' && is_space(p[1]))
		return p + 2;
	return NULL;
}

static size_t
count_lines(const char *p, const char *end)
{
	size_t n = 0;

	for (; p < end; p++)
		if (*p == '\n')
			n++;
	return n;
}

/* Parse the text (line ends already LF) into env. */
static int
dotenv_parse(struct dotenv *env, const char *path, const char *buf, const char *end)
{
	const char *p = buf, *q, *v, *key, *vs, *ve, *lineend;
	char *value, what[160];
	size_t line = 1, keylen;
	int unclosed;

	while (p < end) {
		q = p;
		while (q < end && is_blank(*q))
			q++;
		if (q == end || *q == '\n' || *q == '#') {
			/* blank or comment */
			while (q < end && *q != '\n')
				q++;
			goto next;
		}
		v = NULL;
		if (end - q > 6 && strncmp(q, "export", 6) == 0 && is_space(q[6])) {
			const char *r = q + 6;

			while (r < end && is_space(*r))
				r++;
			v = match_key(r, end, &key, &keylen);
		}
		if (v == NULL)
			v = match_key(q, end, &key, &keylen);
		if (v == NULL) {
			while (q < end && *q != '\n')
				q++;
			if (dotenv_warn(env, path, line, "not KEY=VALUE: skipped, as the "
			    "dotenv package skips it") == -1)
				return -1;
			goto next;
		}
		match_value(v, end, &vs, &ve, &lineend, &unclosed);
		if (unclosed) {
			snprintf(what, sizeof(what), "%.*s: the quote does not close: the "
			    "value is taken as written, quote and all, as the dotenv package "
			    "takes it", (int)(keylen > 64 ? 64 : keylen), key);
			if (dotenv_warn(env, path, line, what) == -1)
				return -1;
		}
		if ((value = make_value(vs, ve)) == NULL)
			return -1;
		if (dotenv_add(env, key, keylen, value) == -1) {
			explicit_bzero(value, strlen(value));
			free(value);
			return -1;
		}
		line += count_lines(q, lineend);
		q = lineend;
next:
		if (q < end)	/* the '\n' */
			q++;
		line++;
		p = q;
	}
	return 0;
}

struct dotenv *
dotenv_load(const char *path, enum dotenv_error *kind, char *err,
    size_t errlen)
{
	struct dotenv *env = NULL;
	enum dotenv_error unused;
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, i, o;
	int c;

	if (kind == NULL)
		kind = &unused;
	*kind = DOTENV_OK;
	if ((fp = fopen(path, "re")) == NULL) {
		*kind = DOTENV_OPEN;
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if ((buf = malloc(DOTENV_MAX + 1)) == NULL)
		goto nomem;
	/* CRLF and a lone CR read as LF, as dotenv's /\r\n?/ replace. */
	while ((c = getc(fp)) != EOF) {
		if (len == DOTENV_MAX) {
			*kind = DOTENV_TOO_LARGE;
			snprintf(err, errlen, "larger than %d bytes: not an env file",
			    DOTENV_MAX);
			goto fail;
		}
		buf[len++] = (char)c;
	}
	if (ferror(fp)) {
		*kind = DOTENV_READ;
		snprintf(err, errlen, "read error: %s", strerror(errno));
		goto fail;
	}
	for (i = o = 0; i < len; i++) {
		if (buf[i] == '\r') {
			buf[o++] = '\n';
			if (i + 1 < len && buf[i + 1] == '\n')
				i++;
		} else if (buf[i] == '\0') {
			/* a C string ends there: no NUL in a value */
			buf[o++] = ' ';
		} else
			buf[o++] = buf[i];
	}
	len = o;
	if ((env = calloc(1, sizeof(*env))) == NULL)
		goto nomem;
	if (dotenv_parse(env, path, buf, buf + len) == -1)
		goto nomem;
	explicit_bzero(buf, DOTENV_MAX);
	free(buf);
	fclose(fp);
	return env;
nomem:
	*kind = DOTENV_NOMEM;
	strlcpy(err, "out of memory", errlen);
fail:
	if (buf != NULL)
		explicit_bzero(buf, DOTENV_MAX);
	free(buf);
	fclose(fp);
	dotenv_free(env);
	return NULL;
}

const char *
dotenv_get(const struct dotenv *env, const char *key)
{
	size_t i;

	for (i = env->count; i > 0; i--)
		if (strcmp(env->entries[i - 1].key, key) == 0)
			return env->entries[i - 1].value;
	return NULL;
}

const char *
dotenv_warning(const struct dotenv *env, size_t i)
{
	return env != NULL && i < env->nwarnings ? env->warnings[i] : NULL;
}

void
dotenv_free(struct dotenv *env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; i < env->count; i++) {
		explicit_bzero(env->entries[i].value, strlen(env->entries[i].value));
		free(env->entries[i].key);
		free(env->entries[i].value);
	}
	for (i = 0; i < env->nwarnings; i++)
		free(env->warnings[i]);
	free(env->entries);
	free(env);
}

int
dotenv_shell_name(const char *key)
{
	return key[0] != '\0' && !(key[0] >= '0' && key[0] <= '9') &&
	    key[strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_")] == '\0';
}
