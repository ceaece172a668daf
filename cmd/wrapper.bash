# shellcheck shell=bash
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# wrapper.bash: what cr-backup and cr-restore-dev share, in one place: option
# words as the C tools take them, the app's env file and its CR_* settings,
# and reading the tools' JSON.  Each wrapper sources it from its own
# directory; the build puts this text in place of that line, so an installed
# wrapper is one file.  Needs $prog and $synopsis from the wrapper.

# The cr tools installed beside this wrapper come first, then PATH: an
# installed wrapper run from cron (PATH=/usr/bin:/bin) or from another
# prefix runs its own release's tools.  The directory of the wrapper's own
# path, then the one it links to.
tools_dir() {
	local self=${BASH_SOURCE[0]} d real dirs=''
	case $self in */*) d=${self%/*} ;; *) d=. ;; esac
	d=$(cd -- "${d:-/}" 2>/dev/null && pwd -P) && dirs=$d
	real=$(readlink -f -- "$self" 2>/dev/null) && [ -n "$real" ] &&
		real=$(cd -- "${real%/*}/" 2>/dev/null && pwd -P) &&
		[ "$real" != "$d" ] && dirs=${dirs:+$dirs:}$real
	[ -z "$dirs" ] || PATH=$dirs:$PATH
}
tools_dir

# shell_words WORD...: the words as one command line that a POSIX shell
# reads back as the same words (printf %q), for the commands cr prints.  A
# password inside a URI or conninfo word is left out (docs/safety.md: never
# echoed); libpq then asks for it, or finds it in ~/.pgpass.
shell_words() {
	local w out='' q re_uri='^(postgres(ql)?://[^:/?#@]*):[^@/?#]*@(.*)$'
	local re_query='^(postgres(ql)?://[^#]*[?&])password=[^&#]*&?(.*)$'
	local re_kv='^(.*)(^|[[:space:]])password[[:space:]]*=[[:space:]]*('"'"'([^'"'"'\\]|\\.)*'"'"'|[^[:space:]]*)(.*)$'
	for w; do
		[[ $w =~ $re_uri ]] && w=${BASH_REMATCH[1]}@${BASH_REMATCH[3]}
		while [[ $w =~ $re_query ]]; do
			w=${BASH_REMATCH[1]}${BASH_REMATCH[3]}
			w=${w%[?&]}
		done
		while [[ $w =~ $re_kv ]]; do
			w=${BASH_REMATCH[1]}${BASH_REMATCH[2]}${BASH_REMATCH[5]}
		done
		case $w in
		''|*[!A-Za-z0-9_./:=@%+,-]*) printf -v q '%q' "$w" ;;
		*)	q=$w ;;
		esac
		out+=${out:+ }$q
	done
	printf '%s' "$out"
}

# iec BYTES: the size as every cr tool writes it ("184 B", "3.4 KiB",
# "26 MiB"): libbsd's humanize_number as lib/base/size.c calls it (8 bytes of
# buffer: 3 digits, one decimal below 10), step for step; tests/size.bats
# compares the two (exact up to 2^53 bytes, awk's integers).
iec() {
	awk -v n="$1" 'BEGIN {
		split("Ki Mi Gi Ti Pi Ei", p, " ")
		q = n; r = 0; i = 0
		while ((q >= 1000 || (q == 999 && r >= 512)) && i < 6) {
			r = q % 1024; q = int(q / 1024); i++
		}
		if ((q < 9 || (q == 9 && r < 973)) && i > 0) {
			t = int((r * 10 + 512) / 1024)
			printf "%d.%d %sB\n", q + int(t / 10), t % 10, p[i]
		} else
			printf "%d %sB\n", q + int((r + 512) / 1024), (i > 0 ? p[i] : "")
	}'
}

# usage [STATUS]: the wrapper's $synopsis, on stdout for --help (0) with a
# line per option (the wrapper's help_options: "OPTION|what it does"
# lines) and the man page, else on stderr; then exit STATUS (default 64).
usage() {
	local rc=${1:-64} opt text
	if [ "$rc" -eq 0 ]; then
		printf '%s\n\nOptions:\n' "$synopsis"
		while IFS='|' read -r opt text; do
			printf '  %-30s %s\n' "$opt" "$text"
		done < <(help_options)
		printf '\nSee %s(1).\n' "$prog"
	else
		printf '%s\n' "$synopsis" >&2
	fi
	exit "$rc"
}

# need_arg OPTION [VALUE...]: a usage error unless OPTION has a value.
need_arg() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		echo "$prog: option $1 needs a value" >&2
		usage
	fi
}

# default_jobs: the -j a wrapper's restore uses unless told otherwise,
# min(online cores, 4): it loads a scratch database, so parallel connections
# change nothing about atomicity (cr-restore(1), Parallel restore).
default_jobs() {
	local n
	n=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || n=1
	case $n in ''|*[!0-9]*|0) n=1 ;; esac
	[ "$n" -le 4 ] || n=4
	echo "$n"
}

# split_args VALUED ARG...: the arguments into the array args, as the C tools
# take them: --opt=value for an option named in VALUED (" --a --b "), and
# -dDB -hHOST -pPORT -UUSER -jN.  --dbname --host --port --username are -d -h -p -U.
split_args() {
	local valued=$1
	shift
	args=()
	while [ $# -gt 0 ]; do
		case $1 in
		--)	args+=("$@"); break ;;
		--*=*)	case $valued in
			*" ${1%%=*} "*)	args+=("${1%%=*}" "${1#*=}") ;;
			*)		echo "$prog: option ${1%%=*} takes no value" >&2; usage ;;
			esac ;;
		-[dhpUj]?*) args+=("${1:0:2}" "${1:2}") ;;
		*)	args+=("$1") ;;
		esac
		shift
	done
}

# find_env_file: the app's env file into env_file: --env-file, else
# CR_ENV_FILE, else ./.env when it exists and neither PGDATABASE nor
# PGSERVICE names a database.  -d -h -p -U override single settings of it,
# as libpq's options override its environment; they never switch it off.
# The C tools are told it with --env-file in conn_args.
find_env_file() {
	[ -n "$env_file" ] || env_file=${CR_ENV_FILE:-}
	if [ -z "$env_file" ] && [ -z "${PGDATABASE:-}" ] &&
		[ -z "${PGSERVICE:-}" ] && [ -f .env ]; then
		env_file=./.env
	fi
	if [ -n "$env_file" ]; then
		[ -r "$env_file" ] || { echo "$prog: $env_file: cannot read the env file" >&2; exit 64; }
		conn_args=(--env-file "$env_file" "${conn_args[@]}")
	fi
}

# read_env_file KEY...: the keys the env file sets, into the associative array
# envf, read by the C tools' reader (lib/dotenv behind cr-rotate --env-get):
# KEY=VALUE records, NUL-terminated, never evaluated.  Exits as cr-rotate
# does when the file cannot be read.
declare -A envf=()
read_env_file() {
	local kv
	[ -n "$env_file" ] || return 0
	while IFS= read -r -d '' kv; do
		envf[${kv%%=*}]=${kv#*=}
	done < <(cr-rotate --tool "$prog" --env-get "$env_file" "$@")
	wait $! || exit
}

# json_unescape TEXT: a JSON string's text (without its quotes) unescaped:
# \" \\ \/; other escapes (\u00XX for control bytes) are left visible.
json_unescape() {
	local s=$1 out=''
	while [[ $s == *\\* ]]; do
		out+=${s%%\\*}
		s=${s#*\\}
		case ${s:0:1} in
		[\"\\/]) out+=${s:0:1} ;;
		*)	out+=\\${s:0:1} ;;
		esac
		s=${s:1}
	done
	printf '%s' "$out$s"
}

# A '"' inside a JSON string is always escaped, so [{,]"KEY": is a key; the
# tools write their top-level fields before any nested array, so the first
# match of a key is the top-level one.

# json_value JSON KEY: the first "KEY" field of a tool's one-line JSON, a
# string unescaped, null as nothing; status 1 when there is no such key.
json_value() {
	local re='[{,]"'"$2"'":("(([^"\\]|\\.)*)"|[^],}]*)'
	[[ $1 =~ $re ]] || return 1
	case ${BASH_REMATCH[1]} in
	\"*)	json_unescape "${BASH_REMATCH[2]}" ;;
	null)	;;
	*)	printf '%s' "${BASH_REMATCH[1]}" ;;
	esac
}

# json_strings JSON KEY: the strings of the first "KEY":[...] array,
# unescaped and joined with "; "; status 1 when there is no such key.
json_strings() {
	local re='[{,]"'"$2"'":\[(("([^"\\]|\\.)*",?)*)\]' one='^"(([^"\\]|\\.)*)",?'
	local list out='' sep=''
	[[ $1 =~ $re ]] || return 1
	list=${BASH_REMATCH[1]}
	while [[ $list =~ $one ]]; do
		list=${list:${#BASH_REMATCH[0]}}
		out+=$sep$(json_unescape "${BASH_REMATCH[1]}")
		sep="; "
	done
	printf '%s' "$out"
}
