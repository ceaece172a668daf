/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/format/manifest: the reader (a good manifest, unknown keys, each
 * refusal: negative, fractional and exponent counts, \u0000, lone
 * surrogates, invalid UTF-8, truncation, what is not a regular file), the
 * comparison, the paths, and the write read back, to the contract of
 * manifest.h; io_write_atomic, which manifest_write writes through. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/io.h"
#include "base/json.h"
#include "format/manifest.h"
#include "unit.h"

static char err[512];

static const char good[] =
    "{\"format_version\":1,\"file\":\"db_backup_20260102_030405.sql.gz\","
    "\"ok\":true,\"sha256\":\"ab12\",\"schema_sha256\":\"cd34\","
    "\"selection\":null,\"dump_time\":\"2026-01-02T03:04:05Z\","
    "\"stored_bytes\":1234,\"file_bytes\":1234,\"bytes\":99999,"
    "\"rows\":9007199254740993,\"healthy\":true,"
    "\"alarms\":[{\"kind\":\"shrunk\",\"pct\":-12.5e1,\"x\":[1,{\"y\":null}]}],"
    "\"tables\":[{\"name\":\"public.zeta\",\"rows\":3,\"bytes\":30},"
    "{\"name\":\"public.alpha\",\"rows\":1},"
    "{\"rows\":7},"
    "{\"name\":\"caf\\u00e9.t\\u00e4b \\ud83d\\ude00\",\"rows\":0,\"bytes\":0}]}\n";

static int
load(const char *text, struct manifest *m)
{
	err[0] = '\0';
	return manifest_read(unit_file(text), m, err, sizeof err);
}

static void
test_good_manifest(void)
{
	struct manifest m;

	if (!EQ_INT(load(good, &m), 0)) {
		fprintf(stderr, "\t%s\n", err);
		return;
	}
	/* written for others, not read back by cr */
	EQ_STR(m.file, NULL);
	EQ_STR(m.selection, NULL);
	EQ_STR(m.dump_time, NULL);
	EQ_STR(m.sha256, "ab12");
	EQ_STR(m.schema_sha256, "cd34");
	EQ_UINT(m.stored_bytes, 1234);
	EQ_UINT(m.file_bytes, 1234);
	EQ_UINT(m.bytes, 99999);
	EQ_UINT(m.rows, 9007199254740993ULL);	/* 2^53 + 1: exact, no double */
	EQ_INT(m.healthy, 1);
	/* the element without a name is not kept; the rest as written
	 * (manifest_compare orders them itself) */
	if (EQ_UINT(m.ntables, 3)) {
		EQ_STR(m.tables[0].name, "public.zeta");
		EQ_UINT(m.tables[0].rows, 3);
		EQ_UINT(m.tables[0].bytes, 30);
		EQ_STR(m.tables[1].name, "public.alpha");
		EQ_UINT(m.tables[1].rows, 1);
		EQ_INT(m.tables[1].has_bytes, 0);
		EQ_STR(m.tables[2].name, "caf\xc3\xa9.t\xc3\xa4" "b \xf0\x9f\x98\x80");
		EQ_UINT(m.tables[2].rows, 0);
		EQ_INT(m.tables[2].has_bytes, 1);
	}
	manifest_free(&m);
	EQ_UINT(m.ntables, 0);
	EQ_STR(m.file, NULL);
}

static void
test_absent_fields_and_health(void)
{
	struct manifest m;

	if (EQ_INT(load(" { } ", &m), 0)) {
		EQ_STR(m.sha256, NULL);
		EQ_UINT(m.rows, 0);
		EQ_UINT(m.ntables, 0);
		EQ_INT(m.healthy, 1);	/* only "healthy": false says otherwise */
		manifest_free(&m);
	}
	if (EQ_INT(load("{\"healthy\":false,\"tables\":[]}", &m), 0)) {
		EQ_INT(m.healthy, 0);
		manifest_free(&m);
	}
	EQ_INT(manifest_health(unit_file("{\"healthy\":false}")), 0);
	EQ_INT(manifest_health(unit_file("{\"healthy\":true}")), 1);
	EQ_INT(manifest_health(unit_file("{\"rows\":1}")), 1);
	EQ_INT(manifest_health(unit_file("{\"rows\":-1}")), -1);
	EQ_INT(manifest_health("/nonexistent-cr-unit/x.json"), -1);
}

