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
       [--no-migrate] [--yes] [--role ROLE] [-j N] [-t TABLE]... [--accept-rows TABLE]...
       [--dir DIR] [--create] [--strict] [--salvage] [--progress | --no-progress]
       FILE|-|latest|LABEL"

# --help's option lines (cmd/wrapper.bash), one for each option below.
help_options() {
	cat <<-'EOF'
	    --env-file=FILE|the app's dotenv file (default ./.env)
	-d, --dbname=DB|the dev database (default: the env file's)
	-h, --host=HOST|server host or unix socket directory
	-p, --port=PORT|server port
	-U, --username=USER|role to connect as
	    --migrations=DIR|the migrations directory (CR_MIGRATIONS_DIR)
	    --json-list=SPEC|the app's JSON list of migrations (cr-migrate)
	    --extension=NAME|CREATE EXTENSION before the restore; repeatable
	    --dev-command=CMD|the app's start command, printed at the end
	    --migrate-command=CMD|run CMD instead of cr-migrate up
	    --no-migrate|do not catch up migrations
	-y, --yes|do not ask before replacing the dev database
	    --role=ROLE|restore as ROLE (cr-restore --role)
	-j, --jobs=N|restore on N connections (cr-restore -j)
	-t, --table=TABLE|restore only TABLE; repeatable
	    --accept-rows=TABLE|TABLE's rows may differ (cr-restore); repeatable
	    --dir=DIR|the backup directory a name is looked up in
	    --create|create the dev database when it does not exist
	    --strict|no fallback to an older backup when the newest fails
	    --salvage|restore what a damaged backup holds (cr-restore --salvage)
	    --progress|progress lines even when stderr is not a terminal
	    --no-progress|no progress lines, even on a terminal
	-?, --help|print this help and exit
	    --version|print the version and exit
	EOF
}

EX_DATAERR=65 EX_NOINPUT=66

env_file='' migrations='' json_list='' yes=0 migrate=1 source='' dir='' dev_command=''
role='' migrate_command=''
conn_args=() ext_args=() extensions=() pass_args=()
create=0 strict=0 salvage=0 progress=auto

# The code both wrappers share (the build puts its text here).
# shellcheck source=cmd/wrapper.bash
. "${BASH_SOURCE[0]%/*}/wrapper.bash"

split_args " --env-file --dbname --host --port --username --migrations --extension --json-list --dir --dev-command --role --jobs --table --accept-rows --migrate-command " "$@"
set -- "${args[@]}"

while [ $# -gt 0 ]; do
	case $1 in
	--env-file)	need_arg "$@"; env_file=$2; shift ;;
	-d|-h|-p|-U|--dbname|--host|--port|--username)
			need_arg "$@"; conn_args+=("$1" "$2"); shift ;;
	--migrations)	need_arg "$@"; migrations=$2; shift ;;
	--dir)		need_arg "$@"; dir=$2; shift ;;
	--extension)	need_arg "$@"; extensions+=("$2"); shift ;;
	--dev-command)	need_arg "$@"; dev_command=$2; shift ;;
	--migrate-command) need_arg "$@"; migrate_command=$2; shift ;;
	--json-list)	need_arg "$@"; json_list=$2; shift ;;
	--role)		need_arg "$@"; role=$2; shift ;;
	-j|-t|--jobs|--table|--accept-rows)
			need_arg "$@"; pass_args+=("$1" "$2"); shift ;;
	--no-migrate)	migrate=0 ;;
	-y|--yes)	yes=1 ;;
	--create)	create=1 ;;
	--strict)	strict=1 ;;
	--salvage)	salvage=1 ;;
	--progress)	progress=on ;;
	--no-progress)	progress=off ;;
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
# The dev database is named, never guessed (libpq's fallback is a database
# named after the login): an env file, -d, or PGDATABASE, PGSERVICE or
# DATABASE_URL in the environment.
named=0
[ -z "$env_file" ] || named=1
[ -z "${PGDATABASE:-}${PGSERVICE:-}${DATABASE_URL:-}" ] || named=1
for a in "${conn_args[@]}"; do case $a in -d|--dbname) named=1 ;; esac; done
[ "$named" -eq 1 ] ||
	die 64 "which database? give -d DB or --env-file FILE (or run where the app's .env is); the dev database is never guessed"
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
	local facts host port user db pass=${PGPASSWORD:-} url auth
	local -A f=()
	facts=$(cr-dump --connection-facts "${conn_args[@]}") || return
	read_kv f <<<"$facts"
	db=${f[database]:-} user=${f[user]:-} host=${f[host]:-} port=${f[port]:-}
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

