/* SPDX-License-Identifier: MIT */
#include "config/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_MAX 65536

static int check_fd(int fd, const char *path, struct he_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return he_error_set(err, -errno, "secret file %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return he_error_set(err, -EINVAL, "secret file %s is not a regular file", path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return he_error_set(err, -EPERM,
				    "secret file %s is readable by group or others (mode %04o); "
				    "refusing to use it. Fix: chmod 600 %s",
				    path, (unsigned)(st.st_mode & 07777), path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return he_error_set(err, -EPERM,
				    "secret file %s belongs to uid %u, not to root or the user "
				    "running homeexpose; fix: chown root %s",
				    path, (unsigned)st.st_uid, path);
	if (st.st_size > SECRET_MAX)
		return he_error_set(err, -EFBIG, "secret file %s is too large", path);
	if (st.st_size == 0)
		return he_error_set(err, -ENODATA,
				    "secret file %s is empty; write the secret into it (one line)",
				    path);
	return 0;
}

/* open() failed: say why, and for a symbolic link what to do instead. */
static int open_error(const char *p, int e, struct he_error *err)
{
	char target[PATH_MAX];

	if (e == ELOOP && realpath(p, target))
		return he_error_set(err, -ELOOP,
				    "secret file %s is a symbolic link (to %s); secrets are not "
				    "read through links, which could be pointed elsewhere. Name "
				    "the file itself: %s",
				    p, target, target);
	if (e == ELOOP)
		return he_error_set(err, -ELOOP,
				    "secret file %s is a symbolic link; secrets are not read "
				    "through links, which could be pointed elsewhere. Name the "
				    "file itself",
				    p);
	return he_error_set(err, -e, "secret file %s: %s", p, strerror(e));
}

static int resolve(const char *path, char *buf, size_t len, struct he_error *err)
{
	const char *dir;

	if (strncmp(path, "credential:", 11) != 0) {
		snprintf(buf, len, "%s", path);
		return 0;
	}
	dir = getenv("CREDENTIALS_DIRECTORY");
	if (!dir || !*dir)
		return he_error_set(
		    err, -ENOENT,
		    "%s: no systemd credentials are available (CREDENTIALS_DIRECTORY "
		    "is unset); add LoadCredential= to the unit or use a file path",
		    path);
	if (strchr(path + 11, '/') || !path[11])
		return he_error_set(err, -EINVAL, "%s: bad credential name", path);
	snprintf(buf, len, "%s/%s", dir, path + 11);
	return 0;
}

int he_secret_check(const char *path, struct he_error *err)
{
	char p[PATH_MAX];
	int fd, r;

	r = resolve(path, p, sizeof(p), err);
	if (r < 0)
		return r;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return open_error(p, errno, err);
	r = check_fd(fd, p, err);
	close(fd);
	return r;
}

/* A zeroed buffer of N bytes whose size he_secret_free() can find. */
#define SECRET_HEAD 16 /* keeps the malloc alignment */
static char *secret_alloc(size_t n)
{
	char *p = calloc(1, SECRET_HEAD + n);

	if (!p)
		return NULL;
	*(size_t *)(void *)p = n;
	return p + SECRET_HEAD;
}

int he_secret_read(const char *path, char **out, size_t *len, struct he_error *err)
{
	char p[PATH_MAX];
	char *buf = NULL;
	size_t n = 0;
	int fd, r;

	r = resolve(path, p, sizeof(p), err);
	if (r < 0)
		return r;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return open_error(p, errno, err);
	r = check_fd(fd, p, err);
	if (r < 0)
		goto out;
	buf = secret_alloc(SECRET_MAX + 1);
	if (!buf) {
		r = he_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t k = read(fd, buf + n, SECRET_MAX - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = he_error_set(err, -errno, "secret file %s: %s", p, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == SECRET_MAX)
			break;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0) {
		r = he_error_set(err, -ENODATA, "secret file %s is empty", p);
		goto out;
	}
	*out = buf;
	*len = n;
	buf = NULL;
	r = 0;
out:
	he_secret_free(buf);
	close(fd);
	return r;
}

void he_secret_free(char *s)
{
	size_t *head;

	if (!s)
		return;
	/* the whole buffer: a secret may hold a NUL, and bytes past it */
	head = (size_t *)(void *)(s - SECRET_HEAD);
	explicit_bzero(s, *head);
	explicit_bzero(head, SECRET_HEAD);
	free(head);
}

void he_str_wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s) + 1);
	free(s);
}
