/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* alarms: the policy that makes a verified backup suspicious. */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "backup/alarms.h"
#include "backup/backupdir.h"
#include "format/backupname.h"

struct shrink {
	int	 pct;
	char	***alarms;
	size_t	*n;
	int	 fail;
};

/* Append text (malloc'd by asprintf, or NULL when that failed). */
static void
add(struct shrink *s, int len, char *text)
{
	char **v;

	if (len == -1 || (v = reallocarray(*s->alarms, *s->n + 1,
	    sizeof(*v))) == NULL) {
		if (len != -1)
			free(text);
		s->fail = 1;
		return;
	}
	v[(*s->n)++] = text;
	*s->alarms = v;
}

int
alarms_percent(uint64_t old, uint64_t new)
{
	if (old == 0)
		return 0;
	return (int)(((double)new - (double)old) * 100.0 / (double)old);
}

/* Whether a count fell by more than pct percent (pct 0: never). */
static int
shrunk(uint64_t old, uint64_t new, int pct)
{
	if (pct <= 0 || new >= old)
		return 0;
	return (double)(old - new) * 100.0 > (double)old * (double)pct;
}

static void
shrink_table(const struct manifest_delta *d, void *arg)
{
	struct shrink *s = arg;
	char *text;
	int len;

	if (!d->in_old || d->old_rows == 0)
		return;
	if (!d->in_new) {
		len = asprintf(&text, "table %s is gone (had %" PRIu64 " rows)",
		    d->name, d->old_rows);
		add(s, len, text);
	} else if (shrunk(d->old_rows, d->new_rows, s->pct)) {
		len = asprintf(&text, "table %s shrank from %" PRIu64 " to %"
		    PRIu64 " rows (%d%%)", d->name, d->old_rows, d->new_rows,
		    alarms_percent(d->old_rows, d->new_rows));
		add(s, len, text);
	}
}

int
alarms_shrink(const struct manifest *old, const struct manifest *new, int pct,
    char ***alarms, size_t *n)
{
	struct shrink s = { pct, alarms, n, 0 };
	char *text;
	int len;

	if (pct <= 0)
		return 0;
	if (shrunk(old->rows, new->rows, pct)) {
		len = asprintf(&text, "total rows shrank from %" PRIu64 " to %"
		    PRIu64 " (%d%%)", old->rows, new->rows,
		    alarms_percent(old->rows, new->rows));
		add(&s, len, text);
	}
	if (manifest_compare(old, new, shrink_table, &s) == -1)
		s.fail = 1;
	return s.fail ? -1 : 0;
}

/* The newest healthy manifest in dir of a backup of the same kind and
 * format as backup_name (by backupdir's time: the name's, else the
 * backup's mtime), other than backup_name's own.  Returns 1 and its path in
 * out, 0 when there is none, -1 with err set. */
static int
find_baseline(const char *dir, const char *backup_name, char *out,
    size_t outlen, char *err, size_t errlen)
{
	struct backupdir_entry *e;
	struct backupname want;
	struct manifest m;
	char path[PATH_MAX], why[256];
	size_t n, i;
	int found = 0;

	if (backupname_parse(backup_name, &want) == -1)
		return 0;	/* not a backup name: no series */
	if (backupdir_list(dir, &e, &n) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* newest first: the first healthy one */
	for (i = 0; i < n && !found; i++) {
		if (strcmp(e[i].name, backup_name) == 0 ||
		    e[i].bn.kind != want.kind || e[i].bn.format != want.format ||
		    manifest_path(dir, e[i].name, path, sizeof(path)) == -1 ||
		    manifest_read(path, &m, why, sizeof(why)) == -1)
			continue;
		if (m.healthy) {
			found = 1;
			strlcpy(out, path, outlen);
		}
		manifest_free(&m);
	}
	backupdir_free(e, n);
	return found;
}

int
alarms_judge(struct manifest *m, const struct alarms_policy *p, char *err,
    size_t errlen)
{
	struct manifest old;
	struct stat sb;
	char base[PATH_MAX], why[512];
	size_t i;
	int found = 0;

	m->healthy = 1;
	for (i = 0; i < p->ngiven; i++)
		if (manifest_alarm(m, p->given[i]) == -1)
			goto nomem;
	if (m->tables_with_data == 0 && !p->allow_empty &&
	    manifest_alarm(m, "no tables: an empty database, or the wrong one?") == -1)
		goto nomem;
	if (p->baseline != NULL && p->max_shrink > 0) {
		if (stat(p->baseline, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			found = find_baseline(p->baseline, m->name, base,
			    sizeof(base), why, sizeof(why));
			if (found == -1) {
				snprintf(err, errlen, "--baseline %s", why);
				return EX_NOINPUT;
			}
		} else {
			strlcpy(base, p->baseline, sizeof(base));
			found = 1;
		}
	}
	if (found == 1) {
		if (manifest_read(base, &old, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s: %s", base, why);
			return EX_DATAERR;
		}
		if ((m->baseline = strdup(base)) == NULL ||
		    alarms_shrink(&old, m, p->max_shrink, &m->alarms,
		    &m->nalarms) == -1) {
			manifest_free(&old);
			goto nomem;
		}
		manifest_free(&old);
	}
	m->healthy = m->nalarms == 0;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return EX_OSERR;
}
