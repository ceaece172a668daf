#!/usr/bin/env bats
# cr-backup end to end against the harness's server: verified files only,
# nothing left behind on failure, locks, named backups, rotation, notify.

load helpers
load reword

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	load_awkward shop
	printf 'DATABASE_URL=postgresql:///shop?host=%s&port=%s&user=%s\n' \
		"$PGHOST" "$PGPORT" "$PGUSER" >"$BATS_FILE_TMPDIR/app.env"
}
teardown_file() { pg_stop; }

setup() {
	export ENVF=$BATS_FILE_TMPDIR/app.env
	export DIR=$BATS_TEST_TMPDIR/backups
	mkdir -p "$DIR"
	T0=$(date +%s)
}

# The time N seconds after the test began, for --now: backup names are
# stamped to the second, and a test gives a second run its own second
# rather than sleeping until the clock moves on.
at() { date -u -d "@$((T0 + $1))" +%Y-%m-%dT%H:%M:%SZ; }

backups() { (cd "$DIR" && ls -1 db_backup_*.sql.gz 2>/dev/null); }

@test "cr-backup writes one verified 0600 backup named in UTC and reports it" {
	before=$(date -u +%Y%m%d%H%M%S)
	run cr-backup --env-file "$ENVF" --dir "$DIR"
	assert_status 0
	assert_output_contains "Database: shop"
	assert_output_contains "Backup complete!"
	f=$(backups)
	[ "$(echo "$f" | wc -l)" -eq 1 ]
	[[ $f =~ ^db_backup_([0-9]{8})_([0-9]{6})\.sql\.gz$ ]]
	stamp=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
	[ "$stamp" -ge "$before" ]
	[ "$(stat -c %a "$DIR/$f")" = 600 ]
	cr-verify -q "$DIR/$f"
	# Stock tools restore it too.
	mkdb shop_copy
	gunzip -c "$DIR/$f" | psql -X -q -v ON_ERROR_STOP=1 -d shop_copy >/dev/null
	assert_equal "$(q 'SELECT count(*) FROM "Mixed Schema"."Events"' shop_copy)" 5000
	# No temp file left behind.
	[ -z "$(ls -A "$DIR" | grep partial)" ]
}

@test "cr-backup -q prints nothing on success" {
	run cr-backup -q --env-file "$ENVF" --dir "$DIR"
	assert_status 0
	assert_equal "$output" ""
	[ "$(backups | wc -l)" -eq 1 ]
}

@test "cr-backup: a dump failing midway leaves no file and keeps older backups" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR" --now "$(at 0)"
	old=$(backups)
	cp "$DIR/$old" "$BATS_TEST_TMPDIR/old.copy"
	# A pg_dump that writes half a dump, then dies.
	cat >"$BATS_TEST_TMPDIR/pg_dump" <<-'SH'
	#!/bin/sh
	real=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_dump
	[ "$1" = --version ] && exec "$real" --version
	"$real" "$@" | head -c 20000
	echo "pg_dump: error: connection lost" >&2
	exit 1
	SH
	chmod +x "$BATS_TEST_TMPDIR/pg_dump"
	CR_PG_DUMP=$BATS_TEST_TMPDIR/pg_dump run cr-backup -q --env-file "$ENVF" --dir "$DIR" --now "$(at 1)"
	assert_status 1
	assert_output_contains "cr-dump failed"
	assert_equal "$(backups)" "$old"
	cmp "$DIR/$old" "$BATS_TEST_TMPDIR/old.copy"
	[ -z "$(ls -A "$DIR" | grep partial)" ]
}

@test "cr-backup: a compressor failure is not hidden by the pipeline" {
	mkdir "$BATS_TEST_TMPDIR/shim"
	printf '#!/bin/sh\nhead -c 100 >/dev/null; exit 74\n' >"$BATS_TEST_TMPDIR/shim/cr-gz"
	chmod +x "$BATS_TEST_TMPDIR/shim/cr-gz"
	cp "$CR_BIN/cr-backup" "$BATS_TEST_TMPDIR/shim/"	# it runs the tools beside it first
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q --env-file "$ENVF" --dir "$DIR"
	assert_status 74
	assert_output_contains "cr-gz failed"
	[ -z "$(ls -A "$DIR" | grep -v '^\.cr-backup\.lock$')" ]
}

@test "cr-backup: a damaged archive that every stage called good is caught by cr-verify" {
	mkdir "$BATS_TEST_TMPDIR/shim"
	# A compressor that truncates its output and still exits 0.
	printf '#!/bin/sh\n"%s/cr-gz" | head -c 3000\nexit 0\n' "$CR_BIN" >"$BATS_TEST_TMPDIR/shim/cr-gz"
	chmod +x "$BATS_TEST_TMPDIR/shim/cr-gz"
	cp "$CR_BIN/cr-backup" "$BATS_TEST_TMPDIR/shim/"	# it runs the tools beside it first
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q --env-file "$ENVF" --dir "$DIR"
	assert_status 65
	assert_output_contains "does not verify"
	[ -z "$(backups)" ]
	[ -z "$(ls -A "$DIR" | grep partial)" ]
}

@test "cr-backup: a second run while one holds the lock exits 75" {
	# held by this shell, taken before cr-backup starts: no race to wait out
	exec {lock}>>"$DIR/.cr-backup.lock"
	flock -n "$lock"
	run cr-backup -q --env-file "$ENVF" --dir "$DIR"
	exec {lock}>&-
	assert_status 75
	assert_output_contains "another cr-backup is running"
	[ -z "$(backups)" ]
}

