/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-rotate: name the backups a retention policy lets go (stdin or a
 * directory), and with --delete remove them from the directory.  For the
 * wrappers, also: a new backup's name (--make-name), the backup a name means
 * (--resolve), the retention options (--list-options), an env file's keys
 * (--env-get). */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#define LIBBSD_OPENBSD_VIS
#include <bsd/vis.h>

#include "backup/backupdir.h"
#include "base/cliopt.h"
#include "format/backupname.h"
#include "base/dotenv.h"
#include "base/json.h"
#include "format/manifest.h"
#include "backup/retention.h"

/* What the directory listing saw, to re-check just before unlinking. */
struct seen {
	dev_t	dev;
	ino_t	ino;
};

struct input {
	struct retention_entry	*entries;
	struct seen		*seen;		/* directory mode, by seq */
	size_t			 n, cap;
	size_t			 rejected;
	int			 io_error;
};

static int verbose, json;

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
	    "       cr-rotate --make-name [--label LABEL [--stamp]] [--now TIME]\n"
	    "       cr-rotate [--tool NAME] [-v] --env-get FILE KEY...\n"
	    "       cr-rotate --list-options\n");
}

static _Noreturn void
usage(int status)
{
	synopsis(stderr);
	exit(status);
}

/* --resolve: the newest backup in dir that name means ("latest", a kind, a
 * label), as a path on stdout; a suspicious one passed over on stderr.  With
 * all, every backup it means, newest first, one a line: the ones to fall
 * back on, in order, when the newest does not verify (cr-restore-dev). */
static int
resolve(const char *name, const char *dir, int all)
{
	struct backupdir_entry *entries;
	char path[PATH_MAX];
	size_t n, start = 0;
	long i, skipped;

	if (backupdir_list(dir, &entries, &n) == -1)
		err(EX_NOINPUT, "%s", dir);
	i = backupdir_resolve(dir, entries, n, name, &skipped);
	if (i < 0 && skipped >= 0)
		errx(EX_NOINPUT, "%s: every backup \"%s\" means is suspicious "
		    "(its manifest says not healthy), the newest %s; name it "
		    "exactly to restore it", dir, name, entries[skipped].name);
	if (i < 0) {
		backupdir_free(entries, n);
		errx(EX_NOINPUT, "%s: no backup named \"%s\" (try latest, a "
		    "kind such as daily or pre_deployment, or a label)", dir,
		    name);
	}
	for (;;) {
		if (skipped >= 0)
			warnx("skipped %s: its manifest says it is not healthy",
			    entries[start + (size_t)skipped].name);
		printf("%s/%s\n", dir, entries[start + (size_t)i].name);
		if (!all)
			break;
		start += (size_t)i + 1;
		i = backupdir_resolve(dir, entries + start, n - start, name,
		    &skipped);
		/* after the first, never a label's fallback to a suspicious
		 * backup: only the ones that are healthy by their manifest */
		if (i < 0 || (snprintf(path, sizeof(path), "%s/%s%s", dir,
		    entries[start + (size_t)i].name, MANIFEST_SUFFIX) <
		    (int)sizeof(path) && manifest_health(path) == 0))
			break;
	}
	backupdir_free(entries, n);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return 0;
}

/* A name for a message: control characters made visible, long ones cut. */
static const char *
shown(const char *name, size_t len, char *buf, size_t size)
{
	if (len > (size - 1) / 4)
		len = (size - 1) / 4;
	strvisx(buf, name, len, VIS_CSTYLE | VIS_OCTAL | VIS_NL | VIS_TAB);
	return buf;
}

/* --make-name: the name of a new backup on stdout, made where names are
 * parsed, so a wrapper never builds one or checks a label itself.  A daily
 * backup always has its time in the name; a labelled one with --stamp. */
static int
make_name(const char *label, int stamp, time_t now)
{
	char name[NAME_MAX + 1], buf[4 * 80 + 1];
	const char *why;

	if (backupname_make(name, sizeof(name), label,
	    label == NULL || stamp ? &now : NULL, BACKUPNAME_SQL_GZ, &why) == -1)
		errx(EX_USAGE, "bad backup label \"%s\": %s", label == NULL ?
		    "" : shown(label, strlen(label), buf, sizeof(buf)), why);
	printf("%s\n", name);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return 0;
}

