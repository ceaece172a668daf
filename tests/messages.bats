#!/usr/bin/env bats
# Everyday misconfigurations, each with its own message and hint (issue 21):
# a wrong password, no password, a role that does not exist, a role that may
# not log in or connect, a database that does not exist, a server that is down.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	q "CREATE ROLE crpass LOGIN PASSWORD 'right'" >/dev/null
	q "CREATE ROLE nologin" >/dev/null
	q "CREATE ROLE outsider LOGIN" >/dev/null
	mkdb msgs
	q "REVOKE CONNECT ON DATABASE msgs FROM PUBLIC" >/dev/null
	printf 'SELECT 1;\n' >"$BATS_FILE_TMPDIR/one.sql"
}
teardown_file() { pg_stop; }

# The shared hint of old: every refusal got the same advice.
OLD_HINT="GRANT SELECT ON ALL TABLES"

refute_stderr_contains() {
	case "$stderr" in
	*"$1"*) echo "expected stderr not to contain: $1" >&2; echo "got: $stderr" >&2; return 1 ;;
	esac
}

@test "connect errors: a wrong password is named as such (77)" {
	PGPASSWORD=wrong run --separate-stderr cr-restore -U crpass -d msgs "$BATS_FILE_TMPDIR/one.sql"
	assert_status 77
	assert_stderr_contains 'password authentication failed for user "crpass"'
	assert_stderr_contains "hint: the password was refused"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: no password given when one is needed says where to put it (77)" {
	mkdir -p "$BATS_TEST_TMPDIR/migrations"
	run --separate-stderr cr-migrate --dir "$BATS_TEST_TMPDIR/migrations" -U crpass -d msgs status </dev/null
	assert_status 77
	assert_stderr_contains "no password supplied"
	assert_stderr_contains "none was given: set DB_PASSWORD"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: a role that does not exist is named as such (77)" {
	run --separate-stderr cr-dump -U nosuchrole -d postgres
	assert_status 77
	assert_stderr_contains 'role "nosuchrole" does not exist'
	assert_stderr_contains "hint: no role of that name on this server"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: a role without LOGIN gets the ALTER ROLE that fixes it (77)" {
	run --separate-stderr cr-restore -U nologin -d postgres "$BATS_FILE_TMPDIR/one.sql"
	assert_status 77
	assert_stderr_contains "not permitted to log in"
	assert_stderr_contains "ALTER ROLE role LOGIN"
}

@test "connect errors: no CONNECT privilege gets the GRANT CONNECT that fixes it (77)" {
	run --separate-stderr cr-restore -U outsider -d msgs "$BATS_FILE_TMPDIR/one.sql"
	assert_status 77
	assert_stderr_contains 'permission denied for database "msgs"'
	assert_stderr_contains "GRANT CONNECT ON DATABASE"
	refute_stderr_contains "$OLD_HINT"
}

@test "connect errors: a database that does not exist is named as such (66)" {
	run --separate-stderr cr-restore -d no_such_db "$BATS_FILE_TMPDIR/one.sql"
	assert_status 66
	assert_stderr_contains 'database "no_such_db" does not exist'
	assert_stderr_contains "hint: no database of that name on this server"
}

@test "connect errors: a server that is not running is named as such (69)" {
	run --separate-stderr cr-restore -p 1 -d msgs "$BATS_FILE_TMPDIR/one.sql"
	assert_status 69
	assert_stderr_contains "No such file or directory"
	assert_stderr_contains "hint: no server answers there: is PostgreSQL running"
}