@test "cr-backup: named backups refuse to replace, --stamp keeps both, --force replaces" {
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_deployment_v1.2.0
	assert_status 0
	[ -f "$DIR/db_backup_pre_deployment_v1.2.0.sql.gz" ]
	first=$(stat -c %i "$DIR/db_backup_pre_deployment_v1.2.0.sql.gz")
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_deployment_v1.2.0
	assert_status 73
	assert_output_contains "exists"
	[ "$(stat -c %i "$DIR/db_backup_pre_deployment_v1.2.0.sql.gz")" = "$first" ]
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --name weekly_archive --stamp
	assert_status 0
	ls "$DIR" | grep -Eq '^db_backup_weekly_archive_[0-9]{8}_[0-9]{6}\.sql\.gz$'
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_deployment_v1.2.0 --force
	assert_status 0
	[ "$(stat -c %i "$DIR/db_backup_pre_deployment_v1.2.0.sql.gz")" != "$first" ]
	# The old script's positional label works too.
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" pre_migration_022
	assert_status 0
	[ -f "$DIR/db_backup_pre_migration_022.sql.gz" ]
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --name ../evil
	assert_status 64
	# A label that would pass for an automated backup's timestamp.
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --name 20251028_020000
	assert_status 64
	assert_output_contains "bad backup label"
}

@test "cr-backup rotates after the backup: the newest 7 automated backups stay" {
	for d in 20 19 18 17 16 15 14 13 12 11; do
		echo x >"$DIR/db_backup_$(date -u -d "$d days ago" +%Y%m%d)_020000.sql.gz"
	done
	echo keep >"$DIR/db_backup_pre_migration_021.sql.gz"
	echo keep >"$DIR/notes.txt"
	run cr-backup --env-file "$ENVF" --dir "$DIR"
	assert_status 0
	assert_output_contains "Removed: db_backup_$(date -u -d '20 days ago' +%Y%m%d)_020000.sql.gz"
	[ "$(ls "$DIR" | grep -Ec '^db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz$')" -eq 7 ]
	[ ! -e "$DIR/db_backup_$(date -u -d '17 days ago' +%Y%m%d)_020000.sql.gz" ]
	[ -e "$DIR/db_backup_$(date -u -d '16 days ago' +%Y%m%d)_020000.sql.gz" ]
	[ -e "$DIR/db_backup_pre_migration_021.sql.gz" ]
	[ -e "$DIR/notes.txt" ]
}

@test "cr-backup --notify receives the outcome on success and on failure" {
	n=$BATS_TEST_TMPDIR/notify.log
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" \
		--notify "env | grep '^CR_' | sort > $n"
	assert_status 0
	grep -qx 'CR_STATUS=success' "$n"
	grep -qx 'CR_EXIT=0' "$n"
	grep -qx 'CR_DATABASE=shop' "$n"
	f=$(backups)
	grep -qx "CR_FILE=$DIR/$f" "$n"
	grep -qx "CR_SIZE=$(stat -c %s "$DIR/$f")" "$n"
	grep -q '^CR_DURATION=[0-9]' "$n"

	printf 'DATABASE_URL=postgresql:///no_such_db?host=%s&port=%s\n' "$PGHOST" "$PGPORT" >"$BATS_TEST_TMPDIR/bad.env"
	run cr-backup -q --env-file "$BATS_TEST_TMPDIR/bad.env" --dir "$DIR" \
		--notify "env | grep '^CR_' | sort > $n"
	assert_status 66
	grep -qx 'CR_STATUS=failure' "$n"
	grep -qx 'CR_EXIT=66' "$n"
}

@test "cr-backup --copy-to streams the verified file to a command" {
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" \
		--copy-to "cat > $BATS_TEST_TMPDIR/offsite.sql.gz"
	assert_status 0
	cmp "$DIR/$(backups)" "$BATS_TEST_TMPDIR/offsite.sql.gz"
}

@test "cr-backup --encrypt-to encrypts the off-site copy with age" {
	command -v age >/dev/null || skip "age not installed"
	age-keygen -o "$BATS_TEST_TMPDIR/key" 2>/dev/null
	recipient=$(age-keygen -y "$BATS_TEST_TMPDIR/key")
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --encrypt-to "$recipient" \
		--copy-to "cat > $BATS_TEST_TMPDIR/\$CR_BACKUP_NAME"
	assert_status 0
	f=$(backups)
	[ -f "$BATS_TEST_TMPDIR/$f.age" ]
	run cmp -s "$DIR/$f" "$BATS_TEST_TMPDIR/$f.age"
	assert_status 1	# the copy is not the plain backup
	assert_equal "$(head -c 21 "$BATS_TEST_TMPDIR/$f.age")" "age-encryption.org/v1"
	age -d -i "$BATS_TEST_TMPDIR/key" "$BATS_TEST_TMPDIR/$f.age" | cmp - "$DIR/$f"
}

@test "cr-backup --test-restore restores into a scratch database and drops it" {
	run cr-backup --env-file "$ENVF" --dir "$DIR" --test-restore
	assert_status 0
	assert_output_contains "row counts match"
	assert_equal "$(q "SELECT count(*) FROM pg_database WHERE datname LIKE '%cr_%'")" 0
}

@test "cr-backup without --dir refuses a database name that is not a plain directory name" {
	evil="../../tmp/cr-evil-$$"
	mkdb "$evil"
	run cr-backup -q -d "$evil"
	q "DROP DATABASE \"$evil\"" >/dev/null
	assert_status 64
	assert_output_contains "not a safe directory name; give --dir"
	run test -e "/tmp/cr-evil-$$"
	assert_status 1
}

@test "cr-backup --force never moves the new backup into a directory of the backup's name" {
	mkdir "$DIR/db_backup_pre_deployment_v2.sql.gz"
	run cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_deployment_v2 --force
	assert_status 73
	assert_output_contains "is not a regular file; not replaced"
	assert_equal "$(ls -A "$DIR/db_backup_pre_deployment_v2.sql.gz")" ""
	assert_equal "$(ls -A "$DIR" | grep -c partial)" 0
}

