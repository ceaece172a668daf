/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-gz: gzip filter for backups.  Compresses with libdeflate on many threads
 * into bytes that do not depend on the thread count; decompresses and tests
 * strictly, its own output on many threads. */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/cliopt.h"
#include "base/io.h"
#include "base/progress.h"
#include "gz/gzin.h"
#include "gz/gzlist.h"
#include "gz/gzout.h"
#include "gz/gzsalvage.h"

#define OPTSTRING	"0123456789cdltp:"
#define EXIT_LOSSES	3	/* --salvage wrote what it could; data was lost */
#define MODES		"cdtl"	/* -c (always stdout: gzip's, accepted), -d, -t, -l */
#define input_name(path)	(strcmp((path), "-") == 0 ? "stdin" : (path))

enum { OPT_SALVAGE = 0x100, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_HELP, OPT_VERSION };

static const struct option longopts[] = {
	{ "salvage",	no_argument,	NULL, OPT_SALVAGE },
	{ "progress",	no_argument,	NULL, OPT_PROGRESS },
	{ "no-progress", no_argument,	NULL, OPT_NO_PROGRESS },
	{ "help",	no_argument,	NULL, OPT_HELP },
	{ "version",	no_argument,	NULL, OPT_VERSION },
	{ NULL,		0,		NULL, 0 }
};

static const struct cliopt_help help[] = {
	{ "-1..-12",	NULL,		"compression level, fastest to smallest (6)" },
	{ "c",		NULL,		"write to standard output (cr-gz always does)" },
	{ "d",		NULL,		"decompress" },
	{ "l",		NULL,		"list: sizes and ratio, as gzip -l, from the end members" },
	{ "t",		NULL,		"test: decompress and check, write nothing" },
	{ "p",		"THREADS",	"compress on THREADS threads (one per core)" },
	{ "salvage",	NULL,		"-d: recover what can be read of a damaged file" },
	{ "progress",	NULL,		"a progress line even when stderr is not a terminal" },
	{ "no-progress", NULL,		"no progress line, even on a terminal" },
	{ "help",	NULL,		"print this help and exit" },
	{ "version",	NULL,		"print the version and exit" },
	{ NULL,		NULL,		NULL }
};

struct run {
	int			 mode;	/* 'c' compress, 'd', 't', 'l', 's' salvage */
	int			 level, threads;
	enum progress_mode	 progress;
	struct progress		 bar;	/* the input being read */
	char			 label[PATH_MAX + 16];
};

static void
synopsis(FILE *f)
{
	fprintf(f, "usage: cr-gz [-cdlt] [--salvage] [-1..-12] [-p threads] "
	    "[--progress | --no-progress] [file ...]\n");
}

/* Open an input, "-" being stdin.  Returns -1 after a warning when it cannot
 * be read as a file.  With r, its progress line starts: done / total when
 * it is a file (the bytes read of its size), else bytes and rate alone. */
static int
open_input(struct run *r, const char *path)
{
	struct stat st;
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1 || fstat(fd, &st) == -1)
		warn("%s", input_name(path));
	else if (S_ISDIR(st.st_mode))
		warnx("%s: is a directory", input_name(path));
	else if (r == NULL)
		return fd;
	else {
		snprintf(r->label, sizeof(r->label), "cr-gz: %s", input_name(path));
		progress_start(&r->bar, stderr, r->progress, r->label,
		    S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
		return fd;
	}
	if (fd > STDIN_FILENO)
		close(fd);
	return -1;
}

/* The progress line erased, the input closed; returns status. */
static int
end(struct run *r, int fd, int status)
{
	progress_clear_line(&r->bar);
	if (fd != STDIN_FILENO)
		close(fd);
	return status;
}

/* A read (of path) or a write (of stdout) failed, or memory; the code. */
static int
gzout_failure(struct gzout *g, const char *path)
{
	warnx("%s%s%s", gzout_errkind(g) == GZOUT_EREAD ? input_name(path) :
	    gzout_errkind(g) == GZOUT_EWRITE ? "stdout" : "",
	    gzout_errkind(g) == GZOUT_ENOMEM ? "" : ": ", gzout_error(g));
	return gzout_errkind(g) == GZOUT_ENOMEM ? EX_OSERR : EX_IOERR;
}

