/* SPDX-License-Identifier: MIT */
/* spawn.c - posix_spawn with captured stdout/stderr and a timeout. */
#include "core/clock.h"
#include "core/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

static int buf_append(struct buf *b, const char *data, size_t n)
{
	if (b->len >= HE_SPAWN_OUT_MAX)
		return 0; /* capped: drop the rest */
	if (n > HE_SPAWN_OUT_MAX - b->len)
		n = HE_SPAWN_OUT_MAX - b->len;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int buf_finish(struct buf *b)
{
	if (b->p)
		return 0;
	b->p = calloc(1, 1);
	return b->p ? 0 : -ENOMEM;
}

/* The parent's environment with the locale forced to C (parseable output). */
static char **make_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(environ[i], "LC_ALL=", 7) || !strncmp(environ[i], "LANG=", 5) ||
		    !strncmp(environ[i], "LANGUAGE=", 9))
			continue;
		env[k++] = environ[i];
	}
	env[k++] = (char *)"LC_ALL=C";
	env[k] = NULL;
	return env;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int read_into(int *fd, struct buf *b)
{
	char chunk[4096];
	ssize_t r = read(*fd, chunk, sizeof(chunk));

	if (r > 0)
		return buf_append(b, chunk, (size_t)r);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	close_fd(fd); /* EOF or error */
	return 0;
}

int he_spawn_run(const char *const argv[], int timeout_ms, struct he_spawn_result *res,
		 struct he_error *err)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	struct buf bo = {0}, be = {0};
	char **env = NULL;
	pid_t pid = -1;
	int rc, status = 0, timed_out = 0;
	long long deadline;

	if (!argv || !argv[0] || !res)
		return he_error_set(err, -EINVAL, "spawn: no program given");
	memset(res, 0, sizeof(*res));
	if (timeout_ms <= 0)
		timeout_ms = 10000;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		rc = he_error_set(err, -errno, "spawn %s: pipe: %s", argv[0], strerror(errno));
		goto out_pipes;
	}
	env = make_env();
	if (!env) {
		rc = he_error_set(err, -ENOMEM, "spawn %s: out of memory", argv[0]);
		goto out_pipes;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (rc) {
		rc = he_error_set(err, -rc, "cannot run %s: %s", argv[0], strerror(rc));
		goto out_pipes;
	}
	close_fd(&po[1]);
	close_fd(&pe[1]);

	deadline = he_now_ms() + timeout_ms;
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd pfd[2] = {{.fd = po[0], .events = POLLIN},
					{.fd = pe[0], .events = POLLIN}};
		long long left = deadline - he_now_ms();
		int n;

		if (left <= 0) {
			timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		n = poll(pfd, 2, (int)left);
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			kill(pid, SIGKILL);
			break;
		}
		if (n <= 0)
			continue;
		if (pfd[0].revents && (rc = read_into(&po[0], &bo)) < 0)
			break;
		if (pfd[1].revents && (rc = read_into(&pe[0], &be)) < 0)
			break;
	}
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			break;
	}
	if (rc < 0) {
		he_error_set(err, rc, "spawn %s: %s", argv[0], strerror(-rc));
		goto out_pipes;
	}
	if (buf_finish(&bo) < 0 || buf_finish(&be) < 0) {
		rc = he_error_set(err, -ENOMEM, "spawn %s: out of memory", argv[0]);
		goto out_pipes;
	}
	res->timed_out = timed_out;
	if (WIFEXITED(status)) {
		res->exit_code = WEXITSTATUS(status);
	} else {
		res->exit_code = -1;
		res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	res->out = bo.p;
	res->out_len = bo.len;
	res->err = be.p;
	res->err_len = be.len;
	bo.p = be.p = NULL;
	rc = 0;
out_pipes:
	close_fd(&po[0]);
	close_fd(&po[1]);
	close_fd(&pe[0]);
	close_fd(&pe[1]);
	free(bo.p);
	free(be.p);
	return rc;
}

void he_spawn_result_free(struct he_spawn_result *res)
{
	if (!res)
		return;
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
}
