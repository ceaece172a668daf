#!/usr/bin/env bats
# cr-restore-dev end to end: verify first, atomic replace, migrations after.

load helpers
load reword

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	mkdb app_production
	psql -X -q -v ON_ERROR_STOP=1 -d app_production >/dev/null <<-'SQL'
	CREATE EXTENSION pgcrypto;
	CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, pw text NOT NULL);
	CREATE TABLE crearis_config (id int PRIMARY KEY, config jsonb NOT NULL);
	INSERT INTO crearis_config VALUES (1, '{"migrations_run": ["001_init"]}');
	INSERT INTO users (email, pw) SELECT 'u' || g, crypt('x', gen_salt('md5')) FROM generate_series(1, 300) g;
	SQL
	cr-dump -d app_production | cr-gz >"$BATS_FILE_TMPDIR/prod.sql.gz"
	printf 'DATABASE_URL=postgresql:///app_dev?host=%s&port=%s&user=%s\n' \
		"$PGHOST" "$PGPORT" "$PGUSER" >"$BATS_FILE_TMPDIR/dev.env"
	mkdir "$BATS_FILE_TMPDIR/migrations"
	echo 'CREATE TABLE users (id serial PRIMARY KEY);' >"$BATS_FILE_TMPDIR/migrations/001_init.sql"
	printf -- '-- new in dev\nALTER TABLE users ADD COLUMN nickname text;\n' \
		>"$BATS_FILE_TMPDIR/migrations/002_add_nickname.sql"
}
teardown_file() { pg_stop; }

setup() {
	export ENVF=$BATS_FILE_TMPDIR/dev.env MIG=$BATS_FILE_TMPDIR/migrations
	mkdb app_dev
	q "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('old dev data')" app_dev >/dev/null
}

@test "cr-restore-dev replaces the dev database and applies the new migrations" {
	run cr-restore-dev --yes --env-file "$ENVF" --migrations "$MIG" \
		--json-list crearis_config.config:migrations_run "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	assert_output_contains "Local Database: app_dev"
	assert_output_contains "Running migration: 002_add_nickname"
	assert_output_contains "Applied 1 new migration(s)"
	assert_output_contains "Restore Complete!"
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
	assert_equal "$(q "SELECT to_regclass('marker') IS NULL" app_dev)" t
	assert_equal "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'" app_dev)" 1
	assert_equal "$(q "SELECT config->'migrations_run' FROM crearis_config" app_dev)" '["001_init", "002_add_nickname"]'
	assert_equal "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'" app_dev)" 1
}

@test "cr-restore-dev reads the backup from a pipe with -" {
	run bash -c "cat '$BATS_FILE_TMPDIR/prod.sql.gz' | cr-restore-dev --yes --env-file '$ENVF' --no-migrate -"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
}

@test "cr-restore-dev refuses a corrupted backup before the dev database is touched" {
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$BATS_TEST_TMPDIR/bad.sql.gz"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/bad.sql.gz")
	truncate -s $((size / 2)) "$BATS_TEST_TMPDIR/bad.sql.gz"
	run cr-restore-dev --yes --env-file "$ENVF" --migrations "$MIG" "$BATS_TEST_TMPDIR/bad.sql.gz"
	assert_status 65
	assert_output_contains "failed verification"
	assert_equal "$(q 'SELECT note FROM marker' app_dev)" "old dev data"
}

@test "cr-restore-dev refuses a missing file" {
	run cr-restore-dev --yes --env-file "$ENVF" "$BATS_TEST_TMPDIR/nope.sql.gz"
	assert_status 66
	assert_output_contains "no such backup file"
}

@test "cr-restore-dev refuses a production target" {
	printf 'DATABASE_URL=postgresql:///app_production?host=%s&port=%s\n' "$PGHOST" "$PGPORT" >"$BATS_TEST_TMPDIR/prod.env"
	run cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/prod.env" "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 77
	assert_equal "$(q 'SELECT count(*) FROM users' app_production)" 300
}

