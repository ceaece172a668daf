/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/restore/replace without a server: the names of scratch and replaced
 * databases and the words of an outcome and of leftovers,
 * which say where the data is and which command is safe (docs/safety.md). */
#include <string.h>

#include <bsd/string.h>

#include "restore/replace.h"
#include "unit.h"

/* The lines replace_outcome_line gives, joined by '\n'. */
static const char *
outcome(const struct replace_outcome *o, const char *target)
{
	static char all[8192];
	char line[2048];
	int i;

	all[0] = '\0';
	for (i = 0; replace_outcome_line(o, target, i, line, sizeof(line)) != NULL; i++) {
		if (i > 0)
			strlcat(all, "\n", sizeof(all));
		strlcat(all, line, sizeof(all));
	}
	return all;
}

static void
test_names(void)
{
	char out[128], longname[80];

	replace_scratch_name("app", 123, out, sizeof(out));
	EQ_STR(out, "app_cr_restore_123");
	replace_old_name("app", 123, out, sizeof(out));
	EQ_STR(out, "app_cr_old_123");
	replace_kept_name("app", 86400, out, sizeof(out));
	EQ_STR(out, "app_cr_old_19700102_000000");
	/* 63 bytes at most, cut at a character boundary: "é" is 2 bytes */
	memset(longname, 'a', 41);
	strcpy(longname + 41, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	replace_scratch_name(longname, 4194304, out, sizeof(out));
	EQ_INT(strlen(out), 62);	/* 41 + one "é" + the suffix: the next one did not fit whole */
	EQ_STR(out + strlen(out) - strlen("_cr_restore_4194304"), "_cr_restore_4194304");
	CHECK(((unsigned char)out[strlen(out) - strlen("_cr_restore_4194304") - 1] & 0xC0) != 0xC0);
}

static void
test_outcome_success(void)
{
	struct replace_outcome o = { .state = REPLACE_TESTED, .scratch = "app_cr_restore_7" };

	EQ_STR(outcome(&o, "app"), "");
	strcpy(o.left, "app_cr_restore_7");
	strcpy(o.left_error, "dropping app_cr_restore_7: ERROR:  boom");
	strcpy(o.left_command, "dropdb 'app_cr_restore_7'");
	EQ_STR(outcome(&o, "app"), "dropping app_cr_restore_7: ERROR:  boom (drop it with: "
	    "dropdb 'app_cr_restore_7')");
	o.state = REPLACE_REPLACED;
	strcpy(o.left, "app_cr_old_7");
	strcpy(o.left_command, "dropdb 'app_cr_old_7'");
	strcpy(o.left_error, "dropping app_cr_old_7: ERROR:  boom");
	EQ_STR(outcome(&o, "app"), "dropping app_cr_old_7: ERROR:  boom: \"app\" holds the "
	    "restored data; the old database is left as \"app_cr_old_7\": drop it with: "
	    "dropdb 'app_cr_old_7'");
	/* the swap committed although a step said it failed */
	o.late = 1;
	EQ_STR(outcome(&o, "app"), "\"app\" holds the restored data\ndropping app_cr_old_7: "
	    "ERROR:  boom: the old database is left as \"app_cr_old_7\": drop it with: "
	    "dropdb 'app_cr_old_7'");
	memset(&o, 0, sizeof(o));
	o.state = REPLACE_KEPT_OLD;
	strcpy(o.aside, "app_cr_old_20260101_000000");
	EQ_STR(outcome(&o, "app"), "the replaced database is kept as "
	    "\"app_cr_old_20260101_000000\" (to roll back, see cr-restore(1))");
}

static void
test_outcome_failure(void)
{
	struct replace_outcome o = { .state = REPLACE_UNTOUCHED, .status = 1 };

	/* the failed step, the scratch copy not dropped, where the data is */
	strcpy(o.error, "swapping in the restored database: ERROR:  x");
	strcpy(o.left, "app_cr_restore_7");
	strcpy(o.left_error, "dropping app_cr_restore_7: ERROR:  y");
	strcpy(o.left_command, "dropdb 'app_cr_restore_7'");
	EQ_STR(outcome(&o, "app"), "swapping in the restored database: ERROR:  x\n"
	    "dropping app_cr_restore_7: ERROR:  y (it holds a copy only: drop it with: "
	    "dropdb 'app_cr_restore_7')\n\"app\" is as it was");
	memset(&o, 0, sizeof(o));
	o.status = 1;
	o.state = REPLACE_OLD_ASIDE;
	strcpy(o.aside, "app_cr_old_7");
	EQ_STR(outcome(&o, "app"), "\"app_cr_old_7\" holds the old data of \"app\"");
	strcpy(o.command, "psql -d postgres -c 'ALTER DATABASE app_cr_old_7 RENAME TO app'");
	EQ_STR(outcome(&o, "app"), "\"app_cr_old_7\" holds the old data of \"app\", which does "
	    "not exist: rename it back with: psql -d postgres -c 'ALTER DATABASE app_cr_old_7 "
	    "RENAME TO app'");
	o.state = REPLACE_NOT_CREATED;
	EQ_STR(outcome(&o, "app"), "\"app\" was not created");
	o.state = REPLACE_LOST;
	strcpy(o.why, "server closed the connection unexpectedly");
	EQ_STR(outcome(&o, "app"), "cannot look where the data is now: server closed the "
	    "connection unexpectedly; \"app\" holds the old or the restored data, never "
	    "neither; the next run names what is left over");
	memset(&o, 0, sizeof(o));
	o.state = REPLACE_NOT_STARTED;
	o.status = 77;
	strcpy(o.error, "creating the scratch database: ERROR:  permission denied (no privilege: "
	    "...)");
	EQ_STR(outcome(&o, "app"), o.error);
}

static void
test_leftovers(void)
{
	struct replace_leftovers l = { .nscratch = 6, .nold = 1, .target_exists = 1 };
	char line[2048];
	int i;

	strcpy(l.scratch[0], "app_cr_restore_1");
	strcpy(l.scratch_command[0], "dropdb 'app_cr_restore_1'");
	for (i = 1; i < 4; i++)
		strcpy(l.scratch[i], "app_cr_restore_2");
	strcpy(l.old[0], "app_cr_old_3");
	strcpy(l.old_command[0], "dropdb 'app_cr_old_3'");
	EQ_STR(replace_leftovers_line(&l, "app", 0, line, sizeof(line)), "warning: "
	    "\"app_cr_restore_1\" is a scratch database an interrupted run left (\"app\" was "
	    "never replaced by it): drop it with: dropdb 'app_cr_restore_1'");
	EQ_STR(replace_leftovers_line(&l, "app", 4, line, sizeof(line)),
	    "warning: and 2 more scratch databases like them");
	EQ_STR(replace_leftovers_line(&l, "app", 5, line, sizeof(line)), "warning: "
	    "\"app_cr_old_3\" is the database an interrupted run replaced (\"app\" holds the "
	    "restored data): drop it with: dropdb 'app_cr_old_3'");
	CHECK(replace_leftovers_line(&l, "app", 6, line, sizeof(line)) == NULL);
	/* no target: a scratch database may be all there is, so no command */
	l.target_exists = 0;
	l.nscratch = 1;
	l.nold = 0;
	EQ_STR(replace_leftovers_line(&l, "app", 0, line, sizeof(line)), "warning: "
	    "\"app_cr_restore_1\" is a scratch database an interrupted run left; \"app\" does "
	    "not exist");
	CHECK(replace_leftovers_line(&l, "app", 1, line, sizeof(line)) == NULL);
}

int
main(void)
{
	RUN(test_names);
	RUN(test_outcome_success);
	RUN(test_outcome_failure);
	RUN(test_leftovers);
	return UNIT_END();
}
