/* SPDX-License-Identifier: MIT */
/*
 * rfc2136.c - DNS UPDATE with TSIG through ldns: the transport (UDP, TCP when
 * truncated), finding the server, and the update and query entry points.
 * The other jobs live in rfc2136_key.c, rfc2136_tsig.c and rfc2136_msg.c.
 */
#include "core/lazy.h"
#include "ddns/rfc2136_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/clock.h"

/* ------------------------------------------------------------------ */
/* transport                                                            */

struct server {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];
};

static int server_resolve(const char *spec, struct server *sv, struct he_error *err)
{
	char host[256], port[8] = "53";
	struct addrinfo hints = {0}, *ai = NULL;
	const char *colon = strrchr(spec, ':');
	char addr[INET6_ADDRSTRLEN];
	int rc;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || (size_t)(rb - spec - 1) >= sizeof(host) ||
		    (rb[1] && (rb[1] != ':' || !rb[2] || strlen(rb + 2) >= sizeof(port))))
			return he_error_set(err, -EINVAL,
					    "rfc2136: server '%.100s' is not [ADDRESS]:PORT", spec);
		snprintf(host, sizeof(host), "%.*s", (int)(rb - spec - 1), spec + 1);
		if (rb[1])
			snprintf(port, sizeof(port), "%s", rb + 2);
	} else if (colon && strchr(spec, ':') == colon) {
		if ((size_t)(colon - spec) >= sizeof(host) || !colon[1] ||
		    strlen(colon + 1) >= sizeof(port))
			return he_error_set(err, -EINVAL,
					    "rfc2136: server '%.100s' is not ADDRESS[:PORT]", spec);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else {
		if (strlen(spec) >= sizeof(host))
			return he_error_set(err, -EINVAL, "rfc2136: server name too long");
		snprintf(host, sizeof(host), "%s", spec);
	}
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc || !ai)
		return he_error_set(err, -EHOSTUNREACH,
				    "rfc2136: cannot resolve server '%.100s' (%s): give its "
				    "address in server",
				    host, gai_strerror(rc));
	memcpy(&sv->ss, ai->ai_addr, ai->ai_addrlen);
	sv->len = ai->ai_addrlen;
	if (ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ai->ai_addr;

		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		snprintf(sv->text, sizeof(sv->text), "[%s]:%u", addr, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ai->ai_addr;

		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		snprintf(sv->text, sizeof(sv->text), "%s:%u", addr, ntohs(s4->sin_port));
	}
	freeaddrinfo(ai);
	return 0;
}

/* Wait for EV on FD until DEADLINE (monotonic ms): 1 ready, 0 timeout, -errno. */
static int wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = ev};
	long long left = deadline - he_now_ms();
	int r;

	if (left <= 0)
		return 0;
	r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r > 0;
}

static int io_error(int e, const struct server *sv, bool tcp, struct he_error *err)
{
	if (e == ECONNREFUSED)
		return he_error_set(
		    err, -ECONNREFUSED,
		    "nothing answers DNS on %s (%s: connection refused): is the DNS "
		    "server running and listening there?",
		    sv->text, tcp ? "TCP" : "UDP");
	if (e == ENETUNREACH || e == EHOSTUNREACH)
		return he_error_set(err, -e, "no route to the DNS server %s: %s", sv->text,
				    strerror(e));
	return he_error_set(err, -e, "talking to the DNS server %s over %s: %s", sv->text,
			    tcp ? "TCP" : "UDP", strerror(e));
}

static int timeout_error(const struct server *sv, int ms, bool tcp, struct he_error *err)
{
	return he_error_set(err, -ETIMEDOUT,
			    "no reply from the DNS server %s within %d ms over %s: the server "
			    "is unreachable or drops the packets (firewall, wrong address)",
			    sv->text, ms, tcp ? "TCP" : "UDP");
}

