/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-verify: check in one streaming pass that a (gzipped) plain pg_dump is
 * intact and complete, and report what is in it. */
#include <err.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "backup/alarms.h"
#include "backup/compare.h"
#include "backup/health.h"
#include "backup/verify.h"
#include "base/cliopt.h"
#include "base/json.h"
#include "base/progress.h"
#include "format/manifest.h"

static int quiet, verbose, json;
static enum progress_mode progress_mode;
/* how verify_file reads: a progress line on stderr (-q: none unless --progress) */
static struct verify_opts reading;
enum { OPT_PROGRESS = 0x100, OPT_NO_PROGRESS };

static const struct cliopt_help help[] = {
	{ "quiet",	NULL,		"print nothing but errors (and --json output)" },
	{ "verbose",	NULL,		"also exact byte counts and every table's rows" },
	{ "json",	NULL,		"one JSON object per file instead of the report" },
	{ "manifest",	"OUT.JSON",	"verify one file and write its manifest" },
	{ "name",	"NAME",		"with --manifest: the backup's name to record" },
	{ "duration",	"SECONDS",	"with --manifest: how long the backup took" },
	{ "baseline",	"MANIFEST|DIR",	"with --manifest: compare rows with this manifest" },
	{ "max-shrink",	"PCT",		"an alarm when rows shrank more than PCT percent" },
	{ "allow-empty", NULL,		"a dump without tables is healthy" },
	{ "alarm",	"TEXT",		"with --manifest: record TEXT as an alarm; repeatable" },
	{ "compare",	NULL,		"compare two backups (or manifests): old new" },
	{ "status",	NULL,		"the health of a backup directory: dir" },
	{ "max-age",	"DURATION",	"with --status: how old the newest daily may be (26h)" },
	{ "trend",	"N",		"with --status: the rows of the N newest backups (5)" },
	{ "help",	NULL,		"print this help and exit" },
	{ "progress",	NULL,		"a progress line even when stderr is not a terminal" },
	{ "no-progress", NULL,		"no progress line, even on a terminal" },
	{ "version",	NULL,		"print the version and exit" },
	{ NULL,		NULL,		NULL }
};

static void
synopsis(FILE *f)
{
	fprintf(f,
	    "usage: cr-verify [-qv] [--json] [file ...]\n"
	    "       cr-verify [-q] --manifest out.json [--name name] [--duration sec]\n"
	    "                 [--baseline manifest|dir] [--max-shrink pct] [--allow-empty]\n"
	    "                 [--alarm text]... file\n"
	    "       cr-verify [--json] [--max-shrink pct] --compare old new\n"
	    "       cr-verify [--json] [--max-age duration] [--trend n] --status dir\n");
}

/* A failure no object carries: stderr, and with --json the error object. */
static int
fail(int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = jw_vfail(stderr, json ? stdout : NULL, "cr-verify", code, fmt, ap);
	va_end(ap);
	if (rc == -1)
		err(EX_IOERR, "standard output");
	return code;
}

/* A mistake past the options: said, then the synopsis; exit 64. */
static void __attribute__((noreturn))
usage_error(const char *msg)
{
	fail(EX_USAGE, "%s", msg);
	synopsis(stderr);
	exit(EX_USAGE);
}

/* Verify one input into m; what failed goes on stderr. */
static int
verify_input(const char *path, int hash, int damage, struct manifest *m)
{
	struct verify_opts o = reading;
	char why[1024];
	size_t i;

	o.hash = hash;
	o.damage = damage;
	if (verify_file(path, &o, m) != 0) {
		verify_why(m, why, sizeof(why));
		fprintf(stderr, "cr-verify: %s\n", why);
		for (i = 0; i < m->ndamage; i++)
			fprintf(stderr, "cr-verify: %s: damage: %s\n", m->file,
			    m->damage[i]);
	}
	return m->exit;
}

