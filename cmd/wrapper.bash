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

# Reading what the tools print: key=value lines, one reader.
#
# cr-dump --check and --connection-facts print KEY=VALUE lines with the
# value escaped onto one line as cr-dump's header values are (dumpfmt_escape,
# lib/format/dumpfmt.c): a backslash as \\, a newline as \n, a tab as \t,
# any other control byte or DEL as \xHH, every other byte as it is.  So
# every backslash in VALUE starts one of \\ \n \t \xHH, which is what
# printf %b undoes, exactly.  JSON (cr-verify --json, manifests, cr-migrate
# --json) is first flattened by json_kv into the same lines.

# read_kv ARRAY: the KEY=VALUE lines on stdin into the associative array
# ARRAY (declared by the caller, emptied first), keys and values unescaped;
# lines without "=" are skipped.  Order does not matter; a later line wins.
read_kv() {
	local -n _kv_into=$1
	local _kv_line _kv_k _kv_v
	_kv_into=()
	while IFS= read -r _kv_line || [ -n "$_kv_line" ]; do
		case $_kv_line in *=*) ;; *) continue ;; esac
		printf -v _kv_k '%b' "${_kv_line%%=*}"
		printf -v _kv_v '%b' "${_kv_line#*=}"
		_kv_into[$_kv_k]=$_kv_v
	done
}

# json_kv: the JSON text on stdin (one value; objects, arrays, any key
# order, any spacing) as KEY=VALUE lines on stdout, escaped as above.  A
# member's key is its path: "a.b" for {"a":{"b":...}}, "a.0" for the first
# item of an array; strings are their text (JSON escapes undone), numbers,
# true and false as written, null as an empty value; an empty array or
# object gives no line.  "=" in a key is written \x3d.  POSIX awk: the
# monitoring scripts read `cr-backup --status --kv` without jq.
json_kv() {
	LC_ALL=C awk '
	BEGIN {
		for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i
		hex = "0123456789abcdef"
	}
	{ S = S $0 "\n" }
	END { P = 1; N = length(S); value(""); }
	function ws() { while (P <= N && index(" \t\r\n", substr(S, P, 1))) P++ }
	function esc(c,   o) {	# one byte as dumpfmt_escape writes it
		if (c == "\\") return "\\\\"
		if (c == "\n") return "\\n"
		if (c == "\t") return "\\t"
		o = ord[c]
		if (o < 32 || o == 127) return "\\x" substr(hex, int(o / 16) + 1, 1) substr(hex, o % 16 + 1, 1)
		return c
	}
	function hexval(h,   i, v) {
		v = 0
		for (i = 1; i <= 4; i++) v = v * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
		return v
	}
	function utf8(u) {	# a code point as UTF-8, each byte escaped
		if (u < 128) return esc(sprintf("%c", u))
		if (u < 2048) return sprintf("%c%c", 192 + int(u / 64), 128 + u % 64)
		if (u < 65536) return sprintf("%c%c%c", 224 + int(u / 4096), 128 + int(u / 64) % 64, 128 + u % 64)
		return sprintf("%c%c%c%c", 240 + int(u / 262144), 128 + int(u / 4096) % 64, 128 + int(u / 64) % 64, 128 + u % 64)
	}
	function str(   out, c, u, l) {	# the string at P (its opening quote), escaped
		out = ""
		P++
		while (P <= N) {
			c = substr(S, P, 1)
			if (c == "\"") { P++; return out }
			if (c != "\\") { out = out esc(c); P++; continue }
			c = substr(S, P + 1, 1)
			P += 2
			if (c == "n") out = out "\\n"
			else if (c == "t") out = out "\\t"
			else if (c == "b") out = out "\\x08"
			else if (c == "f") out = out "\\x0c"
			else if (c == "r") out = out "\\x0d"
			else if (c == "u") {
				u = hexval(substr(S, P, 4))
				P += 4
				if (u >= 55296 && u < 56320 && substr(S, P, 2) == "\\u") {
					l = hexval(substr(S, P + 2, 4))
					P += 6
					u = 65536 + (u - 55296) * 1024 + (l - 56320)
				}
				out = out utf8(u)
			} else out = out esc(c)	# \" \\ \/
		}
		return out
	}
	function emit(path, v) { if (path != "") print path "=" v; else print "=" v }
	function value(path,   c, k, n, start) {
		ws()
		c = substr(S, P, 1)
		if (c == "{") {
			P++; ws()
			if (substr(S, P, 1) == "}") { P++; return }
			for (;;) {
				ws(); k = str(); gsub(/=/, "\\x3d", k); ws(); P++
				value(path == "" ? k : path "." k)
				ws(); c = substr(S, P, 1); P++
				if (c != ",") return
			}
		}
		if (c == "[") {
			P++; ws()
			if (substr(S, P, 1) == "]") { P++; return }
			for (n = 0; ; n++) {
				value(path == "" ? n : path "." n)
				ws(); c = substr(S, P, 1); P++
				if (c != ",") return
			}
		}
		if (c == "\"") { emit(path, str()); return }
		start = P
		while (P <= N && !index(",]} \t\r\n", substr(S, P, 1))) P++
		k = substr(S, start, P - start)
		emit(path, k == "null" ? "" : k)
	}'
}

# read_json ARRAY: the JSON on stdin into ARRAY, flattened by json_kv.
read_json() {
	read_kv "$1" < <(json_kv)
}

# manifest_of FILE: the manifest beside backup FILE, as lib/format/manifest's
# manifest_path() names it: FILE.json.
manifest_of() { printf '%s.json' "$1"; }

# kv_join ARRAY KEY [SEP]: the items KEY.0, KEY.1, ... of a flattened array,
# joined with SEP (default "; "); nothing when there are none.
kv_join() {
	local -n _kv_from=$1
	local _kv_i=0 _kv_out='' _kv_sep=${3-; }
	while [ -n "${_kv_from[$2.$_kv_i]+set}" ]; do
		_kv_out+=${_kv_out:+$_kv_sep}${_kv_from[$2.$_kv_i]}
		_kv_i=$((_kv_i + 1))
	done
	printf '%s' "$_kv_out"
}
