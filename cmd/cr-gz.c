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
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "base/cliopt.h"
#include "gz/gzin.h"
#include "gz/gzout.h"
#include "gz/gzsalvage.h"
#include "base/io.h"

#define OPTSTRING	"0123456789cdltp:"

static const struct cliopt_help help[] = {
	{ "-1..-12",	NULL,		"compression level, fastest to smallest (6)" },
	{ "c",		NULL,		"write to standard output (cr-gz always does)" },
	{ "d",		NULL,		"decompress" },
	{ "l",		NULL,		"list: sizes and ratio, as gzip -l, from the end members" },
	{ "t",		NULL,		"test: decompress and check, write nothing" },
	{ "p",		"THREADS",	"compress on THREADS threads (one per core)" },
	{ "salvage",	NULL,		"-d: recover what can be read of a damaged file" },
	{ "help",	NULL,		"print this help and exit" },
	{ "version",	NULL,		"print the version and exit" },
	{ NULL,		NULL,		NULL }
};

static void
synopsis(FILE *f)
{
	fprintf(f, "usage: cr-gz [-cdlt] [--salvage] [-1..-12] [-p threads] [file ...]\n");
}

static const char *
input_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* Open an input, "-" being stdin.  Returns -1 after a warning when it cannot
 * be read as a file. */
static int
open_input(const char *path)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1)
		warn("%s", input_name(path));
	else if (S_ISDIR(st.st_mode))
		warnx("%s: is a directory", input_name(path));
	else
		return fd;
	if (fd != STDIN_FILENO)
		close(fd);
	return -1;
}

static void
close_input(int fd)
{
	if (fd != STDIN_FILENO)
		close(fd);
}

static int
gzout_failure(struct gzout *g, const char *path)
{
	switch (gzout_errkind(g)) {
	case GZOUT_EREAD:
		warnx("%s: %s", input_name(path), gzout_error(g));
		return EX_IOERR;
	case GZOUT_EWRITE:
		warnx("stdout: %s", gzout_error(g));
		return EX_IOERR;
	default:
		warnx("%s", gzout_error(g));
		return EX_OSERR;
	}
}

/* All inputs into one cr-gz stream on stdout. */
static int
compress(char **paths, int npaths, int level, int threads)
{
	struct gzout *g;
	ssize_t n;
	int fd, i, rc = 0;

	if ((g = gzout_new(STDOUT_FILENO, level, threads)) == NULL) {
		warn("cannot start compressing");
		return EX_OSERR;
	}
	for (i = 0; i < npaths && rc == 0; i++) {
		if ((fd = open_input(paths[i])) == -1) {
			rc = EX_NOINPUT;
			break;
		}
		while ((n = gzout_read_from(g, fd)) > 0)
			continue;
		if (n == -1)
			rc = gzout_failure(g, paths[i]);
		close_input(fd);
	}
	if (rc == 0 && gzout_finish(g) == -1)
		rc = gzout_failure(g, NULL);
	gzout_free(g);
	return rc;
}

/* Decompress one input to stdout, or with test only check it. */
static int
decompress_one(const char *path, int test)
{
	struct gzin *g;
	const void *p;
	ssize_t n;
	int fd, status = 0;

	if ((fd = open_input(path)) == -1)
		return EX_NOINPUT;
	if ((g = gzin_open(fd, 0)) == NULL) {
		warn("%s", input_name(path));
		close_input(fd);
		return EX_OSERR;
	}
	while ((n = gzin_next(g, &p)) > 0)
		if (!test && io_write_all(STDOUT_FILENO, p, (size_t)n) == -1) {
			warnx("stdout: write: %s", strerror(errno));
			status = EX_IOERR;
			break;
		}
	if (n == -1) {
		warnx("%s: %s", input_name(path), gzin_error(g));
		switch (gzin_errkind(g)) {
		case GZIN_EDATA:
			status = EX_DATAERR;
			break;
		case GZIN_EIO:
			status = EX_IOERR;
			break;
		default:
			status = EX_OSERR;
		}
	}
	gzin_close(g);
	close_input(fd);
	return status;
}

/* -l: the compressed and uncompressed sizes of one input, as gzip -l
 * shows them.  A cr-gz stream is walked by its members' size fields and
 * its length taken from its end member, without inflating; gzip -l cannot
 * know it, as it reads the last member's ISIZE, the end member's 0.  Any
 * other member is decompressed to count it. */
