/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sqlsplit-fuzz: test driver for lib/sql/sqlsplit.c, built by tests/sqlsplit.bats.
 * Splits random scripts made of awkward fragments (quotes, dollar tags,
 * comments, COPY, backslashes) with reads of 1, 2 and 1 MiB bytes, and the
 * same pushed (as dumpscan does, with and without outline items), and fails
 * when the items differ: the lexer must not depend on buffer boundaries.
 * Usage: sqlsplit-fuzz CASES SEED */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sqlsplit.h"

struct mem {
	const char	*p;
	size_t		 len, off, piece;
};

static ssize_t
mem_read(void *arg, void *buf, size_t len)
{
	struct mem *m = arg;
	size_t n = m->len - m->off;

	if (n > len)
		n = len;
	if (n > m->piece)
		n = m->piece;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

/* Every item of data, serialised; NULL when out of memory.  Consecutive
 * COPY_DATA items are merged: their chunking may differ.  push: feed the
 * splitter in push mode (sqlsplit_push), pieces of that size. */
static char *
items(const char *data, size_t len, size_t piece, int push, size_t *outlen)
{
	struct mem m = { data, len, 0, piece };
	struct sqlsplit *s;
	struct sqlsplit_item it;
	enum sqlsplit_kind k;
	char *out = NULL, *copy = NULL;
	size_t copylen = 0, off = 0, n;
	unsigned long copyline = 0;
	unsigned long long copyrows = 0;
	FILE *f, *cf = NULL;

	if ((s = sqlsplit_new(push ? NULL : mem_read, &m)) == NULL ||
	    (f = open_memstream(&out, outlen)) == NULL) {
		sqlsplit_free(s);
		return NULL;
	}
	if (push)
		sqlsplit_want_outline(s, push == 2);
	for (;;) {
		k = sqlsplit_next(s, &it);
		if (k == SQLSPLIT_AGAIN) {
			n = len - off < piece ? len - off : piece;
			sqlsplit_push(s, data + off, n);
			off += n;
			continue;
		}
		if (k == SQLSPLIT_COMMENT || k == SQLSPLIT_STATEMENT_START)
			continue;	/* only in push mode 2: the rest must not change */
		if (k == SQLSPLIT_COPY_DATA) {
			if (cf == NULL) {
				if ((cf = open_memstream(&copy, &copylen)) == NULL)
					return NULL;
				copyline = it.line;
				copyrows = 0;
			}
			copyrows += it.rows;
			fwrite(it.text, 1, it.len, cf);
			continue;
		}
		if (cf != NULL) {
			fclose(cf);
			cf = NULL;
		}
		if (copy != NULL && k != SQLSPLIT_ERROR) {
			/* (Before an error, what came may differ: pushed data is
			 * passed on as it comes.) */
			fprintf(f, "COPY_DATA %lu %llu ", copyline, copyrows);
			fwrite(copy, 1, copylen, f);
			fputc('\n', f);
		}
		free(copy);
		copy = NULL;
		if (k == SQLSPLIT_END) {
			fprintf(f, "END %llu\n", (unsigned long long)sqlsplit_bytes(s));
			break;
		}
		if (k == SQLSPLIT_ERROR) {
			fprintf(f, "ERROR %s\n", sqlsplit_error(s));
			break;
		}
		fprintf(f, "%d %lu %d %d %llu %d %s %llu ", (int)k, it.line, it.terminated,
		    it.copy_in, (unsigned long long)it.rows, (int)it.cls, it.keywords,
		    (unsigned long long)it.offset);
		fwrite(it.text, 1, it.len, f);
		fputc('\n', f);
	}
	if (cf != NULL)
		fclose(cf);
	free(copy);
	sqlsplit_free(s);
	fclose(f);
	return out;
}

int
main(int argc, char *argv[])
{
	static const char *const frag[] = {
		"SELECT 1", ";", "'", "''", "E'", "\\", "\\'", "\"", "\"\"", "$$", "$a$",
		"$1", "--", "\n", "/*", "*/", " ", "COPY t FROM stdin", "copy", "from",
		"stdin", "\\.", "\r\n", "x", "BEGIN", "END", "CREATE FUNCTION f()", "(",
		")", "e", "$", "\t", "CASE", "ATOMIC", "abc$def$", "\\!", "\n\\.\n",
		"1e5", "\xc3\xa9", "9", "-", "/", "*", ";\n", "COPY t FROM stdin;\n",
		"\r", "U&'", "u&\"", "B'", "x'", "N'", "1e'", "1abc$$", "' \n '",
		"'\n--c\n'", "SET standard_conforming_strings = off;",
		"RESET standard_conforming_strings;", "set_config(", "CREATE OR REPLACE PROCEDURE p()",
	};
	static const size_t pieces[] = { 1, 2, 1 << 20 };
	char buf[8192], *out[9];
	size_t len, fl, outlen[9];
	int cases, c, i, k, p;

	if (argc != 3)
		return 64;
	cases = atoi(argv[1]);
	srand((unsigned)atoi(argv[2]));
	for (c = 0; c < cases; c++) {
		len = 0;
		for (i = 0, k = rand() % 120; i < k; i++) {
			const char *f = frag[rand() % (sizeof(frag) / sizeof(frag[0]))];
			fl = strlen(f);
			memcpy(buf + len, f, fl);
			len += fl;
		}
		for (p = 0; p < 9; p++)
			if ((out[p] = items(buf, len, pieces[p % 3], p / 3, &outlen[p])) == NULL)
				return 71;
		for (p = 0; p < 8; p++)
			if (outlen[p] != outlen[8] || memcmp(out[p], out[8], outlen[p]) != 0) {
				printf("case %d differs by read size or mode (%d); input:\n", c, p);
				fwrite(buf, 1, len, stdout);
				printf("\n--- %zu-byte %s:\n%s--- 1 MiB pushed, outline:\n%s",
				    pieces[p % 3], p / 3 ? "pushes" : "reads", out[p], out[8]);
				return 1;
			}
		for (p = 0; p < 9; p++)
			free(out[p]);
	}
	printf("%d cases\n", cases);
	return 0;
}
