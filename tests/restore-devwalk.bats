#!/usr/bin/env bats
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# Production into dev as an app team lives it (issue 21's walk): the app's
# .env with DB_* keys and a multi-line private key, an app role owning its
# databases, migrations tracked in the app's own JSON list, the dev database
# one migration behind production, the tools installed under a prefix and
# run with cron's PATH, "latest" over a damaged newest backup, and at the end
# the app role owns, reads and writes every table and backs up.

load helpers

bats_require_minimum_version 1.5.0

# as_app SQL [DB]: SQL as the app's role.
as_app() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -U crearis_admin -d "${2:-crearis_admin_prod}" -c "$1"
}

# cron CMD...: CMD as cron runs it: PATH=/usr/bin:/bin and none of the
# harness's PG* settings, so everything comes from the env file.
cron() {
	env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE PATH=/usr/bin:/bin "$@"
}

setup_file() {
	pg_start
	export PREFIX=$BATS_FILE_TMPDIR/prefix
	make -s -C "$CR_REPO" install PREFIX="$PREFIX" >/dev/null
	q "CREATE ROLE crearis_admin LOGIN PASSWORD 'app pw'" >/dev/null
	q "CREATE DATABASE crearis_admin_prod OWNER crearis_admin" >/dev/null
	q "CREATE EXTENSION pgcrypto" crearis_admin_prod >/dev/null
	# production: three migrations applied by the app, recorded in its list
	as_app "
	CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, pw text NOT NULL);
	CREATE TABLE crearis_config (id int PRIMARY KEY, config jsonb NOT NULL);
	CREATE TABLE events (id bigserial PRIMARY KEY, user_id int REFERENCES users, at timestamptz DEFAULT now());
	INSERT INTO crearis_config VALUES (1, '{\"migrations_run\": [\"001_init\", \"002_events\", \"003_users_email_index\"]}');
	CREATE INDEX users_email ON users (email);
	INSERT INTO users (email, pw) SELECT 'u' || g, crypt('x', gen_salt('md5')) FROM generate_series(1, 200) g;
	INSERT INTO events (user_id) SELECT 1 + g % 200 FROM generate_series(1, 500) g;" >/dev/null
	# dev: one migration behind production
	q "CREATE DATABASE crearis_admin_dev OWNER crearis_admin" >/dev/null
	as_app "
	CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, pw text NOT NULL);
	CREATE TABLE crearis_config (id int PRIMARY KEY, config jsonb NOT NULL);
	CREATE TABLE events (id bigserial PRIMARY KEY, user_id int REFERENCES users, at timestamptz DEFAULT now());
	INSERT INTO crearis_config VALUES (1, '{\"migrations_run\": [\"001_init\", \"002_events\"]}');
	INSERT INTO users (email, pw) VALUES ('dev@example.org', 'x');" crearis_admin_dev >/dev/null

	export BACKUPS=$BATS_FILE_TMPDIR/backups APP=$BATS_FILE_TMPDIR/crearis
	mkdir -p "$BACKUPS" "$APP/migrations" "$BATS_FILE_TMPDIR/prod"
	# the server's copy of the app: production's .env
	cat >"$BATS_FILE_TMPDIR/prod/.env" <<-ENV
	NODE_ENV=production
	DB_HOST=$PGHOST
	DB_PORT=$PGPORT
	DB_USER=crearis_admin
	DB_PASSWORD='app pw'
	DB_NAME=crearis_admin_prod
	CR_BACKUP_DIR=$BACKUPS
	ENV
	# the developer's checkout: its .env and the migrations, one ahead of
	# production
	cat >"$APP/.env" <<-ENV
	# crearis, local development
	NODE_ENV=development
	DB_HOST=$PGHOST
	DB_PORT=$PGPORT
	DB_USER=crearis_admin
	DB_PASSWORD="app pw"
	DB_NAME=crearis_admin_dev
	JWT_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----
	MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
	MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu
	-----END PRIVATE KEY-----"
	CR_BACKUP_DIR=$BACKUPS
	CR_MIGRATIONS_DIR=./migrations
	CR_MIGRATIONS_JSON_LIST=crearis_config.config:migrations_run
	CR_EXTENSIONS=pgcrypto
	ENV
	echo 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, pw text NOT NULL);' >"$APP/migrations/001_init.sql"
	echo 'CREATE TABLE events (id bigserial PRIMARY KEY, user_id int REFERENCES users, at timestamptz DEFAULT now());' >"$APP/migrations/002_events.sql"
	echo 'CREATE INDEX users_email ON users (email);' >"$APP/migrations/003_users_email_index.sql"
	printf '%s\n' 'CREATE TABLE projects (id serial PRIMARY KEY, owner int REFERENCES users, name text NOT NULL);' \
		'ALTER TABLE users ADD COLUMN nickname text;' >"$APP/migrations/004_projects.sql"
}
teardown_file() { pg_stop; }

