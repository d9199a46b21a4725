/* SPDX-License-Identifier: MIT */
/*
 * file.h - reading small text files whole (configuration, drop-ins, profiles).
 *
 * Owner: lib/core.
 */
#ifndef HE_CORE_FILE_H
#define HE_CORE_FILE_H

#include <stddef.h>

/*
 * Read path into a new NUL-terminated buffer (free()). Returns 0, -errno, or
 * -EFBIG when the file holds more than max bytes, -EILSEQ when it holds a NUL
 * byte (it would end the text early; nothing is returned then).
 */
int he_read_text(const char *path, size_t max, char **out);

#endif
