# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# Shared bats helpers: a throwaway PostgreSQL cluster per test file.
#
# Usage in a .bats file:
#   load helpers
#   setup_file()    { pg_start; }
#   teardown_file() { pg_stop; }
#
# pg_start runs initdb into a fresh temp dir and starts a server that listens
# only on a unix socket in that dir (listen_addresses = ''), as a non-root OS
# user (postgres, or $CR_TEST_OS_USER) when the suite runs as root.  It exports
# PGHOST, PGPORT, PGUSER, PGDATABASE for the tools and psql, and clears every
# other PG* variable so no test can reach another server.
#
# Authentication: trust for every role, except the role "crpass" which must
# give its password (scram-sha-256), so tests can prove password handling.

CR_REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${CR_BIN:=$CR_REPO/build/default/bin}"
export CR_BIN CR_REPO
PATH="$CR_BIN:$PATH"

pg_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	echo "helpers: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" >&2
	return 1
}

# as_pg_user CMD...: run CMD as the cluster's OS user.
as_pg_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "${CR_TEST_OS_USER:-postgres}" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local bindir root port
	bindir=$(pg_bindir) || return 1
	root=$(mktemp -d /tmp/cr-pg.XXXXXX) || return 1
	chmod 755 "$root"
	[ "$(id -u)" -eq 0 ] && chown "${CR_TEST_OS_USER:-postgres}" "$root"
	port=$(( 20000 + RANDOM % 20000 ))

	as_pg_user "$bindir/initdb" -D "$root/data" -U cr --auth=trust \
		-E UTF8 --no-locale --no-sync >"$root/initdb.log" 2>&1 || {
		cat "$root/initdb.log" >&2; return 1; }
	cat >>"$root/data/postgresql.conf" <<-CONF
	listen_addresses = ''
	unix_socket_directories = '$root'
	port = $port
	fsync = off
	synchronous_commit = off
	full_page_writes = off
	max_connections = 40
	shared_buffers = 32MB
	CONF
	{
		echo "local all crpass scram-sha-256"
		echo "local all all trust"
	} >"$root/data/pg_hba.conf"

	export CR_PGROOT=$root CR_PGBIN=$bindir
	pg_server_start || return 1

	unset PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGHOSTADDR PGOPTIONS \
		PGSSLMODE PGCONNECT_TIMEOUT DATABASE_URL APP_ENV NODE_ENV CR_ENV
	export PGHOST=$root PGPORT=$port PGUSER=cr PGDATABASE=postgres
	export PGPASSFILE=$root/no-pgpass	# never read the tester's ~/.pgpass
}

pg_server_start() {
	as_pg_user "$CR_PGBIN/pg_ctl" -D "$CR_PGROOT/data" -l "$CR_PGROOT/server.log" \
		-w -t 60 start >/dev/null || { cat "$CR_PGROOT/server.log" >&2; return 1; }
}

pg_server_stop() {
	as_pg_user "$CR_PGBIN/pg_ctl" -D "$CR_PGROOT/data" -m "${1:-fast}" -w stop >/dev/null
}

pg_stop() {
	[ -n "${CR_PGROOT:-}" ] && [ -d "$CR_PGROOT" ] || return 0
	pg_server_stop immediate 2>/dev/null
	rm -rf "$CR_PGROOT"
}

# q SQL [DB]: run SQL, print unaligned tuples only, stop on error.
q() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "${2:-$PGDATABASE}" -c "$1"
}

# mkdb NAME: a fresh, empty database.
mkdb() {
	q "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null && q "CREATE DATABASE \"$1\"" >/dev/null
}

# load_awkward DB: a fresh database holding tests/fixtures/awkward.sql, the
# schema with every case a dump/restore round trip tends to get wrong.
load_awkward() {
	mkdb "$1" &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$CR_REPO/tests/fixtures/awkward.sql" >/dev/null
}

