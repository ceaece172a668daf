/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-rotate: name the backups a retention policy lets go (stdin or a
 * directory), and with --delete remove them from the directory.  For the
 * wrappers, also: a new backup's name (--make-name), the backup a name means
 * (--resolve), the retention options (--list-options), an env file's keys
 * (--env-get).  Glue: names are lib/format/backupname's, the directory
 * lib/backup/backupdir's, the run lib/backup/rotation's. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "backup/backupdir.h"
#include "backup/retention.h"
#include "backup/rotation.h"
#include "base/cliopt.h"
#include "base/dotenv.h"
#include "base/json.h"
#include "format/backupname.h"

/* The options, which the verbs read. */
static struct retention_policy policy;
static const char *resolve_name, *label, *env_path, *suspect;
static time_t now;
static int verbose, json, delete, allow_stale, null, have_now, make, stamp, all;

static const struct cliopt_help help[] = {
	{ "keep-last",		"N",	"keep the newest N backups of each kind" },
	{ "keep-daily",		"N",	"keep the newest backup of each of the last N days" },
	{ "keep-weekly",	"N",	"... of each of the last N weeks" },
	{ "keep-monthly",	"N",	"... of each of the last N months" },
	{ "keep-yearly",	"N",	"... of each of the last N years" },
	{ "keep-within",	"DURATION", "keep the backups younger than DURATION" },
	{ "keep",		"KIND=SPEC", "rules for one kind of backup only; repeatable" },
	{ "now",		"TIME",	"take TIME as the current time" },
	{ "allow-stale",	NULL,	"rotate even when backups have stopped" },
	{ "delete",		NULL,	"remove the files named from DIR" },
	{ "null",		NULL,	"names on stdin are NUL-separated" },
	{ "verbose",		NULL,	"say for every file whether it is kept, and why" },
	{ "json",		NULL,	"the decisions as one JSON object on stdout" },
	{ "resolve",		"NAME",	"print the newest backup NAME means in DIR" },
	{ "all",		NULL,	"with --resolve: every match, newest first" },
	{ "make-name",		NULL,	"print a new backup's name" },
	{ "label",		"LABEL", "with --make-name: a named backup" },
	{ "stamp",		NULL,	"with --label: add the time to the name" },
	{ "suspect",		"NAME",	"with --make-name: a name beside backup NAME for a suspicious one" },
	{ "env-get",		"FILE",	"print KEY=value for each KEY of a dotenv FILE" },
	{ "list-options",	NULL,	"print the retention options, one a line" },
	{ "help",		NULL,	"print this help and exit" },
	{ "version",		NULL,	"print the version and exit" },
	{ NULL,			NULL,	NULL }
};

static void
synopsis(FILE *f)
{
	fprintf(f,
	    "usage: cr-rotate [--keep-last N] [--keep-daily N] "
	    "[--keep-weekly N] [--keep-monthly N] [--keep-yearly N] "
	    "[--keep-within DURATION] [--keep KIND=SPEC] [--now TIME] "
	    "[--allow-stale] [-0v] [--delete] [DIR]\n"
	    "       cr-rotate --resolve NAME [--all] DIR\n"
	    "       cr-rotate --make-name [--label LABEL [--stamp] | --suspect NAME] "
	    "[--now TIME]\n"
	    "       cr-rotate [--tool NAME] [-v] --env-get FILE KEY...\n"
	    "       cr-rotate --list-options\n");
}

/* A failure before any decision, "what: errno's words": the one line on
 * stderr and, for --json, the error object on stdout (docs/json.md). */
static _Noreturn void
fail(int status, const char *what)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	warnx("%s", msg);
	if (json)
		jw_error(stdout, "cr-rotate", status, msg);
	exit(status);
}

/* --resolve NAME DIR: the newest backup in DIR NAME means ("latest", a kind,
 * a label), as a path on stdout; a suspicious one passed over on stderr.
 * With --all, every backup it means, newest first, one a line: the ones to
 * fall back on, in order, when the newest does not verify (cr-restore-dev);
 * after the first, only the ones healthy by their manifest. */
static int
resolve(int argc, char *argv[])
{
	struct backupdir_entry *e;
	size_t n, start = 0;
	long i, skipped;

	(void)argc;
	if (backupdir_list(argv[0], &e, &n) == -1)
		err(EX_NOINPUT, "%s", argv[0]);
	if ((i = backupdir_resolve(e, n, resolve_name, &skipped)) < 0)
		errx(EX_NOINPUT, skipped >= 0 ? "%s: every backup \"%s\" means "
		    "is suspicious (its manifest says not healthy), the newest "
		    "%s; name it exactly to restore it" : "%s: no backup named "
		    "\"%s\" (try latest, a kind such as daily or pre_deployment, "
		    "or a label)%s", argv[0], resolve_name, skipped >= 0 ?
		    e[skipped].name : "");
	do {
		if (skipped >= 0)
			warnx("skipped %s: its manifest says it is not healthy",
			    e[start + (size_t)skipped].name);
		printf("%s/%s\n", argv[0], e[start + (size_t)i].name);
		start += (size_t)i + 1;
	} while (all && (i = backupdir_resolve(e + start, n - start,
	    resolve_name, &skipped)) >= 0 &&
	    backupdir_health(&e[start + (size_t)i]) != 0);
	backupdir_free(e, n);
	return 0;
}