static void
test_escapes(void)
{
	struct manifest m;

	if (EQ_INT(load("{\"sha256\":\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\\u0041\"}", &m), 0)) {
		EQ_STR(m.sha256, "a\"b\\c/d\n\t\r\b\fA");
		manifest_free(&m);
	}
	/* the last "tables" and the last string given count */
	if (EQ_INT(load("{\"sha256\":\"x\",\"sha256\":\"y\",\"tables\":[{\"name\":\"a\"}],"
	    "\"tables\":[{\"name\":\"b\"},{\"name\":\"c\"}]}", &m), 0)) {
		EQ_STR(m.sha256, "y");
		if (EQ_UINT(m.ntables, 2))
			EQ_STR(m.tables[0].name, "b");
		manifest_free(&m);
	}
}

/* Each text is refused with a reason that contains want. */
static void
refused(const char *text, const char *want)
{
	struct manifest m;

	if (!EQ_INT(load(text, &m), -1)) {
		fprintf(stderr, "\taccepted: %s\n", text);
		manifest_free(&m);
		return;
	}
	if (!CONTAINS(err, want))
		fprintf(stderr, "\tfor: %s\n", text);
	/* a refused load leaves nothing to free, and freeing is harmless */
	EQ_STR(m.sha256, NULL);
	EQ_UINT(m.ntables, 0);
	manifest_free(&m);
}

static void
test_refused_counts(void)
{
	refused("{\"rows\":-5}", "a negative number where a count belongs at byte");
	refused("{\"rows\":-0}", "a negative number where a count belongs");
	refused("{\"bytes\":1.5}", "a fraction or exponent where a whole count belongs");
	refused("{\"stored_bytes\":1e3}", "a fraction or exponent");
	refused("{\"file_bytes\":1E+3}", "a fraction or exponent");
	refused("{\"rows\":10.0}", "a fraction or exponent");
	refused("{\"tables\":[{\"name\":\"t\",\"rows\":-1}]}", "a negative number");
	refused("{\"tables\":[{\"name\":\"t\",\"bytes\":2e0}]}", "a fraction or exponent");
	refused("{\"rows\":18446744073709551616}", "number too large");
	refused("{\"rows\":99999999999999999999999}", "number too large");
	refused("{\"rows\":0123}", "malformed JSON number");
	refused("{\"rows\":1.}", "malformed JSON number");
	refused("{\"rows\":1e}", "malformed JSON number");
	refused("{\"rows\":+1}", "malformed JSON number");
	refused("{\"rows\":\"12\"}", "malformed JSON number");
	refused("{\"rows\":-}", "malformed JSON number");
	refused("{\"rows\":18446744073709551616}", "number too large");
}

static void
test_largest_count(void)
{
	struct manifest m;

	/* every count a uint64_t holds, up to its largest */
	if (EQ_INT(load("{\"rows\":18446744073709551615,\"bytes\":18446744073709551610}", &m), 0)) {
		EQ_UINT(m.rows, UINT64_MAX);
		EQ_UINT(m.bytes, UINT64_MAX - 5);
		manifest_free(&m);
	}
}

static void
test_skipped_numbers_may_be_any(void)
{
	struct manifest m;

	/* an unknown member's number is any JSON number */
	if (EQ_INT(load("{\"ratio\":-2.5E-3,\"n\":0,\"rows\":4,\"bytes\":18446744073709551609}",
	    &m), 0)) {
		EQ_UINT(m.rows, 4);
		EQ_UINT(m.bytes, 18446744073709551609ULL);
		manifest_free(&m);
	}
}

