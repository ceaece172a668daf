/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* askpass: a password typed at the terminal, and a yes typed as the name of
 * what is to be replaced, for a tool to hand to a module that asks
 * (pgconn_opts.ask_password, restorecmd.confirm): the tool decides whether
 * to prompt, the module never reads the terminal itself. */
#ifndef CR_ASKPASS_H
#define CR_ASKPASS_H

#include <stddef.h>

/* When stderr is a terminal: "Password: " on /dev/tty, the answer read
 * without echo into buf (NUL-terminated).  Returns 0, or -1 when there is
 * no terminal, nothing was typed, or it could not be read. */
int askpass_tty(char *buf, size_t len);

/* prompt on /dev/tty, and a line read back (with echo).  Returns 1 when
 * the line is answer, 0 when it is not, -1 when there is no terminal: a
 * tool asks before it replaces something named (cr-restore --clean). */
int askpass_confirm(const char *prompt, const char *answer);

#endif
