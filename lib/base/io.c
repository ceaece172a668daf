/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* io: whole-buffer reads and writes on file descriptors, and the atomic
 * write of a small file. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "base/io.h"

int
io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
io_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n;
}

int
io_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = pwrite(fd, p, len, off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

ssize_t
io_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* fsync the directory holding path, so a rename into it is durable. */
static int
io_fsync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc, saved;

	if (strlcpy(copy, path, sizeof(copy)) >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

double
io_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
io_write_atomic(const char *path, int (*fill)(FILE *, void *), void *arg,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	const char *slash, *base, *what;
	FILE *fp = NULL;
	int fd, saved;

	/* a hidden name, and no "..": cr-rotate skips such names loudly */
	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	if (snprintf(tmp, sizeof(tmp), "%.*s%s%s.XXXXXX.tmp",
	    (int)(base - path), path, base[0] == '.' ? "" : ".", base) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -1;
	}
	what = "create a temp file";
	if ((fd = mkstemps(tmp, 4)) == -1)
		goto fail;
	what = "write";
	if (fchmod(fd, 0600) == -1 || (fp = fdopen(fd, "w")) == NULL)
		goto fail_unlink;
	if (fill(fp, arg) == -1 || fflush(fp) == EOF || ferror(fp))
		goto fail_unlink;
	what = "fsync";
	if (fsync(fd) == -1)
		goto fail_unlink;
	what = "close";
	fd = -1;
	if (fclose(fp) == EOF) {
		fp = NULL;
		goto fail_unlink;
	}
	fp = NULL;
	what = "rename";
	if (rename(tmp, path) == -1)
		goto fail_unlink;
	what = "fsync the directory";
	if (io_fsync_dir(path) == -1)
		goto fail;
	return 0;
fail_unlink:
	saved = errno;
	if (fp != NULL)
		fclose(fp);
	else if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
fail:
	snprintf(err, errlen, "%s: cannot %s: %s", path, what,
	    strerror(errno));
	return -1;
}
