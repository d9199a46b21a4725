/* SPDX-License-Identifier: MIT */
/*
 * state.h - runtime state in the state directory (default /var/lib/homeexpose).
 *
 * Owner: lib/state. One JSON document, state.json, split into named sections
 * (each module owns its section: "portmap", "firewall", "ddns", ...). Opening
 * takes a lock (flock on STATE_DIR/lock): exclusive for writers, shared for
 * readers, so two homeexpose runs at once never corrupt it. Saving writes a
 * temp file, fsyncs it, renames it over state.json and fsyncs the directory.
 */
#ifndef HE_STATE_STATE_H
#define HE_STATE_STATE_H

#include <jansson.h>
#include <sys/types.h>

#include "core/error.h"

struct he_state;

enum he_state_mode {
	HE_STATE_READ = 0,  /* shared lock, save refused */
	HE_STATE_WRITE = 1, /* exclusive lock */
};

/*
 * Open (creating the directory 0755 if missing) and lock the state in dir.
 * Waits up to timeout_ms for the lock (0: fail at once when held).
 * A state.json that cannot be parsed is an error naming the file; it is never
 * silently replaced.
 */
int he_state_open(const char *dir, enum he_state_mode mode, int timeout_ms, struct he_state **out,
		  struct he_error *err);

/* Borrowed reference to section NAME, created empty if missing. */
json_t *he_state_section(struct he_state *st, const char *name);

/* Persist atomically. Refused (-EBADF) for a state opened HE_STATE_READ. */
int he_state_save(struct he_state *st, struct he_error *err);

/* Path of state.json (for messages). */
const char *he_state_path(const struct he_state *st);

/* Unlock and free. Unsaved changes are dropped. Accepts NULL. */
void he_state_close(struct he_state *st);

/*
 * Write a whole file atomically: PATH.tmp.PID, fsync, rename, fsync dir.
 * mode is applied to the new file.
 */
int he_atomic_write(const char *path, const void *data, size_t len, mode_t mode,
		    struct he_error *err);

/* mkdir -p with mode for each created component. */
int he_mkdir_p(const char *path, mode_t mode, struct he_error *err);

#endif
