/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/dump/dumpjob, the parts that need no server: pg_dump's arguments and
 * the header's record of them, the -F refusals, and the stream's counted,
 * checksummed writes (and their stop on a signal's flag), to the contract
 * of dumpjob.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "dump/dumpjob.h"
#include "unit.h"

static void
test_fixed_arguments(void)
{
	struct dumpjob j;

	dumpjob_init(&j, "9.9-test");
	EQ_STR(j.tool_version, "9.9-test");
	if (EQ_INT(j.argc, 5)) {
		EQ_STR(j.argv[0], "pg_dump");
		EQ_STR(j.argv[1], "--format=plain");
		EQ_STR(j.argv[2], "--no-owner");
		EQ_STR(j.argv[3], "--no-acl");
		EQ_STR(j.argv[4], "--no-password");
	}
	EQ_STR(j.copts.appname, "cr-dump");
	EQ_STR(j.options, "");
	dumpjob_free(&j);
}

static void
test_added_arguments(void)
{
	struct dumpjob j;

	dumpjob_init(&j, "x");
	EQ_INT(dumpjob_add_arg(&j, "--schema-only", NULL), 0);
	EQ_INT(dumpjob_add_arg(&j, "--table", "public.a b"), 0);
	EQ_INT(dumpjob_add_arg(&j, "--exclude-table-data", "log*"), 0);
	if (EQ_INT(j.argc, 8)) {
		/* one argv word each: no shell ever splits them */
		EQ_STR(j.argv[5], "--schema-only");
		EQ_STR(j.argv[6], "--table=public.a b");
		EQ_STR(j.argv[7], "--exclude-table-data=log*");
	}
	/* the header records them, in order */
	CONTAINS(j.options, "--schema-only");
	CONTAINS(j.options, "--table");
	CONTAINS(j.options, "log*");
	CHECK(strstr(j.options, "--schema-only") < strstr(j.options, "--table"));
	dumpjob_free(&j);
	EQ_INT(j.nadded, 0);
	EQ_STR(j.conninfo, NULL);
}

static void
test_too_many_arguments(void)
{
	struct dumpjob j;
	int i, rc = 0;

	dumpjob_init(&j, "x");
	for (i = 0; i < DUMPJOB_MAXARGS && rc == 0; i++)
		rc = dumpjob_add_arg(&j, "-t", "t");
	EQ_INT(rc, -1);
	EQ_INT(errno, E2BIG);
	/* room is left for --dbname CONNINFO and the terminating NULL */
	CHECK(j.argc <= DUMPJOB_MAXARGS - 3);
	dumpjob_free(&j);
}

static void
test_format_refusals(void)
{
	EQ_STR(dumpjob_format_refusal("p"), NULL);
	EQ_STR(dumpjob_format_refusal("plain"), NULL);
	EQ_STR(dumpjob_format_refusal("PLAIN"), NULL);
	CONTAINS(dumpjob_format_refusal("c"), "cr keeps plain SQL");
	CONTAINS(dumpjob_format_refusal("custom"), "drop -F (compress with cr-gz)");
	CONTAINS(dumpjob_format_refusal("d"), "cr keeps plain SQL");
	CONTAINS(dumpjob_format_refusal("Directory"), "cr keeps plain SQL");
	CONTAINS(dumpjob_format_refusal("t"), "cr keeps plain SQL");
	CONTAINS(dumpjob_format_refusal("tar"), "cr keeps plain SQL");
	EQ_STR(dumpjob_format_refusal("x"), "unknown format; cr-dump writes plain SQL (-F p)");
	EQ_STR(dumpjob_format_refusal(""), "unknown format; cr-dump writes plain SQL (-F p)");
}

/* Run fn with stdout on a new file; its content into buf. */
static ssize_t
captured(void (*fn)(struct dumpjob_out *), struct dumpjob_out *out, char *buf,
    size_t len)
{
	const char *path = unit_file("");
	int fd, saved;
	ssize_t n;

	fflush(stdout);
	if ((fd = open(path, O_RDWR)) == -1 || (saved = dup(STDOUT_FILENO)) == -1 ||
	    dup2(fd, STDOUT_FILENO) == -1)
		return -1;
	fn(out);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, buf, len, 0);
	close(fd);
	return n;
}

static void
write_some(struct dumpjob_out *out)
{
	EQ_INT(dumpjob_write(out, "SET x = 1;\n", 11), 0);
	EQ_INT(dumpjob_write(out, "", 0), 0);
	EQ_INT(dumpjob_write(out, "COPY", 4), 0);
}

static void
test_counted_and_checksummed(void)
{
	struct dumpjob_out out = { 0 };
	char buf[64];

	if (!EQ_INT(captured(write_some, &out, buf, sizeof buf), 15))
		return;
	EQ_MEM(buf, 15, "SET x = 1;\nCOPY");
	EQ_UINT(out.bytes, 15);
	/* the CRC-32 of every byte written (zlib's, independently) */
	EQ_UINT(out.crc, crc32(0L, (const Bytef *)"SET x = 1;\nCOPY", 15));
	EQ_INT(out.last_newline, 0);
}

static volatile sig_atomic_t flag;

static void
write_after_stop(struct dumpjob_out *out)
{
	EQ_INT(dumpjob_write(out, "a\n", 2), 0);
	EQ_INT(out->last_newline, 1);
	flag = 15;		/* as SIGTERM's handler does */
	errno = 0;
	EQ_INT(dumpjob_write(out, "b\n", 2), -1);
	EQ_INT(errno, EINTR);
}

static void
test_stop_flag(void)
{
	struct dumpjob_out out = { .stop = &flag };
	char buf[16];

	flag = 0;
	EQ_INT(captured(write_after_stop, &out, buf, sizeof buf), 2);
	EQ_UINT(out.bytes, 2);		/* what was not written is not counted */
}

int
main(void)
{
	RUN(test_fixed_arguments);
	RUN(test_added_arguments);
	RUN(test_too_many_arguments);
	RUN(test_format_refusals);
	RUN(test_counted_and_checksummed);
	RUN(test_stop_flag);
	return UNIT_END();
}
