/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/sql/sqlsplit: the tokens a statement item carries, sqlsplit_lex on a
 * text no splitter returned, and sqlsplit_copy_target, the one reading of
 * a COPY statement's table, columns and data format. */
#include <stdlib.h>
#include <string.h>

#include "sql/sqlsplit.h"
#include "unit.h"

static struct sqlsplit *sp;

/* The first item of text, as the splitter returns it. */
static struct sqlsplit_item *
first(const char *text)
{
	static struct sqlsplit_item it;

	sqlsplit_free(sp);
	if ((sp = sqlsplit_new(NULL, NULL)) == NULL)
		abort();
	sqlsplit_push(sp, text, strlen(text));
	if (sqlsplit_next(sp, &it) == SQLSPLIT_AGAIN) {
		sqlsplit_push(sp, NULL, 0);
		(void)sqlsplit_next(sp, &it);
	}
	return &it;
}

static void
test_item_tokens(void)
{
	const struct sqlsplit_item *it = first("/* a /* b */ */ SELECT E'\\'' || $q$;'$q$, \"x\"\"y\";");

	if (!EQ_INT(it->kind, SQLSPLIT_STATEMENT) || !EQ_UINT(it->ntokens, 8))
		return;
	EQ_INT(it->tokens[0].kind, SQLSPLIT_TOK_WORD);
	EQ_MEM(it->text + it->tokens[0].off, it->tokens[0].len, "SELECT");
	EQ_INT(it->tokens[1].kind, SQLSPLIT_TOK_STRING);
	CHECK(it->tokens[1].flags & SQLSPLIT_TOKF_ESC);
	EQ_MEM(it->text + it->tokens[1].off, it->tokens[1].len, "E'\\''");
	EQ_INT(it->tokens[2].kind, SQLSPLIT_TOK_OTHER);
	EQ_INT(it->tokens[4].kind, SQLSPLIT_TOK_DOLLARSTR);
	EQ_MEM(it->text + it->tokens[4].off, it->tokens[4].len, "$q$;'$q$");
	EQ_INT(it->tokens[5].kind, SQLSPLIT_TOK_COMMA);
	EQ_INT(it->tokens[6].kind, SQLSPLIT_TOK_QIDENT);
	EQ_INT(it->tokens[7].kind, SQLSPLIT_TOK_SEMI);
	CHECK(!it->tokens_cut);
}

static void
test_lex(void)
{
	static const char text[] = "  -- c\n app.\"My T\" ";
	struct sqlsplit_tok *v;
	unsigned n;

	if (!EQ_INT(sqlsplit_lex(text, strlen(text), &v, &n), 3))
		return;
	EQ_UINT(n, 3);
	EQ_MEM(text + v[0].off, v[0].len, "app");
	EQ_INT(v[1].kind, SQLSPLIT_TOK_DOT);
	EQ_MEM(text + v[2].off, v[2].len, "\"My T\"");
	free(v);
	/* not one whole statement */
	EQ_INT(sqlsplit_lex("a; b", 4, &v, &n), -1);
	EQ_INT(sqlsplit_lex("'open", 5, &v, &n), -1);
	EQ_INT(sqlsplit_lex("/* open", 7, &v, &n), -1);
	EQ_INT(sqlsplit_lex("\\c other", 8, &v, &n), -1);
	EQ_INT(sqlsplit_lex("", 0, &v, &n), -1);
}

static void
test_copy_target(void)
{
	struct sqlsplit_copy c;
	struct sqlsplit_item made;
	const struct sqlsplit_item *it;

	it = first("COPY public.\"My Table\" (id, \"a,b\", c) FROM stdin;\n");
	EQ_INT(sqlsplit_copy_target(it, &c), 0);
	EQ_MEM(it->text + c.name_off, c.name_len, "public.\"My Table\"");
	EQ_UINT(c.name_parts, 2);
	EQ_UINT(c.columns, 3);
	CHECK(!c.csv && !c.binary);

	it = first("copy t from STDIN with (format 'csv', header);\n");
	EQ_INT(sqlsplit_copy_target(it, &c), 0);
	EQ_MEM(it->text + c.name_off, c.name_len, "t");
	EQ_UINT(c.columns, 0);
	CHECK(c.csv);

	it = first("COPY BINARY t FROM stdin;\n");
	EQ_INT(sqlsplit_copy_target(it, &c), 0);
	EQ_MEM(it->text + c.name_off, c.name_len, "t");
	CHECK(c.binary);

	it = first("COPY t FROM stdin (FORMAT binary);\n");
	EQ_INT(sqlsplit_copy_target(it, &c), 0);
	CHECK(c.binary);

	/* a comment between the parts of the name is no part of it */
	it = first("COPY /* x */ s.t /* y */ FROM stdin;\n");
	EQ_INT(sqlsplit_copy_target(it, &c), 0);
	EQ_MEM(it->text + c.name_off, c.name_len, "s.t");

	it = first("COPY (SELECT 1) TO stdout;");
	EQ_INT(sqlsplit_copy_target(it, &c), -1);
	it = first("SELECT 1;");
	EQ_INT(sqlsplit_copy_target(it, &c), -1);

	/* an item a caller made, with no tokens: its text is lexed */
	memset(&made, 0, sizeof(made));
	made.kind = SQLSPLIT_STATEMENT;
	made.text = "COPY public.renamed (a) FROM stdin CSV;";
	made.len = strlen(made.text);
	EQ_INT(sqlsplit_copy_target(&made, &c), 0);
	EQ_MEM(made.text + c.name_off, c.name_len, "public.renamed");
	EQ_UINT(c.columns, 1);
	CHECK(c.csv);
}

int
main(void)
{
	RUN(test_item_tokens);
	RUN(test_lex);
	RUN(test_copy_target);
	sqlsplit_free(sp);
	return UNIT_END();
}