/* --env-get: KEY=VALUE, NUL-terminated, for each KEY the env file sets, read
 * as every cr tool reads it (lib/dotenv), so the wrappers have no reader of
 * their own and take any value (newlines too) with read -d ''.  The lines
 * skipped are named with -v only: a wrapper hands the same file to a C
 * tool, which names them. */
static int
env_get(const char *path, int nkeys, char *keys[])
{
	struct dotenv *env;
	const char *value;
	char why[512];
	int i;

	for (i = 0; i < nkeys; i++)
		if (keys[i][strspn(keys[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_")] != '\0' ||
		    keys[i][0] == '\0' || (keys[i][0] >= '0' && keys[i][0] <= '9'))
			errx(EX_USAGE, "--env-get: not a key name: %s", keys[i]);
	if ((env = dotenv_load(path, why, sizeof(why))) == NULL)
		errx(strncmp(why, "cannot open", 11) == 0 ? EX_NOINPUT :
		    strncmp(why, "larger than", 11) == 0 ? EX_DATAERR :
		    strncmp(why, "read error", 10) == 0 ? EX_IOERR : 1,
		    "%s: %s", path, why);
	for (i = 0; verbose && dotenv_warning(env, (size_t)i) != NULL; i++)
		warnx("%s", dotenv_warning(env, (size_t)i));
	for (i = 0; i < nkeys; i++)
		if ((value = dotenv_get(env, keys[i])) != NULL)
			printf("%s=%s%c", keys[i], value, '\0');
	dotenv_free(env);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return 0;
}


static void
reject(struct input *in, const char *where, size_t number, const char *name,
    size_t len, const char *why)
{
	char buf[4 * 80 + 1];

	if (number > 0)
		warnx("%s %zu: rejected \"%s\": %s", where, number,
		    shown(name, len, buf, sizeof(buf)), why);
	else
		warnx("%s: rejected \"%s\": %s", where,
		    shown(name, len, buf, sizeof(buf)), why);
	in->rejected++;
}

static struct retention_entry *
add(struct input *in, const char *name, size_t len)
{
	struct retention_entry *e;
	char *copy;

	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 1024;
		if ((in->entries = reallocarray(in->entries, in->cap,
		    sizeof(*in->entries))) == NULL)
			err(1, "reallocarray");
	}
	if ((copy = strndup(name, len)) == NULL)
		err(1, "strndup");
	e = &in->entries[in->n];
	retention_entry_init(e, copy, in->n);
	in->n++;
	return e;
}

static void
read_names(struct input *in, int delim)
{
	char *line = NULL;
	size_t size = 0, number = 0, len;
	const char *why;
	ssize_t got;

	while ((got = getdelim(&line, &size, delim, stdin)) != -1) {
		number++;
		len = (size_t)got;
		if (len > 0 && line[len - 1] == delim)
			len--;
		if (len == 0)
			continue;	/* blank lines name nothing */
		if ((why = backupname_check(line, len)) != NULL) {
			reject(in, delim ? "line" : "name", number, line, len,
			    why);
			continue;
		}
		add(in, line, len);
	}
	if (ferror(stdin)) {
		warn("stdin");
		in->io_error = 1;
	}
	free(line);
}

/* One regular file seen in the directory. */
struct listed {
	char	*name;
	dev_t	 dev;
	ino_t	 ino;
	time_t	 mtime;
};

static int
compare_listed(const void *va, const void *vb)
{
	const struct listed *a = va, *b = vb;

	return strcmp(a->name, b->name);
}

/* The regular files directly in dir; symlinks, directories and the rest are
 * never entries, so they can never be named or removed. */
static void
read_directory(struct input *in, const char *path, int dirfd)
{
	struct retention_entry *e;
	struct listed *list = NULL;
	struct dirent *d;
	struct stat st;
	const char *why;
	size_t i, n = 0, cap = 0;
	DIR *dir;
	int fd;

	if ((fd = dup(dirfd)) == -1 || (dir = fdopendir(fd)) == NULL)
		err(EX_NOINPUT, "%s", path);
	for (;;) {
		errno = 0;
		if ((d = readdir(dir)) == NULL)
			break;
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		/* A file name cannot hold "/"; one with ".." or a control
		 * character is odd but is not an attack on this directory.
		 * It is never a backup: skip it (never remove it), and let
		 * rotation go on, or one stray file would stop it forever. */
		if ((why = backupname_check(d->d_name,
		    strlen(d->d_name))) != NULL) {
			char buf[4 * 80 + 1];

			warnx("%s: skipped \"%s\": %s; never removed", path,
			    shown(d->d_name, strlen(d->d_name), buf,
			    sizeof(buf)), why);
			continue;
		}
		if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno == ENOENT)
				continue;	/* removed while we listed */
			warn("%s/%s", path, d->d_name);
			in->io_error = 1;
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			if (verbose)
				fprintf(stderr, "skip %s: not a regular file\n",
				    d->d_name);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((list = reallocarray(list, cap, sizeof(*list))) ==
			    NULL)
				err(1, "reallocarray");
		}
		if ((list[n].name = strdup(d->d_name)) == NULL)
			err(1, "strdup");
		list[n].dev = st.st_dev;
		list[n].ino = st.st_ino;
		list[n].mtime = st.st_mtime;
		n++;
	}
	if (errno != 0) {
		warn("%s", path);
		in->io_error = 1;
	}
	closedir(dir);

	/* name order, so the output does not depend on readdir; an empty
	 * directory leaves list NULL, which qsort must not see */
	if (n > 0)
		qsort(list, n, sizeof(*list), compare_listed);
	if (n > 0 &&
	    (in->seen = reallocarray(NULL, n, sizeof(*in->seen))) == NULL)
		err(1, "reallocarray");
	for (i = 0; i < n; i++) {
		e = add(in, list[i].name, strlen(list[i].name));
		in->seen[e->seq].dev = list[i].dev;
		in->seen[e->seq].ino = list[i].ino;
		/* no timestamp in the name: the age is the file's */
		if (e->is_backup && !e->has_time) {
			e->has_time = 1;
			e->time = list[i].mtime;
		}
		free(list[i].name);
	}
	free(list);
}

