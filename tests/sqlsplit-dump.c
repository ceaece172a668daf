/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sqlsplit-dump: test driver for lib/sql/sqlsplit.c, built by tests/sqlsplit.bats.
 * Prints one line per item of stdin: kind, line, then the text with newlines
 * shown as \n (COPY_DATA: rows and length only).  Reads in pieces of the
 * size given as the first argument, to exercise buffer boundaries.  With
 * SQLSPLIT_DUMP_CLASS set, each statement is followed by its class, its
 * keywords and why it is refused. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sql/sqlsplit.h"

static size_t piece = 65536;

static ssize_t
read_pieces(void *arg, void *buf, size_t len)
{
	(void)arg;
	return read(STDIN_FILENO, buf, len < piece ? len : piece);
}

static void
print_text(const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (t[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(t[i]);
	}
}

int
main(int argc, char *argv[])
{
	struct sqlsplit *s;
	struct sqlsplit_item it;
	uint64_t rows = 0, bytes = 0;
	int status = 0;

	if (argc > 1)
		piece = strtoul(argv[1], NULL, 10);
	if ((s = sqlsplit_new(read_pieces, NULL)) == NULL)
		err(1, "sqlsplit_new");
	for (;;) {
		switch (sqlsplit_next(s, &it)) {
		case SQLSPLIT_END:
			printf("END bytes=%llu\n", (unsigned long long)sqlsplit_bytes(s));
			goto out;
		case SQLSPLIT_ERROR:
			printf("ERROR %s\n", sqlsplit_error(s));
			status = 65;
			goto out;
		case SQLSPLIT_STATEMENT:
			if (it.text[it.len] != '\0')
				errx(1, "statement not NUL-terminated");
			printf("STATEMENT %lu%s%s ", it.line, it.terminated ? "" : " unterminated",
			    it.copy_in ? " copy" : "");
			print_text(it.text, it.len);
			putchar('\n');
			if (getenv("SQLSPLIT_DUMP_CLASS") != NULL) {
				char why[512];

				printf("CLASS %d [%s]", (int)it.cls, it.keywords);
				if (sqlsplit_refused(&it, why, sizeof(why)))
					printf(" %s", why);
				putchar('\n');
			}
			break;
		case SQLSPLIT_COMMENT:
		case SQLSPLIT_STATEMENT_START:
		case SQLSPLIT_AGAIN:
			break;
		case SQLSPLIT_META:
			if (it.text[it.len] != '\0')
				errx(1, "meta not NUL-terminated");
			printf("META %lu ", it.line);
			print_text(it.text, it.len);
			putchar('\n');
			break;
		case SQLSPLIT_COPY_DATA:
			rows += it.rows;
			bytes += it.len;
			if (getenv("SQLSPLIT_DUMP_CHUNKS") != NULL)
				printf("COPY_DATA %lu rows=%llu len=%zu\n", it.line,
				    (unsigned long long)it.rows, it.len);
			if (getenv("SQLSPLIT_DUMP_DATA") != NULL)
				fwrite(it.text, 1, it.len, stderr);
			break;
		case SQLSPLIT_COPY_END:
			printf("COPY_END %lu rows=%llu bytes=%llu\n", it.line,
			    (unsigned long long)rows, (unsigned long long)bytes);
			rows = bytes = 0;
			break;
		}
	}
out:
	sqlsplit_free(s);
	return status;
}
