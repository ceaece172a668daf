#!/usr/bin/env bats
# cr-restore --role: a superuser restores, the objects belong to the app's
# role and the script runs with that role's privileges; extensions that need
# a superuser come first.  What a superuser restore of an untrusted dump is
# exposed to, and what closes it.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	q "CREATE ROLE app LOGIN" >/dev/null
	mkdb appsrc
	q "ALTER DATABASE appsrc OWNER TO app" >/dev/null
	q "CREATE EXTENSION pg_buffercache" appsrc >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -U app -d appsrc <<-'SQL'
	CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
	INSERT INTO users (name) SELECT 'user' || g FROM generate_series(1, 100) g;
	CREATE SCHEMA billing;
	CREATE TABLE billing.invoices (id int PRIMARY KEY, user_id int REFERENCES users);
	INSERT INTO billing.invoices SELECT g, g FROM generate_series(1, 50) g;
	SQL
	pg_dump -d appsrc >"$BATS_FILE_TMPDIR/app.sql"
}
teardown_file() { pg_stop; }

@test "cr-restore --role: a superuser's restore leaves everything owned by the role, which can use it" {
	q "DROP DATABASE IF EXISTS appdst" >/dev/null
	run cr-restore --clean --yes --role app --extension pg_buffercache -d appdst "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	# the extension's comment needs its owner: skipped with a warning, not a failure
	assert_output_contains "WARNING: skipped COMMENT ON EXTENSION pg_buffercache"
	assert_equal "$(q "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'appdst'")" app
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname IN ('public', 'billing')" appdst)" app
	assert_equal "$(q "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'billing'" appdst)" app
	assert_equal "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_buffercache'" appdst)" 1
	run psql -X -q -v ON_ERROR_STOP=1 -U app -d appdst -c "INSERT INTO users (name) VALUES ('new')" \
		-c "INSERT INTO billing.invoices VALUES (51, 101)" -A -t -c "SELECT count(*) FROM users"
	assert_status 0
	assert_equal "$output" 101
}

@test "cr-restore --role -1: the skipped extension comment does not abort the transaction" {
	mkdb appdst1
	q "ALTER DATABASE appdst1 OWNER TO app" >/dev/null
	q "CREATE EXTENSION pg_buffercache" appdst1 >/dev/null
	run cr-restore -1 --role app -d appdst1 "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM billing.invoices" appdst1)" 50
}

@test "cr-restore: without --role a superuser restore leaves the tables to the superuser" {
	q "DROP DATABASE IF EXISTS asroot" >/dev/null
	pg_dump --no-owner -d appsrc >"$BATS_TEST_TMPDIR/noowner.sql"
	run cr-restore --clean --yes -d asroot "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 0
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'" asroot)" cr
	# and with --role the same dump belongs to the app
	q "DROP DATABASE IF EXISTS asapp" >/dev/null
	run cr-restore --clean --yes --role app --extension pg_buffercache -d asapp "$BATS_TEST_TMPDIR/noowner.sql"
	assert_status 0
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'" asapp)" app
}

# A dump whose SQL builds a command the server runs on its machine.  The
# program reads what COPY sends: one that exits first fails the COPY now
# and then ("could not close pipe to external command: Broken pipe").
hostile() {
	printf 'CREATE TABLE t (id int);\n'
	printf "DO \$\$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''cat >/dev/null; touch %s'''; END \$\$;\n" "$1"
}

@test "cr-restore: a superuser restore runs what dynamic SQL builds; --role stops it" {
	marker="$CR_PGROOT/pwned"
	rm -f "$marker"
	hostile "$marker" >"$BATS_TEST_TMPDIR/hostile.sql"
	# DO is not pg_dump's: refused unless the dump is trusted
	mkdb victim0
	run cr-restore -d victim0 "$BATS_TEST_TMPDIR/hostile.sql"
	assert_status 65
	assert_output_contains "line 2: refused DO"
	run ! test -e "$marker"
	# trusted, the literal COPY refusal cannot see into a string built at run time
	mkdb victim1
	run cr-restore --trust-dump -d victim1 "$BATS_TEST_TMPDIR/hostile.sql"
	assert_status 0
	[ -e "$marker" ]
	rm -f "$marker"
	mkdb victim2
	q "ALTER DATABASE victim2 OWNER TO app" >/dev/null
	run cr-restore --trust-dump --role app -d victim2 "$BATS_TEST_TMPDIR/hostile.sql"
	assert_status 1
	assert_output_contains "must be superuser or have privileges of the pg_execute_server_program role"
	run ! test -e "$marker"
}