static void
test_refused_strings(void)
{
	refused("{\"sha256\":\"a\\u0000b\"}", "\\u0000 in a string");
	refused("{\"tables\":[{\"name\":\"\\u0000\"}]}", "\\u0000 in a string");
	refused("{\"sha256\":\"\\ud800\"}", "a lone UTF-16 surrogate in a string");
	refused("{\"sha256\":\"\\udc00\\ud800\"}", "a lone UTF-16 surrogate");
	refused("{\"sha256\":\"\\ud83dx\"}", "a lone UTF-16 surrogate");
	refused("{\"sha256\":\"\\ud83d\\u0041\"}", "a lone UTF-16 surrogate");
	refused("{\"sha256\":\"\\u12\"}", "bad \\u escape");
	refused("{\"sha256\":\"\\uZZZZ\"}", "bad \\u escape");
	refused("{\"sha256\":\"\xff\"}", "a string that is not valid UTF-8");
	refused("{\"sha256\":\"\xc3\"}", "not valid UTF-8");		/* cut */
	refused("{\"sha256\":\"\xc0\xaf\"}", "not valid UTF-8");		/* overlong '/' */
	refused("{\"sha256\":\"\xe0\x80\xaf\"}", "not valid UTF-8");	/* overlong */
	refused("{\"sha256\":\"\xed\xa0\x80\"}", "not valid UTF-8");	/* a surrogate */
	refused("{\"sha256\":\"\xf4\x90\x80\x80\"}", "not valid UTF-8");	/* > U+10FFFF */
	refused("{\"tables\":[{\"name\":\"\x80\"}]}", "not valid UTF-8");
	refused("{\"\xff\":1}", "not valid UTF-8");			/* keys too */
	/* RFC 8259 7: control characters are escaped in a string, read or not */
	refused("{\"sha256\":\"a\x01b\"}", "a control character in a string");
	refused("{\"x\":\"a\nb\"}", "a control character in a string");
}

