/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/backup/alarms: the shrink alarms (total and per table, "by more than
 * pct percent"), the percentage, and alarms_judge's policy: given alarms,
 * no tables, a baseline manifest, to the contract of alarms.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/alarms.h"
#include "unit.h"

static struct manifest_table old_tables[] = {
	{ "public.a", 100, 0, 0 }, { "public.b", 10, 0, 0 }, { "public.gone", 5, 0, 0 },
	{ "public.empty", 0, 0, 0 },
};
static struct manifest_table new_tables[] = {
	{ "public.b", 4, 0, 0 }, { "public.a", 50, 0, 0 }, { "public.new", 9, 0, 0 },
};

static void
fill(struct manifest *m, struct manifest_table *t, size_t n)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->tables = t;
	m->ntables = m->tables_with_data = n;
	for (i = 0; i < n; i++)
		m->rows += t[i].rows;
}

static void
free_alarms(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
test_shrink(void)
{
	struct manifest old, new;
	char **v = NULL;
	size_t n = 0;

	fill(&old, old_tables, 4);	/* 115 rows */
	fill(&new, new_tables, 3);	/* 63 rows */
	EQ_INT(alarms_shrink(&old, &new, 0, &v, &n), 0);	/* 0: none */
	EQ_UINT(n, 0);
	EQ_INT(alarms_shrink(&old, &new, 50, &v, &n), 0);
	/* the total by 45%, a by exactly 50%: not more than 50 */
	if (EQ_UINT(n, 2)) {
		EQ_STR(v[0], "table public.b shrank from 10 to 4 rows (-60%)");
		EQ_STR(v[1], "table public.gone is gone (had 5 rows)");
	}
	free_alarms(v, n);
	v = NULL;
	n = 0;
	EQ_INT(alarms_shrink(&old, &new, 40, &v, &n), 0);
	if (EQ_UINT(n, 4))	/* the total and a as well */
		EQ_STR(v[0], "total rows shrank from 115 to 63 (-45%)");
	free_alarms(v, n);
}

static void
test_percent(void)
{
	EQ_INT(alarms_percent(0, 5), 0);
	EQ_INT(alarms_percent(100, 50), -50);
	EQ_INT(alarms_percent(100, 250), 150);
}

static void
test_judge(void)
{
	struct manifest m, base;
	struct alarms_policy p;
	char err[256], path[4200], *given[] = { "test restore failed" };

	fill(&m, NULL, 0);
	m.name = NULL;
	memset(&p, 0, sizeof(p));
	EQ_INT(alarms_judge(&m, &p, err, sizeof err), 0);
	if (EQ_UINT(m.nalarms, 1))
		EQ_STR(m.alarms[0], "no tables: an empty database, or the wrong one?");
	EQ_INT(m.healthy, 0);
	free_alarms(m.alarms, m.nalarms);

	fill(&m, NULL, 0);
	p.allow_empty = 1;
	EQ_INT(alarms_judge(&m, &p, err, sizeof err), 0);
	EQ_UINT(m.nalarms, 0);
	EQ_INT(m.healthy, 1);

	/* given alarms first, then the baseline's */
	fill(&base, old_tables, 4);
	base.ok = base.scanned = base.is_manifest = 1;
	base.duration = -1;
	base.schema_only = -1;
	snprintf(path, sizeof path, "%s/base.json", unit_tmpdir());
	if (!EQ_INT(manifest_write(path, &base, err, sizeof err), 0))
		return;
	fill(&m, new_tables, 3);
	p.given = given;
	p.ngiven = 1;
	p.baseline = path;
	p.max_shrink = 50;
	EQ_INT(alarms_judge(&m, &p, err, sizeof err), 0);
	if (EQ_UINT(m.nalarms, 3)) {
		EQ_STR(m.alarms[0], "test restore failed");
		EQ_STR(m.alarms[1], "table public.b shrank from 10 to 4 rows (-60%)");
	}
	EQ_STR(m.baseline, path);
	EQ_INT(m.healthy, 0);
	free_alarms(m.alarms, m.nalarms);
	free(m.baseline);

	/* a baseline that cannot be read: 65, said */
	fill(&m, new_tables, 3);
	p.baseline = "/nonexistent-cr-unit/base.json";
	EQ_INT(alarms_judge(&m, &p, err, sizeof err), 65);
	CONTAINS(err, "/nonexistent-cr-unit/base.json: No such file or directory");
	free_alarms(m.alarms, m.nalarms);
}

int
main(void)
{
	RUN(test_shrink);
	RUN(test_percent);
	RUN(test_judge);
	return UNIT_END();
}
