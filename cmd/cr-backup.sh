#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# cr-backup: the production backup job.  cr-dump | cr-gz into a private temp
# file, cr-verify it, and only then fsync and rename it to its backup name;
# then rotate with cr-rotate.  Any failure removes the temp file and leaves
# every older backup as it was.
set -uo pipefail
umask 077

prog=cr-backup
version=@VERSION@

# The synopsis usage() prints (cmd/wrapper.bash).
synopsis="usage: $prog [-q] [--dir DIR] [--env-file FILE] [-d DB] [-h HOST] [-p PORT] [-U USER]
       [--name LABEL [--stamp | --force]] [--keep-... N | --keep KIND=RULE]... [--no-rotate]
       [--notify CMD] [--copy-to CMD [--encrypt-to RECIPIENT]] [--test-restore [-j N]]
       [--accept-rows TABLE]... [--allow-empty] [--max-shrink PCT | --accept-shrink] [--gentle] [--now TIME] [LABEL]
       $prog --status [--json | --kv] [--max-age DURATION] [--trend N] [--env-file FILE] [DIR]"

# --help's option lines (cmd/wrapper.bash), one for each option below;
# the retention options are cr-rotate's, asked.
help_options() {
	local o a
	cat <<-'EOF'
	-q, --quiet|print errors only, as cron wants
	    --dir=DIR|the backup directory (CR_BACKUP_DIR)
	    --env-file=FILE|the app's dotenv file (default ./.env)
	-d, --dbname=DB|the database (default: the env file's)
	-h, --host=HOST|server host or unix socket directory
	-p, --port=PORT|server port
	-U, --username=USER|role to connect as
	    --name=LABEL|a named backup, e.g. pre_deployment_v1.2.0
	    --stamp|with --name: add the time to the name
	    --force|with --name: replace one of that name once verified
	EOF
	for o in $keep_opts; do
		case $o in
		--keep)		a=KIND=SPEC ;;
		--keep-within)	a=DURATION ;;
		*)		a=N ;;
		esac
		printf '    %s|%s\n' "$o=$a" "retention, passed to cr-rotate(1)"
	done
	cat <<-'EOF'
	    --no-rotate|do not rotate
	    --notify=CMD|run CMD with the outcome when the run ends
	    --copy-to=CMD|stream the verified backup into CMD (off-site)
	    --encrypt-to=RECIPIENT|with --copy-to: encrypt with age or gpg
	    --test-restore|restore it into a scratch database first
	-j, --jobs=N|the test restore's connections (default min(cores, 4))
	    --accept-rows=TABLE|with --test-restore: TABLE's rows may differ
	    --allow-empty|a backup without tables is healthy
	    --max-shrink=PCT|alarm when rows fell by more than PCT percent (50)
	    --accept-shrink|the shrink is expected: no alarm
	    --gentle|spare the server: fastest compression, lowest CPU and I/O priority
	    --now=TIME|take TIME (UTC) as the time: the name's and rotation's
	    --status|the health of the backups in DIR
	    --json|with --status: JSON
	    --kv|with --status: the JSON as key=value lines, for scripts without jq
	    --max-age=DURATION|with --status: how old the newest daily may be
	    --trend=N|with --status: the rows of the N newest backups
	-?, --help|print this help and exit
	    --version|print the version and exit
	EOF
}

# Exit codes (sysexits.h).
EX_USAGE=64 EX_DATAERR=65 EX_UNAVAILABLE=69 EX_CANTCREAT=73 EX_IOERR=74 EX_TEMPFAIL=75
EX_NOPERM=77
# sysexits.h has no code for "written, but suspicious": a backup that is kept
# for inspection (empty, shrunk, or failed its test restore) exits 3, never
# 65, which says the new backup was discarded.
EX_SUSPECT=3

quiet=0 dir='' label='' stamp=0 force=0 rotate=1 test_restore=0 allow_empty=0 max_shrink=50
notify='' copy_to='' encrypt_to='' env_file='' gentle=0 kv=0 now=''
conn_args=() keep_args=() status_args=() status_mode=0 accept_args=()

# The code both wrappers share (the build puts its text here).
# shellcheck source=cmd/wrapper.bash
. "${BASH_SOURCE[0]%/*}/wrapper.bash"

