/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* verify: what cr-verify proves of one backup (docs/design.md, "What
 * cr-verify proves"), in one streaming pass: the gzip layer (gzin), the
 * dump's completeness (dumpscan) and its schema hash and per-table bytes
 * (schemasum), reconciled; with the stored file's SHA-256 from the same
 * read, and, for a damaged gzip file, what each gap takes (gzsalvage,
 * dumpsalvage).  The result is a struct manifest, and its report for
 * people.  Writes only to the streams it is given: the progress line, the
 * report. */
#ifndef CR_VERIFY_H
#define CR_VERIFY_H

#include <stdio.h>

#include "base/progress.h"
#include "format/manifest.h"

struct verify_opts {
	int			 hash;		/* sha256 and file_bytes of the stored file */
	int			 damage;	/* a damaged gzip file: read it again as
						 * cr-restore --salvage would, into damage */
	FILE			*progress_fp;	/* NULL: no progress line */
	enum progress_mode	 progress;
	const char		*prog;		/* the progress line's label: "PROG: FILE" */
};

/* Verify path (NULL or "-": standard input) into m, which the caller frees
 * with manifest_free.  Returns the exit status the input gives (0; 66 not
 * opened, m->scanned 0; 65 bad data; 74 read error; 71 out of memory), also
 * in m->exit, with m->error one line and m->offset where it was found. */
int verify_file(const char *path, const struct verify_opts *,
    struct manifest *m);

/* What failed in m, as one line: "FILE: error (uncompressed offset N)". */
void verify_why(const struct manifest *m, char *buf, size_t len);

/* The report for people on a verified backup (name as the user gave it),
 * one fact a line, values escaped as cr-dump's header escapes them;
 * verbose: exact byte counts and every table's rows. */
void verify_print(FILE *fp, const char *name, const struct manifest *m,
    int verbose);

/* s on fp on one line, escaped as cr-dump header values are
 * (dumpfmt_escape): names may hold any character. */
void verify_put_escaped(FILE *fp, const char *s);

#endif
