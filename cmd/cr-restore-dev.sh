#!/usr/bin/env bash
# cr-restore-dev: production data into the developer's database, in the
# documented order: verify the backup, confirm, replace the dev database
# atomically (cr-restore --clean), enable extensions, catch up migrations.
# A backup that fails cr-verify never reaches the database.
set -uo pipefail
umask 077

prog=cr-restore-dev
version=@VERSION@

usage() {
	echo "usage: $prog [--env-file FILE] [-d DB] [--migrations DIR] [--json-list SPEC] [--extension NAME]... [--no-migrate] [--yes] FILE|-" >&2
	exit 64
}

EX_USAGE=64 EX_DATAERR=65 EX_NOINPUT=66

env_file= migrations=${CR_MIGRATIONS_DIR:-} yes=0 migrate=1 source=
conn_args=() ext_args=() extensions=() migrate_args=()

need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "$prog: option $1 needs a value" >&2; usage; }; }

while [ $# -gt 0 ]; do
	case $1 in
	--env-file)	need_arg "$@"; env_file=$2; shift ;;
	-d|-h|-p|-U)	need_arg "$@"; conn_args+=("$1" "$2"); shift ;;
	--migrations)	need_arg "$@"; migrations=$2; shift ;;
	--extension)	need_arg "$@"; extensions+=("$2"); shift ;;
	--json-list)	need_arg "$@"; migrate_args+=(--json-list "$2"); shift ;;
	--no-migrate)	migrate=0 ;;
	-y|--yes)	yes=1 ;;
	--version)	echo "$prog $version"; exit 0 ;;
	--help)		usage ;;
	-)		[ -z "$source" ] || usage; source=- ;;
	-*)		echo "$prog: unknown option: $1" >&2; usage ;;
	*)		[ -z "$source" ] || usage; source=$1 ;;
	esac
	shift
done
[ -n "$source" ] || usage
if [ -z "$env_file" ] && [ -f .env ]; then
	env_file=.env
fi
[ -n "$env_file" ] && conn_args=(--env-file "$env_file" "${conn_args[@]}")
[ ${#extensions[@]} -gt 0 ] || extensions=(pgcrypto)
for e in "${extensions[@]}"; do ext_args+=(--extension "$e"); done
[ -n "$migrations" ] || migrations=./migrations

die() { echo "$prog: $2" >&2; exit "$1"; }

tmp=
trap '[ -n "$tmp" ] && rm -f -- "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# 1. The backup exists; a pipe is saved first so it can be verified before
#    anything reaches the database.
if [ "$source" = - ]; then
	tmp=$(mktemp "${TMPDIR:-/tmp}/cr-restore-dev.XXXXXX") || die 73 "cannot create a temp file"
	cat >"$tmp" || die 74 "reading the backup from stdin failed"
	file=$tmp label="(stdin)"
else
	[ -e "$source" ] || die $EX_NOINPUT "$source: no such backup file"
	[ -f "$source" ] || die $EX_NOINPUT "$source: not a regular file"
	file=$source label=$(basename -- "$source")
fi

# 2. Where to: the dev database, as the app's .env names it.
# A dev database that does not exist yet is fine: --clean creates it.
check=$(cr-dump --check "${conn_args[@]}" 2>&1) || true
database=$(printf '%s\n' "$check" | sed -n -e 's/^database=//p' \
	-e 's/.*FATAL: *database "\(.*\)" does not exist.*/\1 (new)/p' | head -n 1)

echo "Restore Production Database to Dev"
echo "======================================================================"
echo "Backup File: $label"
echo "Local Database: ${database:-(from connection settings)}"
echo "======================================================================"
echo ""

# 3. Verify: sizes, tables and rows come from the proof, not from guesses.
echo "Verifying backup..."
report=$(cr-verify "$file") || die $EX_DATAERR "backup failed verification; the dev database was not touched"
field() { printf '%s\n' "$report" | sed -n "s/^ *$1: *//p" | head -n 1; }
echo "   Backup verified ($(field compressed) -> $(field uncompressed) uncompressed, $(field tables) tables, $(field rows) rows)"
echo ""

# 4-5. Confirmation (cr-restore asks on the terminal unless --yes), then
#      the atomic replace with extensions enabled before the data.
echo "Restoring backup (atomic replace: the old database stays until the new one is complete)..."
restore_args=(--clean "${ext_args[@]}" "${conn_args[@]}")
[ "$yes" -eq 1 ] && restore_args+=(--yes)
cr-restore -v "${restore_args[@]}" <"$file" || {
	rc=$?
	die "$rc" "restore failed (exit $rc); the dev database is as it was"
}
echo "   Backup restored; extensions enabled: ${extensions[*]}"
echo ""

# 6. Migrations: bring the schema up to the code.
applied=0
if [ "$migrate" -eq 1 ]; then
	if [ -d "$migrations" ]; then
		echo "Re-running migrations (to catch up with code)..."
		out=$(cr-migrate "${conn_args[@]}" "${migrate_args[@]}" --dir "$migrations" up) || {
			rc=$?
			printf '%s\n' "$out" | sed 's/^/   /'
			die "$rc" "migrations failed (exit $rc); the restored data is in place, fix the migration and run: cr-migrate --dir $migrations up"
		}
		printf '%s\n' "$out" | sed 's/^/   /'
		applied=$(printf '%s\n' "$out" | sed -n 's/^Applied \([0-9]*\) new migration.*/\1/p')
	else
		echo "No migrations directory ($migrations): skipped"
	fi
	echo ""
fi

echo "======================================================================"
echo "Restore Complete!"
echo "======================================================================"
echo "Local database now matches production data + latest code migrations"
echo "   $(field compressed) -> $(field uncompressed), $(field tables) tables, $(field rows) rows, ${applied:-0} migration(s) applied"
echo ""
echo "Next steps:"
echo "1. Verify data: pnpm dev"
echo "2. Test functionality"
echo "3. Check migration results: cr-migrate --dir $migrations status"
exit 0
