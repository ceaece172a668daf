/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgrestore: pg_restore's options cr-restore refuses, each with its reason
 * (pgrestore.h). */
#include <stddef.h>
#include <string.h>

#include "restore/pgrestore.h"

/* pg_restore's options, which a plain SQL restore does not have: why, and
 * what to do instead (cr-dump explains pg_dump's the same way). */
static const struct {
	int		 letter;	/* pg_restore's short option, or 0 */
	const char	*name;		/* its long option, or NULL */
	const char	*why;
} pg_restore_only[] = {
	{ 'c', NULL, "pg_restore's -c drops objects one by one; cr-restore --clean "
	    "replaces the whole database atomically: write --clean" },
	{ 'C', "create", "the database is the one given (-d); --clean creates it "
	    "when it does not exist" },
	{ 'e', "exit-on-error", "cr-restore always stops at the first error; drop it" },
	{ 'O', "no-owner", "cr-restore runs the dump as written: make it with "
	    "pg_dump --no-owner (cr-dump always does), or restore as a role with --role" },
	{ 'x', "no-privileges", "cr-restore runs the dump as written: make it with "
	    "pg_dump --no-acl (cr-dump always does)" },
	{ 0, "no-acl", "cr-restore runs the dump as written: make it with "
	    "pg_dump --no-acl (cr-dump always does)" },
	{ 'l', "list", "a plain SQL dump has no table of contents: cr-verify -v "
	    "lists its tables and rows" },
	{ 'L', "use-list", "choose tables with -t TABLE instead" },
	{ 'f', "file", "cr-restore restores into a database; for the SQL text, "
	    "decompress the dump (cr-gz -d)" },
};

/* pg_restore's option given (letter, or name without "--"): why it is
 * refused, or NULL (cliopt's tool.refused). */
const char *
pgrestore_refused(int letter, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(pg_restore_only) / sizeof(pg_restore_only[0]); i++)
		if ((letter != 0 && letter == pg_restore_only[i].letter) ||
		    (name != NULL && pg_restore_only[i].name != NULL &&
		    strcmp(name, pg_restore_only[i].name) == 0))
			return pg_restore_only[i].why;
	return NULL;
}
