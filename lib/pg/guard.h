/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* guard: whether a restore target looks like production.  Three signs, each
 * enough: its name matches a pattern, the environment says production, or
 * the database carries a production marker.  Nothing prints. */
#ifndef CR_GUARD_H
#define CR_GUARD_H

#include <stddef.h>

#include <libpq-fe.h>

#include "base/dotenv.h"

/* fnmatch(3) patterns, colon-separated, matched ignoring case.  The
 * environment variable CR_PRODUCTION_PATTERNS replaces them. */
#define GUARD_DEFAULT_PATTERNS	"*prod*:*production*"

/* The markers: a database comment containing GUARD_MARKER_COMMENT, or the
 * database-level setting GUARD_MARKER_SETTING = 'production'. */
#define GUARD_MARKER_COMMENT	"cr:production"
#define GUARD_MARKER_SETTING	"cr.environment"

/* 1 with a reason when name matches a pattern (patterns NULL: the
 * environment's or the default list), else 0. */
int guard_name(const char *name, const char *patterns, char *reason, size_t len);

/* 1 with a reason when APP_ENV, NODE_ENV or CR_ENV in the environment, or
 * in env (an application's .env file, may be NULL), says production. */
int guard_env(const struct dotenv *env, char *reason, size_t len);

/* 1 with a reason when database dbname on conn carries a marker, 0 when it
 * does not (or does not exist), -1 with the server's message in reason. */
int guard_marker(PGconn *conn, const char *dbname, char *reason, size_t len);

#endif
