/* SPDX-License-Identifier: MIT */
/* reflector_server.c - the reflector's HTTP server, rate limit and probes. */
#include "core/clock.h"
#include "reach/reflector_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/portspec.h"
#include "net/addrclass.h"
#include "reach/http_head.h"
#include "reach/probe.h"
#include "reach/ratelimit.h"
#include "reach/reflector_http.h"
#include "reach/reflector_proto.h"
#include "reach/reflector_tls.h"

#define REFUSAL_LOG_MS 10000 /* refused connections: one summary line per period */

/* Refusals since the last log line (aggregated, so a flood is a few lines). */
struct refusals {
	unsigned n, n429, n503, n403;
	int64_t since_ms; /* when the last line was written */
	char last[200];   /* the latest one, as an example */
};

struct server {
	struct he_reflector_opts o;
	pthread_mutex_t lock; /* guards rl, replay, active, src, ref */
	struct he_ratelimit rl;
	struct he_rp_replay replay;
	unsigned active;
	uint8_t (*src)[HE_RL_KEYLEN]; /* per client slot: its source key, all zero if free */
	SSL_CTX *srv_tls;             /* --cert/--key (NULL: plain HTTP); replaced on reload */
	struct refusals ref;
	SSL_CTX *tls;
};

struct conn {
	struct server *s;
	int fd;
	struct he_rio io; /* fd, and TLS when the reflector has a certificate */
	SSL_CTX *tls;     /* a reference to the server's context at accept (NULL: plain) */
	int slot;         /* index in server.src */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	char peer_text[HE_RP_ADDR_MAX];
};

static void logf_(const struct server *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logf_(const struct server *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!s->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->o.log(s->o.log_ctx, line);
}

/* Write the summary of the refusals since the last line; lock held. */
static void refusals_flush(struct server *s, int64_t now)
{
	struct refusals *r = &s->ref;

	if (r->n)
		logf_(
		    s,
		    "refused %u connection%s in the last %lld s (429 rate limit: %u, 503 busy: %u, "
		    "403 not a global address: %u, other: %u); latest: %s",
		    r->n, r->n == 1 ? "" : "s", (long long)(now - r->since_ms) / 1000, r->n429,
		    r->n503, r->n403, r->n - r->n429 - r->n503 - r->n403, r->last);
	r->n = r->n429 = r->n503 = r->n403 = 0;
	r->since_ms = now;
}

/*
 * Note one refused request: the first after a quiet period is logged at once,
 * the rest are counted and summed up every REFUSAL_LOG_MS.
 */
static void refused(struct server *s, const char *peer, int code, const char *why)
{
	int64_t now = he_now_ms();
	struct refusals *r = &s->ref;

	pthread_mutex_lock(&s->lock);
	snprintf(r->last, sizeof(r->last), "%s (%d): %.120s", peer, code, why);
	if (!r->n && now - r->since_ms >= REFUSAL_LOG_MS) {
		logf_(s, "%s refused (%d): %s", peer, code, why);
		r->since_ms = now;
	} else {
		r->n++;
		r->n429 += code == 429;
		r->n503 += code == 503;
		r->n403 += code == 403;
		if (now - r->since_ms >= REFUSAL_LOG_MS)
			refusals_flush(s, now);
	}
	pthread_mutex_unlock(&s->lock);
}

int he_reflector_parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *salen,
			      struct he_error *err)
{
	char host[HE_RP_ADDR_MAX + 2];
	const char *colon, *h = host;
	char *end;
	long port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
		if (!*host)
			h = "::";
	}
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535 || colon[1] == '\0')
		goto bad;
	if (he_probe_sockaddr(h, (uint16_t)port, sa, salen) < 0)
		goto bad;
	return 0;
bad:
	return he_error_set(err, -EINVAL,
			    "--listen '%s': expected ADDR:PORT, [IPV6]:PORT or :PORT (all "
			    "addresses, IPv4 and IPv6), with a numeric address",
			    s);
}