# A fake gpg: writes part of its output, then fails like a missing key.
fake_gpg() {	# fake_gpg EXIT
	mkdir -p "$BATS_TEST_TMPDIR/shim"
	cat >"$BATS_TEST_TMPDIR/shim/gpg" <<-SH
	#!/bin/sh
	head -c 100
	echo "gpg: ops@example.com: skipped: No public key" >&2
	exit $1
	SH
	chmod +x "$BATS_TEST_TMPDIR/shim/gpg"
}

@test "cr-backup: a failing encryptor leaves nothing at the off-site destination" {
	fake_gpg 2
	dest=$BATS_TEST_TMPDIR/dest
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q --env-file "$ENVF" --dir "$DIR" \
		--encrypt-to ops@example.com --copy-to "cat > $dest.\$CR_BACKUP_NAME; echo called >> $dest.log"
	assert_status 74
	assert_output_contains "encryption failed (gpg exit 2); nothing was copied off-site"
	assert_equal "$(ls "$BATS_TEST_TMPDIR" | grep -c '^dest')" 0
	assert_equal "$(ls -A "$DIR" | grep -c partial)" 0
	assert_equal "$(backups | wc -l)" 1
}

@test "cr-backup: the copy command receives the whole encrypted file, and its failure is named" {
	fake_gpg 0
	dest=$BATS_TEST_TMPDIR/dest
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q --env-file "$ENVF" --dir "$DIR" \
		--encrypt-to ops@example.com --copy-to "cat > $dest; echo \$CR_BACKUP_NAME > $dest.name; exit 3"
	assert_status 74
	assert_output_contains "off-site copy failed (--copy-to exit 3)"
	f=$(backups)
	assert_equal "$(cat "$dest.name")" "$f.gpg"
	head -c 100 "$DIR/$f" | cmp - "$dest"
}

@test "cr-backup --test-restore without CREATEDB exits 77 and says the backup is fine and kept" {
	q "DROP ROLE IF EXISTS nocreate; CREATE ROLE nocreate LOGIN; GRANT pg_read_all_data TO nocreate" >/dev/null
	run cr-backup -q --env-file "$ENVF" -U nocreate --dir "$DIR" --test-restore
	assert_status 77
	assert_output_contains "the backup $(backups) itself verified and is kept; no off-site copy was asked for, rotation ran"
	run cr-verify -q "$DIR/$(backups)"
	assert_status 0
}

@test "cr-backup: a named backup where the dailies have stopped warns loudly but succeeds" {
	old=db_backup_$(date -u -d '10 days ago' +%Y%m%d)_020000.sql.gz
	echo x >"$DIR/$old"
	n=$BATS_TEST_TMPDIR/notify.log
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_deployment_v1.2.0 \
		--notify "env | grep '^CR_' | sort > $n"
	assert_status 0
	[[ $stderr == *"backups have stopped"* ]]
	[[ $stderr == *"warning: rotation skipped"* ]]
	[ -f "$DIR/db_backup_pre_deployment_v1.2.0.sql.gz" ]
	[ -f "$DIR/$old" ]
	grep -qx 'CR_STATUS=warning' "$n"
	grep -qx 'CR_EXIT=0' "$n"
	grep -q '^CR_MESSAGE=rotation skipped' "$n"
}

@test "cr-backup: an empty backup from a directory without .env is kept but fails with 3 and says why" {
	mkdir "$BATS_TEST_TMPDIR/app"
	cd "$BATS_TEST_TMPDIR/app"
	n=$BATS_TEST_TMPDIR/notify.log
	run --separate-stderr cr-backup --dir backups --notify "env | grep '^CR_' | sort > $n"
	assert_status 3
	[[ $stderr == *"env file (none), database postgres"* ]]
	[[ $stderr == *"the new backup is suspicious: no tables: an empty database, or the wrong one?; "* ]]
	[[ $stderr == *"is kept for inspection, not rotated or copied; if the database is meant to be empty, --allow-empty accepts it"* ]]
	[[ $stderr != *"--accept-shrink"* ]]
	run ls backups
	[[ $output =~ ^(db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz)$'\n'(db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz\.json)$ ]]
	assert_equal "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}.json"
	grep -q '"healthy":false' "backups/${BASH_REMATCH[2]}"
	grep -qx 'CR_STATUS=failure' "$n"
	grep -qx 'CR_EXIT=3' "$n"
	grep -q '^CR_MESSAGE=the new backup is suspicious: no tables' "$n"
}

@test "cr-backup --allow-empty accepts a backup with no tables" {
	run cr-backup -q -d postgres --dir "$DIR" --allow-empty
	assert_status 0
	assert_equal "$(backups | wc -l)" 1
}

@test "cr-backup reads ./.env when no connection setting is given, and CR_BACKUP_DIR from it" {
	mkdir "$BATS_TEST_TMPDIR/app"
	cd "$BATS_TEST_TMPDIR/app"
	{ cat "$ENVF"; echo "CR_BACKUP_DIR='$BATS_TEST_TMPDIR/app/bk' # from the app"; } >.env
	unset PGDATABASE
	run --separate-stderr cr-backup
	assert_status 0
	[[ $stderr == *"cr-backup: env file ./.env, database shop on $PGHOST:$PGPORT as cr"* ]]
	[[ $output == *"Backup Location: $BATS_TEST_TMPDIR/app/bk/"* ]]
	run ls bk
	[[ $output =~ ^db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz$'\n'db_backup_[0-9]{8}_[0-9]{6}\.sql\.gz\.json$ ]]
}

@test "cr-backup: -d overrides the database of ./.env, whose other settings stay; CR_ENV_FILE names another env file" {
	mkdir "$BATS_TEST_TMPDIR/app"
	cd "$BATS_TEST_TMPDIR/app"
	printf 'DB_HOST=%s\nDB_PORT=%s\nDB_USER=%s\nDB_NAME=no_such_db\n' "$PGHOST" "$PGPORT" "$PGUSER" >.env
	(
		unset PGHOST PGPORT PGUSER PGDATABASE
		run --separate-stderr cr-backup --dir "$DIR" --allow-empty -d postgres
		assert_status 0
		[[ $stderr == *"env file ./.env, database postgres"* ]]
	)
	CR_ENV_FILE=$ENVF run --separate-stderr cr-backup --dir "$DIR/2"
	assert_status 0
	[[ $stderr == *"env file $ENVF, database shop"* ]]
}