static void
report(const struct retention_policy *policy, const struct input *in,
    time_t now)
{
	char why[512];
	size_t i;

	struct backupname bn;
	const char *name, *suspect;
	size_t len, slen = strlen(MANIFEST_SUFFIX);
	char stem[NAME_MAX + 1];

	for (i = 0; i < in->n; i++) {
		name = in->entries[i].name;
		len = strlen(name);
		/* what cr-backup --force kept beside a backup: say so, and
		 * that it is for a person to remove */
		if (!in->entries[i].is_backup &&
		    (suspect = strstr(name, BACKUPNAME_SUSPECT)) != NULL &&
		    (size_t)(suspect - name) < sizeof(stem)) {
			memcpy(stem, name, (size_t)(suspect - name));
			stem[suspect - name] = '\0';
			if (backupname_parse(stem, &bn) == 0) {
				fprintf(stderr, "keep %s: %s suspicious backup "
				    "that cr-backup kept beside %s; never removed "
				    "by rotation: inspect it, then remove it by "
				    "hand\n", name, len > slen && strcmp(name +
				    len - slen, MANIFEST_SUFFIX) == 0 ?
				    "the manifest of a" : "a", stem);
				continue;
			}
		}
		/* a manifest follows its backup: say so rather than "not a
		 * backup name" */
		if (!in->entries[i].is_backup && len > slen && len - slen <
		    sizeof(stem) && strcmp(name + len - slen,
		    MANIFEST_SUFFIX) == 0) {
			memcpy(stem, name, len - slen);
			stem[len - slen] = '\0';
			if (backupname_parse(stem, &bn) == 0) {
				fprintf(stderr, "manifest %s: kept or removed "
				    "with %s\n", name, stem);
				continue;
			}
		}
		retention_reason_format(policy, &in->entries[i], now, why,
		    sizeof(why));
		fprintf(stderr, "%s %s: %s\n",
		    retention_removes(&in->entries[i]) ? "remove" : "keep",
		    name, why);
	}
}

