/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/backup/backupdir: the one lister (times, identity, manifest paths,
 * what it passes over), resolving, and a removal that re-checks identity. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup/backupdir.h"
#include "unit.h"

static char dir[PATH_MAX + 100];

/* name in dir, with content, and mtime when not 0. */
static void
touch(const char *name, const char *content, time_t mtime)
{
	char path[PATH_MAX + 300];
	struct timespec ts[2];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(content, f) == EOF ||
	    fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	if (mtime != 0) {
		ts[0].tv_sec = ts[1].tv_sec = mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		utimensat(AT_FDCWD, path, ts, 0);
	}
}

static void
fresh_dir(const char *name)
{
	snprintf(dir, sizeof dir, "%s/%s", unit_tmpdir(), name);
	if (mkdir(dir, 0700) == -1) {
		perror(dir);
		exit(2);
	}
}

static void
test_backups_newest_first_time_from_name_else_mtime(void)
{
	struct backupdir d;
	char want[PATH_MAX + 300];
	time_t old = unit_utc(2025, 10, 1, 12, 0, 0);
	struct stat st;

	fresh_dir("b");
	touch("db_backup_20251028_020000.sql.gz", "xx", 0);
	touch("db_backup_20251027_020000.sql.gz", "x", 0);
	touch("db_backup_pre_v1.sql.gz", "xyz", old);	/* no time: mtime */
	touch("notes.txt", "n", 0);
	symlink("db_backup_20251028_020000.sql.gz",
	    strcat(strcpy(want, dir), "/db_backup_20251029_020000.sql.gz"));
	EQ_INT(backupdir_open(&d, dir, BACKUPDIR_BACKUPS), 0);
	EQ_UINT(d.n, 3);
	if (d.n != 3)
		return;
	EQ_STR(d.entries[0].name, "db_backup_20251028_020000.sql.gz");
	EQ_INT(d.entries[0].time, unit_utc(2025, 10, 28, 2, 0, 0));
	EQ_UINT(d.entries[0].size, 2);
	EQ_STR(d.entries[2].name, "db_backup_pre_v1.sql.gz");
	EQ_INT(d.entries[2].time, old);
	snprintf(want, sizeof want, "%s/db_backup_pre_v1.sql.gz.json", dir);
	EQ_STR(d.entries[2].manifest, want);
	snprintf(want, sizeof want, "%s/db_backup_pre_v1.sql.gz", dir);
	CHECK(stat(want, &st) == 0 && st.st_ino == d.entries[2].ino &&
	    st.st_dev == d.entries[2].dev);
	/* the symlink named like a backup was passed over, and said */
	EQ_UINT(d.nskipped, 1);
	EQ_STR(d.skipped[0].name, "db_backup_20251029_020000.sql.gz");
	CHECK(d.skipped[0].why == NULL && d.skipped[0].error == 0);
	backupdir_close(&d);
}

static void
test_files_by_name_with_odd_names_skipped(void)
{
	struct backupdir d;
	size_t i;
	int odd = 0;

	fresh_dir("f");
	touch("b.txt", "", 0);
	touch("a.txt", "", 0);
	touch("db_backup_20251028_020000.sql.gz", "", 0);
	touch("bad\nname", "", 0);
	EQ_INT(backupdir_open(&d, dir, BACKUPDIR_FILES), 0);
	EQ_UINT(d.n, 3);
	if (d.n != 3)
		return;
	EQ_STR(d.entries[0].name, "a.txt");
	EQ_INT(d.entries[0].is_backup, 0);
	EQ_STR(d.entries[2].name, "db_backup_20251028_020000.sql.gz");
	EQ_INT(d.entries[2].is_backup, 1);
	for (i = 0; i < d.nskipped; i++)
		odd += strcmp(d.skipped[i].name, "bad\nname") == 0 &&
		    d.skipped[i].why != NULL;
	EQ_INT(odd, 1);
	backupdir_close(&d);
}