@test "connect errors: cr-dump, cr-restore and cr-migrate say a refused connection in the same two lines" {
	local msg='connection to server on socket "'"$BATS_TEST_TMPDIR"'/.s.PGSQL.1" failed: No such file or directory Is the server running locally and accepting connections on that socket?'
	local hint='hint: no server answers there: is PostgreSQL running (pg_isready -h HOST -p PORT), and are the host/socket and port (-h -p, DB_HOST, DB_PORT) right?'
	mkdir -p "$BATS_TEST_TMPDIR/mig"
	run --separate-stderr cr-dump -h "$BATS_TEST_TMPDIR" -p 1 msgs
	assert_status 69
	assert_equal "$stderr" "cr-dump: cannot connect to the database: $msg"$'\n'"cr-dump: $hint"
	run --separate-stderr cr-restore -h "$BATS_TEST_TMPDIR" -p 1 -d msgs "$BATS_FILE_TMPDIR/one.sql"
	assert_status 69
	assert_equal "$stderr" "cr-restore: cannot connect to the database: $msg"$'\n'"cr-restore: $hint"
	run --separate-stderr cr-migrate -h "$BATS_TEST_TMPDIR" -p 1 -d msgs --dir "$BATS_TEST_TMPDIR/mig" status
	assert_status 69
	assert_equal "$stderr" "cr-migrate: cannot connect to the database: $msg"$'\n'"cr-migrate: $hint"
}

@test "cr-restore: a server WARNING is shown with its DETAIL and HINT (plain and -j 2)" {
	mkdb hintsrc
	q "CREATE FUNCTION public.careful(integer) RETURNS boolean LANGUAGE plpgsql AS \$\$
	   BEGIN RAISE WARNING 'odd value %', \$1 USING DETAIL = 'it is odd', HINT = 'use an even one'; RETURN true; END \$\$;
	   CREATE TABLE public.nums (n integer CHECK (public.careful(n)));
	   INSERT INTO public.nums SELECT 1" hintsrc >/dev/null
	pg_dump -d hintsrc >"$BATS_TEST_TMPDIR/hint.sql"
	for j in 1 2; do
		mkdb "hintdst$j"
		run --separate-stderr cr-restore -j "$j" -d "hintdst$j" "$BATS_TEST_TMPDIR/hint.sql"
		assert_status 0
		assert_stderr_contains "WARNING: odd value 1 DETAIL: it is odd HINT: use an even one"
	done
}

# evsrc: a database whose DDL-audit event trigger writes a row for each DDL
# command; pg_dump writes CREATE EVENT TRIGGER before REFRESH MATERIALIZED
# VIEW, so the trigger fires during any restore.  With a large object too
# when $1 is "lo".
make_event_trigger_dump() {
	mkdb evsrc
	q "CREATE TABLE public.ddl_log (id serial PRIMARY KEY, tag text);
	   CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS
	     \$\$BEGIN INSERT INTO public.ddl_log (tag) VALUES (tg_tag); END\$\$;
	   CREATE TABLE public.items (id integer);
	   INSERT INTO public.items SELECT pg_catalog.generate_series(1, 3);
	   CREATE MATERIALIZED VIEW public.item_count AS SELECT pg_catalog.count(*) FROM public.items;
	   CREATE EVENT TRIGGER ddl_audit ON ddl_command_end EXECUTE FUNCTION public.log_ddl();
	   CREATE INDEX ON public.items (id)" evsrc >/dev/null
	[ "$1" != lo ] || q "SELECT pg_catalog.lo_from_bytea(0, 'hello')" evsrc >/dev/null
	pg_dump -d evsrc >"$BATS_TEST_TMPDIR/ev.sql"
	q "DROP EVENT TRIGGER ddl_audit" evsrc >/dev/null
}

@test "row-count proof: an event trigger that writes rows during the restore is named, not passed in silence (no large object)" {
	make_event_trigger_dump
	mkdb evdst
	run --separate-stderr cr-restore -d evdst "$BATS_TEST_TMPDIR/ev.sql"
	assert_status 1
	assert_stderr_contains "row count mismatch: public.ddl_log has 2 rows after the restore but the dump carried 1; the enabled event trigger ddl_audit (ddl_command_end) fires on the DDL the dump runs after the data"
	assert_stderr_contains "accept it with --accept-rows public.ddl_log"
	assert_stderr_contains "every statement was executed and stays"
	refute_stderr_contains "statements before that"
}

