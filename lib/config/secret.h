/* SPDX-License-Identifier: MIT */
/*
 * secret.h - secret files (passwords, API tokens, TSIG keys).
 *
 * Owner: lib/config. Secrets are referenced by path, never inline. A secret
 * file must be a regular file, not readable by group or others, owned by the
 * reading user or root. Reading also accepts systemd credentials
 * ($CREDENTIALS_DIRECTORY/NAME) when the path is "credential:NAME".
 */
#ifndef HE_CONFIG_SECRET_H
#define HE_CONFIG_SECRET_H

#include <stddef.h>

#include "core/error.h"

/* Check a secret file's type, owner and mode. The message names the fix. */
int he_secret_check(const char *path, struct he_error *err);

/*
 * Read a secret (checked first) into a new NUL-terminated buffer, trailing
 * newline removed. The caller wipes and frees it with he_secret_free().
 */
int he_secret_read(const char *path, char **out, size_t *len, struct he_error *err);

/* Zero the whole buffer and free a secret from he_secret_read() (only those). Accepts NULL. */
void he_secret_free(char *s);
/* Zero a plain heap string that held secret text (strdup, calloc: strlen + 1) and free it. */
void he_str_wipe_free(char *s);

#endif