struct listing {
	uint64_t in, out;
};

static int
list_one(const char *path, struct listing *l)
{
	unsigned char h[44];
	struct gzin *g;
	const void *p;
	off_t at = 0, size;
	ssize_t n;
	size_t slen, hlen;
	uint32_t msize;
	int fd, i, cr = 1, status = 0;

	if ((fd = open_input(path)) == -1)
		return EX_NOINPUT;
	l->in = l->out = 0;
	size = lseek(fd, 0, SEEK_END);
	/* a file of cr-gz members only: walked by their size fields */
	while (size > 0 && at < size) {
		if ((n = pread(fd, h, sizeof(h), at)) < 16 || h[0] != 0x1f || h[1] != 0x8b ||
		    h[3] != 0x04 || h[12] != GZ_SUBFIELD_ID1 || h[13] != GZ_SUBFIELD_ID2) {
			cr = 0;
			break;
		}
		slen = (size_t)h[14] | (size_t)h[15] << 8;
		hlen = 16 + slen;
		msize = (uint32_t)h[16] | (uint32_t)h[17] << 8 | (uint32_t)h[18] << 16 |
		    (uint32_t)h[19] << 24;
		if ((size_t)n < hlen || msize < hlen || msize > GZ_MEMBER_MAX) {
			cr = 0;
			break;
		}
		/* the end member's TOTAL: at 32 in format 2, 28 in format 1 */
		if (slen == GZ_SUBFIELD_END || slen == GZ_SUBFIELD_END1)
			for (i = 0; i < 8; i++)
				l->out += (uint64_t)h[(slen == GZ_SUBFIELD_END ? 32 : 28) + i] << (8 * i);
		at += msize;
	}
	if (size > 0 && cr && at == size) {
		l->in = (uint64_t)size;
		close_input(fd);
		return 0;
	}
	/* anything else: count it by decompressing, which also checks it */
	l->out = 0;
	if (lseek(fd, 0, SEEK_SET) == -1 || (g = gzin_open(fd, 0)) == NULL) {
		warn("%s", input_name(path));
		close_input(fd);
		return EX_IOERR;
	}
	while ((n = gzin_next(g, &p)) > 0)
		l->out += (uint64_t)n;
	if (n == -1) {
		warnx("%s: %s", input_name(path), gzin_error(g));
		status = gzin_errkind(g) == GZIN_EDATA ? EX_DATAERR : EX_IOERR;
	}
	l->in = gzin_bytes_in(g);
	gzin_close(g);
	close_input(fd);
	return status;
}

static void
list_line(uint64_t in, uint64_t out, const char *name)
{
	printf("%19llu %19llu %5.1f%% %s\n", (unsigned long long)in,
	    (unsigned long long)out, out > 0 ? 100.0 * ((double)out - (double)in) /
	    (double)out : 0.0, name);
}

/* gzip -l's columns, and a totals line for more than one input. */
static int
list(char **paths, int npaths)
{
	struct listing l;
	uint64_t tin = 0, tout = 0;
	char name[PATH_MAX];
	size_t len;
	int i, status, rc = 0;

	printf("%19s %19s %6s %s\n", "compressed", "uncompressed", "ratio",
	    "uncompressed_name");
	for (i = 0; i < npaths; i++) {
		if ((status = list_one(paths[i], &l)) != 0) {
			if (rc == 0)
				rc = status;
			continue;
		}
		snprintf(name, sizeof(name), "%s", input_name(paths[i]));
		if ((len = strlen(name)) > 3 && strcmp(name + len - 3, ".gz") == 0)
			name[len - 3] = '\0';
		list_line(l.in, l.out, name);
		tin += l.in;
		tout += l.out;
	}
	if (npaths > 1)
		list_line(tin, tout, "(totals)");
	return rc;
}

/* EXIT_LOSSES: --salvage wrote what it could, but data was lost. */
#define EXIT_LOSSES	3