@test "cr-restore-dev creates a dev database that does not exist only with --create, and names it, its server and role" {
	q 'DROP DATABASE app_dev' >/dev/null
	sed 's|/app_dev?|/app_dve?|' "$ENVF" >"$BATS_TEST_TMPDIR/typo.env"
	run --separate-stderr cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/typo.env" --no-migrate "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 66
	[[ $stderr == *"database \"app_dve\" does not exist on $PGHOST:$PGPORT; is the name right (env file $BATS_TEST_TMPDIR/typo.env)? To create it, run again with --create"* ]]
	assert_equal "$(q "SELECT count(*) FROM pg_database WHERE datname = 'app_dve'")" 0
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --create --no-migrate "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $output == *"Local Database: app_dev (new: does not exist yet, the restore creates it)"* ]]
	[[ $output == *"Server: $PGHOST:$PGPORT"* ]]
	[[ $output == *"Role: cr"* ]]
	[[ $stderr == *"database app_dev on $PGHOST:$PGPORT as cr"* ]]
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
}

@test "cr-restore-dev never guesses the dev database: no env file, no -d, no PGDATABASE is a usage error" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	unset PGDATABASE
	run --separate-stderr cr-restore-dev --yes --create --no-migrate "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 64
	[[ $stderr == *"which database? give -d DB or --env-file FILE (or run where the app's .env is); the dev database is never guessed"* ]]
	assert_equal "$(q "SELECT count(*) FROM pg_database WHERE datname = 'cr'" postgres)" 0
}

@test "cr-restore-dev asks on the terminal before creating a database that does not exist; the name typed must match" {
	command -v script >/dev/null || skip "script(1) is not installed (util-linux)"
	q 'DROP DATABASE app_dev' >/dev/null
	cmd="cr-restore-dev --env-file $(printf %q "$ENVF") --no-migrate $(printf %q "$BATS_FILE_TMPDIR/prod.sql.gz")"
	run script -qec "$cmd" /dev/null <<<"app_dve"
	assert_status 66
	[[ $output == *"database \"app_dev\" does not exist on $PGHOST:$PGPORT; type its name to create it:"* ]]
	[[ $output == *"nothing created (the name typed did not match)"* ]]
	assert_equal "$(q "SELECT count(*) FROM pg_database WHERE datname IN ('app_dev', 'app_dve')")" 0
	# the right name, typed once, creates it and restores
	run script -qec "$cmd" /dev/null <<<"app_dev"
	assert_status 0
	[[ $output == *"Restore Complete!"* ]]
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
}

@test "cr-restore-dev -U superuser: the migrations run as the env file's role, which owns every new table and can then migrate and back up" {
	q "DROP ROLE IF EXISTS devapp; CREATE ROLE devapp LOGIN" >/dev/null
	q "ALTER DATABASE app_dev OWNER TO devapp" >/dev/null
	printf 'DATABASE_URL=postgresql:///app_dev?host=%s&port=%s&user=devapp\n' \
		"$PGHOST" "$PGPORT" >"$BATS_TEST_TMPDIR/app.env"
	cp -r "$MIG" "$BATS_TEST_TMPDIR/migrations"
	echo 'CREATE TABLE audit (id serial PRIMARY KEY, what text);' >"$BATS_TEST_TMPDIR/migrations/003_audit.sql"
	run cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/app.env" -U cr \
		--migrations "$BATS_TEST_TMPDIR/migrations" --json-list crearis_config.config:migrations_run \
		"$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	assert_output_contains "Applied 2 new migration(s)"
	assert_equal "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 'audit'" app_dev)" devapp
	assert_equal "$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> 'devapp'" app_dev)" 0
	run cr-migrate --env-file "$BATS_TEST_TMPDIR/app.env" --dir "$BATS_TEST_TMPDIR/migrations" \
		--json-list crearis_config.config:migrations_run status
	assert_status 0
	run psql -X -q -A -t -v ON_ERROR_STOP=1 -U devapp -d app_dev -c "INSERT INTO audit (what) VALUES ('x'); SELECT count(*) FROM audit"
	assert_status 0
	assert_equal "$output" 1
	run cr-backup -q --env-file "$BATS_TEST_TMPDIR/app.env" --dir "$BATS_TEST_TMPDIR/backups" --no-rotate
	assert_status 0
}

