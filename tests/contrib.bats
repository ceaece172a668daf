#!/usr/bin/env bats
# The scheduling examples in contrib/ parse, and their commands run against
# the test server (paths rewritten to the test's own env file and directory).

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	mkdb app
	q "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g" app >/dev/null
	printf 'DATABASE_URL=postgresql:///app?host=%s&port=%s&user=%s\n' \
		"$PGHOST" "$PGPORT" "$PGUSER" >"$BATS_FILE_TMPDIR/app.env"
}
teardown_file() { pg_stop; }

# Rewrite the example's production paths to this test's files.
localize() {
	sed -e "s|/opt/app/.env|$BATS_FILE_TMPDIR/app.env|g" \
	    -e "s|/etc/cr/%i.env|$BATS_FILE_TMPDIR/app.env|g" \
	    -e "s|/var/backups/app|$BATS_TEST_TMPDIR/backups|g" \
	    -e "s|/var/backups/%i|$BATS_TEST_TMPDIR/backups|g" \
	    -e "s|/opt/app/backups|$BATS_TEST_TMPDIR/backups|g" \
	    -e "s|/usr/local/bin/cr-backup|$CR_BIN/cr-backup|g"
}

# need CMD: skip a test that needs CMD when it is not installed, but fail
# under .ci/run (CR_CI=1), which installs it: a skip there would hide the test.
need() {
	command -v "$1" >/dev/null && return 0
	if [ -n "${CR_CI:-}" ]; then
		echo "$1 is not installed, and CI installs it" >&2
		return 1
	fi
	skip "$1 not installed"
}

# A cron time field: numbers, ranges, steps, lists, '*', within [lo, hi].
cron_field_ok() {
	local field=$1 lo=$2 hi=$3 part n
	[[ $field =~ ^[0-9*,/-]+$ ]] || return 1
	IFS=, read -ra parts <<<"$field"
	for part in "${parts[@]}"; do
		for n in $(tr -- '-/' '  ' <<<"${part//\*/}"); do
			[ "$n" -ge "$lo" ] && [ "$n" -le "$hi" ] || return 1
		done
	done
}

@test "contrib/crontab: every entry has valid time fields and its command makes a backup" {
	n=0
	while read -r line; do
		case $line in ''|'#'*|*=*) continue ;; esac
		read -r mi h dom mon dow cmd <<<"$line"
		cron_field_ok "$mi" 0 59 && cron_field_ok "$h" 0 23 && cron_field_ok "$dom" 1 31 &&
			cron_field_ok "$mon" 1 12 && cron_field_ok "$dow" 0 7 ||
			{ echo "bad time fields: $line" >&2; return 1; }
		run sh -c "$(localize <<<"$cmd")"
		assert_status 0
		n=$((n + 1))
	done <"$CR_REPO/contrib/crontab"
	[ "$n" -eq 2 ]
	ls "$BATS_TEST_TMPDIR/backups" | grep -Eq '^db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz$'
	ls "$BATS_TEST_TMPDIR/backups/archive" | grep -Eq '^db_backup_weekly_archive_[0-9]{8}_[0-9]{6}\.sql\.gz$'
}

@test "contrib/systemd: units pass systemd-analyze verify and ExecStart makes a backup" {
	u=$BATS_TEST_TMPDIR/units
	mkdir -p "$u" "$BATS_TEST_TMPDIR/backups"
	localize <"$CR_REPO/contrib/systemd/cr-backup@.service" | sed 's/%i/app/g' >"$u/cr-backup@app.service"
	localize <"$CR_REPO/contrib/systemd/cr-backup@.timer" >"$u/cr-backup@app.timer"
	grep -q '^OnCalendar=\*-\*-\* 02:00:00$' "$u/cr-backup@app.timer"
	if command -v systemd-analyze >/dev/null; then
		run systemd-analyze verify --man=no "$u/cr-backup@app.service" "$u/cr-backup@app.timer"
		assert_status 0
		# The same check fails on a unit with an error: it is not a no-op.
		# (A misspelt Type= is only a warning, exit 0; a missing program
		# is an error, exit 1.)
		sed "s|^ExecStart=$CR_BIN/cr-backup |ExecStart=$u/missing/cr-backup |" \
			"$u/cr-backup@app.service" >"$u/broken@app.service"
		run systemd-analyze verify --man=no "$u/broken@app.service"
		assert_status 1
		assert_output_contains "Command $u/missing/cr-backup is not executable"
		run systemd-analyze calendar '*-*-* 02:00:00'
		assert_status 0
	fi
	cmd=$(sed -n 's/^ExecStart=//p' "$u/cr-backup@app.service")
	run sh -c "$cmd"
	assert_status 0
	ls "$BATS_TEST_TMPDIR/backups" | grep -Eq '^db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz$'
}

@test "contrib/pm2: ecosystem.config.js loads and its backup process runs" {
	need node
	run node -e '
		const c = require(process.argv[1]);
		const b = c.apps.find(a => a.name === "db-backup");
		if (!b || b.autorestart !== false || b.cron_restart !== "0 2 * * *") process.exit(2);
		console.log([b.script].concat(b.args).join("\n"));' "$CR_REPO/contrib/pm2/ecosystem.config.js"
	assert_status 0
	mapfile -t argv < <(localize <<<"$output")
	mkdir -p "$BATS_TEST_TMPDIR/backups"
	run "${argv[@]}"
	assert_status 0
	ls "$BATS_TEST_TMPDIR/backups" | grep -Eq '^db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz$'
}

