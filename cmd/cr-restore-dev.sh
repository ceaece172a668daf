#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# cr-restore-dev: production data into the developer's database, in the
# documented order: verify the backup, confirm, replace the dev database
# atomically (cr-restore --clean), enable extensions, catch up migrations.
# A backup that fails cr-verify never reaches the database.
set -uo pipefail
umask 077

prog=cr-restore-dev
version=@VERSION@

# The synopsis usage() prints (cmd/wrapper.bash).
synopsis="usage: $prog [--env-file FILE] [-d DB] [-h HOST] [-p PORT] [-U USER] [--migrations DIR]
       [--json-list SPEC] [--extension NAME]... [--dev-command CMD] [--migrate-command CMD]
       [--no-migrate] [--yes] [--role ROLE] [-j N] [-t TABLE]... [--dir DIR] FILE|-|latest|LABEL"

EX_DATAERR=65 EX_NOINPUT=66

env_file='' migrations='' json_list='' yes=0 migrate=1 source='' conn_given=0 dir='' dev_command=''
role='' migrate_command=''
conn_args=() ext_args=() extensions=() pass_args=()

# The code both wrappers share (the build puts its text here).
# shellcheck source=cmd/wrapper.bash
. "${BASH_SOURCE[0]%/*}/wrapper.bash"

split_args " --env-file --dbname --host --port --username --migrations --extension --json-list --dir --dev-command --role --jobs --table --migrate-command " "$@"
set -- "${args[@]}"

while [ $# -gt 0 ]; do
	case $1 in
	--env-file)	need_arg "$@"; env_file=$2; shift ;;
	-d|-h|-p|-U|--dbname|--host|--port|--username)
			need_arg "$@"; conn_args+=("$1" "$2"); conn_given=1; shift ;;
	--migrations)	need_arg "$@"; migrations=$2; shift ;;
	--dir)		need_arg "$@"; dir=$2; shift ;;
	--extension)	need_arg "$@"; extensions+=("$2"); shift ;;
	--dev-command)	need_arg "$@"; dev_command=$2; shift ;;
	--migrate-command) need_arg "$@"; migrate_command=$2; shift ;;
	--json-list)	need_arg "$@"; json_list=$2; shift ;;
	--role)		need_arg "$@"; role=$2; shift ;;
	-j|-t|--jobs|--table)
			need_arg "$@"; pass_args+=("$1" "$2"); shift ;;
	--no-migrate)	migrate=0 ;;
	-y|--yes)	yes=1 ;;
	--version)	echo "$prog $version"; exit 0 ;;
	--help|-\?)	usage 0 ;;
	-)		[ -z "$source" ] || usage; source=- ;;
	--)		shift; [ $# -le 1 ] || usage; [ $# -eq 0 ] || { [ -z "$source" ] || usage; source=$1; }; break ;;
	-*)		echo "$prog: unknown option: $1" >&2; usage ;;
	*)		[ -z "$source" ] || usage; source=$1 ;;
	esac
	shift
done
[ -n "$source" ] || usage

die() { echo "$prog: $2" >&2; exit "$1"; }


find_env_file
read_env_file CR_BACKUP_DIR CR_MIGRATIONS_DIR CR_MIGRATIONS_JSON_LIST CR_EXTENSIONS CR_DEV_COMMAND \
	CR_MIGRATE_COMMAND
