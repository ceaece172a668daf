/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cliopt: the tools' command line: getopt_long, its mistakes said one way,
 * --help, --version, whole option names, numeric values. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include "base/cliopt.h"
#include "base/json.h"

static const struct cliopt_tool *tool;
static char shortopts[128];	/* getopt's: ':' first, no '?' */
static char current[128];	/* the option returned last, as given */
static const char *use_prog;
static const struct option *use_long;
static const char *use_short;
static const struct cliopt_help *use_help;
static int json_out;		/* the line asks for --json (wants_json) */

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

/* Whether a tool that has --json is asked for it, read before the options
 * are so that a mistake anywhere on the line is an error object too
 * (`cr-restore -j x --json`).  An option's argument is skipped ("-d
 * --json" names a database), and "--" ends the options. */
static int
wants_json(int argc, char *argv[])
{
	const struct option *o;
	const char *a, *p;
	int i;

	if (long_named("json") == NULL)
		return 0;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--json") == 0)
			return 1;
		if (strncmp(a, "--", 2) == 0) {
			if (strchr(a, '=') == NULL && (o = long_named(a + 2)) != NULL &&
			    o->has_arg == required_argument)
				i++;
		} else if (a[0] == '-') {
			for (p = a + 1; *p != '\0'; p++)
				if (short_has_arg(*p)) {
					i += p[1] == '\0';
					break;
				}
		}
	}
	return 0;
}

void
cliopt_init(int argc, char *argv[], const struct cliopt_tool *t)
{
	const struct option *o;
	const char *p;
	size_t n = 0;
	int c;

	tool = t;
	use_prog = t->prog;
	use_long = t->longopts;
	use_help = t->help;
	/* ':' first: a missing argument is told from an unknown option; no
	 * '?': -? comes back as an unknown option named '?', a request for
	 * help (getopt says the same for both otherwise). */
	shortopts[n++] = ':';
	for (p = t->optstring; *p != '\0' && n + 1 < sizeof(shortopts); p++)
		if (*p != '?' && (*p != ':' || p != t->optstring))
			shortopts[n++] = *p;
	shortopts[n] = '\0';
	use_short = shortopts;
	json_out = wants_json(argc, argv);
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

/* A mistake: "cr-X: MESSAGE" on stderr and, when the line asks for --json,
 * the error object on stdout (docs/json.md); with try, the "Try" line;
 * then exit 64 (EX_USAGE). */
static void __attribute__((noreturn, format(printf, 2, 0)))
vsaid(int try, const char *fmt, va_list ap)
{
	char msg[1024];
	/* The name the tool goes by now: its own, or the wrapper's that
	 * runs it for a check (cr-rotate --tool cr-backup --now ...). */
	const char *prog = program_invocation_short_name;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	(void)jw_fail(stderr, json_out ? stdout : NULL, prog, 64, "%s", msg);
	if (try)
		fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	fflush(stdout);
	exit(64);	/* EX_USAGE */
}

static void __attribute__((noreturn, format(printf, 2, 3)))
said(int try, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsaid(try, fmt, ap);
}

void
cliopt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsaid(1, fmt, ap);
}

static void __attribute__((noreturn))
help_exit(void)
{
	if (tool->synopsis != NULL)
		tool->synopsis(stdout);
	cliopt_print_help(stdout);
	exit(fflush(stdout) == EOF ? 74 : 0);	/* EX_IOERR */
}

static void __attribute__((noreturn))
version_exit(void)
{
	printf("%s %s\n", tool->prog, tool->version);
	exit(fflush(stdout) == EOF ? 74 : 0);
}

/* The name in a long option's text: "--name=value" -> "name", len 4. */
static size_t
long_name_len(const char *text)
{
	return strcspn(text + 2, "=");
}

static int
is_long(const char *text)
{
	return text != NULL && strncmp(text, "--", 2) == 0 && text[2] != '\0';
}

/* "--vers" is no option of the table: say so, with those it could be the
 * start of. */