@test "cr-restore-dev: the commands it prints work when pasted in the same directory (./.env, -U and the role carried)" {
	q "DROP ROLE IF EXISTS devapp; CREATE ROLE devapp LOGIN" >/dev/null
	q "ALTER DATABASE app_dev OWNER TO devapp" >/dev/null
	mkdir "$BATS_TEST_TMPDIR/my app"
	cd "$BATS_TEST_TMPDIR/my app"
	printf 'DB_HOST=%s\nDB_PORT=%s\nDB_USER=devapp\nDB_NAME=app_dev\n' "$PGHOST" "$PGPORT" >.env
	echo 'CR_MIGRATIONS_JSON_LIST=crearis_config.config:migrations_run' >>.env
	cp -r "$MIG" migrations
	printf 'CREATE TABLE audit (id int);\nSELECT 1/0;\n' >migrations/003_audit.sql
	unset PGDATABASE
	run --separate-stderr cr-restore-dev --yes -U cr "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 1
	[[ $stderr =~ fix\ the\ migration\ and\ run:\ ([^$'\n']*) ]]
	hint=${BASH_REMATCH[1]}
	[[ $hint == *"--env-file ./.env"* ]]
	[[ $hint == *"-U cr"* ]]
	echo 'CREATE TABLE audit (id int);' >migrations/003_audit.sql
	run bash -c "$hint"
	assert_status 0
	assert_equal "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 'audit'" app_dev)" devapp
	assert_equal "$(q "SELECT config->'migrations_run' FROM crearis_config" app_dev)" '["001_init", "002_add_nickname", "003_audit"]'
	run --separate-stderr cr-restore-dev --yes -U cr "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $output =~ Check\ migration\ results:\ ([^$'\n']*) ]]
	status_cmd=${BASH_REMATCH[1]}
	[[ $status_cmd == *"--dir ./migrations status"* ]]
	run bash -c "$status_cmd"
	assert_status 0
	[[ $output == *003_audit* ]]
}

@test "cr-restore-dev: a password in a -d URI is never printed in the commands it prints, which still work" {
	cp -r "$MIG" "$BATS_TEST_TMPDIR/migrations"
	echo 'SELECT 1/0;' >"$BATS_TEST_TMPDIR/migrations/003_bad.sql"
	url="postgresql://cr:top%20secret@/app_dev?host=$PGHOST&port=$PGPORT&password=also_secret"
	run --separate-stderr cr-restore-dev --yes -d "$url" --migrations "$BATS_TEST_TMPDIR/migrations" \
		--json-list crearis_config.config:migrations_run "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 1
	[[ $stderr != *secret* ]]
	[[ $output != *secret* ]]
	[[ $stderr =~ fix\ the\ migration\ and\ run:\ ([^$'\n']*) ]]
	hint=${BASH_REMATCH[1]}
	rm "$BATS_TEST_TMPDIR/migrations/003_bad.sql"
	run bash -c "$hint"
	assert_status 0
	assert_equal "$(q "SELECT config->'migrations_run' FROM crearis_config" app_dev)" '["001_init", "002_add_nickname"]'
}

@test "cr-restore-dev: -d -h -p -U override single settings; the rest still come from ./.env, so -d of a production database reaches the guard" {
	mkdb crearis_admin_prod
	q "CREATE TABLE keep (x int); INSERT INTO keep VALUES (1)" crearis_admin_prod >/dev/null
	mkdir "$BATS_TEST_TMPDIR/app"
	cd "$BATS_TEST_TMPDIR/app"
	printf 'DB_HOST=%s\nDB_PORT=%s\nDB_USER=%s\nDB_NAME=app_dev\n' "$PGHOST" "$PGPORT" "$PGUSER" >.env
	(
		unset PGHOST PGPORT PGUSER PGDATABASE
		run --separate-stderr cr-restore-dev --yes --no-migrate -d crearis_admin_prod "$BATS_FILE_TMPDIR/prod.sql.gz"
		assert_status 77
		[[ $stderr == *"env file ./.env, database crearis_admin_prod"* ]]
	)
	assert_equal "$(q 'SELECT count(*) FROM keep' crearis_admin_prod)" 1
	assert_equal "$(q 'SELECT note FROM marker' app_dev)" "old dev data"
}