/* Read the head and body into buf; 0, or an HTTP status to answer with. */
static int read_request(struct conn *c, char *buf, size_t cap, struct he_http_head *h, size_t *got,
			char *why, size_t wlen)
{
	int64_t deadline = he_now_ms() + c->s->o.io_timeout_ms;
	struct he_error err = {0};
	bool have_head = false;
	int ret;

	*got = 0;
	for (;;) {
		ssize_t n;

		if (!have_head) {
			ret = he_http_head_parse(buf, *got, h, &err);
			if (ret == 0) {
				have_head = true;
				if (strcmp(h->method, "POST"))
					return 0; /* no body */
				if (h->content_length < 0) {
					snprintf(why, wlen, "Content-Length required");
					return 411;
				}
				if (h->content_length > HE_RP_BODY_MAX) {
					snprintf(why, wlen, "body over %d bytes", HE_RP_BODY_MAX);
					return 413;
				}
			} else if (ret != -EAGAIN) {
				snprintf(why, wlen, "%s", err.msg);
				return ret == -EMSGSIZE ? 413 : ret == -ENOSYS ? 501 : 400;
			}
		}
		if (have_head && *got >= h->head_len + (size_t)h->content_length)
			return 0;
		if (*got >= cap) {
			snprintf(why, wlen, "request too large");
			return 413;
		}
		n = he_rio_read(&c->io, buf + *got, cap - *got, deadline);
		if (n == -ETIMEDOUT) {
			snprintf(why, wlen, "request not complete within %d ms",
				 c->s->o.io_timeout_ms);
			return 408;
		}
		if (n == 0) {
			snprintf(why, wlen, "connection closed early");
			return 400;
		}
		if (n < 0) {
			snprintf(why, wlen, "reading the request: %s", strerror((int)-n));
			return 400;
		}
		*got += (size_t)n;
	}
}

/* The caller's address: an IPv4-mapped IPv6 source becomes plain IPv4. */
static void normalize_peer(struct conn *c)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->peer;

	if (c->peer.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		struct sockaddr_in s4 = {.sin_family = AF_INET};

		memcpy(&s4.sin_addr, s6->sin6_addr.s6_addr + 12, 4);
		memset(&c->peer, 0, sizeof(c->peer));
		memcpy(&c->peer, &s4, sizeof(s4));
		c->peerlen = sizeof(s4);
	}
	if (c->peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&c->peer)->sin_addr, c->peer_text,
			  sizeof(c->peer_text));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&c->peer)->sin6_addr, c->peer_text,
			  sizeof(c->peer_text));
}

static void run_probes(struct conn *c, const struct he_rp_request *req, struct he_rp_response *r)
{
	struct server *s = c->s;

	memset(r, 0, sizeof(*r));
	snprintf(r->source, sizeof(r->source), "%s", c->peer_text);
	r->family = c->peer.ss_family;
	for (size_t i = 0; i < req->n; i++) {
		struct he_rp_item *it = &r->v[r->n++];
		/* the target is the caller's own source address, port from the request */
		struct sockaddr_storage to = c->peer;

		it->proto = req->v[i].proto;
		it->port = req->v[i].port;
		if (to.ss_family == AF_INET)
			((struct sockaddr_in *)&to)->sin_port = htons(it->port);
		else
			((struct sockaddr_in6 *)&to)->sin6_port = htons(it->port);
		/* one absolute deadline for the whole probe (connect and TLS) */
		int64_t deadline = he_now_ms() + s->o.probe_timeout_ms;

		if (it->proto == HE_PROTO_TCP) {
			it->result =
			    he_probe_tcp((struct sockaddr *)&to, c->peerlen, s->o.probe_timeout_ms,
					 &it->ms, it->detail, sizeof(it->detail));
			if (it->result == HE_RP_OPEN && he_probe_tls_port(it->port))
				he_probe_tls(s->tls, (struct sockaddr *)&to, c->peerlen, deadline,
					     it->tls, sizeof(it->tls));
		} else {
			char payload[HE_RP_TOKEN_MAX + 40];

			snprintf(payload, sizeof(payload), "homeexpose-reflector %s\n",
				 req->v[i].token);
			it->result = he_probe_udp((struct sockaddr *)&to, c->peerlen, payload,
						  s->o.probe_timeout_ms / 2, &it->ms, it->detail,
						  sizeof(it->detail));
		}
		logf_(s, "%s probe %u/%s: %s (%s)", c->peer_text, it->port,
		      he_proto_name(it->proto), he_rp_result_name(it->result), it->detail);
	}
}