# Progress lines (saving stdin, verifying, restoring) on a terminal, as
# the C tools draw them (lib/base/progress); --progress and --no-progress
# force either.
show_progress=0
case $progress in
on)	show_progress=1 ;;
auto)	[ ! -t 2 ] || show_progress=1 ;;
esac
progress_args=()
[ "$progress" = auto ] || progress_args=("--$([ "$progress" = on ] || printf no-)progress")

# save_stdin FILE: standard input into FILE.  With progress, a line on
# stderr redrawn every half second in lib/base/progress's form (done, rate;
# a pipe has no total), drawn once more at the end and erased.  Needs no pv.
save_stdin() {
	[ "$show_progress" -eq 1 ] || { cat >"$1"; return; }
	local pid rc t0 n=0
	t0=$(date +%s%N)
	# <&0: a job started with & would otherwise read /dev/null
	cat <&0 >"$1" &
	pid=$!
	# looked at every 0.1 s, drawn every 0.5 s: the last line's rate
	# is measured within 0.1 s of the end
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
		[ $((n % 5)) -ne 0 ] || stdin_line "$1" "$t0"
	done
	wait "$pid"
	rc=$?
	stdin_line "$1" "$t0"
	printf '\r\033[K' >&2
	return "$rc"
}
stdin_line() {	# stdin_line FILE START_NS: the line, redrawn in place
	local saved ns
	saved=$(stat -c %s -- "$1" 2>/dev/null) || saved=0
	ns=$(( $(date +%s%N) - $2 ))
	[ "$ns" -gt 0 ] || ns=1
	printf '\r%s: stdin: %s, %s/s\033[K' "$prog" "$(iec "$saved")" \
		"$(iec "$(( saved * 1000000000 / ns ))")" >&2
}

tmp='' fallbacks=()
trap '[ -n "$tmp" ] && rm -f -- "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# 1. The backup exists; a pipe is saved first so it can be verified before
#    anything reaches the database.
if [ "$source" = - ]; then
	tmp=$(mktemp "${TMPDIR:-/tmp}/cr-restore-dev.XXXXXX") || die 73 "cannot create a temp file"
	save_stdin "$tmp" || die 74 "reading the backup from stdin failed"
	file=$tmp label="(stdin)"
else
	if [ ! -e "$source" ] && [ "${source#*/}" = "$source" ]; then
		# Not a file: a name for the newest matching backup in the
		# backup directory ("latest", "daily", "pre_deployment_v1.2.0"),
		# resolved where retention reads names: cr-rotate --resolve.
		# Every match, newest first: when the newest does not verify,
		# the next one that does is restored (step 3), unless --strict.
		resolved=$(cr-rotate --tool "$prog" --resolve "$source" --all "${dir:-.}") ||
			die $EX_NOINPUT "$source: no such backup file, and no backup of that name in ${dir:-.}"
		mapfile -t fallbacks <<<"$resolved"
		resolved=${fallbacks[0]}
		fallbacks=("${fallbacks[@]:1}")
		[ "$strict" -eq 0 ] || fallbacks=()
		echo "$prog: \"$source\" is $resolved (the newest match)" >&2
		source=$resolved
	fi
	[ -e "$source" ] || die $EX_NOINPUT "$source: no such backup file"
	[ -f "$source" ] || die $EX_NOINPUT "$source: not a regular file"
	file=$source label=$(basename -- "$source")
	# A backup cr-backup kept as suspicious says so in its manifest;
	# "latest" and kinds pass over such backups, so this one was named.
	declare -A manifest=()
	mfile=$(manifest_of "$source")
	if [ -f "$mfile" ] && [ ! -L "$mfile" ] && read_json manifest <"$mfile" &&
		[ "${manifest[healthy]:-}" = false ]; then
		alarms=$(kv_join manifest alarms)
		echo "$prog: warning: $label is a suspicious backup (its manifest says not healthy${alarms:+: $alarms}); restoring it because it was named" >&2
	fi
fi

# 2. Where to: the dev database, as the app's .env names it (-d -h -p -U
#    override single settings), from cr-dump's key=value connection facts:
#    its name, server, the login and whether it is a superuser, the owner.
#    Exit 66 there is a database that does not exist: its facts come from
#    the server's maintenance database, and it is created only when asked.
#    The values are escaped onto one line; read_kv (wrapper.bash) undoes it.
declare -A fact=()
#    The connection is tried first (cheap): a wrong setting stops the run
#    now, with the connecting tool's message, not after a long verify.
facts_err=$(mktemp "${TMPDIR:-/tmp}/cr-restore-dev.XXXXXX") || die 73 "cannot create a temp file"
facts=$(cr-dump --connection-facts "${conn_args[@]}" 2>"$facts_err")
facts_rc=$?
why=$(<"$facts_err")
rm -f -- "$facts_err"
read_kv fact <<<"$facts"
database=${fact[database]:-} conn_user=${fact[user]:-}
where=${fact[host]:-}${fact[port]:+:${fact[port]}}
case $facts_rc in
0)	new=0 ;;
66)	new=1
	[ -n "$database" ] ||
		die $EX_NOINPUT "the dev database does not exist, and its name cannot be learned from the connection settings (env file ${env_file:-(none)})" ;;