# The retention options are cr-rotate's own, whatever they are: asked, not
# copied, so the two cannot drift apart.
# Without cr-rotate, --help and --version still answer; anything else
# stops below, before it is needed.
no_rotate=''
if keep_opts=$(cr-rotate --list-options 2>/dev/null); then
	keep_opts=" $(printf '%s' "$keep_opts" | tr '\n' ' ') "
else
	no_rotate="cr-rotate --list-options failed; is cr-rotate installed (beside $prog, or on PATH)?"
	keep_opts=' '
fi
rotate_missing() { echo "$prog: $no_rotate" >&2; exit 69; }

split_args " --dir --env-file --dbname --host --port --username --name --notify --copy-to --encrypt-to --max-shrink --max-age --trend --accept-rows --jobs --now $keep_opts " "$@"
set -- "${args[@]}"

while [ $# -gt 0 ]; do
	case $1 in
	-q|--quiet)	quiet=1 ;;
	--dir)		need_arg "$@"; dir=$2; shift ;;
	--env-file)	need_arg "$@"; env_file=$2; shift ;;
	-d|-h|-p|-U)	need_arg "$@"; conn_args+=("$1" "$2"); shift ;;
	--dbname|--host|--port|--username)
			need_arg "$@"; conn_args+=("$1" "$2"); shift ;;
	--name)		need_arg "$@"; label=$2; shift ;;
	--stamp)	stamp=1 ;;
	--force)	force=1 ;;
	--keep|--keep-*)
			[ -z "$no_rotate" ] || rotate_missing
			case $keep_opts in
			*" $1 "*) ;;
			*) echo "$prog: unknown option: $1 (cr-rotate's are:${keep_opts% })" >&2; usage ;;
			esac
			need_arg "$@"; keep_args+=("$1" "$2"); shift ;;
	--no-rotate)	rotate=0 ;;
	--notify)	need_arg "$@"; notify=$2; shift ;;
	--copy-to)	need_arg "$@"; copy_to=$2; shift ;;
	--encrypt-to)	need_arg "$@"; encrypt_to=$2; shift ;;
	--test-restore)	test_restore=1 ;;
	--allow-empty)	allow_empty=1 ;;
	--max-shrink)	need_arg "$@"; max_shrink=$2; shift ;;
	--accept-shrink) max_shrink=0 ;;
	--gentle)	gentle=1 ;;
	--now)		need_arg "$@"; now=$2; shift ;;
	--accept-rows)	need_arg "$@"; accept_args+=(--accept-rows "$2"); shift ;;
	-j|--jobs)	need_arg "$@"; jobs=$2; shift
			case $jobs in *[!0-9]*) echo "$prog: -j $jobs: not a number" >&2; usage ;; esac ;;
	--status)	status_mode=1 ;;
	--json)		status_args+=(--json) ;;
	--kv)		kv=1 status_args+=(--json) ;;
	--max-age|--trend)
			need_arg "$@"; status_args+=("$1" "$2"); shift ;;
	--version)	echo "$prog $version"; exit 0 ;;
	--help|-\?)	usage 0 ;;
	--)		shift; break ;;
	-*)		echo "$prog: unknown option: $1" >&2; usage ;;
	*)		[ -z "$label" ] || usage; label=$1 ;;
	esac
	shift
