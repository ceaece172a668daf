/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cliopt: the message for a bad command-line option, worded as getopt's. */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cliopt.h"

int
cliopt_bad(int ch, char *const argv[], const char *optstring, char *buf, size_t len)
{
	if (ch == '?' && optopt == '?')
		return 1;
	if (ch == ':' && strncmp(argv[optind - 1], "--", 2) == 0)
		snprintf(buf, len, "option %s requires an argument", argv[optind - 1]);
	else if (ch == ':')
		snprintf(buf, len, "option requires an argument -- '%c'", optopt);
	else if (optopt == 0)
		snprintf(buf, len, "unrecognized option '%s'", argv[optind - 1]);
	else if (optopt > CHAR_MAX || strchr(optstring, optopt) != NULL)
		snprintf(buf, len, "option '%s' takes no argument", argv[optind - 1]);
	else
		snprintf(buf, len, "invalid option -- '%c'", optopt);
	return 0;
}

static const char *use_prog;
static const struct option *use_long;
static const char *use_short;
static const struct cliopt_help *use_help;

/* The short letter given to a long option: its value, when the optstring
 * has it (values past the letters are the long option's own). */
static int
short_of(const struct option *o)
{
	return o->val > 0 && o->val <= CHAR_MAX && o->val != ':' &&
	    strchr(use_short, o->val) != NULL ? o->val : 0;
}

/* The first long option of the table with short letter c, or NULL. */
static const struct option *
long_with_short(int c)
{
	const struct option *o;

	for (o = use_long; o->name != NULL; o++)
		if (short_of(o) == c)
			return o;
	return NULL;
}

static const struct option *
long_named(const char *name)
{
	const struct option *o;

	for (o = use_long; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static int
short_has_arg(int c)
{
	const char *p = strchr(use_short, c);

	return p != NULL && p[1] == ':';
}

/* The help entry for a long option or short letter, or NULL. */
static const struct cliopt_help *
help_for(const char *name, int c)
{
	const struct cliopt_help *h;

	for (h = use_help; h->name != NULL; h++)
		if ((name != NULL && strcmp(h->name, name) == 0) ||
		    (c != 0 && h->name[0] == c && h->name[1] == '\0'))
			return h;
	return NULL;
}

/* The short letters of the optstring that no long option has, each once. */
#define FOR_SHORT_ONLY(p) \
	for (p = use_short + (use_short[0] == ':'); *p != '\0'; p++) \
		if (*p != ':' && *p != '?' && long_with_short(*p) == NULL)

static void
line(FILE *f, int c, const char *name, int has_arg, const char *arg,
    const char *text)
{
	char opt[64];
	int n;

	if (c != 0 && name != NULL)
		n = snprintf(opt, sizeof(opt), "-%c, --%s", c, name);
	else if (c != 0)
		n = snprintf(opt, sizeof(opt), "-%c", c);
	else
		n = snprintf(opt, sizeof(opt), "    --%s", name);
	if (has_arg && n > 0 && (size_t)n < sizeof(opt))
		snprintf(opt + n, sizeof(opt) - (size_t)n, name != NULL ? "=%s" : " %s",
		    arg != NULL ? arg : "ARG");
	if (text == NULL)	/* not described: the option alone */
		fprintf(f, "  %s\n", opt);
	else
		fprintf(f, "  %-30s %s\n", opt, text);
}

/* The letter shown beside long option o: its own (for the first long
 * option with it), -? beside --help. */
static int
shown_short(const struct option *o)
{
	int c = short_of(o);

	if (strcmp(o->name, "help") == 0)
		return '?';
	return c != 0 && long_with_short(c) == o ? c : 0;
}

static int
refused(const struct cliopt_help *h)
{
	return h != NULL && h->text == NULL;
}

void
cliopt_print_help(FILE *f)
{
	const struct cliopt_help *h;
	const struct option *o;
	const char *p;
	int c, n = 0;

	fprintf(f, "\nOptions:\n");
	for (h = use_help; h->name != NULL; h++) {
		if (h->text == NULL)
			continue;
		if (h->name[0] == '-')
			fprintf(f, "  %-30s %s\n", h->name, h->text);
		else if ((o = long_named(h->name)) != NULL)
			line(f, shown_short(o), o->name, o->has_arg != no_argument,
			    h->arg, h->text);
		else if (h->name[1] == '\0' && strchr(use_short, h->name[0]) != NULL)
			line(f, h->name[0], NULL, short_has_arg(h->name[0]), h->arg,
			    h->text);
	}
	/* What the tables have and the help does not describe: still listed. */
	for (o = use_long; o->name != NULL; o++)
		if (help_for(o->name, 0) == NULL)
			line(f, shown_short(o), o->name, o->has_arg != no_argument,
			    NULL, NULL);
	FOR_SHORT_ONLY(p)
		if (!isdigit((unsigned char)*p) && help_for(NULL, *p) == NULL)
			line(f, *p, NULL, short_has_arg(*p), NULL, NULL);
	if (long_named("list-options") == NULL)
		line(f, 0, "list-options", 0, NULL,
		    "print the options, one a line (for shell completion)");
	/* The refused ones on as few lines as fit. */
	for (h = use_help; h->name != NULL; h++) {
		char word[64];

		if (h->text != NULL)
			continue;
		if (h->name[1] == '\0')
			snprintf(word, sizeof(word), " -%s", h->name);
		else if ((o = long_named(h->name)) != NULL && (c = shown_short(o)) != 0)
			snprintf(word, sizeof(word), " -%c/--%s", c, o->name);
		else
			snprintf(word, sizeof(word), " --%s", h->name);
		if (n == 0)
			n = fprintf(f, "Refused, each with the reason why:");
		else if (n + strlen(word) > 78)
			n = fprintf(f, "\n ");
		n += fprintf(f, "%s", word);
	}
	if (n > 0)
		fprintf(f, "\n");
	fprintf(f, "\nSee %s(1).\n", use_prog);
}

void
cliopt_use(int argc, char *const argv[], const char *prog,
    const struct option *longopts, const char *optstring,
    const struct cliopt_help *help)
{
	const struct option *o;
	const char *p;
	int c;

	use_prog = prog;
	use_long = longopts;
	use_short = optstring;
	use_help = help;
	if (argc != 2 || strcmp(argv[1], "--list-options") != 0 ||
	    long_named("list-options") != NULL)
		return;
	for (o = use_long; o->name != NULL; o++) {
		if (refused(help_for(o->name, 0)))
			continue;
		if ((c = shown_short(o)) != 0 && c != '?')
			printf("-%c\n", c);
		printf("--%s\n", o->name);
	}
	FOR_SHORT_ONLY(p)
		if (!isdigit((unsigned char)*p) && !refused(help_for(NULL, *p)))
			printf("-%c\n", *p);
	exit(fflush(stdout) == EOF ? 74 : 0);	/* EX_IOERR */
}