@test "cr-restore-dev connects before it verifies: a server that is not there stops the run at once (69), in its own name" {
	printf 'DATABASE_URL=postgresql:///app_dev?host=%s&port=1\n' "$PGHOST" >"$BATS_TEST_TMPDIR/down.env"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$BATS_TEST_TMPDIR/bad.sql.gz"
	truncate -s 2000 "$BATS_TEST_TMPDIR/bad.sql.gz"
	run --separate-stderr cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/down.env" "$BATS_TEST_TMPDIR/bad.sql.gz"
	assert_status 69
	[[ $stderr == *"cr-restore-dev: cannot connect to the dev database (env file $BATS_TEST_TMPDIR/down.env); nothing was read or changed"* ]]
	[[ $stderr != *"cr-dump:"* ]]
	[[ $output != *"Verifying"* ]]
}

@test "cr-restore-dev latest: a damaged newest backup is skipped loudly for the newest that verifies; --strict stops with 65" {
	b=$BATS_TEST_TMPDIR/backups
	mkdir "$b"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$b/db_backup_20251027_020000.sql.gz"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$b/db_backup_20251028_020000.sql.gz"
	size=$(stat -c %s "$b/db_backup_20251028_020000.sql.gz")
	truncate -s $((size / 2)) "$b/db_backup_20251028_020000.sql.gz"
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate --dir "$b" --strict latest
	assert_status 65
	[[ $stderr == *"db_backup_20251028_020000.sql.gz: "*"backup failed verification (--strict: no older backup tried), the dev database was not touched"* ]]
	assert_equal "$(q 'SELECT note FROM marker' app_dev)" "old dev data"
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate --dir "$b" latest
	assert_status 0
	[[ $stderr == *"WARNING: skipped db_backup_20251028_020000.sql.gz, the newest match: "*"(it failed verification); trying the next newest, db_backup_20251027_020000.sql.gz"* ]]
	[[ $output == *"SKIPPED db_backup_20251028_020000.sql.gz"* ]]
	[[ $output == *"Backup File now: db_backup_20251027_020000.sql.gz"* ]]
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
	# a file named explicitly is never swapped for another
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate "$b/db_backup_20251028_020000.sql.gz"
	assert_status 65
	# nothing that verifies: 65
	cp "$b/db_backup_20251028_020000.sql.gz" "$b/db_backup_20251027_020000.sql.gz"
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate --dir "$b" latest
	assert_status 65
}

@test "cr-restore-dev takes ./.env and its CR_MIGRATIONS_DIR and CR_MIGRATIONS_JSON_LIST by default" {
	mkdir "$BATS_TEST_TMPDIR/app"
	cd "$BATS_TEST_TMPDIR/app"
	{
		cat "$ENVF"
		echo "export CR_MIGRATIONS_DIR=\"$MIG\""
		echo "CR_MIGRATIONS_JSON_LIST=crearis_config.config:migrations_run"
	} >.env
	unset PGDATABASE
	run --separate-stderr cr-restore-dev --yes "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $stderr == *"cr-restore-dev: env file ./.env, database app_dev"* ]]
	[[ $output == *"Applied 1 new migration(s)"* ]]
	assert_equal "$(q "SELECT config->'migrations_run' FROM crearis_config" app_dev)" '["001_init", "002_add_nickname"]'
}

@test "cr-restore-dev --help prints usage on stdout and exits 0; an unknown option exits 64" {
	run --separate-stderr cr-restore-dev --help
	assert_status 0
	[[ $output == usage:* ]]
	run --separate-stderr cr-restore-dev -?
	assert_status 0
	[[ $output == usage:* ]]
	run --separate-stderr cr-restore-dev --bogus x
	assert_status 64
	assert_equal "$output" ""
	[[ $stderr == *"unknown option: --bogus"* ]]
}

