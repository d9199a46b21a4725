/* SPDX-License-Identifier: MIT */
#include "core/clock.h"
#include "agent/control_client.h"
#include "core/wait.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int he_ctl_parse_reply(const char *buf, size_t len, json_t **reply, struct he_error *err)
{
	json_error_t je;
	json_t *doc = buf ? json_loadb(buf, len, 0, &je) : NULL;

	*reply = NULL;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return he_error_set(err, -EPROTO, "the agent's reply is not a JSON object");
	}
	*reply = doc;
	if (!json_is_true(json_object_get(doc, "ok"))) {
		const char *m = json_string_value(json_object_get(doc, "error"));

		return he_error_set(err, m && strstr(m, "only; you are") ? -EPERM : -EINVAL,
				    "agent: %.600s", m ? m : "request refused");
	}
	return 0;
}

int he_ctl_call(const char *dir, enum he_ctl_cmd cmd, int timeout_ms, json_t **reply,
		struct he_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	long long deadline = he_now_ms() + (timeout_ms > 0 ? timeout_ms : 2000);
	char *req = he_ctl_format_request(cmd), *buf = NULL;
	size_t len = 0, cap = 0, off = 0;
	int fd = -1, r;

	*reply = NULL;
	if (!req)
		return he_error_set(err, -EINVAL, "unknown control command");
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, HE_CTL_SOCKET) >=
	    (int)sizeof(sa.sun_path)) {
		r = he_error_set(err, -ENAMETOOLONG, "runtime directory '%s' is too long", dir);
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = he_error_set(err, -errno, "socket: %s", strerror(errno));
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		if (r == -ENOENT || r == -ECONNREFUSED)
			he_error_set(err, r, "no agent is running (nothing answers on %s)",
				     sa.sun_path);
		else
			he_error_set(err, r, "connecting to the agent at %s: %s", sa.sun_path,
				     strerror(errno));
		goto out;
	}
	len = strlen(req);
	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN && he_wait_fd(fd, POLLOUT, deadline) > 0)
			continue;
		if (n <= 0) {
			r = he_error_set(err, n < 0 ? -errno : -EIO, "sending to the agent: %s",
					 n < 0 ? strerror(errno) : "connection closed");
			goto out;
		}
		off += (size_t)n;
	}
	len = 0;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				r = he_error_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
			cap += 65536;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (he_wait_fd(fd, POLLIN, deadline) <= 0) {
				r = he_error_set(err, -ETIMEDOUT,
						 "the agent did not answer within %d ms",
						 timeout_ms);
				goto out;
			}
			continue;
		}
		if (n < 0) {
			r = he_error_set(err, -errno, "reading from the agent: %s",
					 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (memchr(buf + len - n, '\n', (size_t)n))
			break;
	}
	r = he_ctl_parse_reply(buf, len, reply, err);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(req);
	return r;
}