static void handle(struct conn *c)
{
	struct server *s = c->s;
	char buf[HE_HTTP_HEAD_MAX + HE_RP_BODY_MAX];
	char why[HE_ERR_MSG_MAX];
	struct he_http_head h;
	struct he_rp_request req;
	struct he_rp_response resp;
	struct he_error err = {0};
	char *text = NULL;
	const char *body;
	size_t got, blen;
	int code, ret;

	c->io.fd = c->fd;
	if (c->tls) {
		ret = he_rio_accept(&c->io, c->tls, he_now_ms() + s->o.io_timeout_ms);
		SSL_CTX_free(c->tls); /* SSL_new took its own reference */
		c->tls = NULL;
		if (ret < 0) {
			refused(s, c->peer_text, 400, "no TLS handshake");
			return;
		}
	}
	code = read_request(c, buf, sizeof(buf), &h, &got, why, sizeof(why));
	if (code) {
		refused(s, c->peer_text, code, why);
		he_rhttp_error(&c->io, code, why, 0, s->o.io_timeout_ms);
		return;
	}
	if (!strcmp(h.path, HE_RP_IP_PATH)) {
		char text_ip[HE_RP_ADDR_MAX + 2];

		snprintf(text_ip, sizeof(text_ip), "%s\n", c->peer_text);
		he_rhttp_reply(&c->io, 200, "text/plain", text_ip, 0, s->o.io_timeout_ms, NULL);
		logf_(s, "%s asked for its address", c->peer_text);
		return;
	}
	if (strcmp(h.path, HE_RP_PATH)) {
		he_rhttp_error(&c->io, 404,
			       "unknown path: POST " HE_RP_PATH " or GET " HE_RP_IP_PATH, 0,
			       s->o.io_timeout_ms);
		return;
	}
	if (strcmp(h.method, "POST")) {
		he_rhttp_error(&c->io, 405, "POST " HE_RP_PATH, 0, s->o.io_timeout_ms);
		return;
	}
	body = buf + h.head_len;
	blen = (size_t)h.content_length;
	if (s->o.key && he_rp_verify(s->o.key, s->o.keylen, body, blen, h.auth, &err) < 0) {
		refused(s, c->peer_text, 401, err.msg);
		he_rhttp_error(&c->io, 401, err.msg, 0, s->o.io_timeout_ms);
		return;
	}
	ret = he_rp_request_parse(body, blen, &req, &err);
	if (ret < 0) {
		code = ret == -EPERM ? 403 : ret == -EMSGSIZE ? 413 : 400;
		refused(s, c->peer_text, code, err.msg);
		he_rhttp_error(&c->io, code, err.msg, 0, s->o.io_timeout_ms);
		return;
	}
	if (s->o.key) {
		pthread_mutex_lock(&s->lock);
		ret = he_rp_replay_check(&s->replay, req.nonce, req.ts, (int64_t)time(NULL), &err);
		pthread_mutex_unlock(&s->lock);
		if (ret < 0) {
			refused(s, c->peer_text, 401, err.msg);
			he_rhttp_error(&c->io, 401, err.msg, 0, s->o.io_timeout_ms);
			return;
		}
	}
	run_probes(c, &req, &resp);
	if (he_rp_response_encode(&resp, &text, &err) < 0) {
		he_rhttp_error(&c->io, 500, err.msg, 0, s->o.io_timeout_ms);
		return;
	}
	if (s->o.key) {
		char sig[HE_RP_SIG_HEX + 1], auth[HE_RP_SIG_HEX + 16];

		if (he_rp_sign_response(s->o.key, s->o.keylen, req.nonce, text, strlen(text), sig) <
		    0) {
			free(text);
			he_rhttp_error(&c->io, 500, "cannot sign the answer", 0,
				       s->o.io_timeout_ms);
			return;
		}
		snprintf(auth, sizeof(auth), "hmac-sha256=%s", sig);
		he_rhttp_reply(&c->io, 200, "application/json", text, 0, s->o.io_timeout_ms, auth);
	} else {
		he_rhttp_reply(&c->io, 200, "application/json", text, 0, s->o.io_timeout_ms, NULL);
	}
	free(text);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	struct server *s = c->s;

	handle(c);
	he_rio_end(&c->io);
	close(c->fd);
	pthread_mutex_lock(&s->lock);
	s->active--;
	memset(s->src[c->slot], 0, HE_RL_KEYLEN);
	pthread_mutex_unlock(&s->lock);
	free(c);
	return NULL;
}

