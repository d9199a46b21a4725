/* SPDX-License-Identifier: MIT */
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int he_read_text(const char *path, size_t max, char **out)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int r = 0;

	if (!f)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, max, f);
	if (ferror(f))
		r = -EIO;
	else if (!feof(f) && fgetc(f) != EOF)
		r = -EFBIG;
	else if (memchr(buf, '\0', n))
		r = -EILSEQ; /* a NUL would silently end the text */
	fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}
