/* SPDX-License-Identifier: MIT */
/* socks5_client.c - a blocking SOCKS5 exchange with one deadline (socks5.h). */
#include "reach/socks5.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "net/resolve.h"

/* Wait for events on fd until the deadline: 0 ready, -ETIMEDOUT, -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int64_t left = deadline - he_now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int send_all(int fd, const uint8_t *b, size_t n, int64_t deadline)
{
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		int r;

		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Read exactly n bytes (never more: what follows the reply is the destination's). */
static int recv_exact(int fd, uint8_t *b, size_t n, int64_t deadline)
{
	while (n) {
		ssize_t got = recv(fd, b, n, 0);
		int r;

		if (got > 0) {
			b += got;
			n -= (size_t)got;
			continue;
		}
		if (got == 0)
			return -ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

static int connect_one(const struct addrinfo *ai, int64_t deadline)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int e = 0, r;
	socklen_t elen = sizeof(e);

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		e = errno;
		close(fd);
		return -e;
	}
	r = wait_fd(fd, POLLOUT, deadline);
	if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e)
		r = -e;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* The TCP connection to the proxy: fd, or -errno with err set. */
static int dial(const char *proxy, int64_t deadline, struct sockaddr_storage *sa,
		struct he_error *err)
{
	const struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				       .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG};
	struct addrinfo *res = NULL;
	char host[HE_SOCKS5_HOST_MAX], port[8];
	uint16_t p;
	int fd = -EHOSTUNREACH, r;

	r = he_socks5_parse_hostport(proxy, host, sizeof(host), &p, err);
	if (r < 0)
		return he_error_prefix(err, r, "socks proxy");
	snprintf(port, sizeof(port), "%u", p);
	r = he_resolve(host, port, &hints, (int)(deadline - he_now_ms()), &res, err);
	if (r < 0)
		return he_error_prefix(err, r, "socks proxy %s", proxy);
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, deadline);
		if (fd >= 0) {
			if (sa)
				memcpy(sa, ai->ai_addr, ai->ai_addrlen);
			break;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return he_error_set(err, fd, "cannot reach socks proxy %s: %s", proxy,
				    strerror(-fd));
	return fd;
}

static int io_error(int r, const char *proxy, const char *what, struct he_error *err)
{
	if (r == -ETIMEDOUT)
		return he_error_set(err, r, "socks proxy %s: no %s before the deadline", proxy,
				    what);
	if (r == -ECONNRESET)
		return he_error_set(err, r, "socks proxy %s closed the connection before its %s",
				    proxy, what);
	return he_error_set(err, r, "socks proxy %s: %s: %s", proxy, what, strerror(-r));
}

/* Greeting and, when asked for, username/password. */
static int authenticate(int fd, const struct he_socks5_client *c, int64_t deadline,
			struct he_error *err)
{
	uint8_t buf[HE_SOCKS5_AUTH_MAX], method;
	bool up = c->user != NULL;
	size_t n = he_socks5_greeting(buf, up);
	int r = send_all(fd, buf, n, deadline);

	if (r == 0)
		r = recv_exact(fd, buf, 2, deadline);
	if (r < 0)
		return io_error(r, c->proxy, "method choice", err);
	r = he_socks5_parse_choice(buf, 2, up, &method, err);
	if (r < 0)
		return he_error_prefix(err, r, "socks proxy %s", c->proxy);
	if (!up)
		return 0;
	r = he_socks5_auth_request(buf, c->user, c->pass ? c->pass : "", err);
	if (r < 0)
		return r;
	r = send_all(fd, buf, (size_t)r, deadline);
	if (r == 0)
		r = recv_exact(fd, buf, 2, deadline);
	if (r < 0)
		return io_error(r, c->proxy, "authentication status", err);
	r = he_socks5_parse_auth(buf, 2, err);
	return r < 0 ? he_error_prefix(err, r, "socks proxy %s", c->proxy) : 0;
}

static int reply_errno(int rep)
{
	switch (rep) {
	case HE_SOCKS5_NOT_ALLOWED:
		return -EPERM;
	case HE_SOCKS5_NET_UNREACH:
		return -ENETUNREACH;
	case HE_SOCKS5_HOST_UNREACH:
		return -EHOSTUNREACH;
	case HE_SOCKS5_REFUSED:
		return -ECONNREFUSED;
	case HE_SOCKS5_TTL_EXPIRED:
		return -ETIMEDOUT;
	case HE_SOCKS5_CMD_UNSUPP:
	case HE_SOCKS5_ATYP_UNSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

int he_socks5_open(const struct he_socks5_client *c, uint8_t cmd, const struct he_socks5_addr *dst,
		   int *rep, struct he_socks5_addr *bnd, struct sockaddr_storage *proxy_sa,
		   struct he_error *err)
{
	int64_t deadline = he_now_ms() + (c->timeout_ms > 0 ? c->timeout_ms : 10000);
	uint8_t buf[HE_SOCKS5_REQ_MAX];
	size_t need = 0;
	int fd, r, fl;

	*rep = HE_SOCKS5_NO_REPLY;
	fd = dial(c->proxy, deadline, proxy_sa, err);
	if (fd < 0)
		return fd;
	r = authenticate(fd, c, deadline, err);
	if (r < 0)
		goto fail;
	r = he_socks5_request(buf, cmd, dst, err);
	if (r < 0)
		goto fail;
	r = send_all(fd, buf, (size_t)r, deadline);
	if (r == 0)
		r = recv_exact(fd, buf, 5, deadline);
	if (r < 0) {
		r = io_error(r, c->proxy, "reply", err);
		goto fail;
	}
	r = he_socks5_parse_reply(buf, 5, rep, bnd, &need, err);
	if (r == -EAGAIN && need > 5 && need <= sizeof(buf)) {
		r = recv_exact(fd, buf + 5, need - 5, deadline);
		if (r < 0) {
			r = io_error(r, c->proxy, "reply", err);
			goto fail;
		}
		r = he_socks5_parse_reply(buf, need, rep, bnd, &need, err);
	}
	if (r < 0) {
		r = he_error_prefix(err, r == -EAGAIN ? -EPROTO : r, "socks proxy %s", c->proxy);
		goto fail;
	}
	if (*rep != HE_SOCKS5_OK) {
		r = he_error_set(err, reply_errno(*rep), "socks proxy %s answered: %s (reply %d)",
				 c->proxy, he_socks5_rep_text(*rep), *rep);
		goto fail;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
fail:
	close(fd);
	return r;
}