@test "cr-restore's production guard reads the env file named by CR_ENV_FILE" {
	{ cat "$ENVF"; echo NODE_ENV=production; } >"$BATS_TEST_TMPDIR/prodlike.env"
	CR_ENV_FILE=$BATS_TEST_TMPDIR/prodlike.env run cr-restore --clean --yes "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 77
	assert_equal "$(q 'SELECT note FROM marker' app_dev)" "old dev data"
}

@test "cr-restore-dev warns before replacing the dev database with a partial dump" {
	cr-dump -s -d app_production | cr-gz >"$BATS_TEST_TMPDIR/schema.sql.gz"
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate "$BATS_TEST_TMPDIR/schema.sql.gz"
	assert_status 0
	[[ $stderr == *"warning: schema.sql.gz is a partial dump (selection: schema (--schema-only)); the dev database will hold only that"* ]]
	[[ $output == *"Selection: schema (--schema-only)"* ]]
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $stderr != *"partial dump"* ]]
}

@test "cr-restore-dev: a pg_dump made without cr-dump is not called partial; its selection is unknown" {
	pg_dump -d app_production | gzip >"$BATS_TEST_TMPDIR/old-way.sql.gz"
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate "$BATS_TEST_TMPDIR/old-way.sql.gz"
	assert_status 0
	assert_output_contains "Selection: unknown (made without cr-dump, which records it)"
	[[ $stderr != *"partial"* ]]
}

@test "cr-restore-dev latest and by label: the newest matching backup in --dir, named on stderr" {
	b=$BATS_TEST_TMPDIR/backups
	mkdir "$b"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$b/db_backup_20251027_020000.sql.gz"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$b/db_backup_20251028_020000.sql.gz"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$b/db_backup_pre_deployment_v1.2.0.sql.gz"
	touch -d 2025-01-01 "$b/db_backup_pre_deployment_v1.2.0.sql.gz"
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate --dir "$b" latest
	assert_status 0
	[[ $stderr == *"\"latest\" is $b/db_backup_20251028_020000.sql.gz (the newest match)"* ]]
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate --dir "$b" pre_deployment_v1.2.0
	assert_status 0
	[[ $stderr == *"\"pre_deployment_v1.2.0\" is $b/db_backup_pre_deployment_v1.2.0.sql.gz (the newest match)"* ]]
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate --dir "$b" pre_deployment_v9
	assert_status 66
	[[ $stderr == *"pre_deployment_v9: no such backup file, and no backup of that name in $b"* ]]
}

@test "cr-restore-dev takes --opt=value and -dDB as the C tools do" {
	run --separate-stderr cr-restore-dev --yes --env-file="$ENVF" --no-migrate -dapp_dev "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $stderr == *"database app_dev"* ]]
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
	run --separate-stderr cr-restore-dev --yes=1 "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 64
	[[ $stderr == *"option --yes takes no value"* ]]
	run --separate-stderr cr-restore-dev --version
	assert_status 0
	[[ $output == "cr-restore-dev "* ]]
}

@test "cr-restore-dev reads only the tools' stable interfaces: reworded human messages change nothing" {
	reword_tools "$BATS_TEST_TMPDIR/reworded" cr-verify cr-migrate cr-restore
	PATH=$BATS_TEST_TMPDIR/reworded:$PATH run --separate-stderr cr-verify "$BATS_FILE_TMPDIR/prod.sql.gz"
	[[ $output != *"uncompressed"* ]]
	PATH=$BATS_TEST_TMPDIR/reworded:$PATH run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" \
		--migrations "$MIG" --json-list crearis_config.config:migrations_run "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $output == *"2 tables, 301 rows, 1 migration(s) applied"* ]]
	[[ $output == *"Selection: full"* ]]
	assert_equal "$(q "SELECT config->'migrations_run' FROM crearis_config" app_dev)" '["001_init", "002_add_nickname"]'
}