/* All inputs into one cr-gz stream on stdout. */
static int
compress(struct run *r, char **paths, int npaths)
{
	struct gzout *g;
	uint64_t done;
	ssize_t n;
	int fd, i, rc = 0;

	if ((g = gzout_new(STDOUT_FILENO, r->level, r->threads)) == NULL) {
		warn("cannot start compressing");
		return EX_OSERR;
	}
	for (i = 0; i < npaths && rc == 0; i++) {
		if ((fd = open_input(r, paths[i])) == -1) {
			rc = EX_NOINPUT;
			break;
		}
		for (done = 0; (n = gzout_read_from(g, fd)) > 0; )
			progress_update(&r->bar, done += (uint64_t)n, NULL, 0);
		rc = end(r, fd, n == -1 ? gzout_failure(g, paths[i]) : 0);
	}
	if (rc == 0 && gzout_finish(g) == -1)
		rc = gzout_failure(g, NULL);
	gzout_free(g);
	return rc;
}

/* --salvage's end: every gap named; after no other failure (status 0),
 * whether data was lost (3) or nothing could be read (65). */
static int
salvaged(struct gzsalvage *s, const char *path, int status)
{
	char line[640];
	unsigned i;

	for (i = 0; i < gzsalvage_ngaps(s); i++) {
		gzsalvage_describe(s, i, line, sizeof(line));
		warnx("%s: %s", input_name(path), line);
	}
	if (status != 0 || !gzsalvage_lost(s))
		return status;
	if (gzsalvage_bytes_out(s) == 0) {
		warnx("%s: nothing could be salvaged", input_name(path));
		return EX_DATAERR;
	}
	warnx("%s: salvaged %llu bytes; data was lost", input_name(path),
	    (unsigned long long)gzsalvage_bytes_out(s));
	return EXIT_LOSSES;
}

/* Decompress one input to stdout, with -t only check it, with --salvage
 * write what can be read of it. */
static int
decompress_one(struct run *r, const char *path)
{
	struct gzsalvage *s = NULL;
	struct gzin *g = NULL;
	const void *p;
	ssize_t n;
	int fd, status = 0;

	if ((fd = open_input(r, path)) == -1)
		return EX_NOINPUT;
	if (r->mode == 's' ? (s = gzsalvage_open(fd)) == NULL : (g = gzin_open(fd, 0)) == NULL) {
		warn("%s", input_name(path));
		return end(r, fd, EX_OSERR);
	}
	while ((n = s != NULL ? gzsalvage_next(s, &p) : gzin_next(g, &p)) > 0) {
		if (g != NULL)	/* salvage: no count of the input read */
			progress_update(&r->bar, gzin_bytes_in(g), NULL, 0);
		if (r->mode != 't' && io_write_all(STDOUT_FILENO, p, (size_t)n) == -1) {
			progress_clear_line(&r->bar);
			warnx("stdout: write: %s", strerror(errno));
			status = EX_IOERR;
			break;
		}
	}
	progress_clear_line(&r->bar);
	if (n == -1 && s != NULL) {
		warn("%s: read", input_name(path));
		status = errno == ENOMEM ? EX_OSERR : EX_IOERR;
	} else if (n == -1) {
		warnx("%s: %s", input_name(path), gzin_error(g));
		status = gzin_exit_code(g);
	}
	if (s != NULL) {
		status = salvaged(s, path, status);
		gzsalvage_close(s);
	} else
		gzin_close(g);
	return end(r, fd, status);
}

static void
list_line(uint64_t in, uint64_t out, const char *name, int namelen)
{
	printf("%19llu %19llu %5.1f%% %.*s\n", (unsigned long long)in,
	    (unsigned long long)out, out > 0 ? 100.0 * ((double)out - (double)in) /
	    (double)out : 0.0, namelen, name);
}

/* -l: gzip -l's columns (lib/gz/gzlist), and a totals line for more than
 * one input. */