/* --make-name: the name of a new backup on stdout, made where names are
 * parsed, so a wrapper never builds one or checks a label itself.  A daily
 * backup always has its time in the name; a labelled one with --stamp.
 * With --suspect NAME, the name cr-backup --force keeps a suspicious new
 * backup under beside backup NAME, stamped with the time. */
static int
make_name(int argc, char *argv[])
{
	char name[NAME_MAX + 1], buf[4 * 80 + 1];
	const char *why;

	(void)argc, (void)argv;
	if (suspect != NULL && backupname_suspect_make(name, sizeof(name),
	    suspect, now) == -1)
		errx(EX_USAGE, "--suspect %s: not a backup name",
		    backupname_shown(suspect, strlen(suspect), buf, sizeof(buf)));
	if (suspect == NULL && backupname_make(name, sizeof(name), label,
	    label == NULL || stamp ? &now : NULL, BACKUPNAME_SQL_GZ, &why) == -1)
		errx(EX_USAGE, "bad backup label \"%s\": %s", label == NULL ?
		    "" : backupname_shown(label, strlen(label), buf,
		    sizeof(buf)), why);
	printf("%s\n", name);
	return 0;
}

/* --env-get FILE KEY...: KEY=VALUE, NUL-terminated, for each KEY the env
 * file sets, read as every cr tool reads it (lib/dotenv), so the wrappers
 * have no reader of their own and take any value (newlines too) with read
 * -d ''.  The lines skipped are named with -v only: a wrapper hands the
 * same file to a C tool, which names them. */
static int
env_get(int argc, char *argv[])
{
	struct dotenv *env;
	enum dotenv_error kind;
	const char *value;
	char why[512];
	int i;

	for (i = 0; i < argc; i++)
		if (!dotenv_shell_name(argv[i]))
			errx(EX_USAGE, "--env-get: not a key name: %s", argv[i]);
	if ((env = dotenv_load(env_path, &kind, why, sizeof(why))) == NULL)
		errx(kind == DOTENV_OPEN ? EX_NOINPUT : kind == DOTENV_TOO_LARGE ?
		    EX_DATAERR : kind == DOTENV_READ ? EX_IOERR : 1,
		    "%s: %s", env_path, why);
	for (i = 0; verbose && dotenv_warning(env, (size_t)i) != NULL; i++)
		warnx("%s", dotenv_warning(env, (size_t)i));
	for (i = 0; i < argc; i++)
		if ((value = dotenv_get(env, argv[i])) != NULL)
			printf("%s=%s%c", argv[i], value, '\0');
	dotenv_free(env);
	return 0;
}

/* What the run has to say on stderr, from note from on. */
static void
say(const struct rotation *r, size_t from)
{
	for (; from < r->nnotes; from++)
		if (!r->notes[from].detail)
			warnx("%s", r->notes[from].text);
		else if (verbose)
			fprintf(stderr, "%s\n", r->notes[from].text);
}

