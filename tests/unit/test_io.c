/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/base/io: io_read (one read, EINTR retried) and io_pwrite_all. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/io.h"
#include "unit.h"

static void
test_read_gives_what_a_pipe_has(void)
{
	char buf[16];
	int p[2];

	if (!CHECK(pipe(p) == 0))
		return;
	EQ_INT(write(p[1], "abc", 3), 3);
	EQ_INT(io_read(p[0], buf, sizeof(buf)), 3);	/* not waiting for 16 */
	EQ_MEM(buf, 3, "abc");
	close(p[1]);
	EQ_INT(io_read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	EQ_INT(io_read(-1, buf, sizeof(buf)), -1);
}

static void
test_pwrite_all_at_offsets(void)
{
	const char *path = unit_file("..........");
	char buf[16];
	int fd;

	if (!CHECK((fd = open(path, O_RDWR)) != -1))
		return;
	EQ_INT(io_pwrite_all(fd, "xyz", 3, 2), 0);
	EQ_INT(io_pwrite_all(fd, "end", 3, 12), 0);
	EQ_INT(io_read_full(fd, buf, sizeof(buf)), 15);
	CHECK(memcmp(buf, "..xyz.....\0\0end", 15) == 0);
	close(fd);
	EQ_INT(io_pwrite_all(-1, "x", 1, 0), -1);
}

int
main(void)
{
	RUN(test_read_gives_what_a_pipe_has);
	RUN(test_pwrite_all_at_offsets);
	return UNIT_END();
}