# App settings: the option, else the environment, else the env file.
[ -n "$migrations" ] || migrations=${CR_MIGRATIONS_DIR:-}
[ -n "$migrations" ] || migrations=${envf[CR_MIGRATIONS_DIR]:-}
[ -n "$migrations" ] || migrations=./migrations
[ -n "$dir" ] || dir=${CR_BACKUP_DIR:-}
[ -n "$dir" ] || dir=${envf[CR_BACKUP_DIR]:-}
[ -n "$json_list" ] || json_list=${CR_MIGRATIONS_JSON_LIST:-}
[ -n "$json_list" ] || json_list=${envf[CR_MIGRATIONS_JSON_LIST]:-}
migrate_args=()
[ -z "$json_list" ] || migrate_args=(--json-list "$json_list")
# The app's policy, not this tool's: which extensions the dev database needs
# before the data (CR_EXTENSIONS, names separated by spaces or commas), and
# the command that starts the app on it (CR_DEV_COMMAND).  None by default.
if [ ${#extensions[@]} -eq 0 ]; then
	list=${CR_EXTENSIONS:-${envf[CR_EXTENSIONS]:-}}
	IFS=$', \t' read -r -a extensions <<<"$list"
fi
[ -n "$dev_command" ] || dev_command=${CR_DEV_COMMAND:-${envf[CR_DEV_COMMAND]:-}}
[ -n "$migrate_command" ] || migrate_command=${CR_MIGRATE_COMMAND:-${envf[CR_MIGRATE_COMMAND]:-}}
for e in "${extensions[@]}"; do ext_args+=(--extension "$e"); done

# pct_encode TEXT: TEXT percent-encoded for a URI (RFC 3986 unreserved kept).
pct_encode() {
	local LC_ALL=C s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*)	printf -v c '%%%02X' "'$c"; out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

# run_migrate_command CMD: the app's own migration command (--migrate-command,
# CR_MIGRATE_COMMAND) instead of cr-migrate, run by bash with the restored
# database in its environment: PGHOST PGPORT PGUSER PGDATABASE and
# DATABASE_URL as cr-dump --connection-facts reports the connection (PGUSER
# the role the restore ran as), and the password, when one is known
# (PGPASSWORD, or the env file's PGPASSWORD, DB_PASSWORD or DATABASE_URL),
# in PGPASSWORD and DATABASE_URL: the environment only, never an argument.
# Returns the command's exit status.
run_migrate_command() {
	local facts line host='' port='' user='' db='' pass=${PGPASSWORD:-} url auth
	facts=$(cr-dump --connection-facts "${conn_args[@]}") || return
	while IFS= read -r line; do
		case $line in
		database=*)	db=${line#*=} ;;
		user=*)		user=${line#*=} ;;
		host=*)		host=${line#*=} ;;
		port=*)		port=${line#*=} ;;
		esac
	done <<<"$facts"
	[ -z "$role" ] || user=$role
	if [ -z "$pass" ] && [ -n "$env_file" ]; then
		read_env_file PGPASSWORD DB_PASSWORD DATABASE_URL
		pass=${envf[PGPASSWORD]:-${envf[DB_PASSWORD]:-}}
		# postgres[ql]://user:password@...: percent-decoded
		if [ -z "$pass" ] && [[ ${envf[DATABASE_URL]:-} =~ ^postgres(ql)?://[^@/?#:]*:([^@/?#]*)@ ]]; then
			pass=${BASH_REMATCH[2]//\\/\\\\}
			printf -v pass '%b' "${pass//%/\\x}"
		fi
	fi
	auth=$(pct_encode "$user")${pass:+:$(pct_encode "$pass")}
	case $host in
	/*|'')	url="postgresql://$auth@/$(pct_encode "$db")?host=$(pct_encode "$host")&port=$port" ;;
	*:*)	url="postgresql://$auth@[$host]:$port/$(pct_encode "$db")" ;;
	*)	url="postgresql://$auth@$host:$port/$(pct_encode "$db")" ;;
	esac
	(
		export PGHOST=$host PGPORT=$port PGUSER=$user PGDATABASE=$db DATABASE_URL=$url
		if [ -n "$pass" ]; then export PGPASSWORD=$pass; else unset PGPASSWORD; fi
		exec bash -c "$1"
	)
}

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
	if [ ! -e "$source" ] && [ "${source#*/}" = "$source" ]; then
		# Not a file: a name for the newest matching backup in the
		# backup directory ("latest", "daily", "pre_deployment_v1.2.0"),
		# resolved where retention reads names: cr-rotate --resolve.
		resolved=$(cr-rotate --resolve "$source" "${dir:-.}") ||
			die $EX_NOINPUT "$source: no such backup file, and no backup of that name in ${dir:-.}"
		echo "$prog: \"$source\" is $resolved (the newest match)" >&2
		source=$resolved
	fi
	[ -e "$source" ] || die $EX_NOINPUT "$source: no such backup file"
	[ -f "$source" ] || die $EX_NOINPUT "$source: not a regular file"
	file=$source label=$(basename -- "$source")
	# A backup cr-backup kept as suspicious says so in its manifest;
	# "latest" and kinds pass over such backups, so this one was named.
	if [ -f "$source.json" ] && manifest=$(<"$source.json") &&
		[ "$(json_value "$manifest" healthy)" = false ]; then
		alarms=$(json_strings "$manifest" alarms) || alarms=''
		echo "$prog: warning: $label is a suspicious backup (its manifest says not healthy${alarms:+: $alarms}); restoring it because it was named" >&2
	fi
fi

# 2. Where to: the dev database, as the app's .env names it, from cr-dump's
#    key=value connection facts.  Exit 66 is a database that does not
#    exist yet: fine, --clean creates it.
database=
facts=$(cr-dump --connection-facts "${conn_args[@]}" 2>/dev/null)
case $? in
0)	while IFS= read -r line; do
		case $line in database=*) database=${line#database=}; break ;; esac
	done <<<"$facts"
	shown=$database ;;
66)	shown="(new: does not exist yet, the restore creates it)" ;;
*)	shown="(from connection settings)" ;;
esac
echo "$prog: env file ${env_file:-(none)}, database ${database:-(unknown)}" >&2

# The objects belong to the app, not to whoever runs the restore: when the
# connection's role differs from the one the env file alone connects as
# (a developer restoring with -U postgres, say), the restore runs as the
# env file's role (cr-restore --role).  Both come from connection facts.
if [ -z "$role" ] && [ -n "$env_file" ] && [ -n "$database" ]; then
	conn_user='' app_user=''
	while IFS= read -r line; do
		case $line in user=*) conn_user=${line#user=}; break ;; esac
	done <<<"$facts"
	app_facts=$(cr-dump --connection-facts --env-file "$env_file" -d "$database" 2>/dev/null) &&
	while IFS= read -r line; do
		case $line in user=*) app_user=${line#user=}; break ;; esac
	done <<<"$app_facts"
	if [ -n "$app_user" ] && [ -n "$conn_user" ] && [ "$app_user" != "$conn_user" ]; then
		role=$app_user
		echo "$prog: connected as $conn_user; restoring as the env file's role $role (--role)" >&2
	fi
fi

echo "Restore Production Database to Dev"
echo "======================================================================"
echo "Backup File: $label"
echo "Local Database: $shown"
echo "======================================================================"
echo ""

# 3. Verify: sizes, tables and rows come from the proof (cr-verify --json,
#    its stable interface), not from guesses.
echo "Verifying backup..."
report=$(cr-verify --json "$file" 2>/dev/null)
rc=$?
[ "$rc" -eq 0 ] || {
	why=$(json_value "$report" error) || why="cr-verify exit $rc"
	die $EX_DATAERR "$label: $why; backup failed verification, the dev database was not touched"
}
iec() { numfmt --to=iec-i --suffix=B "$1"; }
compressed=$(iec "$(json_value "$report" stored_bytes)")
uncompressed=$(iec "$(json_value "$report" bytes)")
tables=$(json_value "$report" tables_with_data)
rows=$(json_value "$report" rows)
selection=$(json_value "$report" selection)
echo "   Backup verified ($compressed -> $uncompressed uncompressed, $tables tables, $rows rows)"
echo "   Selection: ${selection:-unknown}"
echo ""
if [ "$selection" != full ]; then
	# A schema-only or table-selecting dump replaces the whole dev
	# database with part of production: say so before anything is done.
	echo "$prog: warning: $label is a partial dump (selection: ${selection:-unknown});" \
		"the dev database will hold only that" >&2
fi

# 4-5. Confirmation (cr-restore asks on the terminal unless --yes), then
#      the atomic replace with extensions enabled before the data.
echo "Restoring backup (atomic replace: the old database stays until the new one is complete)..."
restore_args=(--clean "${ext_args[@]}" "${conn_args[@]}" "${pass_args[@]}")
[ -z "$role" ] || restore_args+=(--role "$role")
[ "$yes" -eq 1 ] && restore_args+=(--yes)
cr-restore -v "${restore_args[@]}" <"$file" || {
	rc=$?
	die "$rc" "restore failed (exit $rc); cr-restore's message above says where the data is"
}
echo "   Backup restored; extensions enabled: ${extensions[*]:-(none asked for)}"
echo ""

# 6. Migrations: bring the schema up to the code.
applied=0
if [ "$migrate" -eq 1 ]; then
	if [ -n "$migrate_command" ]; then
		echo "Running the app's migration command: $migrate_command"
		run_migrate_command "$migrate_command" || {
			rc=$?
			die 1 "the migration command failed (exit $rc): $migrate_command; the restored data is in place"
		}
		applied="(by the app's command)"
		echo "   Migration command done"
	elif [ -d "$migrations" ]; then
		echo "Re-running migrations (to catch up with code)..."
		# Progress on stderr, the outcome as JSON on stdout.
		out=$(cr-migrate --json "${conn_args[@]}" "${migrate_args[@]}" --dir "$migrations" up) || {
			rc=$?
			die "$rc" "migrations failed (exit $rc; cr-migrate's message above says why); the restored data is in place; once that is put right, run: cr-migrate --dir $migrations up"
		}
		applied=$(json_value "$out" ran_count) || applied=0
		echo "   Applied $applied new migration(s)"
	else
		echo "No migrations directory ($migrations): skipped"
	fi
	echo ""
fi

echo "======================================================================"
echo "Restore Complete!"
echo "======================================================================"
echo "Local database now matches production data + latest code migrations"
echo "   $compressed -> $uncompressed, $tables tables, $rows rows, ${applied:-0} migration(s) applied"
echo ""
echo "Next steps:"
n=1
if [ -n "$dev_command" ]; then
	echo "$n. Verify data: $dev_command"
	n=$((n + 1))
fi
echo "$n. Test functionality"
[ -n "$migrate_command" ] ||
	echo "$((n + 1)). Check migration results: cr-migrate --dir $migrations status"
exit 0