*)	# Its message and hint, as this tool's: the settings are ours.
	[ -z "$why" ] || printf '%s\n' "$why" | sed "s/^cr-dump: /$prog: /" >&2
	die "$facts_rc" "cannot connect to the dev database (env file ${env_file:-(none)}); nothing was read or changed" ;;
esac

# The objects belong to the app, not to whoever runs the restore: when the
# connection's role differs from the one the env file alone connects as
# (a developer restoring with -U postgres, say), the restore runs as the
# env file's role (cr-restore --role); when a superuser connects without an
# env file role, as the owner of the existing dev database.  The migrations
# run as the same role.
if [ -z "$role" ] && [ -n "$env_file" ] && [ -n "$database" ]; then
	declare -A app_fact=()
	# the same settings without -U: where the env file's role connects
	app_args=()
	set -- "${conn_args[@]}"
	while [ $# -gt 0 ]; do
		case $1 in
		-U|--username|-d|--dbname) ;;
		*)	app_args+=("$1" "$2") ;;
		esac
		shift 2
	done
	app_facts=$(cr-dump --connection-facts "${app_args[@]}" -d "$database" 2>/dev/null)
	read_kv app_fact <<<"$app_facts"
	app_user=${app_fact[user]:-}
	if [ -n "$app_user" ] && [ -n "$conn_user" ] && [ "$app_user" != "$conn_user" ]; then
		role=$app_user
		echo "$prog: connected as $conn_user; restoring as the env file's role $role (--role)" >&2
	fi
fi
if [ -z "$role" ] && [ "${fact[superuser]:-}" = on ] && [ -n "${fact[owner]:-}" ] &&
	[ "${fact[owner]}" != "$conn_user" ]; then
	role=${fact[owner]}
	echo "$prog: connected as the superuser $conn_user; restoring as the database's owner $role (--role)" >&2
fi
as=${role:-$conn_user}

echo "$prog: env file ${env_file:-(none)}, database $database${where:+ on $where}${as:+ as $as}" >&2

# A database that does not exist is created only when asked: a mistyped
# name (DB_NAME=app_dve) must not become a new database in silence.
if [ "$new" -eq 1 ] && [ "$create" -eq 0 ]; then
	if [ "$yes" -eq 0 ] && [ -t 0 ] && [ -t 2 ]; then
		printf '%s: database "%s" does not exist on %s; type its name to create it: ' \
			"$prog" "$database" "${where:-the server}" >&2
		IFS= read -r answer || answer=''
		[ "$answer" = "$database" ] ||
			die $EX_NOINPUT "database \"$database\" does not exist; nothing created (the name typed did not match)"
		yes=1	# the name typed is the confirmation cr-restore would ask for
	else
		die $EX_NOINPUT "database \"$database\" does not exist on ${where:-the server}; is the name right (env file ${env_file:-(none)})? To create it, run again with --create"
	fi
fi

echo "Restore Production Database to Dev"
echo "======================================================================"
echo "Backup File: $label"
if [ "$new" -eq 1 ]; then
	echo "Local Database: $database (new: does not exist yet, the restore creates it)"
else
	echo "Local Database: $database"
fi
echo "Server: $where"
echo "Role: $as"
echo "======================================================================"
echo ""