done
[ $# -eq 0 ] || usage
[ -z "$no_rotate" ] || rotate_missing
# The clock (--now): the new backup's name and the age rotation judges by,
# both from cr-rotate, which reads the time.
now_args=()
[ -z "$now" ] || now_args=(--now "$now")
# Bad retention values and times are refused now, not after the backup.
if [ ${#keep_args[@]} -gt 0 ] || [ -n "$now" ]; then
	cr-rotate --tool "$prog" "${keep_args[@]}" "${now_args[@]}" </dev/null >/dev/null || usage
fi

say() { [ "$quiet" -eq 1 ] || printf '%s\n' "$*"; }


find_env_file
read_env_file CR_BACKUP_DIR
# App settings: the option, else the environment, else the env file.
[ -n "$dir" ] || dir=${CR_BACKUP_DIR:-${envf[CR_BACKUP_DIR]:-}}

# --status [DIR]: are the backups healthy?  cr-verify --status says, per
# kind: the newest, its age and size, whether it and its manifest verify,
# the row trend; exit 0 healthy, 75 newest daily too old, 65 newest bad.
if [ "$status_mode" -eq 1 ]; then
	[ -z "$label" ] || dir=$label
	[ -n "$dir" ] || { echo "$prog: --status needs the backup directory (DIR, --dir or CR_BACKUP_DIR)" >&2; exit 64; }
	if [ "$kv" -eq 1 ]; then
		# the same object, flattened (wrapper.bash json_kv)
		cr-verify "${status_args[@]}" --status "$dir" | json_kv
		exit "${PIPESTATUS[0]}"
	fi
	exec cr-verify "${status_args[@]}" --status "$dir"
fi
[ ${#status_args[@]} -eq 0 ] || { echo "$prog: --json, --kv, --max-age and --trend go with --status" >&2; usage; }

# Outcome, reported to --notify on every exit.
status=failure file='' size=0 started=$(date +%s) tmp='' mtmp='' enc_tmp='' lockfd='' database=''
message='' warning=''
# shellcheck disable=SC2317 # run by the EXIT trap
finish() {
	local rc=$?
	[ -n "$tmp" ] && rm -f -- "$tmp"
	[ -n "$mtmp" ] && rm -f -- "$mtmp"
	[ -n "$enc_tmp" ] && rm -f -- "$enc_tmp"
	if [ -n "$notify" ]; then
		if [ "$rc" -eq 0 ]; then
			status=success
			[ -z "$warning" ] || status=warning
		fi
		CR_STATUS=$status CR_EXIT=$rc CR_FILE=$file CR_SIZE=$size \
		CR_DATABASE=$database CR_MESSAGE=$message \
		CR_DURATION=$(( $(date +%s) - started )) \
			sh -c "$notify" </dev/null ||
			echo "$prog: --notify command failed (exit $?)" >&2
	fi
	exit "$rc"
}
trap finish EXIT
trap 'message="interrupted"; exit 130' INT TERM HUP

# suspect_hint ALARMS: what accepts or explains each kind of alarm, as
# "; " clauses: an empty database --allow-empty, a shrink --accept-shrink,
# a failed test restore the command that repeats it (pasted in the same
# directory, it runs as this run did).
suspect_hint() {
	local h=''
	case $1 in *"no tables"*) h+="; if the database is meant to be empty, --allow-empty accepts it" ;; esac
	case $1 in *" shrank from "*|*" is gone (had "*)
		h+="; if the rows were deleted on purpose, --accept-shrink (or a larger --max-shrink) accepts it" ;;
	esac
	case $1 in *"test restore failed"*)
		h+="; the backup does not restore (cr-restore's message above says why), repeat the test restore with: $(shell_words cr-restore "${test_args[@]}") <$(shell_words "$file")" ;;
	esac
	printf '%s' "$h"
}

die() {	# die CODE MESSAGE
	message=$2
	echo "$prog: $2" >&2
	exit "$1"
}

# Options that cannot work together, refused before anything is touched.
case $max_shrink in
''|*[!0-9]*) die $EX_USAGE "--max-shrink $max_shrink: a percentage from 0 (off) to 100" ;;
esac
[ "$max_shrink" -le 100 ] || die $EX_USAGE "--max-shrink $max_shrink: a percentage from 0 (off) to 100"
[ "$stamp" -eq 1 ] && [ "$force" -eq 1 ] && die $EX_USAGE "--stamp and --force exclude each other"
[ -n "$label" ] || { [ "$stamp" -eq 0 ] && [ "$force" -eq 0 ]; } ||
	die $EX_USAGE "--stamp and --force apply to named backups (--name LABEL)"
# The backup's name, and the label's rules, come from where names are
# parsed (cr-rotate, lib/backupname): daily db_backup_<UTC time>.sql.gz,
# named db_backup_<label>[_<UTC time>].sql.gz.
# A weekly archive is a scheduled kind, made every week under the same
# label (the old script's cron line: "cr-backup weekly_archive"): its name
# always carries the time, so every week keeps its own file and the next
# run is not refused as a named backup that exists (73).
case $label in
weekly_archive|weekly_archive_*) [ "$force" -eq 1 ] || stamp=1 ;;
esac
name_args=("${now_args[@]}")
[ -z "$label" ] || name_args+=(--label "$label")
[ "$stamp" -eq 0 ] || name_args+=(--stamp)
name=$(cr-rotate --make-name "${name_args[@]}") || { rc=$?; message="bad backup label: $label"; exit "$rc"; }
[ -n "$encrypt_to" ] && [ -z "$copy_to" ] &&
	die $EX_USAGE "--encrypt-to encrypts the off-site copy: give --copy-to CMD too"