static void
test_remove_rechecks_identity(void)
{
	struct backupdir d;
	char path[PATH_MAX + 300], moved[PATH_MAX + 300];

	fresh_dir("r");
	touch("db_backup_20251027_020000.sql.gz", "old", 0);
	touch("db_backup_20251027_020000.sql.gz.json", "{}", 0);
	touch("db_backup_20251028_020000.sql.gz", "x", 0);
	EQ_INT(backupdir_open(&d, dir, BACKUPDIR_FILES), 0);
	EQ_UINT(d.n, 3);
	if (d.n != 3)
		return;
	/* replaced after the listing: another file under the same name */
	snprintf(path, sizeof path, "%s/db_backup_20251028_020000.sql.gz", dir);
	snprintf(moved, sizeof moved, "%s/other", dir);
	touch("other", "new", 0);
	CHECK(rename(moved, path) == 0);
	EQ_INT(backupdir_remove(&d, &d.entries[2], 0), BACKUPDIR_CHANGED);
	CHECK(access(path, F_OK) == 0);
	/* the one listed goes, with its manifest */
	EQ_INT(backupdir_has_manifest(&d, &d.entries[0]), 1);
	EQ_INT(backupdir_remove(&d, &d.entries[0], 1), BACKUPDIR_REMOVED);
	snprintf(path, sizeof path, "%s/db_backup_20251027_020000.sql.gz", dir);
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	strcat(path, ".json");
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	backupdir_close(&d);
}

static void
test_resolve_and_companions(void)
{
	struct backupdir_entry *e;
	char stem[NAME_MAX + 1];
	size_t n;
	long i, skipped;

	fresh_dir("s");
	touch("db_backup_20251027_020000.sql.gz", "", 0);
	touch("db_backup_20251028_020000.sql.gz", "", 0);
	touch("db_backup_20251028_020000.sql.gz.json", "{\"healthy\":false}", 0);
	touch("db_backup_pre_deployment_v1.sql.gz", "", 0);
	EQ_INT(backupdir_list(dir, &e, &n), 0);
	i = backupdir_resolve(e, n, "daily", &skipped);
	CHECK(i >= 0 && skipped >= 0);
	if (i >= 0 && skipped >= 0) {
		EQ_STR(e[i].name, "db_backup_20251027_020000.sql.gz");
		EQ_STR(e[skipped].name, "db_backup_20251028_020000.sql.gz");
	}
	i = backupdir_resolve(e, n, "pre_deployment_v1", &skipped);
	CHECK(i >= 0);
	EQ_INT(backupdir_resolve(e, n, "nosuch", &skipped), -1);
	backupdir_free(e, n);
	EQ_INT(backupdir_companion("db_backup_x.sql.gz.json", stem,
	    sizeof stem), BACKUPDIR_MANIFEST);
	EQ_STR(stem, "db_backup_x.sql.gz");
	EQ_INT(backupdir_companion(
	    "db_backup_x.sql.gz.suspect-20251028_020000.json", stem,
	    sizeof stem), BACKUPDIR_SUSPECT_MANIFEST);
	EQ_INT(backupdir_companion("db_backup_x.sql.gz.suspect-20251028_020000",
	    stem, sizeof stem), BACKUPDIR_SUSPECT);
	EQ_INT(backupdir_companion("notes.json", stem, sizeof stem),
	    BACKUPDIR_OTHER);
}

static void
test_missing_directory(void)
{
	struct backupdir d;

	errno = 0;
	EQ_INT(backupdir_open(&d, "/nonexistent-cr-unit", BACKUPDIR_FILES), -1);
	EQ_INT(errno, ENOENT);
	backupdir_close(&d);
}

int
main(void)
{
	RUN(test_backups_newest_first_time_from_name_else_mtime);
	RUN(test_files_by_name_with_odd_names_skipped);
	RUN(test_remove_rechecks_identity);
	RUN(test_resolve_and_companions);
	RUN(test_missing_directory);
	return UNIT_END();
}