static void
test_valid_utf8_accepted(void)
{
	struct manifest m;

	/* 2, 3 and 4 byte forms, the highest code point */
	if (EQ_INT(load("{\"sha256\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}",
	    &m), 0)) {
		EQ_STR(m.sha256, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
		manifest_free(&m);
	}
}

static void
test_refused_structure(void)
{
	refused("", "malformed JSON at byte 0");
	refused("[]", "malformed JSON");
	refused("{\"rows\":5", "malformed JSON");			/* truncated */
	refused("{\"rows\":5,", "malformed JSON");
	refused("{\"sha256\":\"abc", "unterminated string");
	refused("{\"sha256\":\"abc\\", "unterminated string");
	refused("{\"alarms\":[1,2", "malformed JSON");
	refused("{\"alarms\":", "truncated JSON");
	refused("{\"rows\" 5}", "malformed JSON");
	refused("{\"rows\":5,}", "malformed JSON");
	/* one object, then only white space */
	refused("{\"rows\":1}{\"rows\":2}", "after the object");
	refused("{} junk", "after the object");
	refused("{rows:5}", "malformed JSON");
	refused("{\"healthy\":yes}", "malformed JSON");
	refused("{\"healthy\":tru}", "malformed JSON");
	refused("{\"x\":nul}", "malformed JSON");
	refused("{\"tables\":{}}", "malformed JSON");
	refused("{\"tables\":[{\"name\":1}]}", "malformed JSON");
	refused("{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	    "JSON nested too deep");
}

static void
test_refused_files(void)
{
	struct manifest m;
	char path[4200], link[4200];

	err[0] = '\0';
	EQ_INT(manifest_read("/nonexistent-cr-unit/x.json", &m, err, sizeof err), -1);
	EQ_STR(err, "No such file or directory");

	/* a FIFO would wait forever: refused without opening it for long */
	snprintf(path, sizeof path, "%s/fifo.json", unit_tmpdir());
	if (CHECK(mkfifo(path, 0600) == 0)) {
		EQ_INT(manifest_read(path, &m, err, sizeof err), -1);
		EQ_STR(err, "not a regular file");
	}
	/* a symbolic link, even to a good manifest */
	snprintf(link, sizeof link, "%s/link.json", unit_tmpdir());
	if (CHECK(symlink(unit_file(good), link) == 0)) {
		EQ_INT(manifest_read(link, &m, err, sizeof err), -1);
		EQ_STR(err, "a symbolic link, not a regular file");
	}
	EQ_INT(manifest_read(unit_tmpdir(), &m, err, sizeof err), -1);
	EQ_STR(err, "not a regular file");
	EQ_INT(manifest_health(link), -1);
}

static void
test_path_and_stem(void)
{
	char buf[64];

	EQ_INT(manifest_path("/var/b", "db_backup_x.sql.gz", buf, sizeof buf), 0);
	EQ_STR(buf, "/var/b/db_backup_x.sql.gz.json");
	EQ_INT(manifest_path(NULL, "db_backup_x.sql.gz", buf, sizeof buf), 0);
	EQ_STR(buf, "db_backup_x.sql.gz.json");
	errno = 0;
	EQ_INT(manifest_path("/var/b", "db_backup_x.sql.gz", buf, 30), -1);
	EQ_INT(errno, ENAMETOOLONG);
	EQ_INT(manifest_path(NULL, "abc", buf, 9), 0);		/* "abc.json" fits */
	EQ_INT(manifest_path(NULL, "abc", buf, 8), -1);
	EQ_UINT(manifest_stem("db_backup_x.sql.gz.json"), 18);
	EQ_UINT(manifest_stem(".json"), 0);
	EQ_UINT(manifest_stem("x.json"), 1);
	EQ_UINT(manifest_stem("x.jsonx"), 0);
	EQ_UINT(manifest_stem("x.JSON"), 0);
	EQ_UINT(manifest_stem(""), 0);
}

struct deltas {
	char	 line[8][96];
	int	 n;
};

static void
collect(const struct manifest_delta *d, void *arg)
{
	struct deltas *ds = arg;

	if (ds->n < 8)
		snprintf(ds->line[ds->n++], sizeof ds->line[0], "%s %d%d %ju>%ju %d %ju>%ju",
		    d->name, d->in_old, d->in_new, (uintmax_t)d->old_rows,
		    (uintmax_t)d->new_rows, d->has_bytes, (uintmax_t)d->old_bytes,
		    (uintmax_t)d->new_bytes);
}

static void
test_compare(void)
{
	struct manifest old, new;
	struct deltas ds = { .n = 0 };

	if (!EQ_INT(load("{\"tables\":[{\"name\":\"b\",\"rows\":5,\"bytes\":50},"
	    "{\"name\":\"a\",\"rows\":1},{\"name\":\"gone\",\"rows\":9}]}", &old), 0))
		return;
	if (!EQ_INT(load("{\"tables\":[{\"name\":\"new\",\"rows\":2,\"bytes\":3},"
	    "{\"name\":\"b\",\"rows\":4,\"bytes\":40},{\"name\":\"a\",\"rows\":1,"
	    "\"bytes\":7}]}", &new), 0)) {
		manifest_free(&old);
		return;
	}
	manifest_compare(&old, &new, collect, &ds);
	if (EQ_INT(ds.n, 4)) {
		EQ_STR(ds.line[0], "a 11 1>1 0 0>7");	/* bytes on one side only */
		EQ_STR(ds.line[1], "b 11 5>4 1 50>40");
		EQ_STR(ds.line[2], "gone 10 9>0 0 0>0");
		EQ_STR(ds.line[3], "new 01 0>2 0 0>3");
	}
	ds.n = 0;
	manifest_compare(&new, &new, collect, &ds);
	EQ_INT(ds.n, 3);
	manifest_free(&old);
	manifest_free(&new);
}

static int
fill_text(FILE *fp, void *arg)
{
	return fputs(arg, fp) == EOF ? -1 : 0;
}

static int
fill_fail(FILE *fp, void *arg)
{
	(void)arg;
	fputs("partial", fp);
	errno = ENOSPC;
	return -1;
}

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0))
			n++;
	closedir(d);
	return n;
}