@test "the C tools read an env file only when told: --env-file or CR_ENV_FILE, never ./.env" {
	mkdir "$BATS_TEST_TMPDIR/app"
	cd "$BATS_TEST_TMPDIR/app"
	cp "$ENVF" .env
	run --separate-stderr cr-dump --check
	assert_status 0
	[[ $output == *"database=postgres"* ]]
	CR_ENV_FILE=$ENVF run --separate-stderr cr-dump --check
	assert_status 0
	[[ $output == *"database=shop"* ]]
}

@test "cr-backup writes a 0600 manifest beside the backup, and rotation removes it with its backup" {
	for d in 20 19 18 17 16 15 14 13 12 11; do
		b=db_backup_$(date -u -d "$d days ago" +%Y%m%d)_020000.sql.gz
		echo x >"$DIR/$b"
		echo '{}' >"$DIR/$b.json"
	done
	run --separate-stderr cr-backup --env-file "$ENVF" --dir "$DIR"
	assert_status 0
	f=$(cd "$DIR" && ls db_backup_*.sql.gz | sort | tail -n 1)
	assert_equal "$(stat -c %a "$DIR/$f.json")" 600
	grep -q "\"sha256\":\"$(sha256sum <"$DIR/$f" | cut -c1-64)\"" "$DIR/$f.json"
	grep -q '"healthy":true' "$DIR/$f.json"
	grep -q '"selection":"full"' "$DIR/$f.json"
	grep -q '{"name":"\\"Mixed Schema\\".\\"Events\\"","rows":5000,"bytes":[1-9]' "$DIR/$f.json"
	gone=db_backup_$(date -u -d '20 days ago' +%Y%m%d)_020000.sql.gz
	[[ $output == *"Removed: $gone"$'\n'"   Removed: $gone.json"* ]]
	[ ! -e "$DIR/$gone.json" ]
	[ -e "$DIR/db_backup_$(date -u -d '16 days ago' +%Y%m%d)_020000.sql.gz.json" ]
	# every manifest left has its backup
	for m in "$DIR"/*.json; do
		[ -f "${m%.json}" ]
	done
	assert_equal "$(ls -A "$DIR" | grep -c -e partial -e '\.tmp$')" 0
}

@test "cr-backup: a table shrunk by 60% fails with 3 and notifies; the shrunk backup never becomes the baseline until accepted" {
	mkdb shrink
	q "CREATE TABLE orders AS SELECT g AS id FROM generate_series(1, 1000) g; CREATE TABLE keep AS SELECT 1 AS x" shrink >/dev/null
	sed 's|/shop?|/shrink?|' "$ENVF" >"$BATS_TEST_TMPDIR/shrink.env"
	n=$BATS_TEST_TMPDIR/notify.log
	cr-backup -q --env-file "$BATS_TEST_TMPDIR/shrink.env" --dir "$DIR" --name nightly --stamp --now "$(at 0)"
	q "DELETE FROM orders WHERE id > 400" shrink >/dev/null
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/shrink.env" --dir "$DIR" --name nightly --stamp --now "$(at 1)" \
		--notify "env | grep '^CR_' | sort > $n"
	assert_status 3
	[[ $stderr == *"table public.orders shrank from 1000 to 400 rows (-60%)"* ]]
	[[ $stderr == *"; if the rows were deleted on purpose, --accept-shrink (or a larger --max-shrink) accepts it"* ]]
	[[ $stderr != *"--allow-empty"* ]]
	grep -q '^CR_MESSAGE=the new backup is suspicious: total rows shrank from 1001 to 401 (-59%); table public.orders shrank from 1000 to 400 rows (-60%); ' "$n"
	grep -qx 'CR_EXIT=3' "$n"
	second=$(cd "$DIR" && ls db_backup_nightly_*.sql.gz | sort | tail -n 1)
	grep -q '"healthy":false' "$DIR/$second.json"
	# the next run still compares with the last healthy one
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/shrink.env" --dir "$DIR" --name nightly --stamp --now "$(at 2)"
	assert_status 3
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/shrink.env" --dir "$DIR" --name nightly --stamp --accept-shrink --now "$(at 3)"
	assert_status 0
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/shrink.env" --dir "$DIR" --name nightly --stamp --now "$(at 4)"
	assert_status 0
	assert_equal "$(ls "$DIR" | grep -c '^db_backup_nightly_.*\.sql\.gz$')" 5
}

@test "cr-backup --status: a healthy directory exits 0, with the newest per kind, its manifest and the row trend" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR" --now "$(at 0)"
	cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_deployment_v1.2.0 --now "$(at 1)"
	run --separate-stderr cr-backup --status "$DIR"
	assert_status 0
	f=$(backups | grep -v pre_deployment)
	[[ $output == "$DIR: healthy"* ]]
	[[ $output == *"  daily           $f"* ]]
	[[ $output == *"verified, manifest ok"* ]]
	[[ $output == *"rows, oldest first: 5507"* ]]
	[[ $output == *"  pre_deployment  db_backup_pre_deployment_v1.2.0.sql.gz"* ]]
	assert_equal "$stderr" ""
	run --separate-stderr cr-backup --status --json "$DIR"
	assert_status 0
	[[ $output == '{"format_version":1,"dir":"'"$DIR"'","healthy":true,"exit":0,"max_age_s":93600,"problems":[],"kinds":[{"kind":"daily","count":1,"newest":"'"$f"'"'* ]]
	[[ $output == *'"verified":true,"error":null,"manifest":"ok","manifest_healthy":true,"rows":5507,"trend":[{"name":"'"$f"'","rows":5507,'* ]]
}

@test "cr-backup --status: the newest daily 3 days old exits 75" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR"
	f=$(backups)
	old=db_backup_$(date -u -d '3 days ago' +%Y%m%d_%H%M%S).sql.gz
	mv "$DIR/$f" "$DIR/$old"
	mv "$DIR/$f.json" "$DIR/$old.json"
	run --separate-stderr cr-backup --status "$DIR"
	assert_status 75
	[[ $output == "$DIR: UNHEALTHY"* ]]
	[[ $stderr == *"the newest daily backup is 3d00h"*"old (--max-age 26h)"* ]]
	run --separate-stderr cr-backup --status --max-age 4d "$DIR"
	assert_status 0
	run --separate-stderr cr-backup --status --json "$DIR"
	assert_status 75
	[[ $output == *'"healthy":false,"exit":75'* ]]
}

@test "cr-backup --status: a corrupted newest backup exits 65" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR"
	f=$(backups)
	size=$(stat -c %s "$DIR/$f")
	truncate -s $((size / 2)) "$DIR/$f"
	run --separate-stderr cr-backup --status "$DIR"
	assert_status 65
	[[ $output == *"DOES NOT VERIFY, manifest mismatch"* ]]
	[[ $stderr == *"the newest daily backup $f does not verify"* ]]
}

@test "cr-backup takes --opt=value and -dDB as the C tools do, and every retention option of cr-rotate" {
	run --separate-stderr cr-backup -q --env-file="$ENVF" --dir="$DIR" --keep-yearly=3 --keep-last 9 --name=pre_deployment_v3
	assert_status 0
	[ -f "$DIR/db_backup_pre_deployment_v3.sql.gz" ]
	run --separate-stderr cr-backup --dir "$DIR/2" -dshop --port="$PGPORT"
	assert_status 0
	[[ $stderr == *"database shop"* ]]
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --force=yes --name x1
	assert_status 64
	[[ $stderr == *"option --force takes no value"* ]]
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR/3" --keep-daily=x
	assert_status 64
	[[ $stderr == *"--keep-daily x: not a count from 0"* ]]
	run test -e "$DIR/3"
	assert_status 1
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR/3" --keep-hourly 3
	assert_status 64
	[[ $stderr == *"unknown option: --keep-hourly (cr-rotate's are: --keep-last --keep-daily"* ]]
}

@test "cr-backup --help and -? print usage on stdout and exit 0; --version; a usage error exits 64 on stderr" {
	run --separate-stderr cr-backup --help
	assert_status 0
	[[ $output == "usage: cr-backup"* ]]
	assert_equal "$stderr" ""
	run --separate-stderr cr-backup -?
	assert_status 0
	[[ $output == "usage: cr-backup"* ]]
	run --separate-stderr cr-backup --version
	assert_status 0
	assert_equal "$output" "cr-backup $(cr_version)"
	run --separate-stderr cr-backup --bogus
	assert_status 64
	assert_equal "$output" ""
	[[ $stderr == *"usage: cr-backup"* ]]
}

@test "cr-backup: a server that is not there exits 69 and writes nothing" {
	printf 'DATABASE_URL=postgresql:///shop?host=%s&port=1\n' "$PGHOST" >"$BATS_TEST_TMPDIR/down.env"
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/down.env" --dir "$DIR"
	assert_status 69
	assert_equal "$(ls -A "$DIR")" ""
}

@test "cr-backup --status: a manifest that does not match its backup exits 65" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR"
	f=$(backups)
	sed -i 's/"sha256":"[0-9a-f]*"/"sha256":"00"/' "$DIR/$f.json"
	run --separate-stderr cr-backup --status "$DIR"
	assert_status 65
	[[ $output == *"verified, manifest mismatch"* ]]
	[[ $stderr == *"does not match its manifest"* ]]
	echo '{"rows": [' >"$DIR/$f.json"
	run --separate-stderr cr-backup --status --json "$DIR"
	assert_status 65
	[[ $output == *'"manifest":"unreadable"'* ]]
}

@test "cr-backup reads only the tools' stable interfaces: reworded messages, same backup and same alarms" {
	reword_tools "$BATS_TEST_TMPDIR/reworded" cr-verify cr-restore
	PATH=$BATS_TEST_TMPDIR/reworded:$PATH run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --test-restore
	assert_status 0
	run cr-verify -q "$DIR/$(backups)"
	assert_status 0
	mkdb empty_app
	n=$BATS_TEST_TMPDIR/notify.log
	PATH=$BATS_TEST_TMPDIR/reworded:$PATH run --separate-stderr cr-backup -q -d empty_app --dir "$BATS_TEST_TMPDIR/empty" \
		--notify "env | grep '^CR_' | sort > $n"
	assert_status 3
	[[ $stderr == *"the new backup is suspicious: no tables: an empty database, or the wrong one?; "* ]]
	grep -q '^CR_MESSAGE=the new backup is suspicious: no tables' "$n"
}

@test "cr-backup reads CR_BACKUP_DIR from the env file as the C tools do (quotes of the other kind, '#' inside quotes)" {
	# as the npm dotenv package reads it: no backslash escapes but \n \r
	d="$BATS_TEST_TMPDIR/b 'q' #1"
	{ cat "$ENVF"; printf 'CR_BACKUP_DIR="%s"\n' "$d"; } >"$BATS_TEST_TMPDIR/app.env"
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/app.env"
	assert_status 0
	run ls "$d"
	[[ $output == *db_backup_*.sql.gz* ]]
}

@test "the built wrappers are one file each: the shared code is in them, not sourced at run time" {
	mkdir "$BATS_TEST_TMPDIR/alone"
	cp "$CR_BIN/cr-backup" "$CR_BIN/cr-restore-dev" "$BATS_TEST_TMPDIR/alone/"
	run --separate-stderr "$BATS_TEST_TMPDIR/alone/cr-backup" -q --env-file="$ENVF" --dir="$DIR"
	assert_status 0
	run --separate-stderr "$BATS_TEST_TMPDIR/alone/cr-restore-dev" --bogus=1 x
	assert_status 64
	assert_equal "$stderr" "$(printf 'cr-restore-dev: option --bogus takes no value\n%s' "$("$CR_BIN/cr-restore-dev" --help | sed '/^$/,$d')")"
}

@test "cr-backup --force never replaces a good backup with a suspicious one: kept beside it, the old file and manifest untouched, exit 3" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_dep
	f=$DIR/db_backup_pre_dep.sql.gz
	cp "$f" "$BATS_TEST_TMPDIR/old"
	cp "$f.json" "$BATS_TEST_TMPDIR/old.json"
	run --separate-stderr cr-backup -q -d postgres --dir "$DIR" --name pre_dep --force
	assert_status 3
	cmp "$f" "$BATS_TEST_TMPDIR/old"
	cmp "$f.json" "$BATS_TEST_TMPDIR/old.json"
	run ls "$DIR"
	[[ $output =~ ^db_backup_pre_dep\.sql\.gz$'\n'db_backup_pre_dep\.sql\.gz\.json$'\n'(db_backup_pre_dep\.sql\.gz\.suspect-[0-9]{8}_[0-9]{6})$'\n'db_backup_pre_dep\.sql\.gz\.suspect-[0-9]{8}_[0-9]{6}\.json$ ]]
	s=${BASH_REMATCH[1]}
	[[ $stderr == *"it did not replace $f, which is kept as it was with its manifest; the new one is kept for inspection as $DIR/$s"* ]]
	grep -q '"healthy":false' "$DIR/$s.json"
	cr-verify -q "$DIR/$s"
	# no tool takes the suspicious file for a backup
	run cr-rotate --resolve pre_dep "$DIR"
	assert_equal "$output" "$f"
	run --separate-stderr cr-rotate -v --delete --keep-last 0 "$DIR"
	assert_status 0
	[ -f "$DIR/$s" ]
	[[ $stderr == *"keep $s: a suspicious backup that cr-backup kept beside db_backup_pre_dep.sql.gz; never removed by rotation: inspect it, then remove it by hand"* ]]
	[[ $stderr == *"keep $s.json: the manifest of a suspicious backup that cr-backup kept beside db_backup_pre_dep.sql.gz; never removed"* ]]
}

@test "cr-backup: a suspicious backup ends the run before rotation, so no good backup goes" {
	for d in 9 8 7 6 5 4 3 2 1; do
		echo x >"$DIR/db_backup_$(date -u -d "$d days ago" +%Y%m%d)_020000.sql.gz"
	done
	run --separate-stderr cr-backup -q -d postgres --dir "$DIR"
	assert_status 3
	[[ $stderr == *"not rotated or copied"* ]]
	assert_equal "$(backups | wc -l)" 10
}

@test "cr-backup: a run killed just as a suspicious backup takes its name never leaves it without the manifest that says so" {
	# ln(1) that kills cr-backup (SIGKILL: no trap runs; the subshell it
	# may run ln in too) right after the new backup is linked to its name:
	# the moment between the backup's name and its manifest's.
	real_ln=$(command -v ln)
	mkdir "$BATS_TEST_TMPDIR/shim"
	cat >"$BATS_TEST_TMPDIR/shim/ln" <<-EOF
	#!/bin/sh
	"$real_ln" "\$@" || exit
	for a; do last=\$a; done
	case \$last in */db_backup_*.sql.gz) pkill -KILL -f -- "cr-backup -q -d postgres --dir $DIR\$" ;; esac
	EOF
	chmod +x "$BATS_TEST_TMPDIR/shim/ln"
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q -d postgres --dir "$DIR"
	assert_status 137
	f=$(backups)
	[ -n "$f" ]
	# an empty database: suspicious, and its manifest says so
	[ -f "$DIR/$f.json" ]
	grep -q '"healthy":false' "$DIR/$f.json"
	# so "latest" never means it
	run cr-rotate --resolve latest "$DIR"
	assert_status 66
}