@test "the team's walk: cron backups as the app, latest over a damaged newest backup, migrations caught up as the app role, which then owns, uses and backs up everything" {
	# Two nightly backups by the installed cr-backup, as cron runs it.
	cd "$BATS_FILE_TMPDIR/prod"
	# names are stamped to the second: each night its own, by --now
	t=$(date +%s)
	run --separate-stderr cron "$PREFIX/bin/cr-backup" -q --now "@$t"
	assert_status 0
	older=$(cr-rotate --resolve daily "$BACKUPS")
	as_app "INSERT INTO users (email, pw) VALUES ('late', 'x')" >/dev/null
	run --separate-stderr cron "$PREFIX/bin/cr-backup" -q --now "@$((t + 1))"
	assert_status 0
	newest=$(cr-rotate --resolve daily "$BACKUPS")
	[ "$newest" != "$older" ]
	# The newest is damaged after it was written (a disk, a copy).
	truncate -s $(( $(stat -c %s "$newest") / 2 )) "$newest"

	# The developer, as the server's superuser, in the app's checkout.
	cd "$APP"
	run --separate-stderr cron "$PREFIX/bin/cr-restore-dev" --yes -U cr latest
	assert_status 0
	summary=$output
	[[ $stderr == *"WARNING: skipped ${newest##*/}, the newest match: "*"trying the next newest, ${older##*/}"* ]]
	[[ $stderr == *"env file ./.env, database crearis_admin_dev on $PGHOST:$PGPORT as crearis_admin"* ]]
	[[ $stderr == *"connected as cr; restoring as the env file's role crearis_admin (--role)"* ]]
	[[ $output == *"Applied 1 new migration(s)"* ]]
	# the older backup's rows: without the late user
	assert_equal "$(q 'SELECT count(*) FROM users' crearis_admin_dev)" 200
	assert_equal "$(q "SELECT config->'migrations_run' FROM crearis_config" crearis_admin_dev)" \
		'["001_init", "002_events", "003_users_email_index", "004_projects"]'

	# Every relation of the app's schema belongs to the app role ...
	assert_equal "$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
		  AND pg_get_userbyid(c.relowner) <> 'crearis_admin'" crearis_admin_dev)" 0
	assert_equal "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 'projects'" crearis_admin_dev)" crearis_admin
	assert_equal "$(q "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'crearis_admin_dev'")" crearis_admin
	# ... which reads and writes every table (nothing listed) ...
	run as_app "SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
		  AND n.nspname NOT LIKE 'pg\_%'
		  AND NOT has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE')" crearis_admin_dev
	assert_status 0
	assert_equal "$output" ""
	run as_app "INSERT INTO projects (owner, name) VALUES (1, 'p'); UPDATE users SET nickname = 'n' WHERE id = 1;
		DELETE FROM events WHERE id = 1; SELECT count(*) FROM projects" crearis_admin_dev
	assert_status 0
	assert_equal "$output" 1
	# ... checks its migrations with the command the summary printed (in
	# a shell with the installed tools on PATH) ...
	[[ $summary =~ Check\ migration\ results:\ ([^$'\n']*) ]]
	[[ ${BASH_REMATCH[1]} == *" --env-file ./.env "* ]]
	run env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE PATH="$PREFIX/bin:/usr/bin:/bin" bash -c "${BASH_REMATCH[1]}"
	assert_status 0
	[[ $output == *004_projects* ]]
	# ... and backs it up, from cron, with the app's own .env.
	run --separate-stderr cron "$PREFIX/bin/cr-backup" -q --dir "$BATS_TEST_TMPDIR/dev-backups"
	assert_status 0
	run cr-verify -q "$(cr-rotate --resolve daily "$BATS_TEST_TMPDIR/dev-backups")"
	assert_status 0
}