static void
test_atomic_write(void)
{
	struct manifest m;
	struct stat st;
	char dir[4200], path[4300];

	snprintf(dir, sizeof dir, "%s/w", unit_tmpdir());
	if (!CHECK(mkdir(dir, 0700) == 0))
		return;
	snprintf(path, sizeof path, "%s/db_backup_20260102_030405.sql.gz.json", dir);
	if (!EQ_INT(io_write_atomic(path, fill_text, "{\"rows\":12}\n", err, sizeof err), 0))
		fprintf(stderr, "\t%s\n", err);
	if (CHECK(stat(path, &st) == 0))
		EQ_INT(st.st_mode & 07777, 0600);
	if (EQ_INT(manifest_read(path, &m, err, sizeof err), 0)) {
		EQ_UINT(m.rows, 12);
		manifest_free(&m);
	}
	EQ_INT(count_entries(dir), 1);		/* no temp file left */

	/* a fill that fails: the old file stays whole, no temp file left */
	EQ_INT(io_write_atomic(path, fill_fail, NULL, err, sizeof err), -1);
	CONTAINS(err, "cannot write: No space left on device");
	CONTAINS(err, path);
	EQ_INT(manifest_health(path), 1);
	if (EQ_INT(manifest_read(path, &m, err, sizeof err), 0)) {
		EQ_UINT(m.rows, 12);
		manifest_free(&m);
	}
	EQ_INT(count_entries(dir), 1);

	/* a directory that is not there */
	snprintf(path, sizeof path, "%s/none/x.json", dir);
	EQ_INT(io_write_atomic(path, fill_text, "{}", err, sizeof err), -1);
	CONTAINS(err, "cannot create a temp file: No such file or directory");
}

/* What manifest_write writes, manifest_read reads back: the members marked
 * "read" in manifest.h, the tables in their order. */
static void
test_write_read_back(void)
{
	struct manifest_table t[2] = { { "public.b", 5, 50, 1 }, { "public.a", 1, 0, 0 } };
	struct manifest w, r;
	char path[4200], *alarm = "total rows shrank";

	memset(&w, 0, sizeof(w));
	w.file = w.name = "db_backup_20260102_030405.sql.gz";
	w.ok = w.scanned = w.is_manifest = 1;
	w.alarms = &alarm;
	w.nalarms = 1;
	w.sha256 = "ab12";
	w.schema_sha256 = "cd34";
	w.file_bytes = w.stored_bytes = 77;
	w.bytes = 700;
	w.rows = 6;
	w.duration = -1;
	w.schema_only = -1;
	w.tables_with_data = 2;
	w.ntables = 2;
	w.tables = t;
	snprintf(path, sizeof path, "%s/rt.json", unit_tmpdir());
	if (!EQ_INT(manifest_write(path, &w, err, sizeof err), 0)) {
		fprintf(stderr, "\t%s\n", err);
		return;
	}
	if (!EQ_INT(manifest_read(path, &r, err, sizeof err), 0))
		return;
	EQ_INT(r.healthy, 0);
	EQ_STR(r.sha256, "ab12");
	EQ_STR(r.schema_sha256, "cd34");
	EQ_UINT(r.file_bytes, 77);
	EQ_UINT(r.stored_bytes, 77);
	EQ_UINT(r.bytes, 700);
	EQ_UINT(r.rows, 6);
	if (EQ_UINT(r.ntables, 2)) {
		EQ_STR(r.tables[0].name, "public.b");
		EQ_UINT(r.tables[0].bytes, 50);
		EQ_INT(r.tables[1].has_bytes, 0);
	}
	manifest_free(&r);
}

int
main(void)
{
	RUN(test_good_manifest);
	RUN(test_absent_fields_and_health);
	RUN(test_escapes);
	RUN(test_refused_counts);
	RUN(test_skipped_numbers_may_be_any);
	RUN(test_largest_count);
	RUN(test_refused_strings);
	RUN(test_valid_utf8_accepted);
	RUN(test_refused_structure);
	RUN(test_refused_files);
	RUN(test_path_and_stem);
	RUN(test_compare);
	RUN(test_atomic_write);
	RUN(test_write_read_back);
	return UNIT_END();
}
