/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sqlexec: how cr executes SQL on a connection and says what failed.  A
 * failure is one line with the input line and the start of the statement,
 * "line 12: ERROR: primary DETAIL: ... HINT: ... (statement: CREATE ...)";
 * COPY FROM STDIN data is streamed, and a row the server rejects is pointed
 * at by its own input line; notices are passed on with the input line.
 * Nothing prints. */
#ifndef CR_SQLEXEC_H
#define CR_SQLEXEC_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* The failure res (or, when it says nothing, conn's last error) as
 * "line N: SEVERITY: primary DETAIL: ... HINT: ... (what)" into err. */
void sqlexec_error(PGconn *conn, const PGresult *res, unsigned long line, const char *what,
    char *err, size_t errlen);

/* Run sql (a command or a query whose rows are not wanted).  Returns 0, or
 * -1 with err set as sqlexec_error, the statement's head as 'what'. */
int sqlexec_simple(PGconn *conn, const char *sql, unsigned long line, char *err,
    size_t errlen);


/* Read and drop the results still pending on conn. */
void sqlexec_drain(PGconn *conn);

/* A COPY FROM STDIN in progress. */
struct sqlexec_copy {
	PGconn		*conn;		/* NULL: nothing is sent (a scan) */
	int		 active;
	unsigned long	 line;		/* the COPY statement */
	unsigned long	 data_line;	/* its first data line */
	char		 head[96];
};

/* The COPY statement text (at input line 'line') is about to be sent. */
void sqlexec_copy_begin(struct sqlexec_copy *, PGconn *conn, const char *stmt, size_t len,
    unsigned long line);

/* Send a chunk of whole rows starting at input line 'line'.  Returns 0, or
 * -1 with err set and *errline the input line the server complained about. */
int sqlexec_copy_data(struct sqlexec_copy *, const char *buf, size_t len,
    unsigned long line, char *err, size_t errlen, unsigned long *errline);

/* End the data (the \. at input line 'line'); *loaded gets the rows the
 * server says it stored (the COPY command tag).  Returns 0 or -1 as above. */
int sqlexec_copy_end(struct sqlexec_copy *, unsigned long line, uint64_t *loaded,
    char *err, size_t errlen, unsigned long *errline);

/* Leave COPY IN mode after a failure on our side, telling the server why. */
void sqlexec_copy_abort(struct sqlexec_copy *, const char *why);

/* Run one statement of the input (text, NUL-terminated, len bytes; it starts
 * at input line 'line').  Returns 0 when it ran; 1 when the server awaits COPY FROM STDIN
 * data and copy (not NULL) has begun: follow with sqlexec_copy_data and
 * sqlexec_copy_end.  With copy NULL no data follows the statement: a COPY
 * FROM STDIN is ended with an error, a COPY TO STDOUT's rows are read and
 * dropped.  Returns -1 with err set as sqlexec_error (the statement's head
 * as 'what', the line sqlexec_error_line gives, also in *errline) and
 * sqlstate (6 bytes, may be NULL) the server's code, "" when none. */
int sqlexec_statement(PGconn *conn, const char *text, size_t len, unsigned long line,
    struct sqlexec_copy *copy, char *err, size_t errlen, unsigned long *errline,
    char *sqlstate);

/* Notices: install with PQsetNoticeReceiver(conn, sqlexec_notice_receiver, n).
 * fn gets the input line *line is at when the notice arrives. */
struct sqlexec_notices {
	void		(*fn)(void *arg, unsigned long line, const char *severity,
			    const char *msg);
	void		*arg;
	const unsigned long *line;
};
void sqlexec_notice_receiver(void *arg, const PGresult *res);

#endif
