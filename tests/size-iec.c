/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* size-iec: test driver for lib/base/size.c, built by tests/size.bats.  Prints
 * size_iec of each argument (a byte count), one a line. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/size.h"

int
main(int argc, char *argv[])
{
	char buf[SIZE_IEC_LEN];
	int i;

	for (i = 1; i < argc; i++)
		printf("%s\n", size_iec(strtoumax(argv[i], NULL, 10), buf));
	return 0;
}
