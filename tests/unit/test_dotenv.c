/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/base/dotenv: an .env file read as the npm dotenv package reads it
 * (its LINE expression), to the contract of dotenv.h. */
#include <string.h>

#include <bsd/string.h>

#include "base/dotenv.h"
#include "unit.h"

static char err[256];

/* Load content written to a file; fails the test (and returns NULL) if the
 * load does. */
static struct dotenv *
load(const char *content)
{
	struct dotenv *env;

	err[0] = '\0';
	env = dotenv_load(unit_file(content), NULL, err, sizeof err);
	if (!CHECK(env != NULL))
		fprintf(stderr, "\tdotenv_load: %s\n", err);
	return env;
}

static void
test_plain_values(void)
{
	struct dotenv *env = load("DB_USER=app\nDB_NAME=appdb\nEMPTY=\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "DB_USER"), "app");
	EQ_STR(dotenv_get(env, "DB_NAME"), "appdb");
	EQ_STR(dotenv_get(env, "EMPTY"), "");
	EQ_STR(dotenv_get(env, "MISSING"), NULL);
	EQ_STR(dotenv_get(env, "db_user"), NULL);	/* keys are case-sensitive */
	EQ_STR(dotenv_warning(env, 0), NULL);
	dotenv_free(env);
}

static void
test_key_characters_and_separators(void)
{
	struct dotenv *env = load("a.b-c_D9=1\nCOLON: two\n  SPACED  =  three  \n"
	    "TAB\t=\tfour\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "a.b-c_D9"), "1");
	EQ_STR(dotenv_get(env, "COLON"), "two");
	EQ_STR(dotenv_get(env, "SPACED"), "three");	/* trimmed both sides */
	EQ_STR(dotenv_get(env, "TAB"), "four");
	EQ_STR(dotenv_warning(env, 0), NULL);
	dotenv_free(env);
}

static void
test_export_prefix(void)
{
	struct dotenv *env = load("export DB_HOST=db.internal\nexport  B=2\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "DB_HOST"), "db.internal");
	EQ_STR(dotenv_get(env, "B"), "2");
	EQ_STR(dotenv_get(env, "export DB_HOST"), NULL);
	dotenv_free(env);
}

static void
test_comments(void)
{
	struct dotenv *env = load("# a comment\n   # indented comment\n"
	    "P1=\"pa#ss word\" # comment\nP2='#x'\nP3=pa#ss\nP4=plain # c\n"
	    "P5=`a#b`#c\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "P1"), "pa#ss word");
	EQ_STR(dotenv_get(env, "P2"), "#x");
	EQ_STR(dotenv_get(env, "P3"), "pa");
	EQ_STR(dotenv_get(env, "P4"), "plain");
	EQ_STR(dotenv_get(env, "P5"), "a#b");
	EQ_STR(dotenv_warning(env, 0), NULL);	/* comments are not skipped lines */
	dotenv_free(env);
}

static void
test_quotes(void)
{
	struct dotenv *env = load("S='single quoted'\nD=\"double quoted\"\n"
	    "B=`back quoted`\nI=\"  inner blanks kept  \"\nX=it's\n"
	    "M='mixed\"quotes'\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "S"), "single quoted");
	EQ_STR(dotenv_get(env, "D"), "double quoted");
	EQ_STR(dotenv_get(env, "B"), "back quoted");
	EQ_STR(dotenv_get(env, "I"), "  inner blanks kept  ");
	EQ_STR(dotenv_get(env, "X"), "it's");	/* no leading quote: unquoted */
	EQ_STR(dotenv_get(env, "M"), "mixed\"quotes");
	dotenv_free(env);
}

static void
test_escapes_only_in_double_quotes(void)
{
	struct dotenv *env = load("A=\"x\\ny\"\nR=\"x\\ry\"\nS='x\\ny'\n"
	    "B=`x\\ny`\nU=x\\ny\nT=\"x\\ty\"\nQ=\"a\\\"b\"\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "A"), "x\ny");
	EQ_STR(dotenv_get(env, "R"), "x\ry");
	EQ_STR(dotenv_get(env, "S"), "x\\ny");
	EQ_STR(dotenv_get(env, "B"), "x\\ny");
	EQ_STR(dotenv_get(env, "U"), "x\\ny");
	EQ_STR(dotenv_get(env, "T"), "x\\ty");	/* only \n and \r */
	EQ_STR(dotenv_get(env, "Q"), "a\\\"b");	/* \" stays as written */
	dotenv_free(env);
}

static void
test_multi_line_values(void)
{
	struct dotenv *env = load("DB_USER=app\n"
	    "JWT_KEY=\"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nkq+/=\n"
	    "-----END PRIVATE KEY-----\"\n"
	    "S='one\ntwo'\nDB_NAME=appdb\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "JWT_KEY"), "-----BEGIN PRIVATE KEY-----\n"
	    "MIIEvQIBADAN\nkq+/=\n-----END PRIVATE KEY-----");
	EQ_STR(dotenv_get(env, "S"), "one\ntwo");
	EQ_STR(dotenv_get(env, "DB_USER"), "app");
	EQ_STR(dotenv_get(env, "DB_NAME"), "appdb");
	EQ_STR(dotenv_warning(env, 0), NULL);
	dotenv_free(env);
}

static void
test_line_ends(void)
{
	struct dotenv *env = load("A=app\r\nB=\"s3cret\"\r\nC=appdb # x\r\nD=cr\rE=\"1\r\n2\"\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "A"), "app");
	EQ_STR(dotenv_get(env, "B"), "s3cret");
	EQ_STR(dotenv_get(env, "C"), "appdb");
	EQ_STR(dotenv_get(env, "D"), "cr");	/* a lone CR ends a line too */
	EQ_STR(dotenv_get(env, "E"), "1\n2");	/* CRLF inside quotes reads as LF */
	dotenv_free(env);
}

static void
test_no_final_newline(void)
{
	struct dotenv *env = load("A=1\nB=last");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "B"), "last");
	dotenv_free(env);
}

static void
test_last_assignment_wins(void)
{
	struct dotenv *env = load("K=first\nK=second\nexport K=third\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "K"), "third");
	dotenv_free(env);
}

static void
test_skipped_line_warns(void)
{
	struct dotenv *env;
	const char *path;

	path = unit_file("# app\nDB_USER=app\nthis is not a setting\n\nDB_NAME=appdb\n");
	env = dotenv_load(path, NULL, err, sizeof err);
	if (!CHECK(env != NULL))
		return;
	EQ_STR(dotenv_get(env, "DB_USER"), "app");
	EQ_STR(dotenv_get(env, "DB_NAME"), "appdb");
	CONTAINS(dotenv_warning(env, 0), path);
	CONTAINS(dotenv_warning(env, 0), ": line 3: not KEY=VALUE: skipped");
	EQ_STR(dotenv_warning(env, 1), NULL);
	dotenv_free(env);
}

static void
test_bad_key_is_skipped(void)
{
	struct dotenv *env = load("BAD KEY=x\nK$Y=y\nGOOD=z\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "GOOD"), "z");
	EQ_STR(dotenv_get(env, "BAD KEY"), NULL);
	EQ_STR(dotenv_get(env, "KEY"), NULL);
	CHECK(dotenv_warning(env, 0) != NULL);
	dotenv_free(env);
}

static void
test_unclosed_quote_taken_as_written(void)
{
	struct dotenv *env = load("DB_PASSWORD=\"abc\nDB_USER=app\n");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "DB_PASSWORD"), "\"abc");
	EQ_STR(dotenv_get(env, "DB_USER"), "app");
	CONTAINS(dotenv_warning(env, 0), "line 1: DB_PASSWORD: the quote does not close");
	EQ_STR(dotenv_warning(env, 1), NULL);
	dotenv_free(env);
}

static void
test_warnings_are_capped(void)
{
	char content[2000] = "";
	struct dotenv *env;
	size_t i, n = 0;

	for (i = 0; i < 40; i++)
		strlcat(content, "not a setting\n", sizeof content);
	strlcat(content, "K=v\n", sizeof content);
	if ((env = load(content)) == NULL)
		return;
	EQ_STR(dotenv_get(env, "K"), "v");
	while (dotenv_warning(env, n) != NULL)
		n++;
	CHECK(n > 1);
	CHECK(n < 40);		/* a bounded list, the last one says so */
	CONTAINS(dotenv_warning(env, n - 1), "more lines skipped");
	dotenv_free(env);
}

static void
test_errors(void)
{
	char big[1100001];
	struct dotenv *env;
	enum dotenv_error kind;

	err[0] = '\0';
	env = dotenv_load("/nonexistent-cr-unit/none.env", &kind, err, sizeof err);
	CHECK(env == NULL);
	EQ_INT(kind, DOTENV_OPEN);
	EQ_STR(err, "cannot open: No such file or directory");

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err[0] = '\0';
	env = dotenv_load(unit_file(big), &kind, err, sizeof err);
	CHECK(env == NULL);
	EQ_INT(kind, DOTENV_TOO_LARGE);
	CONTAINS(err, "larger than ");
	CONTAINS(err, " bytes: not an env file");

	/* A directory opens but does not read. */
	err[0] = '\0';
	env = dotenv_load(unit_tmpdir(), &kind, err, sizeof err);
	CHECK(env == NULL);
	EQ_INT(kind, DOTENV_READ);
	CONTAINS(err, "read error: ");

	env = dotenv_load(unit_file("A=1\n"), &kind, err, sizeof err);
	CHECK(env != NULL);
	EQ_INT(kind, DOTENV_OK);
	dotenv_free(env);
}

static void
test_empty_file(void)
{
	struct dotenv *env = load("");

	if (env == NULL)
		return;
	EQ_STR(dotenv_get(env, "A"), NULL);
	EQ_STR(dotenv_warning(env, 0), NULL);
	dotenv_free(env);
	dotenv_free(NULL);
}

int
main(void)
{
	RUN(test_plain_values);
	RUN(test_key_characters_and_separators);
	RUN(test_export_prefix);
	RUN(test_comments);
	RUN(test_quotes);
	RUN(test_escapes_only_in_double_quotes);
	RUN(test_multi_line_values);
	RUN(test_line_ends);
	RUN(test_no_final_newline);
	RUN(test_last_assignment_wins);
	RUN(test_skipped_line_warns);
	RUN(test_bad_key_is_skipped);
	RUN(test_unclosed_quote_taken_as_written);
	RUN(test_warnings_are_capped);
	RUN(test_errors);
	RUN(test_empty_file);
	return UNIT_END();
}