@test "cr-backup: a backup that cannot take its name says why (not \"appeared meanwhile\"), exits 73 and leaves no backup or manifest under the name" {
	# ln(1) that fails as on a filesystem without hard links, for the
	# backup's name only
	real_ln=$(command -v ln)
	mkdir "$BATS_TEST_TMPDIR/shim"
	cat >"$BATS_TEST_TMPDIR/shim/ln" <<-EOF
	#!/bin/sh
	for a; do last=\$a; done
	case \$last in */db_backup_*.sql.gz)
		echo "ln: failed to create hard link '\$last': Operation not permitted" >&2; exit 1 ;;
	esac
	exec "$real_ln" "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/shim/ln"
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR"
	assert_status 73
	assert_stderr_contains "Operation not permitted"
	[[ $stderr != *"appeared meanwhile"* ]]
	assert_equal "$(backups)" ""
	run ls -A "$DIR"
	assert_equal "$output" ".cr-backup.lock"
}

@test "cr-backup --test-restore: a backup that does not restore exits 3, its manifest says so, and it never replaces one with --force" {
	mkdb trfail
	q "CREATE TABLE t (x int CHECK (current_database() = 'trfail')); INSERT INTO t VALUES (1)" trfail >/dev/null
	sed 's|/shop?|/trfail?|' "$ENVF" >"$BATS_TEST_TMPDIR/trfail.env"
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/trfail.env" --dir "$DIR" --test-restore
	assert_status 3
	[[ $stderr == *"the new backup is suspicious: test restore failed (cr-restore exit "* ]]
	[[ $stderr != *"--allow-empty"* ]]
	[[ $stderr != *"--accept-shrink"* ]]
	[[ $stderr =~ test\ restore\ failed\ \(cr-restore\ exit\ ([0-9]+)\) ]]
	code=${BASH_REMATCH[1]}
	[[ $stderr =~ repeat\ the\ test\ restore\ with:\ ([^$'\n']*) ]]
	again=${BASH_REMATCH[1]}
	# pasted, it repeats the same test restore: the same failure, not a usage error
	run --separate-stderr bash -c "$again"
	assert_status "$code"
	[[ $stderr == *trfail* ]]
	f=$(backups)
	grep -q '"healthy":false,"alarms":\["test restore failed (cr-restore exit [0-9]*)"\]' "$DIR/$f.json"
	run --separate-stderr cr-backup --status "$DIR"
	assert_status 3
	[[ $stderr == *"the newest daily backup $f is suspicious"* ]]
	# --force: the good named backup stays in place
	cr-backup -q --env-file "$BATS_TEST_TMPDIR/trfail.env" --dir "$DIR" --name pre
	cp "$DIR/db_backup_pre.sql.gz.json" "$BATS_TEST_TMPDIR/old.json"
	run --separate-stderr cr-backup -q --env-file "$BATS_TEST_TMPDIR/trfail.env" --dir "$DIR" --name pre --force --test-restore
	assert_status 3
	cmp "$DIR/db_backup_pre.sql.gz.json" "$BATS_TEST_TMPDIR/old.json"
	[[ $stderr == *"it did not replace $DIR/db_backup_pre.sql.gz"* ]]
}