/* ,"key":"value" (null for NULL) */
static void
json_put(const char *key, const char *value, int comma)
{
	char *q = NULL;

	if (value != NULL && (q = json_quote(value)) == NULL)
		err(EX_OSERR, NULL);
	printf("%s\"%s\":%s", comma ? "," : "", key, q != NULL ? q : "null");
	free(q);
}

/* --json: every name's decision and why, what was removed, and the exit
 * status, as one object (docs/json.md) in place of the list of names. */
static void
json_decisions(const struct retention_policy *policy, const struct input *in,
    time_t now, const char *dir, int deleting, const unsigned char *gone,
    int stale, int status)
{
	char why[512], when[32];
	struct tm tm;
	char *q;
	size_t i;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	printf(JSON_OPEN);
	json_put("dir", dir, 0);
	json_put("now", when, 1);
	printf(",\"exit\":%d,\"stale\":%s,\"delete\":%s,\"decisions\":[", status,
	    stale ? "true" : "false", deleting ? "true" : "false");
	for (i = 0; i < in->n; i++) {
		retention_reason_format(policy, &in->entries[i], now, why, sizeof(why));
		if ((q = json_quote(in->entries[i].name)) == NULL)
			err(EX_OSERR, NULL);
		printf("%s{\"name\":%s,\"backup\":%s,\"action\":\"%s\",\"removed\":%s",
		    i > 0 ? "," : "", q, in->entries[i].is_backup ? "true" : "false",
		    retention_removes(&in->entries[i]) ? "remove" : "keep",
		    gone != NULL && gone[i] ? "true" : "false");
		free(q);
		json_put("why", why, 1);
		printf("}");
	}
	printf("]}\n");
}

static void
say_stale(const struct retention_stale *stale, time_t now)
{
	char newest[32], cutoff[32];
	struct tm tm;

	strftime(newest, sizeof(newest), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime_r(&stale->newest, &tm));
	strftime(cutoff, sizeof(cutoff), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime_r(&stale->cutoff, &tm));
	warnx("backups have stopped: the newest %s backup is from %s, %lld "
	    "days ago, before the keep window (since %s); refusing to remove "
	    "anything", backupname_kind_name(stale->kind), newest,
	    (long long)((now - stale->newest) / 86400), cutoff);
}

/* Unlink one listed file, if it is still the regular file we listed. */
static int
remove_entry(int dirfd, const char *path, const struct retention_entry *e,
    const struct seen *seen)
{
	struct stat st;

	if (fstatat(dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		warn("%s/%s", path, e->name);
		return EX_IOERR;
	}
	if (!S_ISREG(st.st_mode) || st.st_ino != seen->ino ||
	    st.st_dev != seen->dev) {
		warnx("%s/%s: changed since it was listed; not removed", path,
		    e->name);
		return 1;
	}
	if (unlinkat(dirfd, e->name, 0) == -1) {
		warn("unlink %s/%s", path, e->name);
		return EX_IOERR;
	}
	return 0;
}

/* Whether a listed backup's manifest says it is healthy (never for one
 * without a readable manifest). */
static int
entry_healthy(const struct retention_entry *e, void *arg)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s%s", (const char *)arg, e->name,
	    MANIFEST_SUFFIX) >= (int)sizeof(path))
		return 0;
	return manifest_health(path) == 1;
}

/* NAME.json, the manifest cr-backup writes beside backup NAME, if it is a
 * regular file in the directory: it goes with its backup, never alone. */
static int
manifest_of(int dirfd, const char *name, char *buf, size_t size)
{
	struct stat st;

	if (snprintf(buf, size, "%s%s", name, MANIFEST_SUFFIX) >= (int)size)
		return 0;
	return fstatat(dirfd, buf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode);
}

