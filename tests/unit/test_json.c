/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/base/json: the one JSON writer (every object opens with
 * format_version, keys and strings escaped by json_quote's rules, a wrong
 * nesting or a failed write makes jw_finish fail) and jw_error's object. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "unit.h"

static char *buf;
static size_t len;

static FILE *
mem(void)
{
	FILE *f;

	free(buf);
	buf = NULL;
	if ((f = open_memstream(&buf, &len)) == NULL) {
		perror("open_memstream");
		exit(2);
	}
	return f;
}

/* Finish w (on a memory stream): jw_finish's result; the text in buf. */
static int
finish(struct jw *w)
{
	int rc = jw_finish(w);

	fclose(w->fp);
	return rc;
}

static void
test_every_kind_of_value(void)
{
	struct jw w;

	jw_begin(&w, mem());
	jw_str(&w, "s", "quote \" backslash \\ tab \t nl \n del \x7f \xc3\xa9");
	jw_str(&w, "key \"q\"", NULL);
	jw_int(&w, "neg", INT64_MIN);
	jw_uint(&w, "big", UINT64_MAX);
	jw_bool(&w, "t", 1);
	jw_bool(&w, "f", 0);
	jw_null(&w, "n");
	jw_fixed(&w, "ratio", 3.14159, 2);
	jw_fixed(&w, "secs", 2.5, 0);
	jw_fixed(&w, "nan", NAN, 2);
	jw_array(&w, "empty");
	jw_end(&w);
	jw_object(&w, "obj");
	jw_end(&w);
	jw_array(&w, "list");
	jw_int(&w, NULL, 1);
	jw_str(&w, NULL, "two");
	jw_object(&w, NULL);
	jw_uint(&w, "rows", 3);
	jw_array(&w, "a");
	jw_array(&w, NULL);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	jw_null(&w, NULL);
	jw_end(&w);
	jw_bool(&w, "last", 1);
	EQ_INT(finish(&w), 0);
	EQ_STR(buf, "{\"format_version\":1,"
	    "\"s\":\"quote \\\" backslash \\\\ tab \\u0009 nl \\u000a del \\u007f \xc3\xa9\","
	    "\"key \\\"q\\\"\":null,"
	    "\"neg\":-9223372036854775808,\"big\":18446744073709551615,"
	    "\"t\":true,\"f\":false,\"n\":null,"
	    "\"ratio\":3.14,\"secs\":2,\"nan\":null,\"empty\":[],\"obj\":{},"
	    "\"list\":[1,\"two\",{\"rows\":3,\"a\":[[]]},null],\"last\":true}\n");
}

static void
test_empty_object(void)
{
	struct jw w;

	jw_begin(&w, mem());
	EQ_INT(finish(&w), 0);
	EQ_STR(buf, "{\"format_version\":1}\n");
}

/* The same escaping as json_quote. */
static void
test_strings_as_json_quote(void)
{
	const char *s = "a\"b\\c\x01\x1f\x7f\xe2\x82\xac";
	char *q = json_quote(s);
	FILE *f = mem();

	EQ_INT(json_put_string(f, s), 0);
	fclose(f);
	EQ_STR(buf, q);
	EQ_STR(q, "\"a\\\"b\\\\c\\u0001\\u001f\\u007f\xe2\x82\xac\"");
	free(q);
}

static void
test_wrong_nesting_fails(void)
{
	struct jw w;
	int i;

	jw_begin(&w, mem());		/* a key inside an array */
	jw_array(&w, "a");
	jw_int(&w, "k", 1);
	jw_end(&w);
	errno = 0;
	EQ_INT(finish(&w), -1);
	EQ_INT(errno, EINVAL);

	jw_begin(&w, mem());		/* no key inside an object */
	jw_int(&w, NULL, 1);
	EQ_INT(finish(&w), -1);

	jw_begin(&w, mem());		/* not closed */
	jw_object(&w, "o");
	EQ_INT(finish(&w), -1);

	jw_begin(&w, mem());		/* one end too many */
	jw_end(&w);
	EQ_INT(finish(&w), -1);

	jw_begin(&w, mem());		/* deeper than JW_MAX_DEPTH */
	jw_array(&w, "a");
	for (i = 0; i < JW_MAX_DEPTH + 5; i++)
		jw_array(&w, NULL);
	for (i = 0; i < JW_MAX_DEPTH + 6; i++)
		jw_end(&w);
	EQ_INT(finish(&w), -1);
	EQ_INT(errno, EINVAL);
}

static void
test_nesting_up_to_the_limit(void)
{
	char want[128];
	struct jw w;
	int i;

	jw_begin(&w, mem());
	jw_array(&w, "a");	/* depth 2: the top object is 1 */
	for (i = 2; i < JW_MAX_DEPTH; i++)
		jw_array(&w, NULL);
	for (i = 1; i < JW_MAX_DEPTH; i++)
		jw_end(&w);
	EQ_INT(finish(&w), 0);
	snprintf(want, sizeof(want), "{\"format_version\":1,\"a\":%.*s%.*s}\n",
	    JW_MAX_DEPTH - 1, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	    JW_MAX_DEPTH - 1, "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	EQ_STR(buf, want);
}

/* A full disk: mid-object (past stdio's buffer) or at the last flush. */
static void
test_write_error_fails(void)
{
	struct jw w;
	FILE *f;
	int i, big;

	for (big = 0; big <= 1; big++) {
		if ((f = fopen("/dev/full", "w")) == NULL) {
			perror("/dev/full");
			exit(2);
		}
		jw_begin(&w, f);
		for (i = 0; big && i < 10000; i++)
			jw_str(&w, "k", "0123456789abcdef");
		errno = 0;
		EQ_INT(jw_finish(&w), -1);
		EQ_INT(errno, ENOSPC);
		fclose(f);
	}
}

static void
test_error_object(void)
{
	FILE *f = mem();

	EQ_INT(jw_error(f, "cr-x", 66, "a.sql: No such file or \"directory\""), 0);
	fclose(f);
	EQ_STR(buf, "{\"format_version\":1,\"tool\":\"cr-x\",\"ok\":false,"
	    "\"error\":\"a.sql: No such file or \\\"directory\\\"\",\"exit\":66}\n");
}

/* The line on err, and with out the object, the same message in both. */
static void
test_fail(void)
{
	char *ebuf = NULL;
	size_t elen;
	FILE *err = open_memstream(&ebuf, &elen), *out = mem();

	EQ_INT(jw_fail(err, out, "cr-x", 69, "cannot connect to %s: %s", "app", "refused"), 69);
	EQ_INT(jw_fail(err, NULL, "cr-x", 64, "no \"%s\"", "json"), 64);
	fclose(err);
	fclose(out);
	EQ_STR(ebuf, "cr-x: cannot connect to app: refused\ncr-x: no \"json\"\n");
	EQ_STR(buf, "{\"format_version\":1,\"tool\":\"cr-x\",\"ok\":false,"
	    "\"error\":\"cannot connect to app: refused\",\"exit\":69}\n");
	free(ebuf);
}

int
main(void)
{
	RUN(test_every_kind_of_value);
	RUN(test_empty_object);
	RUN(test_strings_as_json_quote);
	RUN(test_wrong_nesting_fails);
	RUN(test_nesting_up_to_the_limit);
	RUN(test_write_error_fails);
	RUN(test_error_object);
	RUN(test_fail);
	free(buf);
	return UNIT_END();
}