encrypt_cmd=()
if [ -n "$encrypt_to" ]; then
	case $encrypt_to in
	age1*|ssh-*)	encrypt_cmd=(age -r "$encrypt_to") ;;
	*)		if [ -f "$encrypt_to" ]; then encrypt_cmd=(age -R "$encrypt_to")
			else encrypt_cmd=(gpg --batch --yes --trust-model always --encrypt --recipient "$encrypt_to"); fi ;;
	esac
	command -v "${encrypt_cmd[0]}" >/dev/null ||
		die $EX_UNAVAILABLE "--encrypt-to needs ${encrypt_cmd[0]}, which is not installed"
fi

# Who and where: a pre-flight connection that also names the database.
# Its key=value lines are escaped onto one line each: read_kv undoes it.
check=$(cr-dump --check "${conn_args[@]}") || { rc=$?; message="cannot connect"; exit "$rc"; }
declare -A fact=()
read_kv fact <<<"$check"
database=${fact[database]:-} dbuser=${fact[user]:-} dbhost=${fact[host]:-} dbport=${fact[port]:-}
[ "$quiet" -eq 1 ] ||
	echo "$prog: env file ${env_file:-(none)}, database $database${dbhost:+ on $dbhost${dbport:+:$dbport}}${dbuser:+ as $dbuser}" >&2
if [ -z "$dir" ]; then
	# The default directory is named after what the server calls the
	# database: only a plain name may become a path component.
	case $database in
	""|.|..|.*|-*|*[!A-Za-z0-9._-]*)
		die $EX_USAGE "database name \"$database\" is not a safe directory name; give --dir" ;;
	esac
	dir=/var/backups/$database
fi
mkdir -p -- "$dir" || die $EX_CANTCREAT "cannot create backup directory $dir"
dir=$(cd -- "$dir" && pwd) || die $EX_CANTCREAT "cannot enter backup directory $dir"

# cr-backup's temp files in DIR, the one pattern, .cr-backup.*.partial*: its
# own, made here, and the files written beside them, whose names begin with
# theirs: the manifest (.partial.json) and the atomic writer's temp file of
# it (cr's one atomic writer names its temp file after the file it
# replaces: NAME.XXXXXX.tmp).  A killed run's are removed under the lock.
temp_file() { mktemp "$dir/.cr-backup.XXXXXX.partial"; }

# One run at a time per directory: cron overlap must not interleave.
exec {lockfd}>>"$dir/.cr-backup.lock" || die $EX_CANTCREAT "cannot create lock file in $dir"
flock -n "$lockfd" || die $EX_TEMPFAIL "another cr-backup is running in $dir (lock $dir/.cr-backup.lock)"
# Under the lock no other run is writing: temp files left are from killed runs.
rm -f -- "$dir"/.cr-backup.*.partial*

file=$dir/$name
if [ -e "$file" ] || [ -L "$file" ]; then
	[ "$force" -eq 1 ] ||
		die $EX_CANTCREAT "$file exists; use --stamp to keep both or --force to replace it"
	# --force replaces a backup, nothing else: never a directory (mv
	# would move the new backup inside it), a symlink or a device.
	if [ ! -f "$file" ] || [ -L "$file" ]; then
		die $EX_CANTCREAT "$file exists and is not a regular file; not replaced"
	fi
fi

say "PostgreSQL Database Backup"
say "======================================================================"
say "Database: $database"
say "User: $dbuser"
say "Backup Location: $dir/"
say "======================================================================"
say ""
say "Creating backup..."

