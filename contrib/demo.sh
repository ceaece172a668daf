#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# make demo: the whole cr cycle on a throwaway local PostgreSQL cluster.
# backup -> verify -> second backup -> rotation -> restore into app_dev ->
# migrations catch up -> row counts compared.  No network, nothing outside a
# temp dir; the cluster is stopped at the end whatever happens.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export BATS_TEST_DIRNAME=$here/../tests	# helpers.bash finds the repo by it
# shellcheck source=/dev/null # tests/helpers.bash: the cluster helpers
. "$here/../tests/helpers.bash"
export PATH="$CR_BIN:$PATH"

demo=$(mktemp -d /tmp/cr-demo.XXXXXX)
[ "$(id -u)" -eq 0 ] && chmod 755 "$demo"
cleanup() { pg_stop; rm -rf "$demo"; }
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Starting a throwaway PostgreSQL cluster (unix socket in a temp dir)"
pg_start
echo "server: $(q 'SHOW server_version'), socket dir $PGHOST, port $PGPORT"

step "Creating the production-like app database app_production"
q "CREATE DATABASE app_production" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d app_production <<'SQL'
CREATE EXTENSION pgcrypto;
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL,
	password_hash text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE projects (id serial PRIMARY KEY, owner_id int NOT NULL REFERENCES users(id),
	title text NOT NULL, settings jsonb NOT NULL DEFAULT '{}');
CREATE TABLE events (id bigserial PRIMARY KEY, project_id int REFERENCES projects(id),
	kind text NOT NULL, at timestamptz NOT NULL, payload jsonb);
CREATE TABLE crearis_config (id int PRIMARY KEY, config jsonb NOT NULL);
INSERT INTO crearis_config VALUES (1, '{"migrations_run": ["001_init", "002_add_events"]}');
INSERT INTO users (email, password_hash)
	SELECT 'user' || g || '@example.com', crypt('pw' || g, gen_salt('bf', 4)) FROM generate_series(1, 500) g;
INSERT INTO projects (owner_id, title, settings)
	SELECT 1 + g % 500, 'Project ' || g, jsonb_build_object('color', 'blue', 'n', g) FROM generate_series(1, 1200) g;
INSERT INTO events (project_id, kind, at, payload)
	SELECT 1 + g % 1200, (ARRAY['view','click','edit'])[1 + g % 3],
	       '2025-10-01'::timestamptz + g * interval '37 seconds', jsonb_build_object('i', g)
	FROM generate_series(1, 60000) g;
SQL
for t in users projects events; do echo "  $t: $(q "SELECT count(*) FROM $t" app_production) rows"; done

# The app keeps its connection in .env files; cr reads the same files.
url() { printf 'postgresql:///%s?host=%s&port=%s&user=%s' "$1" "$PGHOST" "$PGPORT" "$PGUSER"; }
printf 'NODE_ENV=production\nDATABASE_URL=%s\n' "$(url app_production)" >"$demo/prod.env"
mkdir "$demo/backups" "$demo/migrations" "$demo/app"
# The dev checkout's .env: connection, and the app's settings cr takes from it
# (the crearis app's, as in contrib/crearis/dev.env).
printf 'NODE_ENV=development\nDATABASE_URL=%s\nCR_MIGRATIONS_DIR=%s\nCR_MIGRATIONS_JSON_LIST=%s\nCR_EXTENSIONS=%s\nCR_DEV_COMMAND="%s"\n' \
	"$(url app_dev)" "$demo/migrations" crearis_config.config:migrations_run pgcrypto "pnpm dev" >"$demo/app/.env"
cat >"$demo/migrations/001_init.sql" <<'SQL'
CREATE TABLE users (id serial PRIMARY KEY);
SQL
cat >"$demo/migrations/002_add_events.sql" <<'SQL'
CREATE TABLE events (id bigserial PRIMARY KEY);
SQL
cat >"$demo/migrations/003_add_feature_x.sql" <<'SQL'
-- New in the dev code, not yet on production.
ALTER TABLE projects ADD COLUMN archived boolean NOT NULL DEFAULT false;
CREATE INDEX projects_archived ON projects (archived) WHERE archived;
SQL

step "Backup 1: cr-backup (cr-dump | cr-gz, verified, renamed, rotated)"
run cr-backup --env-file "$demo/prod.env" --dir "$demo/backups"

step "cr-verify: what is in the backup, and proof that it is complete"
backups=("$demo"/backups/db_backup_*.sql.gz)
first=${backups[0]}
run cr-verify -v "$first"

step "Older daily backups appear (copies named 8..14 days back) to give rotation work"
for d in 8 9 10 11 12 13 14; do
	cp -p "$first" "$demo/backups/db_backup_$(date -u -d "$d days ago" +%Y%m%d)_020000.sql.gz"
done
ls -l "$demo/backups"

step "More production activity, then backup 2 (rotation keeps the newest 7 dailies)"
q "INSERT INTO events (project_id, kind, at) SELECT 1, 'view', now() FROM generate_series(1, 2500)" app_production
sleep 1
run cr-backup --env-file "$demo/prod.env" --dir "$demo/backups"
ls -l "$demo/backups"
backups=("$demo"/backups/db_backup_2*.sql.gz)	# sorted: the newest last
latest=${backups[${#backups[@]} - 1]}

step "Each backup has a manifest; what changed between the two backups, and are the backups healthy?"
run cr-verify --compare "$first" "$latest"
run cr-backup --status "$demo/backups"

step "The production guard: restoring over app_production is refused"
set +e
cr-restore --clean --yes --env-file "$demo/prod.env" "$latest"
echo "cr-restore exit status: $? (77: refused, production untouched)"
set -e

step "Restore into app_dev, extensions, migrations catch up (cr-restore-dev, settings from the app's ./.env)"
cat "$demo/app/.env"
# app_dev does not exist yet: the first restore says --create (a mistyped
# name never makes a new database by itself).
(cd "$demo/app" && unset PGDATABASE && run cr-restore-dev --yes --create "$latest")

step "Row counts: production (as backed up) vs app_dev"
ok=1
for t in users projects events crearis_config; do
	a=$(q "SELECT count(*) FROM $t" app_production)
	b=$(q "SELECT count(*) FROM $t" app_dev)
	printf '  %-16s production %6s   app_dev %6s   %s\n' "$t" "$a" "$b" "$([ "$a" = "$b" ] && echo same || echo DIFFERENT)"
	[ "$a" = "$b" ] || ok=0
done
echo "  migrations recorded in app_dev: $(q "SELECT config->'migrations_run' FROM crearis_config" app_dev)"
echo "  projects.archived exists in app_dev: $(q "SELECT count(*) FROM information_schema.columns WHERE table_name='projects' AND column_name='archived'" app_dev)"
[ "$ok" -eq 1 ] || { echo "demo: row counts differ" >&2; exit 1; }

step "Done: stopping the cluster"
