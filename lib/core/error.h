/* SPDX-License-Identifier: MIT */
/*
 * error.h - the error struct every library call fills on failure.
 *
 * Owner: lib/core. Library code returns 0 or -errno and, on failure, writes a
 * human message here; it never prints. Only cmd/ prints err->msg.
 */
#ifndef HE_CORE_ERROR_H
#define HE_CORE_ERROR_H

#include <stddef.h>

#define HE_ERR_MSG_MAX 768

struct he_error {
	int code;                 /* negative errno, 0 when clear */
	char msg[HE_ERR_MSG_MAX]; /* one or more lines, no trailing newline */
};

/* Clear an error struct. Accepts NULL. */
void he_error_clear(struct he_error *err);

/*
 * Set the error message (printf-style) and return code. code must be a
 * negative errno; it is returned so callers can write
 *     return he_error_set(err, -EINVAL, "bad port '%s'", s);
 * err may be NULL (then only the code is returned).
 */
int he_error_set(struct he_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prepend context to an existing message: "CONTEXT: old message".
 * Returns err->code (or code if err is NULL).
 */
int he_error_prefix(struct he_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