/* --salvage: decompress what can be, name every gap on stderr. */
static int
salvage_one(const char *path)
{
	struct gzsalvage *s;
	const void *p;
	char line[640];
	ssize_t n;
	unsigned i;
	int fd, status = 0;

	if ((fd = open_input(path)) == -1)
		return EX_NOINPUT;
	if ((s = gzsalvage_open(fd)) == NULL) {
		warn("%s", input_name(path));
		close_input(fd);
		return EX_OSERR;
	}
	while ((n = gzsalvage_next(s, &p)) > 0)
		if (io_write_all(STDOUT_FILENO, p, (size_t)n) == -1) {
			warnx("stdout: write: %s", strerror(errno));
			status = EX_IOERR;
			break;
		}
	if (n == -1) {
		warn("%s: read", input_name(path));
		status = errno == ENOMEM ? EX_OSERR : EX_IOERR;
	}
	for (i = 0; i < gzsalvage_ngaps(s); i++) {
		gzsalvage_describe(s, i, line, sizeof(line));
		warnx("%s: %s", input_name(path), line);
	}
	if (status == 0 && gzsalvage_lost(s)) {
		if (gzsalvage_bytes_out(s) == 0) {
			warnx("%s: nothing could be salvaged", input_name(path));
			status = EX_DATAERR;
		} else {
			warnx("%s: salvaged %llu bytes; data was lost", input_name(path),
			    (unsigned long long)gzsalvage_bytes_out(s));
			status = EXIT_LOSSES;
		}
	}
	gzsalvage_close(s);
	close_input(fd);
	return status;
}

/* -t reports on every input; -d stops where its output breaks.  The first
 * failure gives the exit status. */
static int
decompress(char **paths, int npaths, int test, int salvage)
{
	int i, rc = 0, status;

	for (i = 0; i < npaths && (rc == 0 || test || salvage); i++) {
		status = salvage ? salvage_one(paths[i]) : decompress_one(paths[i], test);
		if (status != 0 && (rc == 0 || rc == EXIT_LOSSES))
			rc = status;
	}
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ "salvage",	no_argument,	NULL, 'S' },
		{ NULL,		0,		NULL, 0 }
	};
	static char *stdin_only[] = { "-", NULL };
	long cpus;
	int ch, decomp = 0, test = 0, level = GZOUT_LEVEL_DEFAULT, threads, i, rc;
	int before, in_digits = 0, salvage = 0, listing = 0;

	/* A reader that goes away (cr-gz -d f | head) ends cr-gz by SIGPIPE,
	 * silently, as it ends gzip; with SIGPIPE ignored by the parent, the
	 * EPIPE of write(2) is reported (74). */

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	threads = cpus < 1 ? 1 : cpus > GZOUT_MAX_THREADS ? GZOUT_MAX_THREADS : (int)cpus;
	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-gz",
	    .version = CR_VERSION, .optstring = OPTSTRING, .longopts = longopts,
	    .help = help, .synopsis = synopsis });
	for (;;) {
		before = optind;
		if ((ch = cliopt_next(argc, argv, NULL)) == -1)
			break;
		switch (ch) {
		case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			/* digits in one argument make one level, as in gzip: -12 */
			level = (in_digits ? level * 10 : 0) + ch - '0';
			if (level > 999)
				level = 999;
			/* optind moves on only when the argument is used up */
			in_digits = optind == before;
			continue;
		case 'c':
			break;	/* always stdout: accepted for gzip users */
		case 'd':
			decomp = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'l':
			listing = 1;
			break;
		case 'p':
			threads = (int)cliopt_num(optarg, 1, GZOUT_MAX_THREADS);
			break;
		case 'S':
			salvage = 1;
			break;
		}
		in_digits = 0;
	}
	if (level < 1 || level > GZOUT_LEVEL_MAX)
		cliopt_fail("invalid value for the level: '%d' (a whole number from 1 to %d)", level,
		    GZOUT_LEVEL_MAX);
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}

	/* Every named input must open before any output is written. */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			continue;
		if ((ch = open_input(argv[i])) == -1)
			return EX_NOINPUT;
		close_input(ch);
	}

	if (salvage && (!decomp || test))
		errx(EX_USAGE, "--salvage goes with -d");
	if (listing)
		return list(argv, argc);
	if (test)
		return decompress(argv, argc, 1, 0);
	if (!decomp && isatty(STDOUT_FILENO))
		errx(EX_USAGE, "compressed data not written to a terminal");
	rc = decomp ? decompress(argv, argc, 0, salvage) : compress(argv, argc, level, threads);
	if ((rc == 0 || rc == EXIT_LOSSES) && close(STDOUT_FILENO) == -1) {
		warn("stdout");
		rc = EX_IOERR;
	}
	return rc;
}