@test "cr-restore: a dump that resets the role escapes --role; connecting as the role does not" {
	marker="$CR_PGROOT/escaped"
	rm -f "$marker"
	printf "DO \$\$ BEGIN EXECUTE 'RESET ROLE'; EXECUTE 'COPY (SELECT 1) TO PROGRAM ''cat >/dev/null; touch %s'''; END \$\$;\n" \
		"$marker" >"$BATS_TEST_TMPDIR/escape.sql"
	mkdb victim3
	q "ALTER DATABASE victim3 OWNER TO app" >/dev/null
	run cr-restore --trust-dump --role app -d victim3 "$BATS_TEST_TMPDIR/escape.sql"
	# the statement that escaped ran; nothing after it does
	assert_status 65
	assert_output_contains "left the role the script runs as"
	[ -e "$marker" ]
	rm -f "$marker"
	run cr-restore --trust-dump -U app -d victim3 "$BATS_TEST_TMPDIR/escape.sql"
	assert_status 1
	assert_output_contains "must be superuser or have privileges of the pg_execute_server_program role"
	run ! test -e "$marker"
}

# The trap: an app-owned database whose CHECK constraint and index expression
# call app functions that record who runs them, and try to make the app a
# superuser.  Restored by a superuser, none of it may run as one.
# The app's probe: a function that tries to make the app role a superuser
# and logs who it ran as (probe_log), and a trigger that calls it; for
# trap_setup and for a database the app builds itself.
app_probe_sql() {
	cat <<-'SQL'
	CREATE TABLE probe_log (what text, who text, su text);
	CREATE FUNCTION probe(what text) RETURNS boolean LANGUAGE plpgsql AS $$
	BEGIN
		BEGIN
			EXECUTE 'ALTER ROLE app SUPERUSER';
		EXCEPTION WHEN insufficient_privilege THEN NULL;
		END;
		INSERT INTO public.probe_log VALUES (what, current_user, current_setting('is_superuser'));
		RAISE WARNING 'probe %: % superuser %', what, current_user, current_setting('is_superuser');
		RETURN true;
	END $$;
	CREATE FUNCTION probe_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN PERFORM public.probe('trigger'); RETURN NEW; END $$;
	SQL
}