@test "row-count proof: --accept-rows accepts the audit table's extra rows, out loud (plain, -j 2, with a large object)" {
	make_event_trigger_dump lo
	for j in 1 2; do
		mkdb evdst
		run --separate-stderr cr-restore -j "$j" -d evdst "$BATS_TEST_TMPDIR/ev.sql"
		assert_status 1
		assert_stderr_contains "row count mismatch: public.ddl_log has 2 rows after the restore but the dump carried 1; the enabled event trigger ddl_audit"
		mkdb evdst
		run --separate-stderr cr-restore -j "$j" --accept-rows public.ddl_log -d evdst "$BATS_TEST_TMPDIR/ev.sql"
		assert_status 0
		assert_stderr_contains "warning: row count mismatch: public.ddl_log has 2 rows after the restore but the dump carried 1"
		assert_stderr_contains ": accepted (--accept-rows)"
		assert_equal "$(q 'SELECT pg_catalog.count(*) FROM public.items' evdst)" 3
	done
}

@test "row-count proof: --clean with an event trigger keeps the target unless --accept-rows; another table's mismatch still fails" {
	make_event_trigger_dump lo
	mkdb evclean
	q "CREATE TABLE public.old_marker (x integer)" evclean >/dev/null
	run --separate-stderr cr-restore --clean --yes -d evclean "$BATS_TEST_TMPDIR/ev.sql"
	assert_status 1
	assert_stderr_contains "public.ddl_log has 2 rows after the restore but the dump carried 1"
	assert_equal "$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relname = 'old_marker'" evclean)" 1
	run --separate-stderr cr-restore --clean --yes --accept-rows public.items -d evclean "$BATS_TEST_TMPDIR/ev.sql"
	assert_status 1
	assert_equal "$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relname = 'old_marker'" evclean)" 1
	run --separate-stderr cr-restore --clean --yes --accept-rows public.ddl_log -d evclean "$BATS_TEST_TMPDIR/ev.sql"
	assert_status 0
	assert_stderr_contains "warning: row count mismatch: public.ddl_log"
	assert_equal "$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relname = 'old_marker'" evclean)" 0
	assert_equal "$(q 'SELECT pg_catalog.count(*) FROM public.items' evclean)" 3
}

@test "cr-restore --accept-rows wants a schema-qualified table (64)" {
	run --separate-stderr cr-restore --accept-rows ddl_log -d postgres /dev/null
	assert_status 64
	assert_stderr_contains "name the table with its schema (public.ddl_log)"
}

@test "man cr-restore: one Selective restore section; the --clean one is named for what it does" {
	run grep -c '^\.Ss Selective restore$' "$CR_REPO/man/cr-restore.1"
	assert_equal "$output" 1
	run grep -c '^\.Ss Replacing a database$' "$CR_REPO/man/cr-restore.1"
	assert_equal "$output" 1
}

@test "cr-restore --clean: a session cr may not end is named (pid, user, application, client, since) with the command that ends it" {
	q "CREATE ROLE inuse_app LOGIN CREATEDB" >/dev/null
	mkdb inuse
	q "ALTER DATABASE inuse OWNER TO inuse_app" >/dev/null
	q "CREATE TABLE public.t (a integer); INSERT INTO public.t VALUES (1)" inuse >/dev/null
	pg_dump --no-owner -d inuse >"$BATS_TEST_TMPDIR/inuse.sql"
	PGAPPNAME=holder psql -X -d inuse -c 'SELECT pg_sleep(60)' >/dev/null 2>&1 &
	for _ in $(seq 50); do
		pid=$(q "SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = 'holder'")
		[ -z "$pid" ] || break
		sleep 0.1
	done
	[ -n "$pid" ]
	run --separate-stderr cr-restore --clean --yes -U inuse_app -d inuse "$BATS_TEST_TMPDIR/inuse.sql"
	q "SELECT pg_catalog.pg_terminate_backend($pid)" >/dev/null
	assert_status 1
	assert_stderr_contains "in use by 1 session cr may not end: pid $pid (user cr, application holder"
	assert_stderr_contains "end it as a superuser with: psql -c \"SELECT pg_terminate_backend($pid)\""
	assert_stderr_contains '"inuse" is as it was'
	assert_equal "$(q 'SELECT pg_catalog.count(*) FROM public.t' inuse)" 1
}

