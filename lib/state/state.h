/* SPDX-License-Identifier: MIT */
/*
 * state.h - runtime state in the state directory (default /var/lib/homeexpose).
 *
 * Owner: lib/state. One JSON document, state.json, split into named sections
 * (each module owns its section: "portmap", "firewall", "ddns", ...). A writer
 * takes an exclusive lock (flock on STATE_DIR/lock, mode 0600, so no other
 * user can hold it), so two homeexpose runs at once never corrupt it; readers
 * take no lock: state.json is only ever replaced whole. Saving writes a temp
 * file, fsyncs it, renames it over state.json and fsyncs the directory. The
 * sections that may hold provider replies ("ddns") are kept apart, in
 * HE_STATE_PRIVATE (0600): a reader without the right sees them empty (others
 * ask the agent); state.json (0644) holds the rest.
 */
#ifndef HE_STATE_STATE_H
#define HE_STATE_STATE_H

#include <jansson.h>
#include <sys/types.h>

#include "core/error.h"

struct he_state;

#define HE_STATE_PRIVATE "state-private.json"

enum he_state_mode {
	HE_STATE_READ = 0,  /* no lock (a consistent snapshot), save refused */
	HE_STATE_WRITE = 1, /* exclusive lock */
};

/*
 * Open the state in dir; for writing, create the directory (0755) if missing
 * and lock it, waiting up to timeout_ms (0: fail at once when held; the
 * message names the holder's pid when /proc/locks tells it).
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
 * Write a whole file atomically: a new PATH.tmp.RANDOM (O_EXCL|O_NOFOLLOW: a
 * planted file or symlink is never written through), fsync, rename, fsync
 * dir. mode is applied to the new file. When PATH is a regular file (not a
 * symlink) that already holds exactly these bytes with this mode, nothing is
 * written (an unchanged drop-in or state costs no fsync).
 */
int he_atomic_write(const char *path, const void *data, size_t len, mode_t mode,
		    struct he_error *err);

/* mkdir -p with mode for each created component. */
int he_mkdir_p(const char *path, mode_t mode, struct he_error *err);

#endif