trap_setup() {
	[ -f "$BATS_FILE_TMPDIR/trap.sql" ] && return 0
	mkdb trapsrc
	q "ALTER DATABASE trapsrc OWNER TO app" >/dev/null
	{ app_probe_sql; cat <<-'SQL'
	CREATE FUNCTION probe_index(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
	BEGIN
		RAISE WARNING 'probe index: % superuser %', current_user, current_setting('is_superuser');
		RETURN x;
	END $$;
	CREATE FUNCTION probe_default() RETURNS text LANGUAGE sql AS $$ SELECT CASE WHEN public.probe('default') THEN 'x' END $$;
	CREATE TABLE guarded (id int CHECK (public.probe('check')));
	INSERT INTO guarded SELECT generate_series(1, 3);
	CREATE INDEX guarded_expr ON guarded (public.probe_index(id));
	TRUNCATE probe_log;
	SQL
	} | psql -X -q -v ON_ERROR_STOP=1 -U app -d trapsrc >/dev/null
	pg_dump --no-owner -d trapsrc >"$BATS_FILE_TMPDIR/trap.sql"
}

# app_is_superuser: t when a probe made the app role a superuser.
app_is_superuser() { q "SELECT rolsuper FROM pg_roles WHERE rolname = 'app'"; }
# probes DB: who each probe ran as there.
probes() { q "SELECT string_agg(DISTINCT who || ':' || su, ',') FROM probe_log" "$1"; }

# target DB: a database owned by the app, as the restore finds it.
app_target() {
	mkdb "$1"
	q "ALTER DATABASE \"$1\" OWNER TO app" >/dev/null
}

setup() { q "ALTER ROLE app NOSUPERUSER" >/dev/null; }

@test "cr-restore by a superuser: the dump's code runs as the database's owner, not as the superuser" {
	trap_setup
	app_target trap1
	run cr-restore -d trap1 "$BATS_FILE_TMPDIR/trap.sql"
	assert_status 0
	assert_equal "$(app_is_superuser)" f
	assert_equal "$(probes trap1)" app:off
	assert_output_contains "probe index: app superuser off"
	[[ $output != *"superuser on"* ]]
	# everything it made belongs to the owner
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'" trap1)" app
}

@test "cr-restore -j 2 by a superuser: the workers run the dump's code as the owner too" {
	trap_setup
	app_target trap2
	run cr-restore -j 2 -d trap2 "$BATS_FILE_TMPDIR/trap.sql"
	assert_status 0
	assert_equal "$(app_is_superuser)" f
	assert_equal "$(probes trap2)" app:off
	[[ $output != *"superuser on"* ]]
}

@test "cr-restore --clean by a superuser: the scratch database is the owner's, and so is the code run in it" {
	trap_setup
	app_target trap3
	run cr-restore --clean --yes -j 2 -d trap3 "$BATS_FILE_TMPDIR/trap.sql"
	assert_status 0
	assert_equal "$(app_is_superuser)" f
	assert_equal "$(probes trap3)" app:off
	assert_equal "$(q "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'trap3'")" app
	[[ $output != *"superuser on"* ]]
}

@test "cr-restore --test by a superuser: the test restore runs as the target's owner" {
	trap_setup
	run cr-restore -v --test -d trapsrc "$BATS_FILE_TMPDIR/trap.sql"
	assert_status 0
	assert_equal "$(app_is_superuser)" f
	assert_output_contains "probe check: app superuser off"
	assert_output_contains "the script runs as app, the database's owner"
	[[ $output != *"superuser on"* ]]
}

@test "cr-backup --test-restore by a superuser: the backup's code never runs as the superuser" {
	trap_setup
	run cr-backup -q -d trapsrc --dir "$BATS_TEST_TMPDIR" --test-restore
	assert_status 0
	assert_equal "$(app_is_superuser)" f
}

@test "cr-restore -a into the app's database: its trigger and column default run as the owner" {
	trap_setup
	app_target trap4
	# the app's own schema: a trigger, and a column the dump does not carry
	pg_dump -s --no-owner -d trapsrc >"$BATS_TEST_TMPDIR/schema.sql"
	psql -X -q -v ON_ERROR_STOP=1 -U app -d trap4 -f "$BATS_TEST_TMPDIR/schema.sql" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -U app -d trap4 <<-'SQL'
	ALTER TABLE guarded ADD COLUMN made text DEFAULT public.probe_default();
	CREATE TRIGGER guarded_probe BEFORE INSERT ON guarded FOR EACH ROW EXECUTE FUNCTION probe_trigger();
	SQL
	pg_dump -a -t guarded -d trapsrc >"$BATS_TEST_TMPDIR/data.sql"
	run cr-restore -a -d trap4 "$BATS_TEST_TMPDIR/data.sql"
	assert_status 0
	assert_equal "$(app_is_superuser)" f
	assert_equal "$(q "SELECT string_agg(DISTINCT what, ',' ORDER BY what) FROM probe_log" trap4)" check,default,trigger
	assert_equal "$(probes trap4)" app:off
}

@test "cr-restore --as-login: the dump's code runs as the superuser, as asked" {
	trap_setup
	app_target trap5
	run cr-restore --as-login -d trap5 "$BATS_FILE_TMPDIR/trap.sql"
	assert_status 0
	assert_equal "$(probes trap5)" cr:on
	assert_equal "$(app_is_superuser)" t
	run cr-restore --as-login --role app -d trap5 "$BATS_FILE_TMPDIR/trap.sql"
	assert_status 64
}

@test "cr-restore by a superuser: a dump that gives objects to another role says why it fails and how" {
	q "DO \$\$ BEGIN CREATE ROLE other; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
	mkdb ownsrc
	q "CREATE TABLE t (id int); ALTER TABLE t OWNER TO other" ownsrc >/dev/null
	pg_dump -d ownsrc >"$BATS_TEST_TMPDIR/owners.sql"
	app_target owndst
	run cr-restore -d owndst "$BATS_TEST_TMPDIR/owners.sql"
	assert_status 1
	assert_output_contains 'the dump gives its objects to other roles and the script runs as "app" (the database'"'"'s owner), who may not: restore with --as-login'
	assert_output_contains "cr-dump writes them; pg_dump --no-owner"
	app_target owndst
	run cr-restore --as-login -d owndst "$BATS_TEST_TMPDIR/owners.sql"
	assert_status 0
	assert_equal "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 't'" owndst)" other
}