@test "cr-restore-dev with reworded tools still refuses a corrupted backup, by exit status" {
	reword_tools "$BATS_TEST_TMPDIR/reworded" cr-verify cr-migrate cr-restore
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$BATS_TEST_TMPDIR/bad.sql.gz"
	truncate -s 2000 "$BATS_TEST_TMPDIR/bad.sql.gz"
	PATH=$BATS_TEST_TMPDIR/reworded:$PATH run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate "$BATS_TEST_TMPDIR/bad.sql.gz"
	assert_status 65
	[[ $stderr == *"failed verification, the dev database was not touched"* ]]
	assert_equal "$(q 'SELECT note FROM marker' app_dev)" "old dev data"
}

@test "cr-restore-dev takes the app's extensions and dev command from its env file, and has none of its own" {
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $output != *"pnpm"* ]]
	[[ $output == *"1. Test functionality"* ]]
	assert_equal "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'" app_dev)" 0
	{ cat "$ENVF"; echo 'CR_EXTENSIONS="pg_trgm, pgcrypto"'; echo 'CR_DEV_COMMAND="pnpm dev"'; } >"$BATS_TEST_TMPDIR/app.env"
	run --separate-stderr cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/app.env" --no-migrate "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $output == *"extensions enabled: pg_trgm pgcrypto"* ]]
	[[ $output == *"1. Verify data: pnpm dev"* ]]
	assert_equal "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'" app_dev)" 1
	run --separate-stderr cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/app.env" --extension pgcrypto \
		--dev-command "npm start" --no-migrate "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $output == *"1. Verify data: npm start"* ]]
	assert_equal "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'" app_dev)" 0
}

@test "cr-restore-dev connected as another role restores as the env file's role, so the app owns its tables" {
	q "DROP ROLE IF EXISTS devapp; CREATE ROLE devapp LOGIN" >/dev/null
	q "ALTER DATABASE app_dev OWNER TO devapp" >/dev/null
	printf 'DATABASE_URL=postgresql:///app_dev?host=%s&port=%s&user=devapp\n' \
		"$PGHOST" "$PGPORT" >"$BATS_TEST_TMPDIR/app.env"
	run cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/app.env" -U cr --no-migrate \
		"$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	assert_output_contains "restoring as the env file's role devapp"
	assert_equal "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 'users'" app_dev)" devapp
	assert_equal "$(q "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app_dev'" app_dev)" devapp
	run psql -X -q -A -t -v ON_ERROR_STOP=1 -U devapp -d app_dev -c "INSERT INTO users (email, pw) VALUES ('new', 'x'); SELECT count(*) FROM users"
	assert_status 0
	assert_equal "$output" 301
}

@test "cr-restore-dev passes -t and -j to cr-restore: one table from a full backup" {
	run cr-restore-dev --yes --env-file "$ENVF" --no-migrate -j 2 -t users "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
	assert_equal "$(q "SELECT to_regclass('crearis_config') IS NULL" app_dev)" t
}

@test "cr-restore-dev latest passes over a suspicious backup; one named explicitly is restored with a warning" {
	b=$BATS_TEST_TMPDIR/backups
	mkdir "$b"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$b/db_backup_20251027_020000.sql.gz"
	echo '{"healthy":true,"alarms":[]}' >"$b/db_backup_20251027_020000.sql.gz.json"
	cp "$BATS_FILE_TMPDIR/prod.sql.gz" "$b/db_backup_20251028_020000.sql.gz"
	echo '{"healthy":false,"alarms":["table public.users shrank from 3000 to 300 rows (-90%)"]}' >"$b/db_backup_20251028_020000.sql.gz.json"
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate --dir "$b" latest
	assert_status 0
	[[ $stderr == *"cr-restore-dev: skipped db_backup_20251028_020000.sql.gz: its manifest says it is not healthy"* ]]
	[[ $stderr != *"cr-rotate:"* ]]
	[[ $stderr == *"\"latest\" is $b/db_backup_20251027_020000.sql.gz (the newest match)"* ]]
	[[ $stderr != *"suspicious backup"* ]]
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --no-migrate "$b/db_backup_20251028_020000.sql.gz"
	assert_status 0
	[[ $stderr == *"warning: db_backup_20251028_020000.sql.gz is a suspicious backup (its manifest says not healthy: table public.users shrank from 3000 to 300 rows (-90%)); restoring it because it was named"* ]]
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
}