static const struct option longopts[] = {
	{ "keep-last",		required_argument,	NULL,	'L' },
	{ "keep-daily",		required_argument,	NULL,	'D' },
	{ "keep-weekly",	required_argument,	NULL,	'W' },
	{ "keep-monthly",	required_argument,	NULL,	'M' },
	{ "keep-yearly",	required_argument,	NULL,	'Y' },
	{ "keep-within",	required_argument,	NULL,	'I' },
	{ "keep",		required_argument,	NULL,	'K' },
	{ "now",		required_argument,	NULL,	'N' },
	{ "delete",		no_argument,		NULL,	'X' },
	{ "allow-stale",	no_argument,		NULL,	'S' },
	{ "null",		no_argument,		NULL,	'0' },
	{ "verbose",		no_argument,		NULL,	'v' },
	{ "json",		no_argument,		NULL,	'J' },
	{ "resolve",		required_argument,	NULL,	'R' },
	{ "all",		no_argument,		NULL,	'a' },
	{ "help",		no_argument,		NULL,	'H' },
	{ "version",		no_argument,		NULL,	'V' },
	{ "list-options",	no_argument,		NULL,	'O' },
	{ "make-name",		no_argument,		NULL,	'A' },
	{ "label",		required_argument,	NULL,	'B' },
	{ "stamp",		no_argument,		NULL,	'T' },
	{ "env-get",		required_argument,	NULL,	'E' },
	{ "tool",		required_argument,	NULL,	'G' },
	{ NULL,			0,			NULL,	0 }
};

