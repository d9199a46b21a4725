/* SPDX-License-Identifier: MIT */
#include "agent/control.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "state/state.h"

struct he_ctl_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	he_ctl_handler h;
	void *ctx;
};

struct he_ctl_conn {
	int fd;
	uid_t uid;
	pid_t pid;
	bool cred_ok;
	size_t len;
	char buf[HE_CTL_LINE_MAX + 2];
	char *out; /* the reply still to send (from off) */
	size_t outlen, off;
};

int he_ctl_server_open(const char *dir, he_ctl_handler h, void *ctx, struct he_ctl_server **out,
		       struct he_error *err)
{
	struct he_ctl_server *s;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int r;

	if (strlen(dir) + 1 + strlen(HE_CTL_SOCKET) >= sizeof(sa.sun_path))
		return he_error_set(err, -ENAMETOOLONG,
				    "runtime directory '%s' is too long for a Unix socket path "
				    "(at most %zu characters): set [general] runtime-dir shorter",
				    dir, sizeof(sa.sun_path) - 2 - strlen(HE_CTL_SOCKET));
	r = he_mkdir_p(dir, 0755, err);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return he_error_set(err, -ENOMEM, "out of memory");
	s->h = h;
	s->ctx = ctx;
	snprintf(s->path, sizeof(s->path), "%s/%s", dir, HE_CTL_SOCKET);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		r = he_error_set(err, -errno, "control socket: %s", strerror(errno));
		free(s);
		return r;
	}
	/* a socket file left by a dead agent refuses connections: replace it */
	{
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			r = he_error_set(err, -EADDRINUSE,
					 "another agent is running (it answers on %s); stop it "
					 "first (systemctl stop homeexpose)",
					 s->path);
			goto fail;
		}
		if (probe >= 0)
			close(probe);
		unlink(s->path);
	}
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = he_error_set(err, -errno, "control socket %s: %s", s->path, strerror(errno));
		goto fail;
	}
	/* everyone may connect; what they may ask is decided per request */
	if (chmod(s->path, 0666) < 0 || listen(s->fd, 16) < 0) {
		r = he_error_set(err, -errno, "control socket %s: %s", s->path, strerror(errno));
		unlink(s->path);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	close(s->fd);
	free(s);
	return r;
}

int he_ctl_server_fd(const struct he_ctl_server *s)
{
	return s->fd;
}

const char *he_ctl_server_path(const struct he_ctl_server *s)
{
	return s->path;
}

void he_ctl_server_close(struct he_ctl_server *s)
{
	if (!s)
		return;
	unlink(s->path);
	close(s->fd);
	free(s);
}

struct he_ctl_conn *he_ctl_accept(struct he_ctl_server *s)
{
	struct he_ctl_conn *c;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) {
		c->cred_ok = true;
		c->uid = cred.uid;
		c->pid = cred.pid;
	}
	return c;
}

int he_ctl_conn_fd(const struct he_ctl_conn *c)
{
	return c->fd;
}

int he_ctl_conn_flush(struct he_ctl_conn *c)
{
	while (c->out && c->off < c->outlen) {
		ssize_t n =
		    send(c->fd, c->out + c->off, c->outlen - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0; /* a slow reader: wait for POLLOUT, never block */
		if (n <= 0)
			break;
		c->off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	return 1;
}

/* Queue LINE (taken) and send what the socket takes now: HE_CTL_DONE or HE_CTL_WRITE. */
static int reply(struct he_ctl_conn *c, char *line)
{
	if (!line)
		return HE_CTL_DONE;
	free(c->out);
	c->out = line;
	c->outlen = strlen(line);
	c->off = 0;
	return he_ctl_conn_flush(c) ? HE_CTL_DONE : HE_CTL_WRITE;
}

static bool privileged(const struct he_ctl_conn *c)
{
	return c->cred_ok && (c->uid == 0 || c->uid == geteuid());
}

int he_ctl_conn_handle(struct he_ctl_server *s, struct he_ctl_conn *c)
{
	struct he_ctl_request req = {0};
	struct he_error err;
	char msg[HE_ERR_MSG_MAX];
	char *nl;
	bool ok = true;
	json_t *data;
	ssize_t n;
	int ret;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : 1;
	if (n == 0 && c->len == 0)
		return 1;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	nl = memchr(c->buf, '\n', c->len);
	if (!nl && n > 0 && c->len < sizeof(c->buf) - 1)
		return 0; /* wait for the rest of the line */
	if (!nl && c->len >= sizeof(c->buf) - 1)
		return reply(c, he_ctl_format_reply(NULL, false, "request line too long", NULL));
	if (he_ctl_parse(c->buf, nl ? (size_t)(nl - c->buf) : c->len, &req, &err) < 0)
		return reply(c, he_ctl_format_reply(NULL, false, err.msg, NULL));
	if (he_ctl_cmd_mutates(req.cmd) && !privileged(c)) {
		snprintf(msg, sizeof(msg),
			 "'%s' is for root or the agent's user (uid %u) only; you are uid %u",
			 he_ctl_cmd_name(req.cmd), (unsigned)geteuid(), (unsigned)c->uid);
		ret = reply(c, he_ctl_format_reply(NULL, false, msg, req.id));
		he_ctl_request_free(&req);
		return ret;
	}
	msg[0] = '\0';
	data = s->h(s->ctx, &req, &ok, msg, sizeof(msg));
	ret = reply(c, he_ctl_format_reply(data, ok, ok ? NULL : msg, req.id));
	he_ctl_request_free(&req);
	return ret;
}

void he_ctl_conn_close(struct he_ctl_conn *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->out);
	free(c);
}