static int
list(char **paths, int npaths)
{
	uint64_t in, out, tin = 0, tout = 0;
	const char *name;
	char why[512];
	int i, fd, status, rc = 0;
	size_t len;

	printf("%19s %19s %6s %s\n", "compressed", "uncompressed", "ratio",
	    "uncompressed_name");
	for (i = 0; i < npaths; i++) {
		if ((fd = open_input(NULL, paths[i])) == -1)
			status = EX_NOINPUT;
		else if ((status = gzlist_sizes(fd, &in, &out, why, sizeof(why))) != 0)
			warnx("%s: %s", input_name(paths[i]), why);
		if (fd != -1 && fd != STDIN_FILENO)
			close(fd);
		if (status != 0) {
			rc = rc == 0 ? status : rc;
			continue;
		}
		len = strlen(name = input_name(paths[i]));	/* less .gz */
		list_line(in, out, name, (int)len - (len > 3 &&
		    strcmp(name + len - 3, ".gz") == 0 ? 3 : 0));
		tin += in;
		tout += out;
	}
	if (npaths > 1)
		list_line(tin, tout, "(totals)", 8);
	return rc;
}

/* -t reports on every input; -d stops where its output breaks.  The first
 * failure gives the exit status. */
static int
decompress(struct run *r, char **paths, int npaths)
{
	int i, rc = 0, status;

	for (i = 0; i < npaths && (rc == 0 || r->mode != 'd'); i++) {
		status = decompress_one(r, paths[i]);
		if (status != 0 && (rc == 0 || rc == EXIT_LOSSES))
			rc = status;
	}
	return rc;
}

/* The options into r; returns the index of the first operand. */
static int
options(int argc, char *argv[], struct run *r)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int ch, before, in_digits = 0, salvage = 0;

	r->mode = 'c';
	r->level = GZOUT_LEVEL_DEFAULT;
	r->threads = cpus < 1 ? 1 : cpus > GZOUT_MAX_THREADS ? GZOUT_MAX_THREADS : (int)cpus;
	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-gz",
	    .version = CR_VERSION, .optstring = OPTSTRING, .longopts = longopts,
	    .help = help, .synopsis = synopsis });
	for (before = optind; (ch = cliopt_next(argc, argv, NULL)) != -1; before = optind) {
		if (ch >= '0' && ch <= '9') {
			/* digits in one argument make one level, as in gzip: -12 */
			r->level = (in_digits ? r->level * 10 : 0) + ch - '0';
			r->level = r->level > 999 ? 999 : r->level;
			/* optind moves on only when the argument is used up */
			in_digits = optind == before;
			continue;
		}
		in_digits = 0;
		if (ch < CHAR_MAX && strchr(MODES, ch) != NULL)	/* -l over -t over -d over -c */
			r->mode = strchr(MODES, ch) > strchr(MODES, r->mode) ? ch : r->mode;
		else if (ch == 'p')
			r->threads = (int)cliopt_num(optarg, 1, GZOUT_MAX_THREADS);
		else if (ch == OPT_SALVAGE)
			salvage = 1;
		else if (ch == OPT_PROGRESS || ch == OPT_NO_PROGRESS)
			r->progress = ch == OPT_PROGRESS ? PROGRESS_ON : PROGRESS_OFF;
	}
	if (r->level < 1 || r->level > GZOUT_LEVEL_MAX)
		cliopt_fail("invalid value for the level: '%d' (a whole number from 1 to %d)",
		    r->level, GZOUT_LEVEL_MAX);
	if (salvage && r->mode != 'd')
		cliopt_fail("--salvage goes with -d");
	r->mode = salvage ? 's' : r->mode;
	return optind;
}

int
main(int argc, char *argv[])
{
	static char *stdin_only[] = { "-", NULL };
	struct run r = { 0 };
	int i, fd, rc;

	/* A reader that goes away (cr-gz -d f | head) ends cr-gz by SIGPIPE,
	 * silently, as it ends gzip; with SIGPIPE ignored by the parent, the
	 * EPIPE of write(2) is reported (74). */
	i = options(argc, argv, &r);
	argc -= i;
	argv += i;
	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}
	/* Every named input must open before any output is written. */
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") != 0) {
			if ((fd = open_input(NULL, argv[i])) == -1)
				return EX_NOINPUT;
			close(fd);
		}
	if (r.mode == 'l')
		return list(argv, argc);
	if (r.mode == 'c' && isatty(STDOUT_FILENO))
		errx(EX_USAGE, "compressed data not written to a terminal");
	rc = r.mode == 'c' ? compress(&r, argv, argc) : decompress(&r, argv, argc);
	if (r.mode != 't' && (rc == 0 || rc == EXIT_LOSSES) && close(STDOUT_FILENO) == -1) {
		warn("stdout");
		rc = EX_IOERR;
	}
	return rc;
}
