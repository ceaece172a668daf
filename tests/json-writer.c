/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* json-writer: test driver for lib/base/json.c's writer, built by
 * tests/json-writer.bats.  Writes the object of the case named by argv[1]
 * to stdout; when jw_finish fails, says why on stderr and exits 1. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"

int
main(int argc, char *argv[])
{
	struct jw w;
	const char *c = argc > 1 ? argv[1] : "";
	int i;

	if (strcmp(c, "error") == 0)
		return jw_error(stdout, "cr-x", 66, "a.sql: No such file or \"directory\"") == 0 ? 0 : 1;
	jw_begin(&w, stdout);
	if (strcmp(c, "members") == 0) {
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
	} else if (strcmp(c, "key-in-array") == 0) {
		jw_array(&w, "a");
		jw_int(&w, "k", 1);
		jw_end(&w);
	} else if (strcmp(c, "no-key") == 0)
		jw_int(&w, NULL, 1);
	else if (strcmp(c, "unclosed") == 0)
		jw_object(&w, "o");
	else if (strcmp(c, "extra-end") == 0)
		jw_end(&w);
	else if (strcmp(c, "deep") == 0) {
		jw_array(&w, "a");
		for (i = 0; i < JW_MAX_DEPTH + 5; i++)
			jw_array(&w, NULL);
		for (i = 0; i < JW_MAX_DEPTH + 6; i++)
			jw_end(&w);
	} else if (strcmp(c, "nested-max") == 0) {
		jw_array(&w, "a");	/* depth 2 */
		for (i = 2; i < JW_MAX_DEPTH; i++)
			jw_array(&w, NULL);
		for (i = 1; i < JW_MAX_DEPTH; i++)
			jw_end(&w);
	} else if (strcmp(c, "long") == 0) {
		/* more than stdio's buffer, to reach a write error mid-object */
		for (i = 0; i < 10000; i++)
			jw_str(&w, "k", "0123456789abcdef");
	} else if (strcmp(c, "empty") != 0) {
		fprintf(stderr, "json-writer: no case \"%s\"\n", c);
		return 2;
	}
	if (jw_finish(&w) == -1) {
		fprintf(stderr, "jw_finish: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
