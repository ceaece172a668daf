# shellcheck shell=bash
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# Bash completion for the eight cr commands.  Options come from the
# command's own --help, whose option lines the C tools print from their
# getopt tables (lib/base/cliopt.c) and the wrappers from their option lists, so
# what completes is what the installed version takes.  Anything else
# completes as a file name.  `make install` puts this file in
# bash-completion's directory under each command's name.

# _cr_options CMD: CMD's options, one a line, from its --help (cached).
declare -gA _cr_options_cache
_cr_options() {
	local cmd=$1
	if [ -z "${_cr_options_cache[$cmd]+set}" ]; then
		_cr_options_cache[$cmd]=$("$cmd" --help 2>/dev/null </dev/null | awk '
			# the lines after "Options:" up to the first that is not
			# "  -d, --dbname=DBNAME   text" or "      --clean   text"
			/^Options:$/ { p = 1; next }
			p && !/^  +-/ { p = 0 }
			p {
				n = split(substr($0, 1, 33), w, /[ ,=]+/)
				for (i = 1; i <= n; i++)
					if (w[i] ~ /^--?[A-Za-z0-9][A-Za-z0-9-]*$/)
						print w[i]
			}')
	fi
	printf '%s\n' "${_cr_options_cache[$cmd]}"
}

_cr() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=''
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	case $cur in
	-*)
		mapfile -t COMPREPLY < <(compgen -W "$(_cr_options "$1")" -- "$cur")
		return 0 ;;
	esac
	# cr-migrate's commands, as its usage lists them
	if [ "$1" = cr-migrate ] && [[ $prev != -* || $prev == -[qv] ]]; then
		mapfile -t COMPREPLY < <(compgen -W "status up baseline verify" -- "$cur")
		[ ${#COMPREPLY[@]} -gt 0 ] && return 0
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	return 0
}

complete -o filenames -o bashdefault -F _cr \
	cr-dump cr-gz cr-verify cr-rotate cr-restore cr-migrate cr-backup cr-restore-dev