/* Rotation: decide every name, say which go, or remove them (--delete). */
static int
rotate(int argc, char *argv[])
{
	struct rotation r;
	char line[1024];
	size_t i, said;
	int status, stale, sep = null ? '\0' : '\n';

	if ((argc == 1 ? rotation_list_dir(&r, argv[0]) :
	    rotation_read_names(&r, stdin, sep)) == -1)
		fail(errno == ENOMEM ? EX_OSERR : EX_NOINPUT, argc == 1 ?
		    argv[0] : "stdin");
	say(&r, 0);
	if (rotation_decide(&r, &policy, now) == -1)
		fail(EX_OSERR, "retention");
	for (i = 0; verbose && i < r.n; i++) {
		rotation_explain(&r, &policy, i, now, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	if ((stale = rotation_stale(&r, &policy, now, line, sizeof(line))))
		warnx("%s", line);
	if ((status = rotation_refusal(&r, &policy, now, delete, allow_stale,
	    line, sizeof(line))) != 0 && line[0] != '\0')
		warnx("%s", line);
	if (status == 0) {
		said = r.nnotes;
		status = rotation_apply(&r, delete);
		say(&r, said);
		for (i = 0; !json && i < r.n; i++) {
			if (r.out[i] & ROTATION_NAME)
				printf("%s%c", r.entries[i].name, sep);
			if (r.out[i] & ROTATION_MANIFEST)	/* NAME.json */
				printf("%s%c", strrchr(r.dir.entries[i].manifest,
				    '/') + 1, sep);
		}
		status = r.incomplete ? EX_IOERR : status == 0 &&
		    r.rejected > 0 ? EX_DATAERR : status;
	}
	if (json && rotation_json(&r, &policy, now, delete, stale, status,
	    stdout) == -1 && status == 0)
		status = EX_IOERR;
	rotation_free(&r);
	return status;
}

/* --keep-last ... --keep-within: KEEP + their enum retention_option */
#define KEEP	0x100
static const struct option longopts[] = {
	{ "keep-last",		required_argument,	NULL,	KEEP + RETENTION_LAST },
	{ "keep-daily",		required_argument,	NULL,	KEEP + RETENTION_DAILY },
	{ "keep-weekly",	required_argument,	NULL,	KEEP + RETENTION_WEEKLY },
	{ "keep-monthly",	required_argument,	NULL,	KEEP + RETENTION_MONTHLY },
	{ "keep-yearly",	required_argument,	NULL,	KEEP + RETENTION_YEARLY },
	{ "keep-within",	required_argument,	NULL,	KEEP + RETENTION_WITHIN },
	{ "keep",		required_argument,	NULL,	'K' },
	{ "now",		required_argument,	NULL,	'N' },
	{ "delete",		no_argument,		&delete,	1 },
	{ "allow-stale",	no_argument,		&allow_stale,	1 },
	{ "null",		no_argument,		NULL,	'0' },
	{ "verbose",		no_argument,		NULL,	'v' },
	{ "json",		no_argument,		&json,	1 },
	{ "resolve",		required_argument,	NULL,	'R' },
	{ "all",		no_argument,		&all,	1 },
	{ "help",		no_argument,		NULL,	'H' },
	{ "version",		no_argument,		NULL,	'V' },
	{ "list-options",	no_argument,		NULL,	'O' },
	{ "make-name",		no_argument,		&make,	1 },
	{ "label",		required_argument,	NULL,	'B' },
	{ "stamp",		no_argument,		&stamp,	1 },
	{ "suspect",		required_argument,	NULL,	'U' },
	{ "env-get",		required_argument,	NULL,	'E' },
	{ "tool",		required_argument,	NULL,	'G' },
	{ NULL,			0,			NULL,	0 }
};
/* The verbs, as signify's: the option that selects each, its operands. */
enum verb { ROTATE, RESOLVE, MAKE_NAME, ENV_GET };
static const struct {
	int	(*run)(int, char *[]);
	int	  min, max;
} verbs[] = {
	[ROTATE] =	{ rotate,	0, 1 },		/* [DIR] */
	[RESOLVE] =	{ resolve,	1, 1 },		/* --resolve NAME DIR */
	[MAKE_NAME] =	{ make_name,	0, 0 },		/* --make-name */
	[ENV_GET] =	{ env_get,	1, INT_MAX },	/* --env-get FILE KEY... */
};

int
main(int argc, char *argv[])
{
	enum verb verb;
	char why[512];
	size_t i;
	int ch, longindex = 0, naming;

	if (retention_policy_init(&policy) == -1)
		errx(1, "the kinds' keep rules (BACKUPNAME_KINDS) do not parse");
	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-rotate",
	    .version = CR_VERSION, .optstring = "0v", .longopts = longopts,
	    .help = help, .synopsis = synopsis });
	while ((ch = cliopt_next(argc, argv, &longindex)) != -1) {
		switch (ch) {
		default:	/* 0: a flag option, set by getopt */
			if (ch >= KEEP && retention_policy_add(&policy, ch - KEEP,
			    optarg) != 0)
				cliopt_fail("--%s %s: %s", longopts[longindex].name,
				    optarg, retention_option_error(ch - KEEP));
			break;
		case 'K':
			if (retention_policy_add_kind(&policy, optarg) != 0)
				cliopt_fail("--keep %s: %s", optarg,
				    retention_kind_error(errno, why, sizeof(why)));
			break;
		case 'N':
			if (retention_parse_time(optarg, &now) != 0)
				cliopt_fail("--now %s: expected UTC time "
				    "like 2025-10-30T12:00:00Z", optarg);
			have_now = 1;
			break;
		case '0':
			null = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'R': case 'B': case 'U': case 'E':	/* the verbs' values */
			*(ch == 'R' ? &resolve_name : ch == 'B' ? &label :
			    ch == 'U' ? &suspect : &env_path) = optarg;
			break;
		case 'G':
			/* the wrapper's name for the messages: the user's */
			program_invocation_short_name = optarg;
			break;
		case 'O':
			/* the retention options, one a line, for wrappers
			 * that pass them on: the list cannot drift */
			for (i = 0; longopts[i].name != NULL; i++)
				if (strncmp(longopts[i].name, "keep", 4) == 0)
					printf("--%s\n", longopts[i].name);
			return 0;
		}
	}
	argc -= optind;
	argv += optind;
	naming = make || label != NULL || stamp || suspect != NULL;
	verb = env_path != NULL ? ENV_GET : naming ? MAKE_NAME :
	    resolve_name != NULL ? RESOLVE : ROTATE;
	if ((env_path != NULL) + naming + (resolve_name != NULL) > 1 ||
	    argc < verbs[verb].min || argc > verbs[verb].max ||
	    (all && verb != RESOLVE) || (delete && (verb != ROTATE ||
	    argc == 0)) || (naming && (!make || (stamp && label == NULL) ||
	    (suspect != NULL && label != NULL)))) {
		synopsis(stderr);
		return EX_USAGE;
	}
	if (!have_now)
		now = time(NULL);
	ch = verbs[verb].run(argc, argv);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return ch;
}
