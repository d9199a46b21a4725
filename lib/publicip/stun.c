/* SPDX-License-Identifier: MIT */
/*
 * stun.c - the STUN client: Binding requests to several servers at once over
 * UDP, retransmitted per RFC 8489 section 6.2.1 within one deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "net/resolve.h"
#include "publicip/sources.h"
#include "publicip/stun_wire.h"
#include "core/portspec.h"

#define STUN_RTO_MS 500 /* RFC 8489: initial RTO, doubled per retransmission */
#define STUN_RC     7   /* requests at most */
#define STUN_RM     16  /* wait after the last request: Rm * RTO */
#define MAX_QUERIES 32

struct stun_slot {
	int fd;
	bool done;
	uint8_t tid[HE_STUN_TID_LEN];
	uint8_t req[HE_STUN_REQ_MAX];
	size_t req_len;
	uint64_t next_ms; /* next (re)transmission, relative to start */
	unsigned rto;
	int last_decode;       /* last decode failure seen (kept waiting) */
	struct he_resolve *rs; /* host name being resolved, else NULL */
	char host[HE_PUBIP_HOST_MAX];
	uint16_t port;
};

int he_stun_parse_server(const char *s, char *host, size_t hlen, uint16_t *port,
			 struct he_error *err)
{
	const char *h = s, *p = NULL, *colon;
	size_t n;

	if (!s || !*s)
		return he_error_set(err, -EINVAL, "empty STUN server");
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return he_error_set(err, -EINVAL,
					    "STUN server '%s': missing ']' after the IPv6 address",
					    s);
		h = s + 1;
		n = (size_t)(close - h);
		if (close[1] == ':')
			p = close + 2;
		else if (close[1])
			return he_error_set(err, -EINVAL,
					    "STUN server '%s': expected ':PORT' after ']'", s);
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			n = strlen(s); /* a bare IPv6 literal: no port */
		} else if (colon) {
			n = (size_t)(colon - s);
			p = colon + 1;
		} else {
			n = strlen(s);
		}
	}
	if (n == 0 || n >= hlen)
		return he_error_set(err, -EINVAL, "STUN server '%s': %s host", s,
				    n ? "too long a" : "empty");
	memcpy(host, h, n);
	host[n] = '\0';
	*port = HE_STUN_PORT;
	if (p) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (!*p || *end || errno || v == 0 || v > 65535 || *p == '-' || *p == '+')
			return he_error_set(err, -EINVAL,
					    "STUN server '%s': port must be 1-65535, e.g. %s:3478",
					    s, host);
		*port = (uint16_t)v;
	}
	return 0;
}

static void fail(struct he_stun_query *q, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct he_stun_query *q, int rc, const char *fmt, ...)
{
	va_list ap;

	q->rc = rc;
	va_start(ap, fmt);
	vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
}

/* Connect the query's socket to the resolved address; -errno with q->error set. */
static int connect_slot(struct he_stun_query *q, struct stun_slot *sl, const char *host,
			uint16_t port, int gai, struct addrinfo *res)
{
	char atxt[INET6_ADDRSTRLEN];
	int fd;

	if (gai != 0 || !res) {
		char msg[HE_ERR_MSG_MAX / 2];

		snprintf(msg, sizeof(msg), "cannot resolve '%s' to an %s address: %s", host,
			 he_family_label(q->family), gai ? gai_strerror(gai) : "no address");
		fail(q, -EHOSTUNREACH, "%s", msg);
		return -EHOSTUNREACH;
	}
	if (q->family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, atxt,
			  sizeof(atxt));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, atxt,
			  sizeof(atxt));
	snprintf(q->peer, sizeof(q->peer), q->family == AF_INET6 ? "[%s]:%u" : "%s:%u", atxt, port);
	fd = socket(q->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		int e2 = errno;

		if (fd >= 0)
			close(fd);
		fail(q, -e2, "cannot reach %s: no route (check this host's default route)",
		     q->peer);
		if (e2 != ENETUNREACH && e2 != EHOSTUNREACH)
			snprintf(q->error, sizeof(q->error), "socket to %s: %s", q->peer,
				 strerror(e2));
		return -e2;
	}
	if (getrandom(sl->tid, sizeof(sl->tid), 0) != (ssize_t)sizeof(sl->tid)) {
		close(fd);
		fail(q, -EIO, "%s", "no random bytes for the transaction id");
		return -EIO;
	}
	sl->req_len = he_stun_encode_binding(sl->tid, true, sl->req, sizeof(sl->req));
	sl->fd = fd;
	sl->rto = STUN_RTO_MS;
	sl->next_ms = 0;
	sl->last_decode = 0;
	return 0;
}

