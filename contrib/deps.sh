#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# Check cr's build and test prerequisites; install the missing Debian packages
# with apt-get when running as root, otherwise name them and fail.
# Extra packages (e.g. for CI or the benchmark) can be asked for in CR_EXTRA_PKGS.
#
#   deps.sh [--check] [--build]
#   --check   only check: name what is missing in one line, install nothing
#   --build   only what building needs (plain `make`), not the test suite's
# CR_INCLUDE_DIR (default /usr/include) is where the headers are looked for.

check_only=0 build_only=0
for arg; do
	case $arg in
	--check)	check_only=1 ;;
	--build)	build_only=1 ;;
	*)		echo "usage: deps.sh [--check] [--build]" >&2; exit 64 ;;
	esac
done
inc=${CR_INCLUDE_DIR:-/usr/include}

missing=""
need() {	# need PACKAGE TEST...
	pkg=$1; shift
	"$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
# shellcheck disable=SC2317 # run through need
has_header() { [ -f "$inc/$1" ]; }
# shellcheck disable=SC2317 # run through need
has_pg_server() { ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

need make        command -v make
need gcc         command -v cc
need pkg-config  command -v pkg-config
need libpq-dev   has_header postgresql/libpq-fe.h
need zlib1g-dev  has_header zlib.h
need libdeflate-dev has_header libdeflate.h
need libbsd-dev  has_header bsd/string.h
need libssl-dev  has_header openssl/evp.h
if [ "$build_only" -eq 0 ]; then
	need bats        command -v bats
	need mandoc      command -v mandoc
	need shellcheck  command -v shellcheck
	need postgresql  has_pg_server
	need postgresql-client command -v psql
	for p in $CR_EXTRA_PKGS; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
fi

[ -z "$missing" ] && exit 0

if [ "$check_only" -eq 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "cr: installing prerequisites:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# $missing is a list of package names: split on purpose.
	# shellcheck disable=SC2086
	if ! apt-get update -qq >&2 ||
		! apt-get install -y -qq --no-install-recommends $missing >&2; then
		echo "cr: apt-get install failed for:$missing" >&2
		exit 69
	fi
	exit 0
fi
echo "cr: missing prerequisites:$missing; install them with: make deps (as root), or: sudo apt-get install$missing" >&2
exit 69