@test "cr-backup weekly_archive, as the old script's cron line writes it, works every week: each run keeps its own stamped file" {
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --no-rotate weekly_archive --now "$(at 0)"
	assert_status 0
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --no-rotate weekly_archive --now "$(at 1)"
	assert_status 0
	run ls "$DIR"
	[[ $output =~ ^db_backup_weekly_archive_[0-9]{8}_[0-9]{6}\.sql\.gz$'\n'db_backup_weekly_archive_[0-9]{8}_[0-9]{6}\.sql\.gz\.json$'\n'db_backup_weekly_archive_[0-9]{8}_[0-9]{6}\.sql\.gz$'\n'db_backup_weekly_archive_[0-9]{8}_[0-9]{6}\.sql\.gz\.json$ ]]
	# the man page's form, --name ... --stamp, is the same
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --no-rotate --name weekly_archive --stamp --now "$(at 2)"
	assert_status 0
	assert_equal "$(ls "$DIR" | grep -c '^db_backup_weekly_archive_.*\.sql\.gz$')" 3
}

@test "cr-backup: the manifest's \"file\" is the backup's name, never the temporary .partial file" {
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_deployment_v1
	assert_status 0
	grep -q '^{"format_version":1,"file":"db_backup_pre_deployment_v1.sql.gz",' "$DIR/db_backup_pre_deployment_v1.sql.gz.json"
	refute_grep partial "$DIR/db_backup_pre_deployment_v1.sql.gz.json"
}

