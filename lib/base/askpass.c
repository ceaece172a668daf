/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* askpass: the password prompt and the confirmation, on the terminal only. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <bsd/readpassphrase.h>

#include "base/askpass.h"
#include "base/io.h"

int
askpass_tty(char *buf, size_t len)
{
	if (!isatty(STDERR_FILENO) ||
	    readpassphrase("Password: ", buf, len, RPP_REQUIRE_TTY) == NULL ||
	    buf[0] == '\0')
		return -1;
	return 0;
}

int
askpass_confirm(const char *prompt, const char *answer)
{
	char line[256];
	size_t n = 0;
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (io_write_all(fd, prompt, strlen(prompt)) == -1) {
		close(fd);
		return -1;
	}
	while (n + 1 < sizeof(line) && io_read(fd, line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	close(fd);
	return strcmp(line, answer) == 0;
}
