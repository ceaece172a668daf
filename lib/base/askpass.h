/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* askpass: a password typed at the terminal, for a tool to hand to a module
 * that asks for one (pgconn_opts.ask_password): the tool decides whether
 * to prompt, the module never reads the terminal itself. */
#ifndef CR_ASKPASS_H
#define CR_ASKPASS_H

#include <stddef.h>

/* When stderr is a terminal: "Password: " on /dev/tty, the answer read
 * without echo into buf (NUL-terminated).  Returns 0, or -1 when there is
 * no terminal, nothing was typed, or it could not be read. */
int askpass_tty(char *buf, size_t len);

#endif
