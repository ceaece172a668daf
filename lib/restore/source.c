/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* source: a restore's input, gzip or plain, or salvaged. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "restore/source.h"

/* Start reading fd (name, fd and salvage set).  Returns 0, or -1 with
 * errno set. */
static int
source_open(struct source *src)
{
	if (!src->salvage)
		return (src->gz = gzin_open(src->fd, GZIN_AUTO)) == NULL ? -1 : 0;
	if ((src->sv = gzsalvage_open(src->fd)) == NULL ||
	    (src->ds = dumpsalvage_new(src->sv)) == NULL)
		return -1;
	return 0;
}

void
source_close(struct source *src)
{
	gzin_close(src->gz);
	src->gz = NULL;
	dumpsalvage_free(src->ds);
	src->ds = NULL;
	gzsalvage_close(src->sv);
	src->sv = NULL;
}

ssize_t
source_read(void *arg, void *buf, size_t len)
{
	struct source *src = arg;
	ssize_t n;

	if (src->salvage)
		return dumpsalvage_read(src->ds, buf, len);
	if (src->head_pos < src->head_len) {
		n = (ssize_t)(len < src->head_len - src->head_pos ? len :
		    src->head_len - src->head_pos);
		memcpy(buf, src->head + src->head_pos, (size_t)n);
		src->head_pos += (size_t)n;
		return n;
	}
	if ((n = gzin_read(src->gz, buf, len)) == -1)
		errno = gzin_errkind(src->gz) == GZIN_EDATA ? EILSEQ : EIO;
	return n;
}

int
source_rewind(struct source *src)
{
	source_close(src);
	src->head_len = src->head_pos = 0;
	if (lseek(src->fd, 0, SEEK_SET) == -1)
		return -1;
	return source_open(src);
}

/* "custom" or "tar" when the input is a pg_dump archive of that format,
 * which is for pg_restore; else NULL.  Reads the first bytes, kept for
 * source_read; a read error is left for the reading to report. */
static const char *
archive_format(struct source *src)
{
	ssize_t n;

	if (src->salvage)
		return NULL;	/* gzip only: a salvage reads cr-gz's */
	while (src->head_len < sizeof(src->head) && (n = gzin_read(src->gz,
	    src->head + src->head_len, sizeof(src->head) - src->head_len)) > 0)
		src->head_len += (size_t)n;
	if (src->head_len >= 5 && memcmp(src->head, "PGDMP", 5) == 0)
		return "custom";
	/* a tar archive's first member, named in its header's first bytes */
	if (src->head_len == 8 && memcmp(src->head, "toc.dat", 8) == 0)
		return "tar";
	return NULL;
}

const char *
source_error(const struct source *src)
{
	if (src->gz != NULL && gzin_errkind(src->gz) != GZIN_ENONE)
		return gzin_error(src->gz);
	return NULL;
}

uint64_t
source_bytes_in(const struct source *src)
{
	return src->gz != NULL ? gzin_bytes_in(src->gz) : 0;
}

/* A path, or a name with a dump's suffix: never taken for a database name. */
static int
looks_like_file(const char *s)
{
	static const char *const suffixes[] = { ".sql", ".gz", ".dump", ".txt" };
	size_t i, n = strlen(s), k;

	if (strchr(s, '/') != NULL)
		return 1;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		k = strlen(suffixes[i]);
		if (n > k && strcmp(s + n - k, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

enum source_operand
source_operand(const char *arg, int stdin_fd)
{
	struct stat sb;

	if (strncmp(arg, "postgresql://", 13) == 0 || strncmp(arg, "postgres://", 11) == 0)
		return SOURCE_OPERAND_DATABASE;
	if (looks_like_file(arg))
		return SOURCE_OPERAND_FILE;
	if (access(arg, F_OK) == -1 && errno == ENOENT)
		return SOURCE_OPERAND_DATABASE;
	if (fstat(stdin_fd, &sb) == 0 &&
	    (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) || S_ISREG(sb.st_mode)))
		return SOURCE_OPERAND_AMBIGUOUS;
	return SOURCE_OPERAND_FILE;
}

int
source_open_input(struct source *src, const char *path, int dbname_given, struct stat *sb,
    char *err, size_t errlen)
{
	const char *format;

	if (path != NULL && strcmp(path, "-") != 0) {
		src->name = path;
		if ((src->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			if (errno == ENOENT && !dbname_given)
				snprintf(err, errlen, "%s: no such file (the database is given "
				    "with -d)", path);
			else
				snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return EX_NOINPUT;
		}
	} else if (isatty(STDIN_FILENO)) {
		snprintf(err, errlen, "the dump comes from a file or a pipe, not the terminal");
		return EX_USAGE;
	}
	if (fstat(src->fd, sb) == -1) {
		snprintf(err, errlen, "%s: %s", src->name, strerror(errno));
		return EX_NOINPUT;
	}
	if (S_ISDIR(sb->st_mode)) {
		snprintf(err, errlen, "%s: is a directory (a directory-format dump is for "
		    "pg_restore)", src->name);
		return EX_NOINPUT;
	}
	if (source_open(src) == -1) {
		snprintf(err, errlen, "%s: %s", src->name, strerror(errno));
		return EX_OSERR;
	}
	if ((format = archive_format(src)) != NULL) {
		snprintf(err, errlen, "%s: this is a pg_dump %s archive: use pg_restore",
		    src->name, format);
		return EX_DATAERR;
	}
	return 0;
}
