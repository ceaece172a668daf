/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* json: JSON strings and a streaming writer for --json output. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

/* RFC 8259 section 7: " and \ escaped; control bytes (and DEL, which some
 * terminals act on) as \u00XX; everything else as it is. */
static int
needs_u(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

char *
json_quote(const char *s)
{
	char *out, *o;
	unsigned char c;

	/* At most six bytes a byte (\u00XX), two quotes and a NUL. */
	if ((out = malloc(strlen(s) * 6 + 3)) == NULL)
		return NULL;
	o = out;
	*o++ = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (needs_u(c))
			o += sprintf(o, "\\u%04x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

int
json_put_string(FILE *fp, const char *s)
{
	const char *run;
	unsigned char c;

	if (putc('"', fp) == EOF)
		return -1;
	for (;;) {
		/* the plain bytes in one write */
		for (run = s; (c = (unsigned char)*s) != '\0' && c != '"' &&
		    c != '\\' && !needs_u(c); s++)
			continue;
		if (s > run && fwrite(run, 1, (size_t)(s - run), fp) != (size_t)(s - run))
			return -1;
		if (c == '\0')
			break;
		if (needs_u(c) ? fprintf(fp, "\\u%04x", c) < 0 :
		    (putc('\\', fp) == EOF || putc(c, fp) == EOF))
			return -1;
		s++;
	}
	return putc('"', fp) == EOF ? -1 : 0;
}

static void
fail(struct jw *w, int e)
{
	if (!w->err)
		w->err = e;
}

/* The comma and the key before a value; 0 when the value may follow. */
static int
member(struct jw *w, const char *key)
{
	int d = w->depth - 1;

	if (w->err)
		return -1;
	if (d < 0 || (key == NULL) != (w->in_array[d] != 0)) {
		fail(w, EINVAL);
		return -1;
	}
	if (w->need_comma[d] && putc(',', w->fp) == EOF)
		goto write_error;
	w->need_comma[d] = 1;
	if (key != NULL && (json_put_string(w->fp, key) == -1 ||
	    putc(':', w->fp) == EOF))
		goto write_error;
	return 0;
write_error:
	fail(w, errno != 0 ? errno : EIO);
	return -1;
}

static void
wrote(struct jw *w, int n)
{
	if (n < 0)
		fail(w, errno != 0 ? errno : EIO);
}

static void
open_container(struct jw *w, const char *key, int array)
{
	if (w->depth == JW_MAX_DEPTH) {
		fail(w, EINVAL);
		return;
	}
	if (member(w, key) == -1)
		return;
	wrote(w, putc(array ? '[' : '{', w->fp) == EOF ? -1 : 0);
	w->need_comma[w->depth] = 0;
	w->in_array[w->depth] = (unsigned char)array;
	w->depth++;
}

void
jw_begin(struct jw *w, FILE *fp)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
	errno = 0;
	wrote(w, fputs("{\"format_version\":1", fp) == EOF ? -1 : 0);
	w->need_comma[0] = 1;
	w->depth = 1;
}

void
jw_object(struct jw *w, const char *key)
{
	open_container(w, key, 0);
}

void
jw_array(struct jw *w, const char *key)
{
	open_container(w, key, 1);
}

void
jw_end(struct jw *w)
{
	if (w->err)
		return;
	if (w->depth <= 1) {
		fail(w, EINVAL);
		return;
	}
	w->depth--;
	wrote(w, putc(w->in_array[w->depth] ? ']' : '}', w->fp) == EOF ? -1 : 0);
}

void
jw_str(struct jw *w, const char *key, const char *s)
{
	if (member(w, key) == 0)
		wrote(w, s == NULL ? (fputs("null", w->fp) == EOF ? -1 : 0) :
		    json_put_string(w->fp, s));
}

void
jw_int(struct jw *w, const char *key, long long v)
{
	if (member(w, key) == 0)
		wrote(w, fprintf(w->fp, "%lld", v));
}

void
jw_uint(struct jw *w, const char *key, uint64_t v)
{
	if (member(w, key) == 0)
		wrote(w, fprintf(w->fp, "%" PRIu64, v));
}

void
jw_bool(struct jw *w, const char *key, int v)
{
	if (member(w, key) == 0)
		wrote(w, fputs(v ? "true" : "false", w->fp) == EOF ? -1 : 0);
}

void
jw_null(struct jw *w, const char *key)
{
	if (member(w, key) == 0)
		wrote(w, fputs("null", w->fp) == EOF ? -1 : 0);
}

void
jw_fixed(struct jw *w, const char *key, double v, int decimals)
{
	if (member(w, key) != 0)
		return;
	if (!isfinite(v))	/* JSON has no NaN or infinity */
		wrote(w, fputs("null", w->fp) == EOF ? -1 : 0);
	else
		wrote(w, fprintf(w->fp, "%.*f", decimals, v));
}

int
jw_finish(struct jw *w)
{
	if (!w->err && w->depth != 1)
		fail(w, EINVAL);
	if (!w->err && (fputs("}\n", w->fp) == EOF || fflush(w->fp) == EOF))
		fail(w, errno != 0 ? errno : EIO);
	w->depth = 0;
	if (w->err) {
		errno = w->err;
		return -1;
	}
	return 0;
}

int
jw_fail(FILE *err, FILE *out, const char *tool, int exit_code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = jw_vfail(err, out, tool, exit_code, fmt, ap);
	va_end(ap);
	return rc;
}

int
jw_vfail(FILE *err, FILE *out, const char *tool, int exit_code, const char *fmt,
    va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(err, "%s: %s\n", tool, msg);
	if (out != NULL && jw_error(out, tool, exit_code, msg) == -1)
		return -1;
	return exit_code;
}

int
jw_error(FILE *fp, const char *tool, int exit_code, const char *message)
{
	struct jw w;

	jw_begin(&w, fp);
	jw_str(&w, "tool", tool);
	jw_bool(&w, "ok", 0);
	jw_str(&w, "error", message);
	jw_int(&w, "exit", exit_code);
	return jw_finish(&w);
}