/* The default verb: verify one input and report it. */
static int
verify(const char *path)
{
	struct manifest m;
	struct jw w;
	int code = verify_input(path, 0, 1, &m);

	if (json) {
		jw_begin(&w, stdout);
		manifest_put(&w, &m);
		(void)jw_finish(&w);	/* a write error: main's ferror */
	} else if (!quiet && code == 0)
		verify_print(stdout, m.file, &m, verbose);
	manifest_free(&m);
	return code;
}

/* --manifest: verify path, judge it (lib/alarms) and write its manifest to
 * out; the alarms go into it and on stderr. */
static int
make_manifest(const char *path, const char *out, const char *name,
    long duration, const struct alarms_policy *policy)
{
	struct manifest m;
	const char *slash;
	char why[1024];
	size_t i;
	int code;

	if ((code = verify_input(path, 1, 0, &m)) != 0) {
		manifest_free(&m);
		return code;
	}
	if (name == NULL)
		name = (slash = strrchr(path, '/')) != NULL ? slash + 1 : path;
	if (manifest_of_backup(&m, name, duration) == -1)
		err(EX_OSERR, NULL);
	if ((code = alarms_judge(&m, policy, why, sizeof(why))) != 0)
		errx(code, "%s", why);
	if (manifest_write(out, &m, why, sizeof(why)) == -1)
		errx(EX_CANTCREAT, "%s", why);
	if (!quiet)
		verify_print(stdout, path, &m, verbose);
	for (i = 0; i < m.nalarms; i++)
		fprintf(stderr, "cr-verify: %s: %s\n", name, m.alarms[i]);
	if (m.nalarms > 0 && m.baseline != NULL)
		fprintf(stderr, "cr-verify: %s: compared with %s\n", name, m.baseline);
	code = m.nalarms > 0 ? ALARMS_EXIT_SUSPECT : 0;
	manifest_free(&m);
	return code;
}

/* --compare: two backups or manifests, table by table (lib/compare). */
static int
compare(const char *old_path, const char *new_path, int max_shrink)
{
	struct compare c;
	struct jw w;
	char why[1024];
	size_t i;
	int code;

	if ((code = compare_run(old_path, new_path, max_shrink, &reading, &c, why,
	    sizeof(why))) != 0)
		return fail(code, "%s", why);
	if (json) {
		jw_begin(&w, stdout);
		compare_put(&w, &c);
		(void)jw_finish(&w);	/* a write error: main's ferror */
	} else
		compare_print(stdout, &c, verbose);
	for (i = 0; i < c.nshrunk; i++)
		fprintf(stderr, "cr-verify: %s\n", c.shrunk[i]);
	code = c.nshrunk > 0 ? ALARMS_EXIT_SUSPECT : 0;
	compare_free(&c);
	return code;
}