@test "contrib/node/package.json: db:backup and db:restore scripts run" {
	need jq
	script() { jq -er --arg s "$1" '.scripts[$s]' "$CR_REPO/contrib/node/package.json"; }
	cd "$BATS_TEST_TMPDIR"
	cp "$BATS_FILE_TMPDIR/app.env" .env
	run sh -c "$(script db:backup)"
	assert_status 0
	f=$(ls backups/db_backup_*.sql.gz)
	# db:restore into the dev database named by the dev .env.
	printf 'DATABASE_URL=postgresql:///app_dev?host=%s&port=%s&user=%s\n' "$PGHOST" "$PGPORT" "$PGUSER" >.env
	mkdir migrations
	# The dev database exists, as on a developer's machine: cr-restore-dev
	# creates one only with --create.
	createdb app_dev
	run sh -c "$(script db:restore) --yes $f"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM t' app_dev)" 100
}

@test "contrib/monitoring: the Nagios check and the Prometheus textfile follow cr-backup --status" {
	b=$BATS_TEST_TMPDIR/backups
	cr-backup -q --env-file "$BATS_FILE_TMPDIR/app.env" --dir "$b"
	run "$CR_REPO/contrib/monitoring/check_cr_backup" "$b"
	assert_status 0
	assert_equal "$output" "CR BACKUP OK - $b healthy"
	run "$CR_REPO/contrib/monitoring/cr-backup-textfile" "$b" "$BATS_TEST_TMPDIR/cr.prom"
	assert_status 0
	grep -qx "cr_backup_status{dir=\"$b\"} 0" "$BATS_TEST_TMPDIR/cr.prom"
	grep -qx "cr_backup_newest_rows{dir=\"$b\",kind=\"daily\"} 100" "$BATS_TEST_TMPDIR/cr.prom"
	grep -qx "cr_backup_newest_verified{dir=\"$b\",kind=\"daily\"} 1" "$BATS_TEST_TMPDIR/cr.prom"
	# a stopped daily: CRITICAL, and the metric says 75
	f=$(cd "$b" && ls db_backup_*.sql.gz)
	old=db_backup_$(date -u -d '3 days ago' +%Y%m%d_%H%M%S).sql.gz
	mv "$b/$f" "$b/$old"
	run "$CR_REPO/contrib/monitoring/check_cr_backup" "$b"
	assert_status 2
	[[ $output == "CR BACKUP CRITICAL - the newest daily backup is 3d00h"* ]]
	"$CR_REPO/contrib/monitoring/cr-backup-textfile" "$b" "$BATS_TEST_TMPDIR/cr.prom"
	grep -qx "cr_backup_status{dir=\"$b\"} 75" "$BATS_TEST_TMPDIR/cr.prom"
}

@test "contrib/crearis/dev.env: the crearis app's settings read as cr reads an env file" {
	run --separate-stderr bash -c 'cr-rotate --env-get "$1" CR_EXTENSIONS CR_DEV_COMMAND CR_MIGRATIONS_JSON_LIST | tr "\0" "\n"' - "$CR_REPO/contrib/crearis/dev.env"
	assert_status 0
	assert_equal "$output" "$(printf 'CR_EXTENSIONS=pgcrypto\nCR_DEV_COMMAND=pnpm dev\nCR_MIGRATIONS_JSON_LIST=crearis_config.config:migrations_run')"
}

@test "contrib/monitoring reads cr-backup --status --kv, not messages: no jq, a directory named with a quote and a backslash is labelled as Prometheus escapes it" {
	b=$BATS_TEST_TMPDIR/'we"ird\dir'
	cr-backup -q --env-file "$BATS_FILE_TMPDIR/app.env" --dir "$b"
	run "$CR_REPO/contrib/monitoring/cr-backup-textfile" "$b" "$BATS_TEST_TMPDIR/cr.prom"
	assert_status 0
	l=${b//\\/\\\\}
	l=${l//\"/\\\"}
	grep -qxF "cr_backup_status{dir=\"$l\"} 0" "$BATS_TEST_TMPDIR/cr.prom"
	grep -qxF "cr_backup_newest_rows{dir=\"$l\",kind=\"daily\"} 100" "$BATS_TEST_TMPDIR/cr.prom"
	# no daily: the problem cr-verify --status reports, from the kv lines
	mv "$b"/db_backup_* "$BATS_TEST_TMPDIR/"
	run --separate-stderr "$CR_REPO/contrib/monitoring/check_cr_backup" "$b"
	assert_status 2
	assert_equal "$output" "CR BACKUP CRITICAL - no daily backup"
	# a directory that cannot be read: UNKNOWN with cr-verify's message
	run "$CR_REPO/contrib/monitoring/check_cr_backup" "$BATS_TEST_TMPDIR/none"
	assert_status 3
	[[ $output == "CR BACKUP UNKNOWN - cr-backup --status exit "*": cr-verify: "* ]]
}