# --gentle: the dump, its compression and its verify at the lowest CPU and
# I/O priority, compressed at the fastest level: the backup takes the least
# CPU from the app's queries, and yields the cores to them (cr-backup(1),
# GENTLE BACKUPS; docs/benchmarks.md, "A backup's footprint").
gentle_cmd=() gz_args=()
if [ "$gentle" -eq 1 ]; then
	gentle_cmd=(nice -n 19)
	# -t: where the idle class is refused, run at the usual I/O priority
	! command -v ionice >/dev/null || gentle_cmd+=(ionice -t -c 3)
	gz_args=(-1)
fi
# cr-gz draws the dump's progress (bytes, rate) on a terminal; -q: none
[ "$quiet" -eq 0 ] || gz_args+=(--no-progress)

tmp=$(temp_file) || die $EX_CANTCREAT "cannot create a temp file in $dir"
"${gentle_cmd[@]}" cr-dump "${conn_args[@]}" | "${gentle_cmd[@]}" cr-gz "${gz_args[@]}" >"$tmp"
codes=("${PIPESTATUS[@]}")
# A compressor that stops makes cr-dump fail on a closed pipe: name cr-gz
# first, it is the cause.
if [ "${codes[1]}" -ne 0 ]; then
	die "${codes[1]}" "cr-gz failed (exit ${codes[1]}); no backup written, older backups untouched"
elif [ "${codes[0]}" -ne 0 ]; then
	die "${codes[0]}" "cr-dump failed (exit ${codes[0]}); no backup written, older backups untouched"
fi
# Verify, and write the manifest beside it: sizes, SHA-256, selection,
# versions, per-table rows, and the alarms: no tables, or rows shrunk more
# than --max-shrink against the last healthy backup of the same kind.
mtmp=$(manifest_of "$tmp")
verify_args=(-q --manifest "$mtmp" --name "$name" --duration "$(( $(date +%s) - started ))"
	--baseline "$dir" --max-shrink "$max_shrink")
[ "$allow_empty" -eq 0 ] || verify_args+=(--allow-empty)
# On a terminal, cr-verify's progress line while it reads the new backup.
[ "$quiet" -eq 1 ] || [ ! -t 2 ] || verify_args+=(--progress)
"${gentle_cmd[@]}" cr-verify "${verify_args[@]}" "$tmp"
rc=$?
# shellcheck disable=SC2034 # read by kv_join through a nameref
declare -A manifest=()
suspect=
case $rc in
0)	;;
3)	# Intact but suspicious: kept for inspection, and its manifest says
	# so, so it never becomes the baseline of the next run.  The alarms
	# are read from the manifest, cr-verify's stable interface.
	read_json manifest <"$mtmp"
	suspect=$(kv_join manifest alarms)
	[ -n "$suspect" ] || suspect="see cr-verify's alarms above" ;;
65)	die $EX_DATAERR "the new backup does not verify; discarded, older backups untouched" ;;
*)	die "$rc" "cr-verify failed (exit $rc); no backup written, older backups untouched" ;;
esac
# The test restore, before the backup takes its name: one that does not
# restore is suspicious, and its manifest says so before it is final, so it
# never becomes a shrink baseline, nor replaces a backup with --force.  One
# that could not be tried (no CREATEDB, server gone) is a healthy backup: the
# run goes on and exits with that code at the end (deferred).
deferred_rc=0 deferred=''
# The test restore's arguments, also printed when it fails, to repeat it.
test_args=(--test --yes -j "${jobs:-$(default_jobs)}" "${conn_args[@]}" "${accept_args[@]}")
if [ "$test_restore" -eq 1 ] && [ -z "$suspect" ]; then
	say ""
	say "Test restore into a scratch database..."
	# Its exit status says why it failed (77: no CREATEDB, 69: server).
	# cr-restore exits 77 when the server refuses its own SQL for lack of
	# privilege (SQLSTATE 42501: no CREATEDB for the scratch database);
	# its message is passed on to stderr, never read.
	restore_err=$(cr-restore "${test_args[@]}" <"$tmp" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$restore_err" >&2
		case $rc in
		77)
			deferred_rc=$EX_NOPERM
			deferred="test restore not possible: the role may not create a scratch database (CREATEDB); the backup $name itself verified and is kept" ;;
		69)
			deferred_rc=$EX_UNAVAILABLE
			deferred="test restore not possible: the server is unavailable; the backup $name itself verified and is kept" ;;
		*)
			alarm="test restore failed (cr-restore exit $rc)"
			cr-verify "${verify_args[@]}" --alarm "$alarm" "$tmp"
			rc=$?
			[ "$rc" -eq $EX_SUSPECT ] ||
				die "$rc" "$alarm, and its manifest could not be written (cr-verify exit $rc); no backup written, older backups untouched"
			read_json manifest <"$mtmp"
			suspect=$(kv_join manifest alarms)
			[ -n "$suspect" ] || suspect=$alarm ;;
		esac
	elif [ -n "$restore_err" ]; then
		# its warnings (a mismatch --accept-rows accepted): said, never
		# swallowed
		printf '%s\n' "$restore_err" >&2
		say "   Restored with the warnings above, scratch database dropped"
	else
		say "   Restored, row counts match, scratch database dropped"
	fi