static void __attribute__((noreturn))
unrecognized_long(const char *text)
{
	const struct option *o, *hits[8];
	size_t len = long_name_len(text), n = 0, i;
	const char *why;
	char name[64];
	char msg[512];
	int k;

	snprintf(name, sizeof(name), "%.*s", (int)len, text + 2);
	if (tool->refused != NULL && (why = tool->refused(0, name)) != NULL)
		said(0, "--%s: %s", name, why);
	for (o = tool->longopts; o->name != NULL && len > 0; o++)
		if (strncmp(o->name, text + 2, len) == 0 && n < 8)
			hits[n++] = o;
	k = snprintf(msg, sizeof(msg), "unrecognized option '--%s'", name);
	for (i = 0; i < n && k > 0 && (size_t)k < sizeof(msg); i++)
		k += snprintf(msg + k, sizeof(msg) - (size_t)k, "%s--%s", i == 0 ?
		    " (did you mean " : i + 1 == n ? " or " : ", ", hits[i]->name);
	if (n > 0 && k > 0 && (size_t)k < sizeof(msg))
		snprintf(msg + k, sizeof(msg) - (size_t)k, "?)");
	said(1, "%s", msg);
}

/* Whether text ("--name=value") is a long option of no argument given one:
 * getopt then names the option's value in optopt. */
static int
given_value(const char *text, int opt)
{
	const struct option *o;
	size_t len = long_name_len(text);

	if (strchr(text, '=') == NULL)
		return 0;
	for (o = tool->longopts; o->name != NULL; o++)
		if (o->val == opt && o->has_arg == no_argument &&
		    strncmp(o->name, text + 2, len) == 0)
			return 1;
	return 0;
}

/* getopt_long returned ch, '?' or ':', for argv[optind - 1] (a long option,
 * which getopt has passed) or for optopt (a short one). */
static void __attribute__((noreturn))
mistake(int ch, char *argv[])
{
	const char *text = optind > 0 ? argv[optind - 1] : NULL, *why;
	const struct option *o;

	if (ch == '?' && optopt == '?')
		help_exit();
	/* A long option when getopt names none (unknown, or an abbreviation
	 * of several), or when the text is "--name=..." of an option with
	 * that value: a short option's trouble leaves optind on its own word,
	 * which is never such a "--" word. */
	if (is_long(text) && (optopt == 0 || ch == ':' || given_value(text, optopt))) {
		for (o = tool->longopts; o->name != NULL; o++)
			if (strlen(o->name) == long_name_len(text) &&
			    strncmp(o->name, text + 2, long_name_len(text)) == 0)
				break;
		if (o->name == NULL)
			unrecognized_long(text);
		said(1, "option '--%s' %s", o->name, ch == ':' ? "requires an argument" :
		    "takes no argument");
	}
	if (ch == ':')
		cliopt_fail("option '-%c' requires an argument", optopt);
	if (tool->refused != NULL && (why = tool->refused(optopt, NULL)) != NULL)
		said(0, "-%c: %s", optopt, why);
	if (isprint(optopt))
		cliopt_fail("unrecognized option '-%c'", optopt);
	cliopt_fail("unrecognized option '\\x%02x'", (unsigned)optopt & 0xff);
}

int
cliopt_next(int argc, char *argv[], int *longindex)
{
	const struct option *o;
	const char *text;
	int ch, idx = -1;

	opterr = 0;	/* the words are ours */
	ch = getopt_long(argc, argv, shortopts, tool->longopts, &idx);
	if (longindex != NULL)
		*longindex = idx;
	if (ch == -1)
		return -1;
	if (ch == '?' || ch == ':')
		mistake(ch, argv);
	if (idx >= 0) {
		o = &tool->longopts[idx];
		/* "--name=value" and "--name" are in argv[optind - 1]; "--name
		 * value" puts the value there and the name just before it. */
		text = optarg != NULL && optind >= 2 && optarg == argv[optind - 1] ?
		    argv[optind - 2] : argv[optind - 1];
		if (long_name_len(text) != strlen(o->name) ||
		    strncmp(text + 2, o->name, strlen(o->name)) != 0)
			unrecognized_long(text);
		snprintf(current, sizeof(current), "--%s", o->name);
		if (strcmp(o->name, "help") == 0)
			help_exit();
		if (strcmp(o->name, "version") == 0)
			version_exit();
		return ch;
	}
	snprintf(current, sizeof(current), "-%c", ch);
	if ((o = long_named("version")) != NULL && o->val == ch)
		version_exit();
	if ((o = long_named("help")) != NULL && o->val == ch)
		help_exit();
	return ch;
}

const char *
cliopt_current(void)
{
	return current;
}

long long
cliopt_num(const char *arg, long long min, long long max)
{
	const char *errstr;
	long long v;

	v = strtonum(arg, min, max, &errstr);
	if (errstr != NULL)
		cliopt_fail("invalid value for %s: '%s' (a whole number from %lld to %lld)",
		    current, arg, min, max);
	return v;
}