/* UDP: send, resend once at half time, accept only a reply with our ID. */
static int udp_exchange(const struct server *sv, const uint8_t *q, size_t qlen, int ms,
			uint8_t *buf, size_t cap, size_t *rlen, struct he_error *err)
{
	long long start = he_now_ms(), deadline = start + ms, resend = start + ms / 2;
	int fd, r, ret;
	ssize_t n;

	fd = socket(sv->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return io_error(errno, sv, false, err);
	if (connect(fd, (const struct sockaddr *)&sv->ss, sv->len) < 0 ||
	    send(fd, q, qlen, 0) < 0) {
		ret = io_error(errno, sv, false, err);
		goto out;
	}
	for (;;) {
		r = wait_fd(fd, POLLIN, resend ? resend : deadline);
		if (r < 0) {
			ret = io_error(-r, sv, false, err);
			goto out;
		}
		if (r == 0) {
			if (he_now_ms() >= deadline) {
				ret = timeout_error(sv, ms, false, err);
				goto out;
			}
			if (resend && he_now_ms() >= resend) {
				resend = 0;
				if (send(fd, q, qlen, 0) < 0) {
					ret = io_error(errno, sv, false, err);
					goto out;
				}
			}
			continue;
		}
		n = recv(fd, buf, cap, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = io_error(errno, sv, false, err);
			goto out;
		}
		if (n >= 2 && !memcmp(buf, q, 2)) {
			*rlen = (size_t)n;
			ret = 0;
			goto out;
		}
	}
out:
	close(fd);
	return ret;
}

static int tcp_io(int fd, bool wr, uint8_t *p, size_t n, long long deadline)
{
	while (n) {
		ssize_t k;
		int r = wait_fd(fd, wr ? POLLOUT : POLLIN, deadline);

		if (r <= 0)
			return r < 0 ? r : -ETIMEDOUT;
		k = wr ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ECONNRESET;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int tcp_exchange(const struct server *sv, const uint8_t *q, size_t qlen, int ms,
			uint8_t *buf, size_t cap, size_t *rlen, struct he_error *err)
{
	long long deadline = he_now_ms() + ms;
	uint8_t *out = NULL, lb[2];
	int fd, r;
	size_t want;

	fd = socket(sv->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return io_error(errno, sv, true, err);
	if (connect(fd, (const struct sockaddr *)&sv->ss, sv->len) < 0 && errno != EINPROGRESS) {
		r = io_error(errno, sv, true, err);
		goto out;
	}
	r = wait_fd(fd, POLLOUT, deadline);
	if (r <= 0) {
		r = r < 0 ? io_error(-r, sv, true, err) : timeout_error(sv, ms, true, err);
		goto out;
	}
	{
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			r = io_error(soerr, sv, true, err);
			goto out;
		}
	}
	out = malloc(qlen + 2);
	if (!out) {
		r = he_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	he_put16(out, (uint16_t)qlen);
	memcpy(out + 2, q, qlen);
	r = tcp_io(fd, true, out, qlen + 2, deadline);
	if (!r)
		r = tcp_io(fd, false, lb, 2, deadline);
	want = he_get16(lb);
	if (!r && (want < 2 || want > cap))
		r = -EBADMSG;
	if (!r)
		r = tcp_io(fd, false, buf, want, deadline);
	if (r == -ETIMEDOUT)
		r = timeout_error(sv, ms, true, err);
	else if (r == -EBADMSG)
		r = he_error_set(err, r, "the DNS server %s sent a bad TCP length", sv->text);
	else if (r)
		r = io_error(-r, sv, true, err);
	else
		*rlen = want;
out:
	free(out);
	close(fd);
	return r;
}

/* Send Q: UDP first, TCP when the answer is truncated. *REPLY malloc'ed. */
static int exchange(const struct server *sv, const uint8_t *q, size_t qlen, int ms, uint8_t **reply,
		    size_t *rlen, bool *tcp, struct he_error *err)
{
	uint8_t *buf = malloc(TCP_MAX);
	int ret;

	*reply = NULL;
	*tcp = false;
	if (!buf)
		return he_error_set(err, -ENOMEM, "out of memory");
	if (qlen > 512) {
		*tcp = true;
		ret = tcp_exchange(sv, q, qlen, ms, buf, TCP_MAX, rlen, err);
	} else {
		ret = udp_exchange(sv, q, qlen, ms, buf, UDP_MAX, rlen, err);
		if (!ret && *rlen >= HDR_LEN && (buf[2] & 0x02)) {
			*tcp = true;
			ret = tcp_exchange(sv, q, qlen, ms, buf, TCP_MAX, rlen, err);
		}
	}
	if (ret) {
		free(buf);
		return ret;
	}
	*reply = buf;
	return 0;
}

static uint16_t random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
		id = (uint16_t)(he_now_ms() ^ getpid());
	return id;
}

/*
 * The first rdata field of the zone's TYPE records (SOA: MNAME, NS: the
 * server's name), through the system resolver: up to max into out, *n set.
 * -ENOENT without a resolver (*n = 0) or without an answer.
 */
static int system_lookup(const char *zone, ldns_rr_type type, int ms, char (*out)[HE_HOST_NAME_MAX],
			 size_t max, size_t *n)
{
	ldns_resolver *r = NULL;
	ldns_rdf *z = NULL;
	ldns_pkt *p = NULL;
	ldns_rr_list *rrs = NULL;

	*n = 0;
	if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK || !r)
		return -ENOENT;
	ldns_resolver_set_timeout(r, (struct timeval){.tv_sec = ms / 1000 ? ms / 1000 : 1});
	ldns_resolver_set_retry(r, 1);
	z = ldns_dname_new_frm_str(zone);
	if (z)
		p = ldns_resolver_query(r, z, type, LDNS_RR_CLASS_IN, LDNS_RD);
	if (p)
		rrs = ldns_pkt_rr_list_by_type(p, type, LDNS_SECTION_ANSWER);
	for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs) && *n < max; i++)
		he_rfc2136_rdf_str(ldns_rr_rdf(ldns_rr_list_rr(rrs, i), 0), out[(*n)++],
				   HE_HOST_NAME_MAX);
	ldns_rr_list_deep_free(rrs);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(z);
	ldns_resolver_deep_free(r);
	return *n ? 0 : -ENOENT;
}

