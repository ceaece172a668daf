/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* restoreplan: what a pg_dump plain script's statements are about, and
 * which of them a selective restore (cr-restore -t TABLE, --data-only)
 * runs.  Each statement is classified by its own text (pg_dump qualifies
 * every name, search_path being ''): the relation it creates or alters, the
 * table a COPY loads, an index's table, a foreign key's referenced table,
 * the sequence a setval sets.  Nothing prints. */
#ifndef CR_RESTOREPLAN_H
#define CR_RESTOREPLAN_H

#include <stddef.h>

#include "sql/sqlsplit.h"

/* What a statement is, for ordering and selection. */
enum restoreplan_kind {
	RESTOREPLAN_OTHER = 0,	/* anything not below (types, functions, views) */
	RESTOREPLAN_SESSION,	/* SET, RESET, set_config(): always run */
	RESTOREPLAN_TABLE,	/* CREATE TABLE rel */
	RESTOREPLAN_ALTER,	/* ALTER TABLE rel (defaults, owner, ...); ATTACH
				 * PARTITION ref; identity column: obj its sequence */
	RESTOREPLAN_SEQUENCE,	/* CREATE SEQUENCE rel */
	RESTOREPLAN_OWNED_BY,	/* ALTER SEQUENCE rel OWNED BY ref.column */
	RESTOREPLAN_SETVAL,	/* SELECT pg_catalog.setval('rel', ...) */
	RESTOREPLAN_COPY,	/* COPY rel FROM stdin */
	RESTOREPLAN_INDEX,	/* CREATE INDEX obj ON rel */
	RESTOREPLAN_INDEX_ATTACH, /* ALTER INDEX rel ATTACH PARTITION obj */
	RESTOREPLAN_CONSTRAINT,	/* ALTER TABLE rel ADD CONSTRAINT (PK, UNIQUE, CHECK) */
	RESTOREPLAN_FOREIGN_KEY, /* ALTER TABLE rel ADD CONSTRAINT ... REFERENCES ref */
	RESTOREPLAN_TRIGGER,	/* CREATE TRIGGER ... ON rel EXECUTE FUNCTION ref,
				 * CREATE POLICY ... ON rel */
	RESTOREPLAN_COMMENT,	/* COMMENT ON a relation or a column of rel, or
				 * ON SCHEMA rel */
	RESTOREPLAN_GRANT,	/* GRANT/REVOKE ... ON TABLE/SEQUENCE/SCHEMA rel */
	RESTOREPLAN_SCHEMA	/* CREATE SCHEMA rel */
};

/* Names are canonical: every part double-quoted, as the server folds
 * them ("public"."users"); "" when the statement names none. */
struct restoreplan_stmt {
	enum restoreplan_kind kind;
	char		 rel[256];
	char		 ref[256];	/* FOREIGN_KEY, OWNED_BY, ALTER: the other
					 * table; TRIGGER: its function */
	char		 obj[256];	/* INDEX, CONSTRAINT: the index (the constraint's
					 * name); INDEX_ATTACH: the partition's */
	size_t		 name_off, name_len; /* COPY: where rel is written in the text
					 * (sqlsplit_copy_target) */
};

/* Classify one statement from the tokens the splitter gave its item (an
 * item made up by the caller, with no tokens: from its text, lexed as the
 * splitter lexes). */
void restoreplan_classify(const struct sqlsplit_item *, struct restoreplan_stmt *);

/* A name as a user writes it (users, public.users, app."My Table") in
 * canonical form.  Returns 0, or -1 when it is not a name. */
int restoreplan_canonical(const char *name, char *out, size_t outlen);

enum restoreplan_action {
	RESTOREPLAN_RUN,	/* execute it (after the held statements, see below) */
	RESTOREPLAN_SKIP,	/* not part of the selection */
	RESTOREPLAN_HOLD,	/* kept until its sequence's owner is known */
	RESTOREPLAN_ASK,	/* a selected table's foreign key to a table not
				 * selected, or trigger: run it only when ref (the
				 * table, the trigger's function) exists */
	RESTOREPLAN_ASK_ABSENT	/* CREATE SCHEMA of a schema a -t name gives: run
				 * it only when the target lacks the schema, then
				 * tell restoreplan_schema_made */
};

struct restoreplan;

/* data_only: only rows (COPY) and the setval of sequences the tables own. */
struct restoreplan *restoreplan_new(int data_only);
void restoreplan_free(struct restoreplan *);

/* -t spec: "name" or, with data_only, "name=other" (load name's rows into
 * the existing table other).  Returns 0, or -1 with err set. */
int restoreplan_add(struct restoreplan *, const char *spec, char *err, size_t errlen);

/* Decide for a statement (its text, line and tokens).  For RUN of a COPY
 * into a renamed table, *rewritten gets the statement with the new name
 * (malloc'd, the caller frees; NULL otherwise).  Returns -1 when out of
 * memory, -2 when the selection cannot be met (restoreplan_refusal says
 * why). */
int restoreplan_decide(struct restoreplan *, const struct sqlsplit_item *,
    struct restoreplan_stmt *st, enum restoreplan_action *action, char **rewritten);

/* The CREATE SCHEMA of an ASK_ABSENT ran: the schema's own statements
 * (ALTER SCHEMA, COMMENT, GRANT) run too.  Returns -1 when out of memory. */
int restoreplan_schema_made(struct restoreplan *, const char *schema);
/* Before a RUN: the held statements that now belong to the selection, one
 * at a time (text malloc'd, the caller frees).  Returns 0 when none left. */
int restoreplan_take_held(struct restoreplan *, char **text, unsigned long *line);

/* Why the selection cannot be met, or NULL: a selected partitioned table
 * whose partitions are not selected (a partitioned table holds no rows of
 * its own; pg_dump attaches the partitions before any data, and the first
 * COPY after that is refused).  Also to ask at the end of the input. */
const char *restoreplan_refusal(struct restoreplan *);
/* At the end, in a dump that has data: each selected table that no COPY
 * loaded (its data excluded from the dump, or written through its
 * partitioned parent by pg_dump --load-via-partition-root), with its
 * CREATE TABLE line.  *iter starts at 0; returns 0 when none is left. */
int restoreplan_uncopied(const struct restoreplan *, size_t *iter, const char **name,
    unsigned long *line);
/* At the end: a -t name no table of the dump matched, or NULL. */
const char *restoreplan_unmatched(const struct restoreplan *);

#endif
