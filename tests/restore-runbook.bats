#!/usr/bin/env bats
# docs/runbook.md is a test: production restored from last night's backup by
# a superuser with --role app --clean --allow-production; afterwards the
# app's role reads and writes every table and its backup succeeds.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	q "CREATE ROLE app LOGIN" >/dev/null
	mkdb app_production
	q "ALTER DATABASE app_production OWNER TO app" >/dev/null
	q "COMMENT ON DATABASE app_production IS 'cr:production'" >/dev/null
	q "CREATE EXTENSION pg_buffercache" app_production >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -U app -d app_production <<-'SQL'
	CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
	INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 200) g;
	CREATE SCHEMA shop;
	CREATE TABLE shop.orders (id bigserial PRIMARY KEY, user_id int NOT NULL REFERENCES users,
	    total numeric(10, 2));
	INSERT INTO shop.orders (user_id, total) SELECT 1 + g % 200, g * 1.5 FROM generate_series(1, 1000) g;
	CREATE TABLE "Audit Log" (at timestamptz DEFAULT now(), what text);
	SQL
	export BACKUPS=$BATS_FILE_TMPDIR/backups
	mkdir -p "$BACKUPS"
	# last night's backup, by the nightly job, as the app's role
	cr-backup -q --no-rotate --dir "$BACKUPS" -U app -d app_production
	# the disaster
	psql -X -q -U app -d app_production -c 'TRUNCATE users CASCADE'
}
teardown_file() { pg_stop; }

@test "docs/runbook.md: production restored as the app's role; the app uses every table; its backup works" {
	awk '/^```sh$/ { f = 1; next } /^```$/ { f = 0 } f' "$CR_REPO/docs/runbook.md" \
		>"$BATS_TEST_TMPDIR/runbook.sh"
	run env DB=app_production APP=app BACKUPS="$BACKUPS" bash -e "$BATS_TEST_TMPDIR/runbook.sh"
	echo "$output"
	assert_status 0
	assert_output_contains 'the replaced database is kept as "app_production_cr_old_'
	assert_equal "$(q "SELECT count(*) FROM users" app_production)" 200
	assert_equal "$(q "SELECT count(*) FROM shop.orders" app_production)" 1000
	# still production, still the app's
	assert_equal "$(q "SELECT shobj_description(oid, 'pg_database') || ' ' || pg_get_userbyid(datdba)
		FROM pg_database WHERE datname = 'app_production'")" "cr:production app"
	# the app reads and writes every table
	q "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '|' || quote_ident(a.attname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
		WHERE c.relkind = 'r' AND n.nspname IN ('public', 'shop')" app_production >"$BATS_TEST_TMPDIR/tables"
	run wc -l <"$BATS_TEST_TMPDIR/tables"
	assert_equal "$output" 3
	while IFS='|' read -r t col; do
		run psql -X -q -v ON_ERROR_STOP=1 -U app -d app_production \
			-c "SELECT count(*) FROM $t" -c "INSERT INTO $t SELECT * FROM $t LIMIT 0" \
			-c "UPDATE $t SET $col = $col WHERE false" -c "DELETE FROM $t WHERE false"
		assert_status 0
	done <"$BATS_TEST_TMPDIR/tables"
	run psql -X -q -v ON_ERROR_STOP=1 -U app -d app_production \
		-c "INSERT INTO users (email) VALUES ('new@example.com')" \
		-c "INSERT INTO shop.orders (user_id, total) SELECT id, 1 FROM users WHERE email = 'new@example.com'" \
		-c "INSERT INTO \"Audit Log\" (what) VALUES ('restored')"
	assert_status 0
	# and the next nightly backup, as the app, succeeds
	run cr-backup -q --no-rotate --dir "$BACKUPS" -U app -d app_production --name after_restore
	assert_status 0
}
