/* cr-verify: check in one streaming pass that a (gzipped) plain pg_dump is
 * intact and complete, and report what is in it. */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "dumpscan.h"
#include "gzin.h"

struct result {
	const char	*name;
	int		 code;		/* exit status for this file */
	char		 error[640];
	int		 have_offset;
	uint64_t	 offset;	/* uncompressed */
	int		 gzip;
	unsigned	 members;
	uint64_t	 in_bytes;	/* as stored */
};

static int quiet, verbose, json;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: cr-verify [-qv] [--json] [file ...]\n");
	exit(EX_USAGE);
}

static void
json_string(const char *s)
{
	unsigned char c;

	putchar('"');
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_field(const char *key, const char *value, int comma)
{
	printf("%s\"%s\":", comma ? "," : "", key);
	if (value == NULL || *value == '\0')
		printf("null");
	else
		json_string(value);
}

static double
ratio(const struct result *r, const struct dumpscan_info *in)
{
	return r->in_bytes > 0 ? (double)in->bytes / (double)r->in_bytes : 0.0;
}

static const char *
schema_only(const struct dumpscan_info *in)
{
	if (strcmp(in->contents, "schema") == 0)
		return "true";
	if (strcmp(in->contents, "schema+data") == 0)
		return "false";
	return "null";		/* plain pg_dump does not say */
}

static const char *
note(const struct dumpscan_info *in)
{
	if (in->trailer)
		return NULL;
	return "no cr-dump trailer: only pg_dump's completion line vouches for this dump";
}

static void
report_json(const struct result *r, const struct dumpscan_info *in)
{
	size_t i;

	printf("{");
	json_field("file", r->name, 0);
	printf(",\"ok\":%s", r->code == 0 ? "true" : "false");
	if (r->code != 0) {
		json_field("error", r->error, 1);
		if (r->have_offset)
			printf(",\"offset\":%" PRIu64, r->offset);
		else
			printf(",\"offset\":null");
		printf(",\"exit\":%d", r->code);
	}
	printf(",\"gzip\":%s,\"gzip_members\":%u", r->gzip ? "true" : "false", r->members);
	printf(",\"stored_bytes\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"ratio\":%.2f",
	    r->in_bytes, in->bytes, ratio(r, in));
	printf(",\"cr_dump\":%s", in->cr_header ? "true" : "false");
	json_field("cr_version", in->cr_version, 1);
	printf(",\"trailer\":%s", in->trailer ? "true" : "false");
	if (in->trailer)
		printf(",\"trailer_crc32\":\"%08" PRIx32 "\"", in->trailer_crc);
	json_field("database", in->database, 1);
	json_field("user", in->user, 1);
	json_field("dump_time", in->started, 1);
	json_field("server_version", in->server_version, 1);
	json_field("pg_dump_version", in->pg_dump_version, 1);
	json_field("options", in->options, 1);
	printf(",\"schema_only\":%s", schema_only(in));
	printf(",\"complete\":%s", in->complete ? "true" : "false");
	printf(",\"tables_with_data\":%zu,\"rows\":%" PRIu64 ",\"tables\":[",
	    in->ntables, in->rows);
	for (i = 0; i < in->nlisted; i++) {
		printf("%s{", i > 0 ? "," : "");
		json_field("name", in->tables[i].name ? in->tables[i].name : "?", 0);
		printf(",\"rows\":%" PRIu64 "}", in->tables[i].rows);
	}
	printf("]");
	if (in->nlisted < in->ntables)
		printf(",\"tables_listed\":%zu", in->nlisted);
	if (r->code == 0)
		json_field("note", note(in), 1);
	printf("}\n");
}

/* s on one line: control characters and backslash as C escapes, as in the
 * cr-dump header (names may hold any character). */
static void
put_escaped(const char *s)
{
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* "  label:        value\n", the value escaped.  One fact a line, so
 * scripts can pick fields with sed; --json is the stable interface. */
static void
line(const char *label, const char *value)
{
	printf("  %-14s", label);
	put_escaped(value);
	putchar('\n');
}

static void
human(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= 1000000000)
		snprintf(buf, len, "%.2f GB", (double)bytes / 1e9);
	else if (bytes >= 1000000)
		snprintf(buf, len, "%.1f MB", (double)bytes / 1e6);
	else
		snprintf(buf, len, "%.1f kB", (double)bytes / 1e3);
}

static void
report_text(const struct result *r, const struct dumpscan_info *in)
{
	char buf[600];
	size_t i;

	if (r->code != 0)
		return;
	printf("%s: OK, complete (%s)\n", r->name, in->trailer ?
	    "cr-dump trailer and pg_dump completion line" : "pg_dump completion line");
	if (r->gzip) {
		human(r->in_bytes, buf, sizeof(buf));
		line("compressed:", buf);
	}
	human(in->bytes, buf, sizeof(buf));
	line("uncompressed:", buf);
	if (r->gzip) {
		snprintf(buf, sizeof(buf), "%.2f", ratio(r, in));
		line("ratio:", buf);
	}
	if (verbose) {
		snprintf(buf, sizeof(buf), "%" PRIu64 " SQL", in->bytes);
		if (r->gzip)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    ", %" PRIu64 " gzip in %u member%s", r->in_bytes, r->members,
			    r->members == 1 ? "" : "s");
		line("bytes:", buf);
	}
	if (in->database[0] != '\0')
		line("database:", in->database);
	if (in->user[0] != '\0')
		line("role:", in->user);
	if (in->started[0] != '\0')
		line("dump time:", in->started);
	snprintf(buf, sizeof(buf), "PostgreSQL %s", in->server_version[0] ?
	    in->server_version : "?");
	line("server:", buf);
	line("pg_dump:", in->pg_dump_version[0] ? in->pg_dump_version : "?");
	if (in->cr_header) {
		snprintf(buf, sizeof(buf), "cr-dump %s", in->cr_version);
		line("made by:", buf);
	}
	line("schema only:", strcmp(schema_only(in), "true") == 0 ? "yes" :
	    strcmp(schema_only(in), "false") == 0 ? "no" : "unknown (plain pg_dump)");
	if (in->options[0] != '\0')
		line("options:", in->options);
	snprintf(buf, sizeof(buf), "%zu", in->ntables);
	line("tables:", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, in->rows);
	line("rows:", buf);
	if (verbose)
		for (i = 0; i < in->nlisted; i++) {
			printf("  %12" PRIu64 "  ", in->tables[i].rows);
			put_escaped(in->tables[i].name ? in->tables[i].name : "?");
			putchar('\n');
		}
	if (verbose && in->nlisted < in->ntables)
		printf("  (and %zu more tables, not listed)\n", in->ntables - in->nlisted);
	if (note(in) != NULL)
		line("note:", note(in));
}

