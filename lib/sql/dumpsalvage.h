/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpsalvage: turn what lib/gzsalvage recovered of a damaged plain pg_dump
 * dump into a script that restores: at each gap, the object being written
 * (the statements under one of pg_dump's "-- Name: ...; Type: ..." comments)
 * is dropped whole and reading resumes at the next such comment; COPY data
 * cut by a gap keeps its complete rows before the gap, drops the partial
 * line on each side, resumes with the next line that has the COPY's column
 * count, and gets its "\." back when the gap swallowed it.  The cr-dump
 * header and trailer are dropped (the result is no longer that stream) and
 * pg_dump's completion line and \unrestrict are added if lost.  Every loss
 * is recorded: which table's rows, between which first-column values, which
 * objects.  Nothing prints. */
#ifndef CR_DUMPSALVAGE_H
#define CR_DUMPSALVAGE_H

#include <stdint.h>
#include <sys/types.h>

#include "gz/gzsalvage.h"

struct dumpsalvage;

struct dumpsalvage *dumpsalvage_new(struct gzsalvage *);

/* sqlsplit_read_fn: the repaired script.  -1 with errno on a read error,
 * ENOMEM, or EFBIG for a line over 64 MiB. */
ssize_t dumpsalvage_read(void *arg, void *buf, size_t len);

/* What was lost, as lines ("COPY data of public.events: rows between id
 * 1200 and id 5100 lost; 2 partial lines dropped", "skipped: the statements
 * of \"Name: users; Type: TABLE; Schema: public\""); final after the end. */
unsigned dumpsalvage_nnotes(const struct dumpsalvage *);
const char *dumpsalvage_note(const struct dumpsalvage *, unsigned i);

/* Whether anything was lost (gzsalvage_lost of the source). */
int dumpsalvage_lost(const struct dumpsalvage *);

void dumpsalvage_free(struct dumpsalvage *);

#endif