fi
sync -- "$tmp" || die $EX_IOERR "fsync of $tmp failed"
if [ -n "$suspect" ] && { [ -e "$file" ] || [ -L "$file" ]; }; then
	# --force asked to replace a backup, but a suspicious one never
	# replaces anything: the old file and its manifest stay as they were,
	# and the new one is kept beside them under a name that no cr tool
	# takes for a backup (not restored as "latest", not the baseline,
	# never removed by rotation; BACKUPNAME_SUSPECT in lib/format/backupname.h).
	beside=$(cr-rotate --make-name --suspect "$name" "${now_args[@]}") ||
		die $EX_CANTCREAT "the new backup is suspicious ($suspect) and no name could be made to keep it beside $file, which is untouched"
	ln -- "$tmp" "$dir/$beside" 2>/dev/null ||
		die $EX_CANTCREAT "the new backup is suspicious ($suspect) and cannot be kept as $dir/$beside; $file is untouched"
	rm -f -- "$tmp"
	tmp=
	mv -fT -- "$mtmp" "$(manifest_of "$dir/$beside")" ||
		die $EX_CANTCREAT "cannot rename the manifest into $(manifest_of "$dir/$beside")"
	mtmp=
	sync -- "$dir" || die $EX_IOERR "fsync of $dir failed"
	file=$dir/$beside
	size=$(stat -c %s -- "$file")
	die $EX_SUSPECT "the new backup is suspicious: $suspect; it did not replace $dir/$name, which is kept as it was with its manifest; the new one is kept for inspection as $file (not rotated or copied)$(suspect_hint "$suspect")"
fi
# link_new SRC DST: DST becomes a second name of SRC (link(2), which never
# replaces a file); on failure link_error says why: DST taken meanwhile,
# or ln's own reason (no space, no hard links on this filesystem, ...).
link_new() {
	local why
	why=$(ln -- "$1" "$2" 2>&1) && return 0
	if [ -e "$2" ] || [ -L "$2" ]; then
		link_error="$2 appeared meanwhile; not replaced"
	else
		link_error="cannot link $1 to $2: ${why#ln: }"
	fi
	return 1
}
if [ -n "$suspect" ]; then
	# A suspicious backup never has its name without the manifest that
	# says so: a backup without a manifest counts as good ("latest",
	# --status), so a run killed between the two renames would leave it
	# passing for one.  Its manifest takes its name first (link(2): never
	# replaces one), then the backup; killed between them, what is left is
	# a manifest that says "not healthy" of no file.
	link_new "$mtmp" "$(manifest_of "$file")" || die $EX_CANTCREAT "$link_error"
	rm -f -- "$mtmp"
	mtmp=
	if ! link_new "$tmp" "$file"; then
		rm -f -- "$(manifest_of "$file")"
		die $EX_CANTCREAT "$link_error"
	fi
	rm -f -- "$tmp"
	tmp=