/* Take a client slot for C unless the server or C's source is at its cap; lock held. */
static bool slot_take(struct server *s, struct conn *c)
{
	uint8_t key[HE_RL_KEYLEN], zero[HE_RL_KEYLEN] = {0};
	unsigned same = 0;
	int free_slot = -1;

	if (s->active >= s->o.max_clients)
		return false;
	he_ratelimit_key((struct sockaddr *)&c->peer, key);
	for (unsigned i = 0; i < s->o.max_clients; i++) {
		if (!memcmp(s->src[i], key, HE_RL_KEYLEN))
			same++;
		else if (free_slot < 0 && !memcmp(s->src[i], zero, HE_RL_KEYLEN))
			free_slot = (int)i;
	}
	if (same >= s->o.max_per_source || free_slot < 0)
		return false;
	memcpy(s->src[free_slot], key, HE_RL_KEYLEN);
	c->slot = free_slot;
	s->active++;
	return true;
}

/* Probing loopback, private or other non-global peers would let a caller
 * behind a same-host proxy scan this host's own services. */
static bool peer_allowed(const struct server *s, const struct conn *c)
{
	const void *a = c->peer.ss_family == AF_INET
			    ? (const void *)&((const struct sockaddr_in *)&c->peer)->sin_addr
			    : (const void *)&((const struct sockaddr_in6 *)&c->peer)->sin6_addr;

	return s->o.allow_private || he_addr_class(c->peer.ss_family, a) == HE_ADDR_PUBLIC;
}

/* Admit or refuse one accepted connection (rate limit, client cap). */
static void admit(struct server *s, struct conn *c)
{
	pthread_attr_t attr;
	pthread_t th;
	int64_t wait_ms = 0;
	bool ok, full = false;

	normalize_peer(c);
	c->io.fd = c->fd;
	if (!peer_allowed(s, c)) {
		static const char why[] =
		    "not a global address: the reflector probes only "
		    "public callers (start it with --allow-private for a lab)";

		refused(s, c->peer_text, 403, why);
		if (!s->srv_tls)
			he_rhttp_error(&c->io, 403, why, 0, 500);
		close(c->fd);
		free(c);
		return;
	}
	pthread_mutex_lock(&s->lock);
	ok = he_ratelimit_take(&s->rl, (struct sockaddr *)&c->peer, he_now_ms());
	if (!ok)
		wait_ms = he_ratelimit_wait_ms(&s->rl, (struct sockaddr *)&c->peer, he_now_ms());
	else if (!slot_take(s, c)) {
		full = true;
		/* a request not served does not use up the caller's token */
		he_ratelimit_refund(&s->rl, (struct sockaddr *)&c->peer);
	} else if (s->srv_tls && SSL_CTX_up_ref(s->srv_tls) == 1) {
		c->tls = s->srv_tls;
	}
	pthread_mutex_unlock(&s->lock);
	if (!ok || full) {
		char msg[160];

		if (!ok)
			snprintf(msg, sizeof(msg),
				 "rate limit: at most %u requests a minute from one source (burst "
				 "%u); try again in %lld s",
				 s->o.rate_per_min, s->o.burst, (long long)(wait_ms + 999) / 1000);
		else
			snprintf(msg, sizeof(msg),
				 "busy: %u requests in progress (at most %u from one address "
				 "or /64)",
				 s->o.max_clients, s->o.max_per_source);
		refused(s, c->peer_text, ok ? 503 : 429, msg);
		if (!s->srv_tls) /* over TLS: no handshake for a refusal, just the close */
			he_rhttp_error(&c->io, ok ? 503 : 429, msg,
				       ok ? 1 : (long)(wait_ms + 999) / 1000, 500);
		close(c->fd);
		free(c);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, conn_thread, c) != 0) {
		close(c->fd);
		pthread_mutex_lock(&s->lock);
		s->active--;
		memset(s->src[c->slot], 0, HE_RL_KEYLEN);
		pthread_mutex_unlock(&s->lock);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

/* SIGHUP: read the certificate and key again (renewed by certbot, say); a
 * failure keeps the running ones. Connections in progress keep theirs. */
static void reload_tls(struct server *s)
{
	struct he_error err = {0};
	SSL_CTX *fresh = NULL, *old;

	if (!s->srv_tls)
		return;
	if (he_rtls_load(s->o.cert, s->o.key_file, &fresh, &err) < 0) {
		logf_(s, "SIGHUP: %s; keeping the certificate in use", err.msg);
		return;
	}
	pthread_mutex_lock(&s->lock);
	old = s->srv_tls;
	s->srv_tls = fresh;
	pthread_mutex_unlock(&s->lock);
	SSL_CTX_free(old);
	logf_(s, "SIGHUP: certificate %s reloaded", s->o.cert);
}

static int open_listener(const struct sockaddr_storage *sa, socklen_t salen, const char *text,
			 struct he_error *err)
{
	int one = 1, zero = 0;
	int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return he_error_set(err, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (const struct sockaddr *)sa, salen) < 0 || listen(fd, 64) < 0) {
		int e = errno;

		close(fd);
		return he_error_set(err, -e, "cannot listen on %s: %s%s", text, strerror(e),
				    e == EACCES ? " (ports below 1024 need root or "
						  "CAP_NET_BIND_SERVICE)"
						: "");
	}
	return fd;
}