# Assertions that print what they saw on failure.
assert_status() {	# assert_status EXPECTED (after `run`)
	if [ "$status" -ne "$1" ]; then
		echo "expected exit $1, got $status; output:" >&2
		echo "$output" >&2
		# after run --separate-stderr the reason is often only here
		[ -z "${stderr:-}" ] || { echo "stderr:" >&2; echo "$stderr" >&2; }
		return 1
	fi
}
assert_output_contains() {
	case "$output" in
	*"$1"*) return 0 ;;
	esac
	echo "expected output to contain: $1" >&2
	echo "got: $output" >&2
	return 1
}
assert_equal() {
	if [ "$1" != "$2" ]; then
		echo "expected: $2" >&2
		echo "     got: $1" >&2
		return 1
	fi
}
assert_stderr_contains() {	# after `run --separate-stderr`
	case "$stderr" in
	*"$1"*) return 0 ;;
	esac
	echo "expected stderr to contain: $1" >&2
	echo "got: $stderr" >&2
	return 1
}
# refute_grep [GREP_OPTION...] PATTERN FILE...: fail if a line of any FILE
# matches (and show it), or if grep cannot read a FILE.  A mid-test
# `! grep -q ...` asserts nothing in bats; this does.
refute_grep() {
	local hits rc=0
	hits=$(grep -H "$@") || rc=$?
	case $rc in
	1) return 0 ;;
	0) echo "expected no line matching: grep $*" >&2
	   echo "found: $hits" >&2 ;;
	*) echo "refute_grep: grep $* failed (exit $rc)" >&2 ;;
	esac
	return 1
}

# cr_version: the version the tools under test were built with (the build
# tree's VERSION stamp, written by make), else the one make would stamp.
cr_version() {
	if [ -f "$CR_BIN/../VERSION" ]; then
		cat "$CR_BIN/../VERSION"
	else
		mk -s -C "$CR_REPO" version
	fi
}

# ---- Helpers more than one test file uses: one copy each, here. ----

# mk ARGS...: make as a run of its own: MAKEFLAGS from an outer `make check`
# would carry its jobserver along, and `make SANITIZE=1 check` its SANITIZE
# (release.bats's tarball would build elsewhere; build.bats passes its own O).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE make --no-print-directory "$@"; }

# build_driver NAME OUT: tests/NAME.c, a test driver, built against the
# libcr.a of the tools under test into OUT, sanitized as they are
# (CR_SANITIZE=1, from make SANITIZE=1 check).
build_driver() {
	local flags=()
	[ "${CR_SANITIZE:-}" = 1 ] && flags=(-fsanitize=address,undefined)
	# shellcheck disable=SC2046 # pkg-config's words are separate flags
	cc -std=c11 -D_GNU_SOURCE -I"$CR_REPO/lib" -I"$(pg_config --includedir)" "${flags[@]}" \
		-o "$2" "$CR_REPO/tests/$1.c" "$CR_BIN/../libcr.a" \
		$(pkg-config --libs libpq zlib libbsd libdeflate libcrypto 2>/dev/null ||
		  echo -lpq -lz -lbsd -ldeflate -lcrypto) -lm -pthread
}

# old_db DB: a fresh database with known old contents (table keepme, 42
# rows), for a restore to replace or to leave alone.
old_db() {
	mkdb "$1"
	q "CREATE TABLE keepme (id int); INSERT INTO keepme SELECT generate_series(1, 42)" "$1" >/dev/null
}

# scratch_dbs: how many databases cr-restore --clean/--test left behind: its
# scratch databases (NAME_cr_restore_*) and replaced ones (NAME_cr_old_*).
# (restore.bats counted only the first; a leftover old database is as much
# a leak, and no test expects one to stay.)
scratch_dbs() {
	q "SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_cr\\_restore\\_%' OR datname LIKE '%\\_cr\\_old\\_%'"
}

# flip FILE OFFSET: invert every bit of the byte at OFFSET, in place.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# members FILE: "OFFSET SIZE" of each member of a cr-gz stream, from the
# size field of its CR subfield (docs/stream-format.md).
members() {
	local f=$1 off=0 n m
	n=$(wc -c <"$f")
	while [ "$off" -lt "$n" ]; do
		m=$(od -An -tu4 -j $((off + 16)) -N4 "$f" | tr -d ' ')
		echo "$off $m"
		off=$((off + m))
	done
}
