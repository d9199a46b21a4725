/* SPDX-License-Identifier: MIT */
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct he_state {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	int lock_fd;
	enum he_state_mode mode;
	json_t *root;
};

int he_mkdir_p(const char *path, mode_t mode, struct he_error *err)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return he_error_set(err, -ENAMETOOLONG, "bad directory path '%s'", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return he_error_set(err, -errno, "cannot create directory %s: %s", buf,
					    strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return he_error_set(err, -errno, "cannot create directory %s: %s", buf,
				    strerror(errno));
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, r = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* PATH.tmp.RANDOM, created new (O_EXCL, no symlink followed): an fd or -errno. */
static int create_temp(const char *path, mode_t mode, char *tmp, size_t n)
{
	for (int tries = 0; tries < 8; tries++) {
		uint64_t rnd;
		int fd;

		if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return -EIO;
		if (snprintf(tmp, n, "%s.tmp.%016llx", path, (unsigned long long)rnd) >= (int)n)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* 1 when path is a regular file (not followed through a symlink) of mode holding data. */
static bool same_file(const char *path, const void *data, size_t len, mode_t mode)
{
	char buf[4096];
	const char *want = data;
	struct stat sb;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool same = false;

	if (fd < 0)
		return false;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 07777) != mode ||
	    (size_t)sb.st_size != len)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			same = n == 0 && off == len;
			break;
		}
		if ((size_t)n > len - off || memcmp(buf, want + off, (size_t)n) != 0)
			break;
		off += (size_t)n;
	}
out:
	close(fd);
	return same;
}

int he_atomic_write(const char *path, const void *data, size_t len, mode_t mode,
		    struct he_error *err)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd, r;

	if (same_file(path, data, len, mode))
		return 0; /* already exactly so: no write, no fsync */
	fd = create_temp(path, mode, tmp, sizeof(tmp));
	if (fd == -ENAMETOOLONG)
		return he_error_set(err, fd, "path too long: %s", path);
	if (fd < 0)
		return he_error_set(err, fd, "cannot create a temporary file beside %s: %s", path,
				    strerror(-fd));
	if (fchmod(fd, mode) < 0) {
		r = he_error_set(err, -errno, "cannot chmod %s: %s", tmp, strerror(errno));
		goto fail;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = he_error_set(err, -errno, "cannot write %s: %s", tmp, strerror(errno));
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		r = he_error_set(err, -errno, "cannot fsync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = he_error_set(err, -errno, "cannot close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = he_error_set(err, -errno, "cannot rename %s to %s: %s", tmp, path,
				 strerror(errno));
		goto fail;
	}
	r = fsync_dir_of(path);
	if (r < 0)
		return he_error_set(err, r, "cannot fsync directory of %s: %s", path, strerror(-r));
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}

static int take_lock(int fd, int op, int timeout_ms)
{
	struct timespec delay = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
	int waited = 0;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (waited >= timeout_ms)
			return -EWOULDBLOCK;
		nanosleep(&delay, NULL);
		waited += 10;
	}
}

/* The pid holding a flock on FD's file, from /proc/locks; 0 if not found. */
static long lock_holder(int fd)
{
	struct stat sb;
	char line[256];
	long pid = 0;
	FILE *f;

	if (fstat(fd, &sb) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		unsigned long long ino;
		unsigned maj, min;
		long p;

		if (sscanf(line, "%*d: FLOCK %*s %*s %ld %x:%x:%llu", &p, &maj, &min, &ino) == 4 &&
		    ino == (unsigned long long)sb.st_ino && p != (long)getpid())
			pid = p;
	}
	fclose(f);
	return pid;
}

/* Sections that may hold provider text: kept in HE_STATE_PRIVATE (0600). */
static const char *const private_sections[] = {"ddns", NULL};

/* One JSON object file into *out: absent is an empty object; unreadable is an
 * error unless denied_ok (a reader without the right: then empty too). */
static int load_file(const char *path, bool denied_ok, json_t **out, struct he_error *err)
{
	json_error_t jerr;

	*out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out) {
		if (access(path, R_OK) < 0 && errno == EACCES && denied_ok) {
			*out = json_object();
			return *out ? 0 : he_error_set(err, -ENOMEM, "out of memory");
		}
		if (access(path, R_OK) < 0 && errno != ENOENT)
			return he_error_set(err, -errno,
					    "cannot read %s: %s (the state is for root only: the "
					    "agent answers everyone over its control socket)",
					    path, strerror(errno));
		if (access(path, F_OK) == 0)
			return he_error_set(err, -EBADMSG,
					    "%s:%d: state file is not valid JSON (%s); move it "
					    "aside to start with an empty state",
					    path, jerr.line, jerr.text);
		*out = json_object();
	}
	if (!*out || !json_is_object(*out))
		return he_error_set(err, -EBADMSG, "%s: state file is not a JSON object", path);
	return 0;
}