/* --status: the health of a backup directory (lib/health). */
static int
status(const char *dir, const char *max_age, size_t ntrend)
{
	struct health h;
	struct jw w;
	char why[1024];
	size_t i;
	int code;

	if ((code = health_check(dir, max_age, ntrend, &reading, &h, why,
	    sizeof(why))) != 0)
		return fail(code, "%s", why);
	if (json) {
		jw_begin(&w, stdout);
		health_put(&w, dir, &h);
		(void)jw_finish(&w);	/* a write error: main's ferror */
	} else {
		health_print(stdout, dir, &h);
		for (i = 0; i < h.nproblems; i++)
			fprintf(stderr, "cr-verify: %s: %s\n", dir, h.problems[i]);
	}
	code = h.code;
	health_free(&h);
	return code;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "manifest",	required_argument,	NULL, 'm' },
		{ "name",	required_argument,	NULL, 'n' },
		{ "duration",	required_argument,	NULL, 'D' },
		{ "baseline",	required_argument,	NULL, 'B' },
		{ "max-shrink",	required_argument,	NULL, 'S' },
		{ "allow-empty", no_argument,		NULL, 'E' },
		{ "alarm",	required_argument,	NULL, 'L' },
		{ "compare",	no_argument,		NULL, 'C' },
		{ "status",	no_argument,		NULL, 's' },
		{ "max-age",	required_argument,	NULL, 'A' },
		{ "trend",	required_argument,	NULL, 'T' },
		{ "progress",	no_argument,		NULL, OPT_PROGRESS },
		{ "no-progress", no_argument,		NULL, OPT_NO_PROGRESS },
		{ NULL,		0,			NULL, 0 }
	};
	const char *manifest = NULL, *name = NULL, *baseline = NULL, *max_age = "26h";
	size_t trend = 5, ngiven = 0;
	char **given;
	enum { VERIFY, MANIFEST, COMPARE, STATUS } verb;
	long duration = -1;
	int ch, i, code, worst, max_shrink = 0, allow_empty = 0, cmp = 0, status_dir = 0;

	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-verify",
	    .version = CR_VERSION, .optstring = "qvV", .longopts = longopts,
	    .help = help, .synopsis = synopsis });
	if ((given = reallocarray(NULL, (size_t)argc, sizeof(*given))) == NULL)
		err(EX_OSERR, NULL);
	while ((ch = cliopt_next(argc, argv, NULL)) != -1) {
		switch (ch) {
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'm':
			manifest = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'D':
			duration = (long)cliopt_num(optarg, 0, LONG_MAX);
			break;
		case 'B':
			baseline = optarg;
			break;
		case 'S':
			max_shrink = (int)cliopt_num(optarg, 0, 100);
			break;
		case 'E':
			allow_empty = 1;
			break;
		case 'L':
			if (optarg[0] == '\0' || strchr(optarg, '\n') != NULL)
				cliopt_fail("--alarm: one line of text");
			given[ngiven++] = optarg;
			break;
		case 'C':
			cmp = 1;
			break;
		case 's':
			status_dir = 1;
			break;
		case 'A':
			max_age = optarg;
			break;
		case 'T':
			trend = (size_t)cliopt_num(optarg, 0, HEALTH_MAX_TREND);
			break;
		case OPT_PROGRESS:
			progress_mode = PROGRESS_ON;
			break;
		case OPT_NO_PROGRESS:
			progress_mode = PROGRESS_OFF;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	reading = (struct verify_opts){ 0, 0, stderr, quiet && progress_mode ==
	    PROGRESS_AUTO ? PROGRESS_OFF : progress_mode, "cr-verify" };

	verb = status_dir ? STATUS : cmp ? COMPARE : manifest != NULL ? MANIFEST : VERIFY;
	if (ngiven > 0 && verb != MANIFEST)
		usage_error("--alarm goes with --manifest");
	switch (verb) {
	case STATUS:
		if (argc != 1 || cmp || manifest != NULL)
			usage_error("--status takes one directory, and neither "
			    "--compare nor --manifest");
		code = status(argv[0], max_age, trend);
		break;
	case COMPARE:
		if (argc != 2 || manifest != NULL)
			usage_error("--compare takes two files: old new");
		code = compare(argv[0], argv[1], max_shrink);
		break;
	case MANIFEST:
		if (argc != 1 || strcmp(argv[0], "-") == 0 || json)
			usage_error("--manifest takes one file (not standard "
			    "input) and writes no --json");
		code = make_manifest(argv[0], manifest, name, duration,
		    &(struct alarms_policy){ given, ngiven, allow_empty,
		    baseline, max_shrink });
		break;
	case VERIFY:
		if (name != NULL || duration != -1 || baseline != NULL ||
		    max_shrink != 0 || allow_empty)
			usage_error("--name, --duration, --baseline, --max-shrink "
			    "and --allow-empty go with --manifest");
		if (argc == 0 && isatty(STDIN_FILENO))
			return fail(EX_USAGE, "standard input is a terminal; name "
			    "a file or redirect a dump");
		for (i = 0, code = argc == 0 ? verify(NULL) : 0; i < argc; i++)
			if ((worst = verify(argv[i])) > code)
				code = worst;
		break;
	}
	free(given);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "standard output");
	return code;
}
