/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/format/backupname: making names, parsing them back, the label rules
 * and the names that are not backups, to the contract of backupname.h. */
#include <limits.h>
#include <string.h>
#include <time.h>

#include "format/backupname.h"
#include "unit.h"

static void
test_parse_daily(void)
{
	struct backupname bn;

	if (!EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz", &bn), 0))
		return;
	EQ_INT(bn.kind, BACKUPNAME_DAILY);
	EQ_INT(bn.format, BACKUPNAME_SQL_GZ);
	EQ_INT(bn.has_time, 1);
	EQ_INT(bn.time, unit_utc(2026, 1, 2, 3, 4, 5));
	EQ_UINT(bn.label_len, 0);
	EQ_UINT(bn.stem_len, 0);
}

static void
test_parse_formats(void)
{
	struct backupname bn;

	EQ_INT(backupname_parse("db_backup_20260102_030405.sql", &bn), 0);
	EQ_INT(bn.format, BACKUPNAME_SQL);
	EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz.age", &bn), 0);
	EQ_INT(bn.format, BACKUPNAME_SQL_GZ_AGE);
	EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz.gpg", &bn), 0);
	EQ_INT(bn.format, BACKUPNAME_SQL_GZ_GPG);
	EQ_STR(backupname_format_suffix(BACKUPNAME_SQL_GZ), ".sql.gz");
	EQ_STR(backupname_format_suffix(BACKUPNAME_SQL), ".sql");
	EQ_STR(backupname_format_suffix(BACKUPNAME_SQL_GZ_AGE), ".sql.gz.age");
	EQ_STR(backupname_format_suffix(BACKUPNAME_SQL_GZ_GPG), ".sql.gz.gpg");
}

static void
test_parse_kinds_and_labels(void)
{
	struct backupname bn;

	if (EQ_INT(backupname_parse("db_backup_pre_deployment_v1.2.0_20260102_030405.sql.gz",
	    &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_PRE_DEPLOYMENT);
		EQ_MEM(bn.label, bn.label_len, "v1.2.0");
		EQ_MEM(bn.stem, bn.stem_len, "pre_deployment_v1.2.0");
		EQ_INT(bn.time, unit_utc(2026, 1, 2, 3, 4, 5));
	}
	if (EQ_INT(backupname_parse("db_backup_pre_deployment.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_PRE_DEPLOYMENT);
		EQ_UINT(bn.label_len, 0);
		EQ_INT(bn.has_time, 0);
	}
	if (EQ_INT(backupname_parse("db_backup_weekly_archive_20260104_000000.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_WEEKLY_ARCHIVE);
		EQ_MEM(bn.stem, bn.stem_len, "weekly_archive");
	}
	if (EQ_INT(backupname_parse("db_backup_pre_migration_042_20260102_030405.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_PRE_MIGRATION);
		EQ_MEM(bn.label, bn.label_len, "042");
	}
	if (EQ_INT(backupname_parse("db_backup_v1.2_20260102_030405.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_NAMED);
		EQ_MEM(bn.label, bn.label_len, "v1.2");
	}
	/* A kind's name must be whole: pre_deploymentX is a named label. */
	if (EQ_INT(backupname_parse("db_backup_pre_deploymentX.sql.gz", &bn), 0))
		EQ_INT(bn.kind, BACKUPNAME_NAMED);
	/* A label without a time. */
	if (EQ_INT(backupname_parse("db_backup_before_upgrade.sql", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_NAMED);
		EQ_INT(bn.has_time, 0);
		EQ_MEM(bn.label, bn.label_len, "before_upgrade");
	}
}

static void
test_parse_date_only_after_label(void)
{
	struct backupname bn;

	/* pre_deployment_$(date +%Y%m%d), as the old runbook named them */
	if (EQ_INT(backupname_parse("db_backup_pre_deployment_20251028.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_PRE_DEPLOYMENT);
		EQ_INT(bn.has_time, 1);
		EQ_INT(bn.time, unit_utc(2025, 10, 28, 0, 0, 0));
		EQ_MEM(bn.stem, bn.stem_len, "pre_deployment");
	}
	/* a date alone is not a daily backup's stamp */
	if (EQ_INT(backupname_parse("db_backup_20251028.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_NAMED);
		EQ_INT(bn.has_time, 0);
	}
}

static void
test_parse_unreal_stamps_are_labels(void)
{
	struct backupname bn;

	/* Not a real date or time: part of the label, no time. */
	if (EQ_INT(backupname_parse("db_backup_x_20260230_000000.sql.gz", &bn), 0)) {
		EQ_INT(bn.has_time, 0);
		EQ_MEM(bn.label, bn.label_len, "x_20260230_000000");
	}
	if (EQ_INT(backupname_parse("db_backup_x_20260101_240000.sql.gz", &bn), 0))
		EQ_INT(bn.has_time, 0);
	if (EQ_INT(backupname_parse("db_backup_x_19691231_235959.sql.gz", &bn), 0))
		EQ_INT(bn.has_time, 0);
	/* 29 February only in a leap year */
	if (EQ_INT(backupname_parse("db_backup_20240229_120000.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_DAILY);
		EQ_INT(bn.time, unit_utc(2024, 2, 29, 12, 0, 0));
	}
	if (EQ_INT(backupname_parse("db_backup_20230229_120000.sql.gz", &bn), 0)) {
		EQ_INT(bn.kind, BACKUPNAME_NAMED);
		EQ_INT(bn.has_time, 0);
	}
	if (EQ_INT(backupname_parse("db_backup_21000229_120000.sql.gz", &bn), 0))
		EQ_INT(bn.has_time, 0);		/* 2100 is not a leap year */
	if (EQ_INT(backupname_parse("db_backup_20000229_120000.sql.gz", &bn), 0))
		EQ_INT(bn.has_time, 1);		/* 2000 is */
	/* a stamp glued to the label without '_' is no stamp */
	if (EQ_INT(backupname_parse("db_backup_x20260102_030405.sql.gz", &bn), 0))
		EQ_INT(bn.has_time, 0);
}

static void
test_parse_rejects(void)
{
	struct backupname bn;

	EQ_INT(backupname_parse("", &bn), -1);
	EQ_INT(backupname_parse("backup_20260102_030405.sql.gz", &bn), -1);
	EQ_INT(backupname_parse("db_backup_20260102_030405.tar.gz", &bn), -1);
	EQ_INT(backupname_parse("db_backup_20260102_030405", &bn), -1);
	EQ_INT(backupname_parse("db_backup_.sql.gz", &bn), -1);	/* no stem */
	EQ_INT(backupname_parse("db_backup_.sql", &bn), -1);
	EQ_INT(backupname_parse("db_backup_a b_20260102_030405.sql.gz", &bn), -1);
	EQ_INT(backupname_parse("db_backup_a/b_20260102_030405.sql.gz", &bn), -1);
	EQ_INT(backupname_parse("db_backup_a..b.sql.gz", &bn), -1);
	EQ_INT(backupname_parse("db_backup_a\tb.sql.gz", &bn), -1);
	EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz.json", &bn), -1);
	EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz.tmp", &bn), -1);
}

static void
test_suspect_names_are_not_backups(void)
{
	struct backupname bn;

	EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz"
	    BACKUPNAME_SUSPECT "20260102_040000", &bn), -1);
	EQ_INT(backupname_parse("db_backup_v1_20260102_030405.sql"
	    BACKUPNAME_SUSPECT "20260102_040000", &bn), -1);
	EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz.age"
	    BACKUPNAME_SUSPECT "20260102_040000", &bn), -1);
}

static void
test_check(void)
{
	char long_name[NAME_MAX + 2];

	EQ_STR(backupname_check("db_backup_20260102_030405.sql.gz", 32), NULL);
	EQ_STR(backupname_check("a.b", 3), NULL);
	EQ_STR(backupname_check("", 0), "empty name");
	EQ_STR(backupname_check(".", 1), "is '.'");
	EQ_STR(backupname_check("..", 2), "contains '..'");
	EQ_STR(backupname_check("a/..", 4), "contains '/'");
	EQ_STR(backupname_check("x..y", 4), "contains '..'");
	EQ_STR(backupname_check("a/b", 3), "contains '/'");
	EQ_STR(backupname_check("a\nb", 3), "contains a control character");
	EQ_STR(backupname_check("a\x7f", 2), "contains a control character");
	EQ_STR(backupname_check("a\0b", 3), "contains a control character");
	memset(long_name, 'a', sizeof long_name);
	EQ_STR(backupname_check(long_name, NAME_MAX), NULL);
	EQ_STR(backupname_check(long_name, NAME_MAX + 1), "name too long");
}

static void
test_make_daily(void)
{
	char buf[256];
	const char *why = "unset";
	time_t t = unit_utc(2026, 1, 2, 3, 4, 5);

	if (EQ_INT(backupname_make(buf, sizeof buf, NULL, &t, BACKUPNAME_SQL_GZ, &why), 0))
		EQ_STR(buf, "db_backup_20260102_030405.sql.gz");
	EQ_STR(why, NULL);
	EQ_INT(backupname_make(buf, sizeof buf, NULL, NULL, BACKUPNAME_SQL_GZ, &why), -1);
	EQ_STR(why, "a daily backup's name needs its time");
}

static void
test_make_labels(void)
{
	struct backupname bn;
	char buf[256];
	const char *why;
	time_t t = unit_utc(2026, 12, 31, 23, 59, 59);

	if (EQ_INT(backupname_make(buf, sizeof buf, "pre_deployment_v1.2.0", &t,
	    BACKUPNAME_SQL_GZ_AGE, &why), 0))
		EQ_STR(buf, "db_backup_pre_deployment_v1.2.0_20261231_235959.sql.gz.age");
	if (EQ_INT(backupname_make(buf, sizeof buf, "v1.2", NULL, BACKUPNAME_SQL, &why), 0))
		EQ_STR(buf, "db_backup_v1.2.sql");
	if (EQ_INT(backupname_make(buf, sizeof buf, "pre_migration_042", &t,
	    BACKUPNAME_SQL_GZ_GPG, &why), 0))
		EQ_STR(buf, "db_backup_pre_migration_042_20261231_235959.sql.gz.gpg");
	/* A label that ends in a date keeps it when no time is added. */
	if (EQ_INT(backupname_make(buf, sizeof buf, "pre_deployment_20251028", NULL,
	    BACKUPNAME_SQL_GZ, &why), 0))
		EQ_STR(buf, "db_backup_pre_deployment_20251028.sql.gz");
	if (EQ_INT(backupname_make(buf, sizeof buf, "x_20260102_030405", NULL,
	    BACKUPNAME_SQL_GZ, &why), 0) && EQ_INT(backupname_parse(buf, &bn), 0)) {
		EQ_INT(bn.has_time, 1);
		EQ_INT(bn.time, unit_utc(2026, 1, 2, 3, 4, 5));
		EQ_MEM(bn.label, bn.label_len, "x");
	}
}

static void
test_make_rejected_labels(void)
{
	static const char *const bad[] = {
		"", "1abc", "_x", ".x", "-x", "a b", "a/b", "a+b", "a\nb", "é", "a#b", NULL
	};
	char buf[256];
	const char *why;
	time_t t = unit_utc(2026, 1, 2, 3, 4, 5);
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		why = NULL;
		if (!EQ_INT(backupname_make(buf, sizeof buf, bad[i], &t,
		    BACKUPNAME_SQL_GZ, &why), -1))
			fprintf(stderr, "\tlabel \"%s\" was accepted\n", bad[i]);
		EQ_STR(why, "a letter, then letters, digits, '.', '_' or '-'");
	}
	EQ_INT(backupname_make(buf, sizeof buf, "a..b", &t, BACKUPNAME_SQL_GZ, &why), -1);
	EQ_STR(why, "contains '..'");
}

static void
test_make_limits(void)
{
	char buf[512], label[300];
	const char *why;
	time_t t = unit_utc(2026, 1, 2, 3, 4, 5), before = unit_utc(1969, 12, 31, 23, 59, 59);

	EQ_INT(backupname_make(buf, sizeof buf, "x", &before, BACKUPNAME_SQL_GZ, &why), -1);
	EQ_STR(why, "time out of range (1970 to 9999)");
	memset(label, 'a', sizeof label - 1);
	label[sizeof label - 1] = '\0';
	EQ_INT(backupname_make(buf, sizeof buf, label, &t, BACKUPNAME_SQL_GZ, &why), -1);
	EQ_STR(why, "the name would be too long");
	/* a buffer too small is refused, not overrun */
	EQ_INT(backupname_make(buf, 20, NULL, &t, BACKUPNAME_SQL_GZ, &why), -1);
	EQ_STR(why, "the name would be too long");
}

static void
test_round_trip(void)
{
	static const char *const labels[] = {
		NULL, "pre_deployment", "pre_deployment_v2", "weekly_archive",
		"pre_migration_007", "Release-3.1_rc", NULL
	};
	time_t times[] = { 0, unit_utc(2000, 2, 29, 0, 0, 0), unit_utc(2026, 6, 15, 12, 30, 1),
	    unit_utc(2038, 1, 19, 3, 14, 8) };
	struct backupname bn;
	char buf[256];
	const char *why;
	size_t i, k;
	int f;

	for (i = 0; i < sizeof labels / sizeof labels[0] - 1; i++)
		for (k = 0; k < sizeof times / sizeof times[0]; k++)
			for (f = 0; f < BACKUPNAME_NFORMATS; f++) {
				if (!EQ_INT(backupname_make(buf, sizeof buf, labels[i],
				    &times[k], (enum backupname_format)f, &why), 0))
					continue;
				if (!EQ_INT(backupname_parse(buf, &bn), 0))
					continue;
				EQ_INT(bn.format, f);
				EQ_INT(bn.has_time, 1);
				EQ_INT(bn.time, times[k]);
				if (labels[i] == NULL)
					EQ_INT(bn.kind, BACKUPNAME_DAILY);
				else
					EQ_MEM(bn.stem, bn.stem_len, labels[i]);
			}
}

static void
test_matches(void)
{
	struct backupname bn;

	if (!EQ_INT(backupname_parse("db_backup_pre_deployment_v1.2.0_20260102_030405.sql.gz",
	    &bn), 0))
		return;
	CHECK(backupname_matches(&bn, "pre_deployment_v1.2.0"));
	CHECK(backupname_matches(&bn, "pre_deployment"));
	CHECK(!backupname_matches(&bn, "pre_deployment_v1.2"));
	CHECK(!backupname_matches(&bn, "v1.2.0"));
	CHECK(!backupname_matches(&bn, "daily"));
	if (!EQ_INT(backupname_parse("db_backup_20260102_030405.sql.gz", &bn), 0))
		return;
	CHECK(backupname_matches(&bn, "daily"));
	CHECK(!backupname_matches(&bn, "named"));
	if (!EQ_INT(backupname_parse("db_backup_v1_20260102_030405.sql.gz", &bn), 0))
		return;
	CHECK(backupname_matches(&bn, "v1"));
	CHECK(backupname_matches(&bn, "named"));
}

static void
test_kind_names(void)
{
	EQ_STR(backupname_kind_name(BACKUPNAME_DAILY), "daily");
	EQ_STR(backupname_kind_name(BACKUPNAME_PRE_DEPLOYMENT), "pre_deployment");
	EQ_STR(backupname_kind_name(BACKUPNAME_WEEKLY_ARCHIVE), "weekly_archive");
	EQ_STR(backupname_kind_name(BACKUPNAME_PRE_MIGRATION), "pre_migration");
	EQ_STR(backupname_kind_name(BACKUPNAME_NAMED), "named");
	EQ_INT(backupname_kind_lookup("daily", 5), BACKUPNAME_DAILY);
	EQ_INT(backupname_kind_lookup("automated", 9), BACKUPNAME_DAILY);
	EQ_INT(backupname_kind_lookup("weekly_archive=4w", 14), BACKUPNAME_WEEKLY_ARCHIVE);
	EQ_INT(backupname_kind_lookup("named", 5), BACKUPNAME_NAMED);
	EQ_INT(backupname_kind_lookup("dail", 4), -1);
	EQ_INT(backupname_kind_lookup("weekly", 6), -1);
	EQ_INT(backupname_kind_lookup("", 0), -1);
}

/* cr-backup --force's name for a suspicious backup, made in C (cr-rotate
 * --make-name --suspect), and told apart from backups by its stem. */
static void
test_suspect_make_and_stem(void)
{
	char buf[256];

	EQ_INT(backupname_suspect_make(buf, sizeof(buf),
	    "db_backup_pre.sql.gz", 1761616800), 0);
	EQ_STR(buf, "db_backup_pre.sql.gz.suspect-20251028_020000");
	EQ_UINT(backupname_suspect_stem(buf), strlen("db_backup_pre.sql.gz"));
	EQ_UINT(backupname_suspect_stem(
	    "db_backup_pre.sql.gz.suspect-20251028_020000.json"), 20);
	EQ_UINT(backupname_suspect_stem("notes.suspect-1"), 0);
	EQ_UINT(backupname_suspect_stem("db_backup_pre.sql.gz"), 0);
	EQ_INT(backupname_suspect_make(buf, sizeof(buf), "notes.txt",
	    1761616800), -1);
	EQ_INT(backupname_suspect_make(buf, 20, "db_backup_pre.sql.gz",
	    1761616800), -1);
}

/* Every kind of BACKUPNAME_KINDS: named, with rules and a cadence. */
static void
test_kind_table(void)
{
	int k;

	for (k = 0; k < BACKUPNAME_NKINDS; k++) {
		EQ_INT(backupname_kind_lookup(backupname_kind_name(k),
		    strlen(backupname_kind_name(k))), k);
		CHECK(backupname_kind_rules(k)[0] != '\0');
	}
	EQ_STR(backupname_kind_rules(BACKUPNAME_DAILY), "last:7,recent:7d");
	EQ_INT(backupname_kind_cadence(BACKUPNAME_DAILY), 1);
	EQ_INT(backupname_kind_cadence(BACKUPNAME_WEEKLY_ARCHIVE), 7);
	EQ_INT(backupname_kind_cadence(BACKUPNAME_PRE_DEPLOYMENT), 0);
}

int
main(void)
{
	RUN(test_parse_daily);
	RUN(test_parse_formats);
	RUN(test_parse_kinds_and_labels);
	RUN(test_parse_date_only_after_label);
	RUN(test_parse_unreal_stamps_are_labels);
	RUN(test_parse_rejects);
	RUN(test_suspect_names_are_not_backups);
	RUN(test_check);
	RUN(test_make_daily);
	RUN(test_make_labels);
	RUN(test_make_rejected_labels);
	RUN(test_make_limits);
	RUN(test_round_trip);
	RUN(test_matches);
	RUN(test_kind_names);
	RUN(test_suspect_make_and_stem);
	RUN(test_kind_table);
	return UNIT_END();
}