@test "cr-backup --test-restore and cr-restore-dev pass --accept-rows on: an audit table no longer fails every backup and restore" {
	make_event_trigger_dump lo
	q "CREATE EVENT TRIGGER ddl_audit ON ddl_command_end EXECUTE FUNCTION public.log_ddl()" evsrc >/dev/null
	run --separate-stderr cr-backup -q -d evsrc --dir "$BATS_TEST_TMPDIR/b1" --test-restore
	assert_status 3
	assert_stderr_contains "accept it with --accept-rows public.ddl_log"
	run --separate-stderr cr-backup -q -d evsrc --dir "$BATS_TEST_TMPDIR/b2" --test-restore --accept-rows public.ddl_log
	assert_status 0
	assert_stderr_contains "warning: row count mismatch: public.ddl_log"
	mkdb evdev
	run --separate-stderr cr-restore-dev --yes -d evdev --no-migrate --accept-rows public.ddl_log "$BATS_TEST_TMPDIR/ev.sql"
	assert_status 0
	assert_equal "$(q 'SELECT pg_catalog.count(*) FROM public.items' evdev)" 3
}

@test "row-count proof: a trigger on a loaded table that writes to another is named with the mismatch" {
	mkdb trgsrc
	q "CREATE TABLE public.items (id integer); CREATE TABLE public.audit (what text);
	   INSERT INTO public.items SELECT pg_catalog.generate_series(1, 3);
	   INSERT INTO public.audit VALUES ('old')" trgsrc >/dev/null
	pg_dump -d trgsrc >"$BATS_TEST_TMPDIR/trg.sql"
	mkdb trgdst
	q "CREATE TABLE public.items (id integer); CREATE TABLE public.audit (what text);
	   CREATE FUNCTION public.note() RETURNS trigger LANGUAGE plpgsql AS
	     \$\$BEGIN INSERT INTO public.audit VALUES ('item'); RETURN NEW; END\$\$;
	   CREATE TRIGGER items_audit AFTER INSERT ON public.items FOR EACH ROW EXECUTE FUNCTION public.note()" trgdst >/dev/null
	run --separate-stderr cr-restore -a -d trgdst "$BATS_TEST_TMPDIR/trg.sql"
	assert_status 1
	assert_stderr_contains "row count mismatch: public.audit has 4 rows after the restore but the dump carried 1"
	assert_stderr_contains "these triggers were enabled as their tables were loaded and can write to any table: items_audit on public.items"
}

@test "cr-migrate: a migration's WARNING is shown with its DETAIL and HINT" {
	mkdb mighint
	mkdir -p "$BATS_TEST_TMPDIR/mig"
	printf '%s\n' "DO \$\$BEGIN RAISE WARNING 'old column kept' USING DETAIL = 'users.legacy', HINT = 'drop it in 002'; END\$\$;" >"$BATS_TEST_TMPDIR/mig/001_warn.sql"
	run --separate-stderr cr-migrate --dir "$BATS_TEST_TMPDIR/mig" -d mighint up
	assert_status 0
	assert_stderr_contains "WARNING:  old column kept DETAIL: users.legacy HINT: drop it in 002"
}

@test "cr-restore as the database's owner: a dump's CREATE EVENT TRIGGER (superuser only) fails with the way out named" {
	make_event_trigger_dump
	# as cr-dump writes it: no owners
	q "CREATE EVENT TRIGGER ddl_audit ON ddl_command_end EXECUTE FUNCTION public.log_ddl()" evsrc >/dev/null
	pg_dump --no-owner -d evsrc >"$BATS_TEST_TMPDIR/ev.sql"
	q "DROP EVENT TRIGGER ddl_audit" evsrc >/dev/null
	q "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'evowner') THEN CREATE ROLE evowner; END IF; END\$\$" >/dev/null
	q "CREATE DATABASE evowned OWNER evowner" >/dev/null
	run --separate-stderr cr-restore -d evowned "$BATS_TEST_TMPDIR/ev.sql"
	assert_status 1
	assert_stderr_contains "only a superuser may create event triggers, and the script runs as \"evowner\" (the database's owner): if you trust the dump's code to run with the login's rights, restore with --as-login"
}
