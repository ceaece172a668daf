/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* json: JSON text for the tools' machine-readable output (--json) and the
 * manifests, written one way everywhere: a streaming writer over a FILE
 * (no allocation per value), the error object every --json prints for a
 * failure, and json_quote for a string on its own.  Nothing prints but to
 * the FILE it is given. */
#ifndef CR_JSON_H
#define CR_JSON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* The version of the --json formats (docs/json.md), the first member of
 * every object a tool prints for --json, and of manifests.  It changes
 * when a member changes meaning or goes; new members do not change it. */
#define JSON_FORMAT_VERSION	1
#define JSON_OPEN		"{\"format_version\":1,"

/* s as a JSON string (RFC 8259), quotes included: " and \ escaped, control
 * bytes and DEL as \u00XX, other bytes (UTF-8) as they are.  Returns a
 * malloc'd string, or NULL when out of memory. */
char *json_quote(const char *s);

/* The same string, written to fp.  Returns 0, or -1 on a write error. */
int json_put_string(FILE *fp, const char *s);

/* The writer: one object on one line, members in the order written.
 *
 *	struct jw w;
 *	jw_begin(&w, stdout);		{"format_version":1
 *	jw_str(&w, "file", path);	,"file":"..."
 *	jw_array(&w, "tables");		,"tables":[
 *	jw_object(&w, NULL);		{
 *	jw_uint(&w, "rows", n);		"rows":12
 *	jw_end(&w);			}
 *	jw_end(&w);			]
 *	if (jw_finish(&w) == -1)	}\n
 *		err(EX_IOERR, "stdout");
 *
 * Inside an object every value has a key; inside an array none (NULL).  A
 * mistake (a missing or extra key, jw_end with nothing open, nesting past
 * JW_MAX_DEPTH) or a write error is remembered and jw_finish returns -1;
 * the calls in between do nothing more. */
#define JW_MAX_DEPTH	32

struct jw {
	FILE		*fp;
	int		 depth;		/* open containers, the top object's included */
	unsigned char	 need_comma[JW_MAX_DEPTH];
	unsigned char	 in_array[JW_MAX_DEPTH];
	int		 err;
};

/* Open the top object and write "format_version":1, its first member. */
void jw_begin(struct jw *, FILE *);
void jw_object(struct jw *, const char *key);
void jw_array(struct jw *, const char *key);
/* Close the innermost object or array (not the top object: jw_finish). */
void jw_end(struct jw *);
/* s NULL: null. */
void jw_str(struct jw *, const char *key, const char *s);
void jw_int(struct jw *, const char *key, long long v);
void jw_uint(struct jw *, const char *key, uint64_t v);
void jw_bool(struct jw *, const char *key, int v);
void jw_null(struct jw *, const char *key);
/* v with a fixed number of decimals ("%.2f"); not finite: null. */
void jw_fixed(struct jw *, const char *key, double v, int decimals);
/* Close the top object, write the newline and flush.  Returns 0, or -1
 * when the nesting was wrong or a write failed (errno is then the write's,
 * or EINVAL). */
int jw_finish(struct jw *);

/* The object a tool's --json prints for a failure that leaves it nothing
 * else to print (a usage error, a connection refused, an unreadable
 * directory), on one line of fp:
 *	{"format_version":1,"tool":"cr-X","ok":false,"error":"...","exit":N}
 * message is the one line the tool also writes on stderr, without the
 * "cr-X: " in front.  Returns 0, or -1 on a write error. */
int jw_error(FILE *fp, const char *tool, int exit_code, const char *message);

/* A failure said both ways every tool says it: "tool: MESSAGE" on err and,
 * when out is not NULL (--json), jw_error's object on out.  Returns
 * exit_code, or -1 when writing the object failed. */
int jw_fail(FILE *err, FILE *out, const char *tool, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int jw_vfail(FILE *err, FILE *out, const char *tool, int exit_code, const char *fmt,
    va_list ap) __attribute__((format(printf, 5, 0)));

#endif