@test "cr-backup installed under a prefix runs from cron's PATH: the tools beside it come first; --help needs no cr-rotate" {
	p=$BATS_TEST_TMPDIR/prefix
	make -s -C "$CR_REPO" install PREFIX="$p" >/dev/null
	[ -x "$p/bin/cr-rotate" ]
	run --separate-stderr env PATH=/usr/bin:/bin "$p/bin/cr-backup" -q --env-file "$ENVF" --dir "$DIR"
	assert_status 0
	assert_equal "$(backups | wc -l)" 1
	# a wrapper alone, nothing beside it and nothing on PATH
	mkdir "$BATS_TEST_TMPDIR/alone"
	cp "$p/bin/cr-backup" "$BATS_TEST_TMPDIR/alone/"
	run --separate-stderr env PATH=/usr/bin:/bin "$BATS_TEST_TMPDIR/alone/cr-backup" --help
	assert_status 0
	[[ $output == usage:* ]]
	run --separate-stderr env PATH=/usr/bin:/bin "$BATS_TEST_TMPDIR/alone/cr-backup" --version
	assert_status 0
	run --separate-stderr env PATH=/usr/bin:/bin "$BATS_TEST_TMPDIR/alone/cr-backup" -q --env-file "$ENVF" --dir "$DIR"
	assert_status 69
	[[ $stderr == *"is cr-rotate installed (beside cr-backup, or on PATH)?"* ]]
}

@test "cr-backup: an unnamed backup whose rotation finds the weekly archives stopped exits 75; the backup is written, nothing removed" {
	old=db_backup_weekly_archive_$(date -u -d '100 days ago' +%Y%m%d_%H%M%S).sql.gz
	echo x >"$DIR/$old"
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR"
	assert_status 75
	[[ $stderr == *"backups have stopped: the newest weekly_archive backup"* ]]
	[[ $stderr == *"rotation failed (exit 75); the new backup db_backup_"*" is kept"* ]]
	[ -f "$DIR/$old" ]
	f=$(backups | grep -v weekly_archive)
	cr-verify -q "$DIR/$f"
}

@test "cr-backup --encrypt-to without the encryptor installed exits 69 before anything is written" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	for t in /usr/bin/* /usr/local/bin/*; do
		case ${t##*/} in gpg|gpg2) continue ;; esac
		ln -sf "$t" "$BATS_TEST_TMPDIR/bin/"
	done
	PATH=$CR_BIN:$BATS_TEST_TMPDIR/bin run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" \
		--copy-to 'cat >/dev/null' --encrypt-to ops@example.com
	assert_status 69
	[[ $stderr == *"--encrypt-to needs gpg, which is not installed"* ]]
	run ls -A "$DIR"
	assert_equal "$output" ""
}

@test "cr-backup --status exits 3 when the newest backup is suspicious" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR" --now "$(at 0)"
	run cr-backup -q -d postgres --dir "$DIR" --now "$(at 1)"
	assert_status 3
	run --separate-stderr cr-backup --status "$DIR"
	assert_status 3
	[[ $output == "$DIR: UNHEALTHY"* ]]
	[[ $stderr == *"is suspicious (see its manifest's alarms)"* ]]
}

