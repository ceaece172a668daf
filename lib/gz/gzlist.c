/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzlist: sizes of a gzip file, from a cr-gz stream's map (gzrange) or by
 * decompressing (see gzlist.h). */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "gz/gzin.h"
#include "gz/gzlist.h"
#include "gz/gzrange.h"

int
gzlist_sizes(int fd, uint64_t *in, uint64_t *out, char *err, size_t errlen)
{
	struct gzmap *map;
	struct stat st;
	struct gzin *g;
	const void *p;
	ssize_t n;
	int status = 0;

	*in = *out = 0;
	/* one whole cr-gz stream in a file: its members mapped, not inflated */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (map = gzmap_open(fd)) != NULL) {
		*in = (uint64_t)st.st_size;
		*out = gzmap_total(map);
		gzmap_free(map);
		return 0;
	}
	/* anything else: count it by decompressing, which also checks it */
	if (lseek(fd, 0, SEEK_SET) == -1 && errno != ESPIPE) {
		snprintf(err, errlen, "%s", strerror(errno));
		return EX_IOERR;
	}
	if ((g = gzin_open(fd, 0)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return EX_OSERR;
	}
	while ((n = gzin_next(g, &p)) > 0)
		*out += (uint64_t)n;
	if (n == -1) {
		snprintf(err, errlen, "%s", gzin_error(g));
		status = gzin_exit_code(g);
	}
	*in = gzin_bytes_in(g);
	gzin_close(g);
	return status;
}