@test "cr-restore --test, --clean and cr-backup --test-restore by a superuser: the target's superuser-only extensions come first, as the login" {
	# appsrc has pg_buffercache, which only a superuser may create; the
	# script runs as app, which may not
	run cr-restore -v --test -d appsrc "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	assert_output_contains "extension pg_buffercache first, as the login"
	run cr-backup -q -d appsrc --dir "$BATS_TEST_TMPDIR" --test-restore
	assert_status 0
	app_target extdst
	q "CREATE EXTENSION pg_buffercache" extdst >/dev/null
	run cr-restore --clean --yes -d extdst "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	assert_equal "$(q "SELECT count(*) FROM billing.invoices" extdst)" 50
	# so with --role (cr-restore-dev passes the owner so)
	run cr-restore --clean --yes --role app -d extdst "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	assert_equal "$(q "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname IN ('public', 'billing')" extdst)" app
	# in place, into a database without it: the dump's own CREATE
	# EXTENSION fails as the owner, and says what to do
	app_target extdst2
	run cr-restore -d extdst2 "$BATS_FILE_TMPDIR/app.sql"
	assert_status 1
	assert_output_contains '(the database'"'"'s owner): --extension NAME creates it first as the login'
}

@test "cr-restore --clean by a superuser: the scratch database is the login's until the superuser-only extensions are in, then the owner's (the server's statement log)" {
	app_target extwin
	q "CREATE EXTENSION pg_buffercache" extwin >/dev/null
	log=$CR_PGROOT/server.log
	from=$(($(wc -l <"$log") + 1))
	PGOPTIONS="-c log_statement=all" run cr-restore --clean --yes -d extwin "$BATS_FILE_TMPDIR/app.sql"
	assert_status 0
	assert_equal "$(q "SELECT datdba::regrole FROM pg_database WHERE datname = 'extwin'")" app
	assert_equal "$(q "SELECT count(*) FROM billing.invoices" extwin)" 50
	# in the log, in this order: the scratch made without an owner (the
	# login's), the extension created, the scratch given to app, the
	# script's role taken
	tail -n "+$from" "$log" |
		grep -E '(statement|execute <unnamed>): (CREATE DATABASE "extwin_cr_restore_|CREATE EXTENSION IF NOT EXISTS "pg_buffercache"|ALTER DATABASE "extwin_cr_restore_[0-9]+" OWNER TO|SET ROLE)' |
		sed -E 's/.*(statement|execute <unnamed>): //; s/_cr_restore_[0-9]+/_cr_restore_N/g' >"$BATS_TEST_TMPDIR/order"
	run cat "$BATS_TEST_TMPDIR/order"
	assert_output_contains 'CREATE DATABASE "extwin_cr_restore_N" TEMPLATE template0'
	[[ $(head -n 1 "$BATS_TEST_TMPDIR/order") != *OWNER* ]]
	assert_equal "$(sed -n '2,4p' "$BATS_TEST_TMPDIR/order")" 'CREATE EXTENSION IF NOT EXISTS "pg_buffercache"
ALTER DATABASE "extwin_cr_restore_N" OWNER TO "app"
SET ROLE "app"'
}