/*
 * Open one query's socket: an address literal at once, a host name through
 * he_resolve_start() (sl->rs set, finished by resolve_done() in the loop).
 * -errno with q->error set.
 */
static int open_slot(struct he_stun_query *q, struct stun_slot *sl)
{
	char ptxt[8];
	struct addrinfo hints, *res = NULL;
	struct he_error e;
	int ret;

	sl->fd = -1;
	sl->rs = NULL;
	if (he_stun_parse_server(q->server, sl->host, sizeof(sl->host), &sl->port, &e) < 0) {
		fail(q, -EINVAL, "%.383s", e.msg);
		return -EINVAL;
	}
	{
		struct in6_addr tmp;
		int other = q->family == AF_INET ? AF_INET6 : AF_INET;

		if (inet_pton(other, sl->host, &tmp) == 1) {
			fail(q, -EAFNOSUPPORT, "'%s' is not an %s address", sl->host,
			     q->family == AF_INET ? "IPv4" : "IPv6");
			return -EAFNOSUPPORT;
		}
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = q->family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(ptxt, sizeof(ptxt), "%u", sl->port);
	hints.ai_flags |= AI_NUMERICHOST;
	ret = getaddrinfo(sl->host, ptxt, &hints, &res);
	if (ret != EAI_NONAME) {
		ret = connect_slot(q, sl, sl->host, sl->port, ret, res);
		if (res)
			freeaddrinfo(res);
		return ret;
	}
	hints.ai_flags &= ~AI_NUMERICHOST;
	ret = he_resolve_start(sl->host, ptxt, &hints, &sl->rs, &e);
	if (ret < 0)
		fail(q, ret, "%.383s", e.msg);
	return ret;
}

/* The resolver thread of a slot finished: connect (or fail). */
static int resolve_done(struct he_stun_query *q, struct stun_slot *sl)
{
	struct addrinfo *res = NULL;
	int gai = EAI_AGAIN, ret;

	he_resolve_take(sl->rs, &gai, &res); /* its eventfd said it has ended */
	he_resolve_put(sl->rs);
	sl->rs = NULL;
	ret = connect_slot(q, sl, sl->host, sl->port, gai, res);
	if (res)
		freeaddrinfo(res);
	return ret;
}

/* Handle one datagram; true when the query is finished. */
static bool on_reply(struct he_stun_query *q, struct stun_slot *sl, const uint8_t *buf, size_t n)
{
	struct he_stun_response r;
	int ret = he_stun_decode(buf, n, sl->tid, &r);

	if (ret == -ENOMSG)
		return false; /* not ours: keep waiting */
	if (ret == -EBADMSG) {
		sl->last_decode = ret;
		return false; /* RFC 8489: discard, keep waiting */
	}
	if (ret == -EPROTO) {
		fail(q, -EPROTO,
		     "%s sent a Binding success without a usable address (or with an unknown "
		     "required attribute): not a STUN server homeexpose can use",
		     q->peer);
		return true;
	}
	snprintf(q->software, sizeof(q->software), "%s", r.software);
	if (r.is_error) {
		q->rc = -EPROTO;
		snprintf(q->error, sizeof(q->error), "%s answered with STUN error %u %s", q->peer,
			 r.error_code, r.reason);
		return true;
	}
	if (r.family != q->family) {
		fail(q, -EPROTO, "%s mapped the request to an address of the other family",
		     q->peer);
		return true;
	}
	he_stun_addr_str(&r, q->addr, sizeof(q->addr));
	q->port = r.port;
	q->rc = 0;
	q->error[0] = '\0';
	return true;
}

size_t he_stun_query_all(struct he_stun_query *q, size_t n, int timeout_ms)
{
	struct stun_slot sl[MAX_QUERIES];
	uint64_t start = he_now_ms(), deadline;
	size_t i, ok = 0, open = 0;

	if (timeout_ms <= 0)
		timeout_ms = 1000;
	if (n > MAX_QUERIES)
		n = MAX_QUERIES;
	for (i = 0; i < n; i++) {
		q[i].rc = -ETIMEDOUT;
		q[i].addr[0] = q[i].peer[0] = q[i].software[0] = q[i].error[0] = '\0';
		q[i].port = 0;
		q[i].sent = 0;
		sl[i].done = open_slot(&q[i], &sl[i]) < 0;
		if (sl[i].done)
			q[i].ms = (unsigned)(he_now_ms() - start);
		else
			open++;
	}
	deadline = (uint64_t)timeout_ms;
	while (open > 0) {
		struct pollfd pfd[MAX_QUERIES];
		size_t map[MAX_QUERIES], np = 0;
		uint64_t t = he_now_ms() - start, wake = deadline;
		int ret;

		if (t >= deadline)
			break;
		for (i = 0; i < n; i++) {
			if (sl[i].done)
				continue;
			if (sl[i].rs) { /* still resolving its host name */
				pfd[np].fd = he_resolve_fd(sl[i].rs);
				pfd[np].events = POLLIN;
				map[np++] = i;
				continue;
			}
			if (sl[i].next_ms <= t && q[i].sent < STUN_RC) {
				if (send(sl[i].fd, sl[i].req, sl[i].req_len, 0) < 0 &&
				    errno == ECONNREFUSED) {
					/* an earlier ICMP error surfaced on send */
					fail(&q[i], -ECONNREFUSED,
					     "%s refused (port unreachable): no STUN server there",
					     q[i].peer);
					sl[i].done = true;
					q[i].ms = (unsigned)t;
					open--;
					continue;
				}
				q[i].sent++;
				sl[i].next_ms = t + sl[i].rto;
				if (q[i].sent == STUN_RC)
					sl[i].next_ms = t + (uint64_t)STUN_RM * STUN_RTO_MS;
				sl[i].rto *= 2;
			}
			if (sl[i].next_ms < wake)
				wake = sl[i].next_ms;
			pfd[np].fd = sl[i].fd;
			pfd[np].events = POLLIN;
			map[np++] = i;
		}
		if (!np)
			break;
		ret = poll(pfd, np, (int)(wake > t ? wake - t : 0));
		if (ret < 0 && errno != EINTR)
			break;
		for (size_t k = 0; ret > 0 && k < np; k++) {
			uint8_t buf[HE_STUN_MAX_LEN + 1];
			ssize_t got;

			if (!(pfd[k].revents & (POLLIN | POLLERR)))
				continue;
			i = map[k];
			if (sl[i].rs) {
				if (resolve_done(&q[i], &sl[i]) < 0) {
					sl[i].done = true;
					open--;
					q[i].ms = (unsigned)(he_now_ms() - start);
				}
				continue;
			}
			while (!sl[i].done && (got = recv(sl[i].fd, buf, sizeof(buf), 0)) != -1) {
				if (on_reply(&q[i], &sl[i], buf, (size_t)got)) {
					sl[i].done = true;
					open--;
				}
			}
			if (!sl[i].done && errno == ECONNREFUSED) {
				fail(&q[i], -ECONNREFUSED,
				     "%s refused (port unreachable): no STUN server there",
				     q[i].peer);
				sl[i].done = true;
				open--;
			}
			if (sl[i].done)
				q[i].ms = (unsigned)(he_now_ms() - start);
		}
	}
	for (i = 0; i < n; i++) {
		if (!sl[i].done && sl[i].rs) {
			q[i].ms = (unsigned)(he_now_ms() - start);
			fail(&q[i], -ETIMEDOUT,
			     "name resolution timed out: '%.200s' not resolved within %d ms "
			     "(check this host's resolver, or give the server as an address)",
			     sl[i].host, timeout_ms);
			he_resolve_put(sl[i].rs);
			sl[i].rs = NULL;
		} else if (!sl[i].done) {
			q[i].ms = (unsigned)(he_now_ms() - start);
			if (sl[i].last_decode)
				fail(&q[i], -EBADMSG,
				     "%s answered only with malformed STUN messages", q[i].peer);
			else
				snprintf(q[i].error, sizeof(q[i].error),
					 "no answer from %s within %d ms (%u requests sent)",
					 q[i].peer, timeout_ms, q[i].sent);
		}
		if (sl[i].fd >= 0)
			close(sl[i].fd);
		if (q[i].rc == 0)
			ok++;
	}
	return ok;
}