# 3. Verify: sizes, tables and rows come from the proof (cr-verify --json,
#    its stable interface), not from guesses.  A name such as "latest" that
#    matched a backup that does not verify falls back to the next newest
#    that does, loudly; with --strict, or a file named explicitly, the
#    restore stops instead.
echo "Verifying backup..."
declare -A rep=()
while :; do
	# its progress line on a terminal (and, on failure, its message
	# before ours); otherwise its stderr is not shown: the JSON says why
	if [ "$show_progress" -eq 1 ]; then
		report=$(cr-verify --json --progress "$file")
	else
		report=$(cr-verify --json "$file" 2>/dev/null)
	fi
	rc=$?
	[ "$rc" -ne 0 ] || break
	read_json rep <<<"$report"
	why=${rep[error]:-cr-verify exit $rc}
	if [ "$salvage" -eq 1 ]; then
		# what the damage takes, as cr-verify names it, then salvage
		echo "   DAMAGED $label: $why"
		cr-verify "$file" 2>&1 >/dev/null | sed -n 's/^cr-verify: [^ ]*: damage: /   damage: /p'
		echo "   --salvage: restoring what it holds"
		break
	fi
	if [ ${#fallbacks[@]} -eq 0 ]; then
		if [ "$strict" -eq 1 ]; then
			die $EX_DATAERR "$label: $why; backup failed verification (--strict: no older backup tried), the dev database was not touched"
		fi
		die $EX_DATAERR "$label: $why; backup failed verification, the dev database was not touched"
	fi
	echo "$prog: WARNING: skipped $label, the newest match: $why (it failed verification); trying the next newest, ${fallbacks[0]##*/} (--strict stops here instead)" >&2
	echo "   SKIPPED $label: $why"
	file=${fallbacks[0]} label=${fallbacks[0]##*/}
	fallbacks=("${fallbacks[@]:1}")
	echo "   Backup File now: $label"
done
read_json rep <<<"$report"
compressed=$(iec "${rep[stored_bytes]:-0}")
uncompressed=$(iec "${rep[bytes]:-0}")
tables=${rep[tables_with_data]:-} rows=${rep[rows]:-} selection=${rep[selection]:-}
[ "$rc" -ne 0 ] ||
	echo "   Backup verified ($compressed -> $uncompressed uncompressed, $tables tables, $rows rows)"
echo "   Selection: ${selection:-unknown}"
echo ""
if [ "$selection" != full ] && [[ $selection != unknown* ]]; then
	# A schema-only or table-selecting dump replaces the whole dev
	# database with part of production: say so before anything is done.
	# A pg_dump made without cr-dump records no selection: nothing is
	# known to be missing (the Selection line above says so).
	echo "$prog: warning: $label is a partial dump (selection: ${selection:-unknown});" \
		"the dev database will hold only that" >&2
fi

# 4-5. Confirmation (cr-restore asks on the terminal unless --yes), then
#      the atomic replace with extensions enabled before the data.
echo "Restoring backup (atomic replace: the old database stays until the new one is complete)..."
restore_args=(--clean "${ext_args[@]}" "${conn_args[@]}" "${pass_args[@]}" "${progress_args[@]}")
# Parallel unless told otherwise: -j min(online cores, 4) (wrapper.bash).
# (a salvage restores on one connection: cr-restore --salvage)
case " ${pass_args[*]} " in *" -j "*|*" --jobs "*) ;; *) [ "$salvage" -eq 1 ] || restore_args+=(-j "$(default_jobs)") ;; esac
[ -z "$role" ] || restore_args+=(--role "$role")
[ "$yes" -eq 1 ] && restore_args+=(--yes)
[ "$salvage" -eq 1 ] && restore_args+=(--salvage)
losses=0
cr-restore -v "${restore_args[@]}" <"$file" || {
	rc=$?
	if [ "$salvage" -eq 1 ] && [ "$rc" -eq 3 ]; then
		losses=1
	else
		die "$rc" "restore failed (exit $rc); cr-restore's message above says where the data is"
	fi
}
[ "$losses" -eq 0 ] ||
	echo "   Backup restored WITH LOSSES: cr-restore's salvage report above names the rows and statements lost"
echo "   Backup restored; extensions enabled: ${extensions[*]:-(none asked for)}"
echo ""

# 6. Migrations: bring the schema up to the code, as the role the restore
#    ran as (so new tables and cr-migrate's tracking belong to it): a login
#    that is not that role sets it for the session (PGOPTIONS -c role=,
#    as SET ROLE does).  The commands printed below carry the same
#    settings, so they work when pasted in this directory.
migrate_env=()
if [ -n "$role" ] && [ "$role" != "$conn_user" ]; then
	migrate_env=(env "PGOPTIONS=${PGOPTIONS:+$PGOPTIONS }-c role=$role")
fi
migrate_cmd() {	# migrate_cmd COMMAND: the cr-migrate line to run it by hand
	shell_words "${migrate_env[@]}" cr-migrate "${conn_args[@]}" "${migrate_args[@]}" --dir "$migrations" "$@"
}
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
	elif [ -d "$migrations" ] && ! compgen -G "$migrations/*" >/dev/null; then
		# an app with no migrations yet: nothing can be pending, and
		# cr-migrate is not asked to judge the database's history
		echo "No migrations in $migrations (an empty directory): skipped"
	elif [ -d "$migrations" ]; then
		echo "Re-running migrations (to catch up with code)${migrate_env[*]:+ as $role}..."
		# Progress on stderr, the outcome as JSON on stdout.
		out=$("${migrate_env[@]}" cr-migrate --json "${conn_args[@]}" "${migrate_args[@]}" --dir "$migrations" up) || {
			rc=$?
			die "$rc" "migrations failed (exit $rc; cr-migrate's message above says why); the restored data is in place; fix the migration and run: $(migrate_cmd up)"
		}
		declare -A mig=()
		read_json mig <<<"$out"
		applied=${mig[ran_count]:-0}
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
	echo "$((n + 1)). Check migration results: $(migrate_cmd status)"
# --salvage: restored with losses (cr-restore's exit 3)
[ "$losses" -eq 0 ] || exit 3
exit 0