@test "cr-backup: PGDATABASE alone counts as a setting given; ./.env is then not read" {
	mkdir "$BATS_TEST_TMPDIR/app"
	cd "$BATS_TEST_TMPDIR/app"
	echo 'DATABASE_URL=postgresql:///no_such_db' >.env
	PGDATABASE=postgres run --separate-stderr cr-backup --dir "$DIR" --allow-empty
	assert_status 0
	[[ $stderr == *"env file (none), database postgres"* ]]
}

@test "cr-backup --now: the backup is named by that time and rotation judges ages by it" {
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --now 2025-10-20T02:00:00Z
	assert_status 0
	assert_equal "$(backups)" db_backup_20251020_020000.sql.gz
	# a year later by the real clock, the newest daily would be stale (75)
	# and nothing removed: judged at --now, the older one goes
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --keep-last 1 --now 2025-10-21T02:00:00Z
	assert_status 0
	assert_equal "$(backups)" db_backup_20251021_020000.sql.gz
	[ ! -e "$DIR/db_backup_20251020_020000.sql.gz.json" ]
}

@test "cr-backup --now refuses a time it cannot read, before anything is written" {
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --now yesterday
	assert_status 64
	[[ $stderr == "cr-backup: --now yesterday: expected UTC time like 2025-10-30T12:00:00Z"* ]]
	run ls -A "$DIR"
	assert_equal "$output" ""
}

@test "cr-backup --force --now: the suspicious backup kept beside is named by cr-rotate --make-name --suspect, stamped with that time" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR" --name pre_dep
	run --separate-stderr cr-backup -q -d postgres --dir "$DIR" --name pre_dep --force --now 2025-10-28T02:00:00Z
	assert_status 3
	s=db_backup_pre_dep.sql.gz.suspect-20251028_020000
	assert_equal "$s" "$(cr-rotate --make-name --suspect db_backup_pre_dep.sql.gz --now 2025-10-28T02:00:00Z)"
	[ -f "$DIR/$s" ]
	[ -f "$DIR/$s.json" ]
	[[ $stderr == *"the new one is kept for inspection as $DIR/$s "* ]]
}

@test "cr-backup: a database name with a quote, a backslash and a newline reaches the wrapper intact (cr-dump --check's escaping undone)" {
	name=$'we"ird\\db\nline2'
	q "CREATE DATABASE \"we\"\"ird\\db
line2\"" >/dev/null
	q "CREATE TABLE t AS SELECT 1 AS id" "$name" >/dev/null
	run cr-backup -d "$name" --dir "$DIR"
	assert_status 0
	assert_output_contains "Database: $name"
	f=$(backups)
	cr-verify -q "$DIR/$f"
}

# gz_shim: a cr-gz that records its arguments, CPU niceness and I/O class.
gz_shim() {
	mkdir -p "$BATS_TEST_TMPDIR/shim"
	cp "$CR_BIN/cr-backup" "$BATS_TEST_TMPDIR/shim/"
	printf '#!/bin/sh\nprintf "args=%%s nice=%%s io=%%s\\n" "$*" "$(nice)" "$(ionice -p $$)" >>"%s/gz-args"\nexec "%s/cr-gz" "$@"\n' \
		"$BATS_TEST_TMPDIR" "$CR_BIN" >"$BATS_TEST_TMPDIR/shim/cr-gz"
	chmod +x "$BATS_TEST_TMPDIR/shim/cr-gz"
}

@test "cr-backup --gentle compresses at the fastest level, at the lowest CPU and I/O priority; without it, cr-gz's defaults" {
	gz_shim
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q --env-file "$ENVF" --dir "$DIR" --gentle
	assert_status 0
	assert_equal "$(cat "$BATS_TEST_TMPDIR/gz-args")" "args=-1 --no-progress nice=19 io=idle"	# -q: no progress line
	cr-verify -q "$DIR/$(backups)"
	rm -f "$BATS_TEST_TMPDIR/gz-args" "$DIR"/db_backup_*
	PATH=$BATS_TEST_TMPDIR/shim:$PATH run cr-backup -q --env-file "$ENVF" --dir "$DIR"
	assert_status 0
	[[ $(cat "$BATS_TEST_TMPDIR/gz-args") == "args=--no-progress nice=$(nice) io="* ]]	# the niceness the suite runs at
}

@test "cr-backup --status --kv: the --json object as key=value lines, values escaped onto one line; --kv without --status is a usage error" {
	cr-backup -q --env-file "$ENVF" --dir "$DIR"
	run --separate-stderr cr-backup --status --kv "$DIR"
	assert_status 0
	assert_equal "$(printf '%s\n' "$output" | grep -c '^format_version=1$')" 1
	assert_equal "$(printf '%s\n' "$output" | grep -c '^healthy=true$')" 1
	assert_equal "$(printf '%s\n' "$output" | grep -c '^kinds\.0\.kind=daily$')" 1
	run cr-backup --kv --dir "$DIR"
	assert_status 64
}

@test "cr-backup removes what a killed run left (its temp files and the manifest writer's), nothing else" {
	for f in .cr-backup.AbC123.partial .cr-backup.AbC123.partial.json .cr-backup.AbC123.partial.json.XyZ789.tmp \
		.other.XyZ789.tmp notes.partial .cr-backup.lock.keep; do
		echo x >"$DIR/$f"
	done
	run --separate-stderr cr-backup -q --env-file "$ENVF" --dir "$DIR" --no-rotate
	assert_status 0
	run ls -A "$DIR"
	[[ $output != *AbC123* ]]
	[[ $output == *.other.XyZ789.tmp* ]]
	[[ $output == *notes.partial* ]]
	[[ $output == *.cr-backup.lock.keep* ]]
}
