#!/usr/bin/env bats
# cr-restore's row-count proof measures what each COPY added: an extension
# whose install script fills a configuration table (pg_extension_config_dump
# with a filter, so the dump carries only the rows users added), and a table
# a trigger fills during the load.

bats_require_minimum_version 1.5.0

load helpers

EXT=cr_test_conf

setup_file() {
	pg_start
	# the server's own sharedir, where CREATE EXTENSION looks
	extdir="$("$CR_PGBIN/pg_config" --sharedir 2>/dev/null || pg_config --sharedir)/extension"
	export CR_TEST_EXTDIR=$extdir
	if [ ! -w "$extdir" ]; then
		export CR_TEST_EXT_SKIP="the server's extension directory $extdir is not writable"
		return 0
	fi
	cat >"$extdir/$EXT.control" <<-EOF
	comment = 'cr test: a configuration table filled on install'
	default_version = '1.0'
	relocatable = false
	schema = public
	EOF
	cat >"$extdir/$EXT--1.0.sql" <<-'EOF'
	CREATE TABLE cr_conf_settings (id serial PRIMARY KEY, name text NOT NULL,
	    builtin boolean NOT NULL DEFAULT false);
	INSERT INTO cr_conf_settings (name, builtin)
	    SELECT 'builtin ' || g, true FROM generate_series(1, 8500) g;
	SELECT pg_catalog.pg_extension_config_dump('cr_conf_settings', 'WHERE NOT builtin');
	SELECT pg_catalog.pg_extension_config_dump('cr_conf_settings_id_seq', '');
	-- filled by a trigger, also while a restore loads cr_conf_settings
	CREATE TABLE cr_conf_log (id serial, what text);
	CREATE FUNCTION cr_conf_log_insert() RETURNS trigger LANGUAGE plpgsql AS
	    $$ BEGIN INSERT INTO @extschema@.cr_conf_log (what) VALUES ('added ' || NEW.name);
	    RETURN NEW; END $$;
	CREATE TRIGGER cr_conf_settings_log AFTER INSERT ON cr_conf_settings
	    FOR EACH ROW EXECUTE FUNCTION cr_conf_log_insert();
	EOF
	mkdb extsrc
	q "CREATE EXTENSION $EXT" extsrc >/dev/null
	q "INSERT INTO cr_conf_settings (name) VALUES ('mine')" extsrc >/dev/null
	q "CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 10)" extsrc >/dev/null
	pg_dump -d extsrc >"$BATS_FILE_TMPDIR/ext.sql"
}
teardown_file() {
	pg_stop
	if [ -z "${CR_TEST_EXT_SKIP:-}" ]; then
		rm -f "$CR_TEST_EXTDIR/$EXT.control" "$CR_TEST_EXTDIR/$EXT--1.0.sql"
	fi
}

setup() {
	[ -z "${CR_TEST_EXT_SKIP:-}" ] || skip "$CR_TEST_EXT_SKIP"
}

@test "cr-restore: the dump of an extension's configuration table carries 1 row of 8501" {
	run grep -c $'\tmine\t' "$BATS_FILE_TMPDIR/ext.sql"
	assert_equal "$output" 1
	assert_equal "$(q "SELECT count(*) FROM cr_conf_settings" extsrc)" 8501
}

@test "cr-restore: the proof counts what the COPY added to a table the extension filled" {
	mkdb extdst
	run cr-restore -v -d extdst "$BATS_FILE_TMPDIR/ext.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM cr_conf_settings" extdst)" 8501
	assert_equal "$(q "SELECT count(*) FROM orders" extdst)" 10
	# the trigger logged the row the COPY added
	assert_equal "$(q "SELECT string_agg(what, ',') FROM cr_conf_log" extdst)" "added mine"
}

@test "cr-restore --clean and -1: the same, also when counted at the end" {
	run cr-restore --clean --yes -d extclean "$BATS_FILE_TMPDIR/ext.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM cr_conf_settings" extclean)" 8501
	mkdb extone
	run cr-restore -1 -d extone "$BATS_FILE_TMPDIR/ext.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM cr_conf_settings WHERE NOT builtin" extone)" 1
}

@test "cr-restore: rows deleted after the COPY of a pre-filled table still fail the proof" {
	# a DELETE is not pg_dump's: the script is run as trusted
	awk '/^-- PostgreSQL database dump complete/ && !done {
		print "DELETE FROM public.cr_conf_settings WHERE id = 1;\n"; done = 1 } 1' \
		"$BATS_FILE_TMPDIR/ext.sql" >"$BATS_TEST_TMPDIR/deleting.sql"
	mkdb extdel
	run cr-restore --trust-dump -d extdel "$BATS_TEST_TMPDIR/deleting.sql"
	assert_status 1
	assert_output_contains "row count mismatch: public.cr_conf_settings has 8500 rows after the restore, 8500 before its COPY, and the dump carried 1"
}

@test "cr-restore -j 2: the same proof, a table the extension filled and rows deleted afterwards" {
	mkdb extpar
	run cr-restore -j 2 -d extpar "$BATS_FILE_TMPDIR/ext.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM cr_conf_settings" extpar)" 8501
	assert_equal "$(q "SELECT count(*) FROM orders" extpar)" 10
	awk '/^-- PostgreSQL database dump complete/ && !done {
		print "DELETE FROM public.orders WHERE id = 1;\n"; done = 1 } 1' \
		"$BATS_FILE_TMPDIR/ext.sql" >"$BATS_TEST_TMPDIR/deleting.sql"
	mkdb extpardel
	run cr-restore --trust-dump -j 2 -d extpardel "$BATS_TEST_TMPDIR/deleting.sql"
	assert_status 1
	assert_output_contains "row count mismatch: public.orders has 9 rows after the restore but the dump carried 10"
}

@test "cr-restore: rows a trigger on a later COPY deletes from a table already loaded fail the proof" {
	cat >"$BATS_TEST_TMPDIR/later.sql" <<-'EOF'
	CREATE TABLE a (id int);
	CREATE TABLE b (id int);
	CREATE FUNCTION drop_a() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN DELETE FROM a WHERE id = NEW.id; RETURN NEW; END $$;
	CREATE TRIGGER b_drops_a AFTER INSERT ON b FOR EACH ROW EXECUTE FUNCTION drop_a();
	COPY public.a (id) FROM stdin;
	1
	2
	\.
	COPY public.b (id) FROM stdin;
	1
	\.
	EOF
	mkdb later
	run cr-restore -d later "$BATS_TEST_TMPDIR/later.sql"
	assert_status 1
	assert_output_contains "row count mismatch: public.a has 1 rows after the restore but the dump carried 2"
}

@test "cr-restore: rows an AFTER trigger deletes from the table its COPY loads fail the proof" {
	cat >"$BATS_TEST_TMPDIR/self.sql" <<-'EOF'
	CREATE TABLE a (id int);
	CREATE FUNCTION drop_odd() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN DELETE FROM a WHERE id = NEW.id AND id % 2 = 1; RETURN NULL; END $$;
	CREATE TRIGGER a_drops_odd AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION drop_odd();
	COPY public.a (id) FROM stdin;
	1
	2
	3
	\.
	EOF
	mkdb self
	run cr-restore -1 -d self "$BATS_TEST_TMPDIR/self.sql"
	assert_status 1
	assert_output_contains "row count mismatch: public.a has 1 rows after the restore but the dump carried 3"
}