/* The zone's primary from its SOA MNAME, through the system resolver. */
static int find_primary(const char *zone, int ms, char *out, size_t n, struct he_error *err)
{
	char name[1][HE_HOST_NAME_MAX];
	size_t got;

	if (system_lookup(zone, LDNS_RR_TYPE_SOA, ms, name, 1, &got) < 0)
		return he_error_set(err, -ENOENT,
				    "rfc2136: no server set and the system resolver gave no SOA "
				    "for zone '%.200s': set server to the zone's primary",
				    zone);
	snprintf(out, n, "%s", name[0]);
	return 0;
}

int he_rfc2136_zone_ns(const char *zone, int timeout_ms, struct he_rfc2136_names *out,
		       struct he_error *err)
{
	if (system_lookup(zone, LDNS_RR_TYPE_NS, timeout_ms, out->name, HE_RFC2136_MAX_NS,
			  &out->n) < 0)
		return he_error_set(
		    err, -ENOENT,
		    "the system resolver gave no NS records for zone '%.200s' "
		    "(no resolver, or the zone is not delegated): set verify-server",
		    zone);
	return 0;
}

int he_rfc2136_update(const struct he_rfc2136_req *req, struct he_rfc2136_result *res,
		      struct he_error *err)
{
	struct he_rfc2136_result dummy;
	char primary[256];
	const char *spec;
	struct server sv;
	uint8_t *q = NULL, *reply = NULL;
	size_t qlen = 0, rlen = 0;
	int ms, ret;

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	res->rcode = -1;
	ret = he_rfc2136_check_req(req, err);
	if (ret) {
		res->permanent = true;
		return ret;
	}
	ret = he_lazy_need(HE_LAZY_LDNS, err);
	if (ret < 0)
		return ret;
	ms = req->timeout_ms > 0 ? req->timeout_ms : HE_RFC2136_TIMEOUT;
	spec = req->server;
	if (!spec || !*spec) {
		ret = find_primary(req->zone, ms, primary, sizeof(primary), err);
		if (ret)
			return ret;
		spec = primary;
	}
	ret = server_resolve(spec, &sv, err);
	if (ret)
		return ret;
	snprintf(res->server, sizeof(res->server), "%s", sv.text);
	ret = he_rfc2136_build(req, random_id(), time(NULL), &q, &qlen, err);
	if (ret) {
		res->permanent = true;
		return ret;
	}
	ret = exchange(&sv, q, qlen, ms, &reply, &rlen, &res->tcp, err);
	if (!ret)
		ret = he_rfc2136_classify(reply, rlen, q, qlen, req->key, time(NULL), res, err);
	free(q);
	free(reply);
	if (ret)
		he_error_prefix(err, ret, "DNS UPDATE of %s %s at %s", req->name,
				he_rfc2136_type_name(req->family), sv.text);
	return ret;
}

int he_rfc2136_query(const char *server, const char *name, int family, int timeout_ms,
		     struct he_rfc2136_addrs *out, struct he_error *err)
{
	struct server sv;
	uint8_t *q = NULL, *reply = NULL;
	size_t qlen = 0, rlen = 0;
	uint16_t id = random_id();
	bool tcp;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!server || !*server)
		return he_error_set(err, -EINVAL, "rfc2136: query needs a server");
	ret = server_resolve(server, &sv, err);
	if (ret)
		return ret;
	ret = he_rfc2136_build_query(name, family, id, &q, &qlen, err);
	if (ret)
		return ret;
	ret = exchange(&sv, q, qlen, timeout_ms > 0 ? timeout_ms : HE_RFC2136_TIMEOUT, &reply,
		       &rlen, &tcp, err);
	if (!ret)
		ret = he_rfc2136_parse_answer(reply, rlen, id, name, family, out, err);
	free(q);
	free(reply);
	return ret;
}