else
	if [ "$force" -eq 1 ]; then
		# -T: if a directory took the name meanwhile, fail rather
		# than move the backup into it.
		mv -fT -- "$tmp" "$file" || die $EX_CANTCREAT "cannot rename into $file"
	else
		# link(2) fails when the name exists: never replaces a backup.
		link_new "$tmp" "$file" || die $EX_CANTCREAT "$link_error"
		rm -f -- "$tmp"
	fi
	tmp=
	# The manifest of a healthy backup follows it (never the other way
	# round, so there is no manifest without a backup); cr-verify wrote
	# and fsync'd it.
	mv -fT -- "$mtmp" "$(manifest_of "$file")" ||
		die $EX_CANTCREAT "cannot rename the manifest into $(manifest_of "$file")"
	mtmp=
fi
sync -- "$dir" || die $EX_IOERR "fsync of $dir failed"
size=$(stat -c %s -- "$file")
say "   Backup created: $name"
say "   Size: $(iec "$size")"
[ -z "$suspect" ] ||
	die $EX_SUSPECT "the new backup is suspicious: $suspect; $name is kept for inspection, not rotated or copied$(suspect_hint "$suspect")"

if [ -n "$copy_to" ]; then
	say ""
	say "Copying off-site..."
	copy_name=$name copy_src=$file
	if [ ${#encrypt_cmd[@]} -gt 0 ]; then
		case ${encrypt_cmd[0]} in age) copy_name=$name.age ;; *) copy_name=$name.gpg ;; esac
		# Encrypt completely into a private temp file first: the copy
		# command only ever sees a whole, successfully encrypted file.
		enc_tmp=$(temp_file) ||
			die $EX_CANTCREAT "cannot create a temp file in $dir for the encrypted copy; the local backup $name is kept"
		"${encrypt_cmd[@]}" <"$file" >"$enc_tmp"
		rc=$?
		[ "$rc" -eq 0 ] ||
			die $EX_IOERR "encryption failed (${encrypt_cmd[0]} exit $rc); nothing was copied off-site, the local backup $name is kept"
		[ -s "$enc_tmp" ] ||
			die $EX_IOERR "encryption failed (${encrypt_cmd[0]} wrote nothing); nothing was copied off-site, the local backup $name is kept"
		copy_src=$enc_tmp
	fi
	CR_BACKUP_NAME=$copy_name sh -c "$copy_to" <"$copy_src"
	rc=$?
	[ "$rc" -eq 0 ] ||
		die $EX_IOERR "off-site copy failed (--copy-to exit $rc); the local backup $name is kept${deferred:+ ($deferred)}; rotation skipped"
	[ -z "$enc_tmp" ] || rm -f -- "$enc_tmp"
	enc_tmp=
	say "   Copied: $copy_name"
fi

if [ "$rotate" -eq 1 ]; then
	say ""
	say "Cleaning old backups..."
	removed=$(cr-rotate --delete "${keep_args[@]}" "${now_args[@]}" "$dir")
	rc=$?
	if [ "$rc" -eq $EX_TEMPFAIL ] && [ -n "$label" ]; then
		# The scheduled backups have stopped (cr-rotate said which and
		# since when): loud, but the named backup asked for is written,
		# and a deploy script waiting on it must not fail.
		warning="rotation skipped: scheduled backups in $dir have stopped (see above); the named backup $name is written"
		echo "$prog: warning: $warning" >&2
	elif [ "$rc" -ne 0 ]; then
		die "$rc" "rotation failed (exit $rc); the new backup $name is kept${deferred:+ ($deferred)}"
	fi
	if [ -n "$removed" ]; then
		while IFS= read -r r; do say "   Removed: $r"; done <<<"$removed"
	else
		say "   Nothing to remove"
	fi
fi

if [ -n "$deferred" ]; then
	# Say truthfully what was done after the test restore could not be.
	steps="no off-site copy was asked for"
	[ -z "$copy_to" ] || steps="the off-site copy was made"
	if [ "$rotate" -eq 0 ]; then
		steps+=", rotation was not asked for (--no-rotate)"
	elif [ -n "$warning" ]; then
		steps+=", rotation was skipped (scheduled backups have stopped)"
	else
		steps+=", rotation ran"
	fi
	die "$deferred_rc" "$deferred; $steps"
fi
status=success
message=${warning:-backup complete}
say ""
say "Backup complete!"
say "   Location: $file"
exit 0