int he_reflector_serve(const struct he_reflector_opts *o, const volatile sig_atomic_t *stop,
		       struct he_error *err)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	struct server *s;
	int fd, ret;

	ret = he_reflector_parse_listen(o->listen, &sa, &salen, err);
	if (ret < 0)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return he_error_set(err, -ENOMEM, "out of memory");
	s->o = *o;
	if (!s->o.rate_per_min)
		s->o.rate_per_min = 10;
	if (!s->o.burst)
		s->o.burst = 5;
	if (s->o.probe_timeout_ms <= 0)
		s->o.probe_timeout_ms = 2000;
	if (s->o.io_timeout_ms <= 0)
		s->o.io_timeout_ms = 5000;
	if (!s->o.max_clients)
		s->o.max_clients = 32;
	if (!s->o.max_per_source)
		s->o.max_per_source = 4;
	s->src = calloc(s->o.max_clients, sizeof(*s->src));
	if (!s->src) {
		free(s);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	s->ref.since_ms = he_now_ms() - REFUSAL_LOG_MS;
	he_ratelimit_init(&s->rl, s->o.rate_per_min, s->o.burst);
	pthread_mutex_init(&s->lock, NULL);
	s->tls = SSL_CTX_new(TLS_client_method());
	if (s->tls)
		SSL_CTX_set_verify(s->tls, SSL_VERIFY_NONE, NULL);
	if (s->o.cert && s->o.key_file) {
		ret = he_rtls_load(s->o.cert, s->o.key_file, &s->srv_tls, err);
		if (ret < 0)
			goto out;
	}
	fd = open_listener(&sa, salen, o->listen, err);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	logf_(s, "listening on %s (%s, %s, %u requests/min per source, burst %u)", o->listen,
	      s->srv_tls ? "HTTPS" : "HTTP", s->o.key ? "shared key required" : "no key",
	      s->o.rate_per_min, s->o.burst);
	while (!*stop) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		struct conn *c;

		int64_t now = he_now_ms();

		if (s->o.reload && *s->o.reload) {
			*s->o.reload = 0;
			reload_tls(s);
		}

		pthread_mutex_lock(&s->lock);
		if (s->ref.n && now - s->ref.since_ms >= REFUSAL_LOG_MS)
			refusals_flush(s, now);
		pthread_mutex_unlock(&s->lock);
		if (poll(&pf, 1, 250) <= 0)
			continue;
		c = calloc(1, sizeof(*c));
		if (!c)
			continue;
		c->s = s;
		c->peerlen = sizeof(c->peer);
		c->fd = accept4(fd, (struct sockaddr *)&c->peer, &c->peerlen,
				SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (c->fd < 0) {
			free(c);
			continue;
		}
		admit(s, c);
	}
	close(fd);
	ret = 0;
	/* let running probes finish (each is bounded by its timeouts) */
	for (;;) {
		unsigned left;

		pthread_mutex_lock(&s->lock);
		left = s->active;
		pthread_mutex_unlock(&s->lock);
		if (!left)
			break;
		usleep(20000);
	}
	pthread_mutex_lock(&s->lock);
	refusals_flush(s, he_now_ms());
	pthread_mutex_unlock(&s->lock);
out:
	SSL_CTX_free(s->tls);
	SSL_CTX_free(s->srv_tls);
	pthread_mutex_destroy(&s->lock);
	free(s->src);
	free(s);
	return ret;
}