@test "cr-restore-dev --migrate-command runs the app's own migrations with the restored database in its environment; its failure stops it" {
	# The app's role needs its password (pg_hba); the developer connects as cr.
	q "DROP ROLE IF EXISTS crpass; CREATE ROLE crpass LOGIN PASSWORD 'p@ss w%rd'" >/dev/null
	q "ALTER DATABASE app_dev OWNER TO crpass" >/dev/null
	cat >"$BATS_TEST_TMPDIR/migrate.sh" <<-'SH'
	#!/bin/sh
	# the app's runner: it records what it saw, and connects by DATABASE_URL
	env | grep -E '^(PGHOST|PGPORT|PGUSER|PGDATABASE|PGPASSWORD|DATABASE_URL)=' | sort >"$OUT/env"
	for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' <"$f"; echo; done >"$OUT/args" 2>/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -c 'CREATE TABLE by_app_runner (id int)'
	SH
	chmod +x "$BATS_TEST_TMPDIR/migrate.sh"
	printf 'DATABASE_URL=postgresql://crpass:p%%40ss%%20w%%25rd@/app_dev?host=%s&port=%s\n' \
		"$PGHOST" "$PGPORT" >"$BATS_TEST_TMPDIR/pw.env"
	export OUT=$BATS_TEST_TMPDIR
	run --separate-stderr cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/pw.env" -U cr \
		--migrate-command "$BATS_TEST_TMPDIR/migrate.sh" "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	[[ $output == *"Running the app's migration command: $BATS_TEST_TMPDIR/migrate.sh"* ]]
	[[ $output != *"Running migration:"* ]]
	assert_equal "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 'by_app_runner'" app_dev)" crpass
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
	assert_equal "$(cat "$OUT/env")" "DATABASE_URL=postgresql://crpass:p%40ss%20w%25rd@/app_dev?host=$(printf %s "$PGHOST" | sed 's,/,%2F,g')&port=$PGPORT
PGDATABASE=app_dev
PGHOST=$PGHOST
PGPASSWORD=p@ss w%rd
PGPORT=$PGPORT
PGUSER=crpass"
	# The password was in no process's arguments while the command ran.
	grep -q migrate.sh "$OUT/args"
	refute_grep -F 'p@ss w%rd' "$OUT/args"
	# CR_MIGRATE_COMMAND from the env file; a failing command stops the run.
	{ cat "$ENVF"; echo 'CR_MIGRATE_COMMAND="exit 3"'; } >"$BATS_TEST_TMPDIR/fail.env"
	run --separate-stderr cr-restore-dev --yes --env-file "$BATS_TEST_TMPDIR/fail.env" "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 1
	[[ $stderr == *"the migration command failed (exit 3): exit 3; the restored data is in place"* ]]
	[[ $output != *"Restore Complete!"* ]]
}

@test "cr-restore-dev without the app's JSON list: cr-migrate refuses to guess what ran on the restored tables (65), the data stays" {
	run --separate-stderr cr-restore-dev --yes --env-file "$ENVF" --migrations "$MIG" "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 65
	assert_stderr_contains "cr-migrate: app_dev has tables (public.crearis_config and 2 more) but no record of applied migrations"
	assert_stderr_contains "--dir $MIG baseline VERSION"
	assert_stderr_contains "--json-list TABLE.COLUMN:KEY (or CR_MIGRATIONS_JSON_LIST)"
	assert_stderr_contains "migrations failed (exit 65; cr-migrate's message above says why); the restored data is in place"
	assert_equal "$(q 'SELECT count(*) FROM users' app_dev)" 300
	assert_equal "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'" app_dev)" 0
}

@test "cr-restore-dev: a dev database named with a quote and a backslash reaches the wrapper intact (cr-dump's escaping undone)" {
	name='dev"q\b'
	run cr-restore-dev --yes --create --no-migrate -d "$name" "$BATS_FILE_TMPDIR/prod.sql.gz"
	assert_status 0
	assert_output_contains "Local Database: $name (new"
	assert_output_contains "Backup verified ("
	assert_output_contains " tables, 301 rows)"
	assert_equal "$(q 'SELECT count(*) FROM users' "$name")" 300
}