/* Verify one input; returns its exit status. */
static int
verify(const char *path)
{
	struct result r;
	struct stat sb;
	struct dumpscan *scan;
	struct gzin *gz;
	const void *data;
	ssize_t n;
	int fd, saved;

	memset(&r, 0, sizeof(r));
	r.name = path != NULL ? path : "-";
	if (path == NULL || strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1 && fstat(fd, &sb) == 0 &&
	    S_ISDIR(sb.st_mode)) {
		close(fd);
		fd = -1;
		errno = EISDIR;
	}
	if (fd == -1) {
		saved = errno;
		warn("%s", path);
		if (json) {
			printf("{");
			json_field("file", r.name, 0);
			printf(",\"ok\":false");
			json_field("error", strerror(saved), 1);
			printf(",\"offset\":null,\"exit\":%d}\n", EX_NOINPUT);
		}
		return EX_NOINPUT;
	}
	if ((gz = gzin_open(fd, GZIN_AUTO)) == NULL || (scan = dumpscan_new()) == NULL)
		err(EX_OSERR, NULL);
	for (;;) {
		n = gzin_next(gz, &data);
		if (n > 0) {
			/* After an SQL-level failure in gzip input, read on:
			 * when the gzip layer is damaged too, that is the cause
			 * to report. */
			if (dumpscan_feed(scan, data, (size_t)n) == -1 && !gzin_is_gzip(gz))
				break;
			continue;
		}
		if (n == 0)
			(void)dumpscan_finish(scan);
		else {
			r.code = gzin_errkind(gz) == GZIN_EIO ? EX_IOERR :
			    gzin_errkind(gz) == GZIN_ENOMEM ? EX_OSERR : EX_DATAERR;
			snprintf(r.error, sizeof(r.error), "%s%s", gzin_is_gzip(gz) ?
			    "gzip: " : "", gzin_error(gz));
			r.have_offset = 1;
			r.offset = gzin_bytes_out(gz);
			(void)dumpscan_finish(scan);
		}
		break;
	}
	if (r.code == 0 && dumpscan_error(scan) != NULL) {
		r.code = EX_DATAERR;
		snprintf(r.error, sizeof(r.error), "%s", dumpscan_error(scan));
		r.have_offset = 1;
		r.offset = dumpscan_error_offset(scan);
	}
	r.gzip = gzin_is_gzip(gz);
	r.members = gzin_members(gz);
	r.in_bytes = gzin_bytes_in(gz);
	if (!r.gzip)
		r.in_bytes = dumpscan_info(scan)->bytes;
	if (r.code != 0)
		fprintf(stderr, "cr-verify: %s: %s (%soffset %" PRIu64 ")\n", r.name,
		    r.error, r.gzip ? "uncompressed " : "", r.offset);
	if (json)
		report_json(&r, dumpscan_info(scan));
	else if (!quiet)
		report_text(&r, dumpscan_info(scan));
	gzin_close(gz);
	dumpscan_free(scan);
	if (fd != STDIN_FILENO)
		close(fd);
	return r.code;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "quiet",	no_argument,	NULL, 'q' },
		{ "verbose",	no_argument,	NULL, 'v' },
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 }
	};
	int ch, i, code, worst = 0;

	while ((ch = getopt_long(argc, argv, "qvV", longopts, NULL)) != -1) {
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
		case 'V':
			printf("cr-verify %s\n", CR_VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0 && isatty(STDIN_FILENO))
		errx(EX_USAGE, "standard input is a terminal; name a file or redirect a dump");
	if (argc == 0)
		worst = verify(NULL);
	for (i = 0; i < argc; i++)
		if ((code = verify(argv[i])) > worst)
			worst = code;
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "standard output");
	return worst;
}