/* state.json, and over it the private sections a reader may read. */
static int load(struct he_state *st, struct he_error *err)
{
	char priv_path[PATH_MAX + 32];
	json_t *priv = NULL;
	int r;

	r = load_file(st->path, false, &st->root, err);
	if (r < 0)
		return r;
	snprintf(priv_path, sizeof(priv_path), "%s/%s", st->dir, HE_STATE_PRIVATE);
	r = load_file(priv_path, st->mode == HE_STATE_READ, &priv, err);
	if (r == 0)
		json_object_update(st->root, priv);
	json_decref(priv);
	return r;
}

int he_state_open(const char *dir, enum he_state_mode mode, int timeout_ms, struct he_state **out,
		  struct he_error *err)
{
	struct he_state *st;
	char lockpath[PATH_MAX];
	int r;

	st = calloc(1, sizeof(*st));
	if (!st)
		return he_error_set(err, -ENOMEM, "out of memory");
	st->lock_fd = -1;
	st->mode = mode;
	if (snprintf(st->dir, sizeof(st->dir), "%s", dir) >= (int)sizeof(st->dir) ||
	    snprintf(st->path, sizeof(st->path), "%s/state.json", dir) >= (int)sizeof(st->path) ||
	    snprintf(lockpath, sizeof(lockpath), "%s/lock", dir) >= (int)sizeof(lockpath)) {
		r = he_error_set(err, -ENAMETOOLONG, "state directory path too long: %s", dir);
		goto fail;
	}
	if (mode == HE_STATE_READ) {
		r = load(st, err);
		if (r < 0)
			goto fail;
		*out = st;
		return 0;
	}
	r = he_mkdir_p(dir, 0755, err);
	if (r < 0)
		goto fail;
	/* 0600: a lock other users could open, they could hold (flock needs no write) */
	st->lock_fd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->lock_fd < 0) {
		r = he_error_set(err, -errno, "cannot open lock file %s: %s", lockpath,
				 strerror(errno));
		goto fail;
	}
	{
		struct stat sb;

		if (fstat(st->lock_fd, &sb) == 0 && (sb.st_mode & 077) && sb.st_uid == geteuid())
			fchmod(st->lock_fd, 0600); /* made 0644 by an older version */
	}
	r = take_lock(st->lock_fd, LOCK_EX, timeout_ms);
	if (r == -EWOULDBLOCK) {
		long pid = lock_holder(st->lock_fd);

		if (pid)
			he_error_set(err, r,
				     "state %s is locked by another homeexpose run (pid %ld); try "
				     "again when it has finished",
				     dir, pid);
		else
			he_error_set(err, r,
				     "state %s is locked by another homeexpose run; try again "
				     "when it has finished",
				     dir);
		goto fail;
	}
	if (r < 0) {
		he_error_set(err, r, "cannot lock %s: %s", lockpath, strerror(-r));
		goto fail;
	}
	r = load(st, err);
	if (r < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	he_state_close(st);
	return r;
}

json_t *he_state_section(struct he_state *st, const char *name)
{
	json_t *sec = json_object_get(st->root, name);

	if (!json_is_object(sec)) {
		sec = json_object();
		if (!sec || json_object_set_new(st->root, name, sec) < 0)
			return NULL;
	}
	return sec;
}

int he_state_save(struct he_state *st, struct he_error *err)
{
	char priv_path[PATH_MAX + 32];
	char *text = NULL;
	json_t *pub = NULL, *priv = NULL;
	int r;

	if (st->mode != HE_STATE_WRITE)
		return he_error_set(err, -EBADF, "state %s was opened read-only", st->path);
	pub = json_copy(st->root);
	priv = json_object();
	if (!pub || !priv) {
		r = he_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; private_sections[i]; i++) {
		json_t *sec = json_object_get(st->root, private_sections[i]);

		if (sec)
			json_object_set(priv, private_sections[i], sec);
		json_object_del(pub, private_sections[i]);
	}
	/* first the private part (0600: provider replies), then the rest (0644) */
	snprintf(priv_path, sizeof(priv_path), "%s/%s", st->dir, HE_STATE_PRIVATE);
	r = -ENOMEM;
	text = json_dumps(priv, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text)
		r = he_atomic_write(priv_path, text, strlen(text), 0600, err);
	free(text);
	text = NULL;
	if (r == 0) {
		r = -ENOMEM;
		text = json_dumps(pub, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (text)
			r = he_atomic_write(st->path, text, strlen(text), 0644, err);
	}
	if (r == -ENOMEM)
		he_error_set(err, r, "cannot serialise state");
out:
	free(text);
	json_decref(pub);
	json_decref(priv);
	return r;
}

const char *he_state_path(const struct he_state *st)
{
	return st->path;
}

void he_state_close(struct he_state *st)
{
	if (!st)
		return;
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	json_decref(st->root);
	free(st);
}
