/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* source: the input of a restore, a file or stdin, gzip or plain (told
 * apart by the magic; lib/gzin), or with salvage a damaged cr-gz backup
 * read past its damage and its script repaired (lib/gzsalvage,
 * lib/dumpsalvage); and whether it is a pg_dump archive that is
 * pg_restore's.  Nothing prints. */
#ifndef CR_SOURCE_H
#define CR_SOURCE_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gz/gzin.h"
#include "gz/gzsalvage.h"
#include "sql/dumpsalvage.h"

struct source {
	const char	*name;		/* for messages: the file, or "stdin" */
	int		 fd;		/* the caller's: opened and closed there */
	int		 salvage;	/* --salvage */
	struct gzin	*gz;		/* NULL with salvage */
	struct gzsalvage *sv;
	struct dumpsalvage *ds;
	unsigned char	 head[8];	/* first bytes, read to tell the format */
	size_t		 head_len, head_pos;
};

void source_close(struct source *);
/* An sqlsplit_read_fn over the source: bytes, 0 at the end, or -1 with
 * errno EILSEQ for damaged data, EIO for a read error. */
ssize_t source_read(void *source, void *buf, size_t len);
/* Back to the first byte (a file only).  Returns 0 or -1. */
int source_rewind(struct source *);
/* What the gzip layer says was wrong when reading failed, or NULL. */
const char *source_error(const struct source *);
/* What a restore's operand names, without -d: the database (a URI or
 * conninfo string; a name that is no file here and does not look like
 * one: no '/', no .sql, .gz, .dump or .txt suffix), or the dump.  A name
 * that could be either, an existing file while stdin (stdin_fd) may carry
 * a dump too (a pipe, a socket or a redirected file), is ambiguous: reading
 * the file would ignore stdin and restore into a database the user did not
 * name. */
enum source_operand {
	SOURCE_OPERAND_FILE,
	SOURCE_OPERAND_DATABASE,
	SOURCE_OPERAND_AMBIGUOUS
};
enum source_operand source_operand(const char *arg, int stdin_fd);

/* Open the dump: the file path names (NULL or "-": stdin, which must not
 * be a terminal), its fstat into sb, the reading started, and the refusal of a
 * directory or a pg_dump archive.  dbname_given: the database is named
 * otherwise (-d), so a missing file is not explained as maybe one.
 * Returns 0, or an exit status (sysexits.h) with the reason in err. */
int source_open_input(struct source *, const char *path, int dbname_given, struct stat *sb,
    char *err, size_t errlen);

/* Bytes read from fd so far (the file's, compressed). */
uint64_t source_bytes_in(const struct source *);

#endif