@test "cr-restore by a superuser: app code that resets the role stops the restore before the next statement (65)" {
	app_target escdb
	cat >"$BATS_TEST_TMPDIR/escape.sql" <<-'SQL'
	CREATE FUNCTION public.esc() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'RESET ROLE'; RETURN true; END $$;
	CREATE TABLE public.t (id int CHECK (public.esc()));
	COPY public.t (id) FROM stdin;
	1
	\.
	CREATE TABLE public.after_escape (id int);
	SQL
	run cr-restore -d escdb "$BATS_TEST_TMPDIR/escape.sql"
	assert_status 65
	assert_output_contains "the dump's code left the role the script runs as (is_superuser changed"
	assert_equal "$(q "SELECT count(*) FROM pg_class WHERE relname = 'after_escape'" escdb)" 0
}

@test "cr-restore -j 2 by a superuser: app code that resets the role on a worker stops the restore (65)" {
	app_target escdbj
	cat >"$BATS_TEST_TMPDIR/escape.sql" <<-'SQL'
	--
	-- PostgreSQL database dump
	--
	CREATE FUNCTION public.esc() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'RESET ROLE'; RETURN true; END $$;
	CREATE TABLE public.t (id int CHECK (public.esc()));
	CREATE TABLE public.u (id int);
	COPY public.t (id) FROM stdin;
	1
	\.
	COPY public.u (id) FROM stdin;
	2
	\.
	CREATE INDEX u_id ON public.u (id);
	--
	-- PostgreSQL database dump complete
	--
	SQL
	run cr-restore -j 2 -d escdbj "$BATS_TEST_TMPDIR/escape.sql"
	assert_status 65
	assert_output_contains "a worker's session after the job left the role the script runs as (is_superuser changed"
}

@test "cr-restore -a into the app's database: a view the COPY goes into is not counted as the superuser" {
	trap_setup
	app_target trapview
	# guarded is a view here: an INSTEAD OF trigger takes the COPY's rows,
	# and the view calls the app's function on every row it reads
	{ app_probe_sql; cat <<-'SQL'
	CREATE TABLE store (id int);
	CREATE VIEW guarded AS SELECT id FROM store WHERE public.probe('view');
	CREATE FUNCTION store_it() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN INSERT INTO public.store VALUES (NEW.id); RETURN NEW; END $$;
	CREATE TRIGGER guarded_in INSTEAD OF INSERT ON guarded FOR EACH ROW EXECUTE FUNCTION store_it();
	SQL
	} | psql -X -q -v ON_ERROR_STOP=1 -U app -d trapview >/dev/null
	pg_dump -a -t guarded -d trapsrc >"$BATS_TEST_TMPDIR/data.sql"
	run cr-restore -a -d trapview "$BATS_TEST_TMPDIR/data.sql"
	assert_equal "$(app_is_superuser)" f
	assert_equal "$(q "SELECT count(*) FROM probe_log WHERE su = 'on'" trapview)" 0
	# a view's rows cannot be counted without running it: refused, said
	assert_status 1
	assert_output_contains "public.guarded is a view, not a table"
}

@test "cr-restore -1 -a into the app's database: a deferred trigger fires as the owner, not at the superuser's COMMIT" {
	trap_setup
	app_target trapdefer
	{ app_probe_sql; cat <<-'SQL'
	CREATE TABLE guarded (id int);
	CREATE CONSTRAINT TRIGGER guarded_late AFTER INSERT ON guarded
		DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION probe_trigger();
	SQL
	} | psql -X -q -v ON_ERROR_STOP=1 -U app -d trapdefer >/dev/null
	pg_dump -a -t guarded -d trapsrc >"$BATS_TEST_TMPDIR/data.sql"
	run cr-restore -1 -a -d trapdefer "$BATS_TEST_TMPDIR/data.sql"
	assert_status 0
	assert_equal "$(app_is_superuser)" f
	assert_equal "$(q "SELECT count(*) FROM guarded" trapdefer)" 3
	assert_equal "$(probes trapdefer)" app:off
}