int
main(int argc, char *argv[])
{
	struct retention_policy policy;
	struct retention_stale stale;
	struct input in;
	enum retention_option option;
	const char *path = NULL, *resolve_name = NULL, *label = NULL;
	const char *env_path = NULL;
	time_t now;
	size_t i, removed = 0;
	unsigned char *gone = NULL;	/* --json: removed, per entry */
	int ch, delete = 0, allow_stale = 0, null = 0, have_now = 0, is_stale = 0;
	int make = 0, stamp = 0, all = 0;
	int dirfd = -1, status = 0, rc, longindex = 0, has_manifest;
	char manifest[NAME_MAX + 1];

	retention_policy_init(&policy);
	memset(&in, 0, sizeof(in));
	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-rotate",
	    .version = CR_VERSION, .optstring = "0v", .longopts = longopts,
	    .help = help, .synopsis = synopsis });
	while ((ch = cliopt_next(argc, argv, &longindex)) != -1) {
		switch (ch) {
		case 'L': case 'D': case 'W': case 'M': case 'Y': case 'I':
			option = ch == 'L' ? RETENTION_LAST :
			    ch == 'D' ? RETENTION_DAILY :
			    ch == 'W' ? RETENTION_WEEKLY :
			    ch == 'M' ? RETENTION_MONTHLY :
			    ch == 'Y' ? RETENTION_YEARLY : RETENTION_WITHIN;
			if (retention_policy_add(&policy, option, optarg) != 0)
				errx(EX_USAGE, "--%s %s: %s",
				    longopts[longindex].name, optarg,
				    option == RETENTION_WITHIN ? "not a duration "
				    "(like 30d, 12h, 4w, 3m, 1y6m)" :
				    "not a count from 0");
			break;
		case 'K':
			if (retention_policy_add_kind(&policy, optarg) != 0)
				errx(EX_USAGE, "--keep %s: %s", optarg,
				    errno == ENOENT ? "unknown kind (daily, "
				    "pre_deployment, weekly_archive, "
				    "pre_migration, named)" : "expected "
				    "KIND=N|DURATION|forever|none|last:N|"
				    "daily:N|weekly:N|monthly:N|yearly:N|"
				    "within:DURATION|recent:DURATION");
			break;
		case 'N':
			if (retention_parse_time(optarg, &now) != 0)
				errx(EX_USAGE, "--now %s: expected UTC time "
				    "like 2025-10-30T12:00:00Z", optarg);
			have_now = 1;
			break;
		case 'X':
			delete = 1;
			break;
		case 'S':
			allow_stale = 1;
			break;
		case '0':
			null = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'J':
			json = 1;
			break;
		case 'R':
			resolve_name = optarg;
			break;
		case 'a':
			all = 1;
			break;
		case 'A':
			make = 1;
			break;
		case 'B':
			label = optarg;
			break;
		case 'T':
			stamp = 1;
			break;
		case 'E':
			env_path = optarg;
			break;
		case 'G':
			/* a wrapper's name, for the messages: the user ran
			 * cr-restore-dev, not cr-rotate */
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
	if (all && resolve_name == NULL)
		usage(EX_USAGE);
	if (env_path != NULL) {
		if (argc == 0 || make || delete || resolve_name != NULL)
			usage(EX_USAGE);
		return env_get(env_path, argc, argv);
	}
	if (make || label != NULL || stamp) {
		if (!make || argc != 0 || delete || resolve_name != NULL ||
		    (stamp && label == NULL))
			usage(EX_USAGE);
		return make_name(label, stamp, have_now ? now : time(NULL));
	}
	if (resolve_name != NULL) {
		if (argc != 1 || delete)
			usage(EX_USAGE);
		return resolve(resolve_name, argv[0], all);
	}
	if (argc > 1 || (delete && argc == 0))
		usage(EX_USAGE);
	if (!have_now)
		now = time(NULL);

	if (argc == 1) {
		path = argv[0];
		dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd == -1)
			err(EX_NOINPUT, "%s", path);
		read_directory(&in, path, dirfd);
	} else
		read_names(&in, null ? '\0' : '\n');

	if (retention_decide(&policy, in.entries, in.n, now) != 0)
		err(1, "retention_decide");
	/* the manifests beside the files say which are healthy: the newest
	 * healthy backup of each kind stays, whatever the policy */
	if (path != NULL && retention_keep_healthy(in.entries, in.n,
	    entry_healthy, (void *)path) != 0)
		err(1, "retention_keep_healthy");
	if (verbose)
		report(&policy, &in, now);
	if (json && in.n > 0 && (gone = calloc(in.n, 1)) == NULL)
		err(EX_OSERR, NULL);
	if (retention_check_stale(&policy, in.entries, in.n, now, &stale)) {
		is_stale = 1;
		say_stale(&stale, now);
		if (!allow_stale) {
			status = EX_TEMPFAIL;
			goto done;
		}
	}
	if (in.rejected > 0 && delete) {
		warnx("%zu name%s rejected; nothing removed", in.rejected,
		    in.rejected == 1 ? "" : "s");
		status = EX_DATAERR;
		goto done;
	}
	if (in.io_error && delete) {
		warnx("%s could not be listed in full; nothing removed", path);
		status = EX_IOERR;
		goto done;
	}

	for (i = 0; i < in.n; i++) {
		if (!retention_removes(&in.entries[i]))
			continue;
		has_manifest = dirfd != -1 && manifest_of(dirfd,
		    in.entries[i].name, manifest, sizeof(manifest));
		if (delete) {
			if ((rc = remove_entry(dirfd, path, &in.entries[i],
			    &in.seen[i])) != 0) {
				if (status != EX_IOERR)
					status = rc;
				continue;
			}
			removed++;
			if (gone != NULL)
				gone[i] = 1;
			if (has_manifest && unlinkat(dirfd, manifest, 0) == -1 &&
			    errno != ENOENT) {
				warn("unlink %s/%s", path, manifest);
				status = EX_IOERR;
				has_manifest = 0;
			}
		}
		if (json)
			continue;
		printf("%s%c", in.entries[i].name, null ? '\0' : '\n');
		if (has_manifest)
			printf("%s%c", manifest, null ? '\0' : '\n');
	}
	if (removed > 0 && fsync(dirfd) == -1) {
		warn("fsync %s", path);
		status = EX_IOERR;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("stdout");
		status = EX_IOERR;
	}
	if (in.io_error)
		status = EX_IOERR;
	if (status == 0 && in.rejected > 0)
		status = EX_DATAERR;

done:
	if (json) {
		json_decisions(&policy, &in, now, path, delete, gone, is_stale, status);
		if (fflush(stdout) == EOF && status == 0)
			status = EX_IOERR;
	}
	free(gone);
	for (i = 0; i < in.n; i++)
		free((char *)in.entries[i].name);
	free(in.entries);
	free(in.seen);
	if (dirfd != -1)
		close(dirfd);
	return status;
}
