/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dotenv: parser for the KEY=VALUE files Node and other web apps keep. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "dotenv.h"

struct dotenv_entry {
	char	*key;
	char	*value;
};

struct dotenv {
	struct dotenv_entry	*entries;
	size_t			 count, cap;
};

static int
dotenv_add(struct dotenv *env, const char *key, size_t keylen, const char *value)
{
	struct dotenv_entry *grown;
	char *k, *v;

	if (env->count == env->cap) {
		size_t cap = env->cap ? env->cap * 2 : 16;
		if ((grown = reallocarray(env->entries, cap, sizeof(*grown))) == NULL)
			return -1;
		env->entries = grown;
		env->cap = cap;
	}
	if ((k = strndup(key, keylen)) == NULL)
		return -1;
	if ((v = strdup(value)) == NULL) {
		free(k);
		return -1;
	}
	env->entries[env->count].key = k;
	env->entries[env->count].value = v;
	env->count++;
	return 0;
}

/* Decode the value starting at p (after '=') into out, in place safe since
 * out never runs ahead of p.  Returns 0, or -1 on an unterminated quote. */
static int
dotenv_value(char *p, char *out)
{
	char quote, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"' || *p == '\'') {
		quote = *p++;
		while (*p != '\0' && *p != quote) {
			if (quote == '"' && *p == '\\' && p[1] != '\0') {
				p++;
				switch (*p) {
				case 'n': *out++ = '\n'; break;
				case 't': *out++ = '\t'; break;
				case 'r': *out++ = '\r'; break;
				default:  *out++ = *p; break;
				}
				p++;
				continue;
			}
			*out++ = *p++;
		}
		if (*p != quote)
			return -1;
		*out = '\0';
		return 0;
	}
	/* Unquoted: up to a comment introduced by whitespace and '#'. */
	end = p;
	while (*end != '\0' && !(*end == '#' && (end == p || isspace((unsigned char)end[-1]))))
		end++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	memmove(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

struct dotenv *
dotenv_load(const char *path, char *err, size_t errlen)
{
	struct dotenv *env;
	FILE *fp;
	char *line = NULL, *p, *key;
	size_t linecap = 0, keylen, lineno = 0;
	ssize_t len;

	if ((env = calloc(1, sizeof(*env))) == NULL) {
		strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		free(env);
		return NULL;
	}
	while ((len = getline(&line, &linecap, fp)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
			p += 6;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		key = p;
		if (!(isalpha((unsigned char)*p) || *p == '_'))
			goto bad;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
			p++;
		keylen = (size_t)(p - key);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			goto bad;
		p++;
		if (dotenv_value(p, p) == -1) {
			snprintf(err, errlen, "line %zu: unterminated quoted value", lineno);
			goto fail;
		}
		if (dotenv_add(env, key, keylen, p) == -1) {
			strlcpy(err, "out of memory", errlen);
			goto fail;
		}
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		goto fail;
	}
	explicit_bzero(line, linecap);
	free(line);
	fclose(fp);
	return env;
bad:
	snprintf(err, errlen, "line %zu: expected KEY=VALUE", lineno);
fail:
	if (line != NULL)
		explicit_bzero(line, linecap);
	free(line);
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
	free(env->entries);
	free(env);
}
