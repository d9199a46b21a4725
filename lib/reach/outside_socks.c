/* SPDX-License-Identifier: MIT */
/* outside_socks.c - the outside step through a SOCKS5 proxy (outside_socks.h). */
#include "reach/outside_socks.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/portspec.h"
#include "reach/probe.h"
#include "reach/reflector_client.h"
#include "reach/reflector_proto.h"
#include "reach/socks5.h"
#include "reach/check_internal.h"

#define BANNER_WAIT_MS 1500 /* what a service says first (SSH, SMTP, IMAP) */
#define UDP_WAIT_MS    2000 /* the service's answer through the relay */
#define TRIES_TOR      3

const char *he_outside_socks_proxy(const struct he_config *cfg, const struct he_check_opts *opts)
{
	if (opts && opts->via_socks && *opts->via_socks)
		return opts->via_socks;
	if (!*cfg->reflector_url && *cfg->reflector_socks)
		return cfg->reflector_socks;
	return NULL;
}

bool he_outside_socks_is_tor(const char *mode, const char *proxy)
{
	char host[HE_SOCKS5_HOST_MAX];
	uint16_t port = 0;

	if (mode && !strcmp(mode, "yes"))
		return true;
	if (mode && !strcmp(mode, "no"))
		return false;
	if (he_socks5_parse_hostport(proxy, host, sizeof(host), &port, NULL) < 0)
		return false;
	return port == 9050 || port == 9150;
}

void he_check_vantage(const struct he_config *cfg, const struct he_check_opts *opts, char *buf,
		      size_t len)
{
	const char *proxy = he_outside_socks_proxy(cfg, opts);

	if (proxy && he_outside_socks_is_tor(cfg->reflector_socks_tor, proxy))
		snprintf(buf, len, "from a Tor exit (socks %s)", proxy);
	else if (proxy)
		snprintf(buf, len, "through socks %s", proxy);
	else if (*cfg->reflector_url)
		snprintf(buf, len, "from reflector %s", cfg->reflector_url);
	else
		buf[0] = '\0';
}

/* "PUB:PORT" or "[PUB6]:PORT". */
static void endpoint(const struct he_socks5_addr *a, char *buf, size_t len)
{
	bool v6 = a->atyp == HE_SOCKS5_ATYP_IPV6;

	snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", a->host, v6 ? "]" : "", a->port);
}

/* What the service says first, printable and short; or a TLS handshake on TLS ports. */
static void evidence(int fd, uint16_t port, char *out, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[96];
	ssize_t n = -1;
	size_t k = 0;

	if (he_probe_tls_port(port)) {
		he_probe_tls_handshake(NULL, fd, 5000, out, len);
		return;
	}
	if (poll(&p, 1, BANNER_WAIT_MS) > 0)
		n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		snprintf(out, len,
			 "the service sent nothing within %d ms (it waits for the client)",
			 BANNER_WAIT_MS);
		return;
	}
	if (n == 0) {
		snprintf(out, len, "the service closed the connection without a word");
		return;
	}
	for (ssize_t i = 0; i < n && buf[i] != '\n' && buf[i] != '\r'; i++)
		buf[k++] = isprint((unsigned char)buf[i]) ? buf[i] : '.';
	buf[k] = '\0';
	snprintf(out, len, "the service sent \"%s\"", buf);
}

/* Fresh credentials: Tor builds a new circuit for each (IsolateSOCKSAuth). */
static void fresh_credentials(char *user, char *pass)
{
	char hex[17];

	if (he_rp_random_hex(hex, 16, NULL) < 0)
		snprintf(hex, sizeof(hex), "%lx", (unsigned long)getpid());
	snprintf(user, 32, "homeexpose-%s", hex);
	if (he_rp_random_hex(pass, 16, NULL) < 0)
		snprintf(pass, 17, "x");
}

/* How telling a failed attempt is: the strongest one is reported. */
static int rank(int rep)
{
	switch (rep) {
	case HE_SOCKS5_REFUSED:
		return 5;
	case HE_SOCKS5_HOST_UNREACH:
	case HE_SOCKS5_NET_UNREACH:
	case HE_SOCKS5_TTL_EXPIRED:
		return 4;
	case HE_SOCKS5_NOT_ALLOWED:
		return 3;
	case HE_SOCKS5_NO_REPLY:
		return 1;
	default:
		return 2;
	}
}

static void tcp_verdict(struct he_check_line *l, const struct he_check_target *t, int rep,
			const char *ep, const char *who, const char *msg)
{
	const char *fix = "see the first failing step above";

	switch (rep) {
	case HE_SOCKS5_REFUSED:
		he_chk_set(l, HE_CHK_FAIL, fix, "%s: the connection to %s/tcp was refused (closed)",
			   who, ep);
		break;
	case HE_SOCKS5_NET_UNREACH:
		if (t->family == AF_INET6) {
			he_chk_set(l, HE_CHK_WARN,
				   "the proxy may have no IPv6: use one that has, or a reflector",
				   "%s: network unreachable toward %s/tcp", who, ep);
			break;
		}
		/* fall through */
	case HE_SOCKS5_HOST_UNREACH:
		he_chk_set(l, HE_CHK_FAIL, fix, "%s: %s/tcp is unreachable (%s)", who, ep,
			   he_socks5_rep_text(rep));
		break;
	case HE_SOCKS5_TTL_EXPIRED:
		he_chk_set(
		    l, HE_CHK_FAIL, fix,
		    "%s: the connection to %s/tcp timed out (TTL expired: dropped on the way)", who,
		    ep);
		break;
	case HE_SOCKS5_NOT_ALLOWED:
		he_chk_set(
		    l, HE_CHK_WARN,
		    "not a verdict on the port: use another proxy or a reflector (most Tor exits "
		    "refuse ports such as 25)",
		    "%s: the proxy refused the destination %s/tcp (connection not allowed by its "
		    "rules or exit policy)",
		    who, ep);
		break;
	case HE_SOCKS5_NO_REPLY:
		he_chk_set(l, HE_CHK_WARN,
			   "check [reflector] socks: is the proxy running and reachable?", "%s",
			   msg);
		break;
	default:
		he_chk_set(l, HE_CHK_WARN, NULL, "%s: the proxy could not connect to %s/tcp: %s",
			   who, ep, msg);
		break;
	}
}

static void tcp_target(const struct he_outside_socks *o, struct he_check_target *t,
		       const struct he_socks5_addr *dst, const char *ep)
{
	struct he_check_line *l = &t->l[HE_CHK_OUTSIDE];
	char user[32], pass[17], what[HE_CHK_TEXT_MAX / 2], who[HE_CHK_TEXT_MAX / 4];
	char best_msg[HE_ERR_MSG_MAX] = "";
	int tries = o->tries > 0 ? o->tries : o->tor ? TRIES_TOR : 1, best = HE_SOCKS5_NO_REPLY;

	for (int a = 1; a <= tries; a++) {
		struct he_socks5_client c = {.proxy = o->proxy,
					     .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms
							   : o->tor          ? 30000
									     : 10000};
		struct he_socks5_addr bnd;
		struct he_error err = {0};
		int rep, fd;

		if (o->tor) {
			fresh_credentials(user, pass);
			c.user = user;
			c.pass = pass;
		}
		fd = he_socks5_open(&c, HE_SOCKS5_CONNECT, dst, &rep, &bnd, NULL, &err);
		if (fd >= 0) {
			evidence(fd, dst->port, what, sizeof(what));
			close(fd);
			if (o->tor)
				snprintf(who, sizeof(who), "from a Tor exit (circuit %d of %d)", a,
					 tries);
			else
				snprintf(who, sizeof(who), "through socks %s", o->proxy);
			he_chk_set(l, HE_CHK_PASS, NULL, "%s: connected to %s/tcp: %s", who, ep,
				   what);
			return;
		}
		if (best == HE_SOCKS5_NO_REPLY || rank(rep) > rank(best)) {
			best = rep;
			snprintf(best_msg, sizeof(best_msg), "%s", err.msg);
		}
	}
	if (o->tor)
		snprintf(who, sizeof(who), "from %d Tor exit%s", tries, tries == 1 ? "" : "s");
	else
		snprintf(who, sizeof(who), "through socks %s", o->proxy);
	tcp_verdict(l, t, best, ep, who, best_msg);
}

/* Wait for the service's answer through the relay: 1 when one came from dst. */
static int relay_answer(int ufd, const struct he_socks5_addr *dst, size_t *got)
{
	uint8_t buf[1024];
	int64_t left = UDP_WAIT_MS;

	while (left > 0) {
		struct pollfd p = {.fd = ufd, .events = POLLIN};
		struct he_socks5_addr from;
		size_t hl;
		ssize_t n;

		if (poll(&p, 1, (int)left) <= 0)
			return 0;
		left -= 50; /* a stray datagram costs a little of the wait, never loops forever */
		n = recv(ufd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0 || he_socks5_parse_udp(buf, (size_t)n, &from, &hl, NULL) < 0)
			continue;
		if (from.port == dst->port) {
			*got = (size_t)n - hl;
			return 1;
		}
	}
	return 0;
}

static void udp_target(const struct he_outside_socks *o, struct he_check_target *t,
		       const struct he_socks5_addr *dst, const char *ep)
{
	struct he_check_line *l = &t->l[HE_CHK_OUTSIDE];
	struct he_socks5_client c = {.proxy = o->proxy,
				     .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms
						   : o->tor          ? 30000
								     : 10000};
	struct he_socks5_addr any, relay;
	struct sockaddr_storage psa, rsa;
	socklen_t rlen;
	struct he_error err = {0};
	char user[32], pass[17], token[HE_RP_TOKEN_MAX + 1], payload[HE_RP_TOKEN_MAX + 40];
	uint8_t dgram[HE_SOCKS5_REQ_MAX + sizeof(payload)];
	const char *unknown = "make the service answer, or stop it briefly and run check again";
	int rep, cfd, ufd = -1, catch_fd = -1, hl;
	size_t got = 0;

	if (o->tor) {
		fresh_credentials(user, pass);
		c.user = user;
		c.pass = pass;
	}
	he_socks5_addr_set(&any, "0.0.0.0", 0, NULL);
	cfd = he_socks5_open(&c, HE_SOCKS5_UDP_ASSOC, &any, &rep, &relay, &psa, &err);
	if (cfd < 0) {
		if (rep == HE_SOCKS5_CMD_UNSUPP)
			he_chk_set(
			    l, HE_CHK_WARN, "use a proxy with UDP ASSOCIATE (dante) or a reflector",
			    "unknown: the proxy %s does not relay UDP (UDP ASSOCIATE: command not "
			    "supported), so %s/udp cannot be tested through it",
			    o->proxy, ep);
		else if (rep == HE_SOCKS5_NOT_ALLOWED)
			he_chk_set(
			    l, HE_CHK_WARN, "use another proxy or a reflector",
			    "unknown: the proxy refused the destination (UDP ASSOCIATE not allowed "
			    "by its rules) for %s/udp",
			    ep);
		else
			he_chk_set(l, HE_CHK_WARN, NULL,
				   "unknown: UDP through the proxy failed: %s", err.msg);
		return;
	}
	/* the relay: its bound address, or the proxy's own when it names none */
	if (he_probe_sockaddr(relay.host, relay.port, &rsa, &rlen) < 0) {
		he_chk_set(l, HE_CHK_WARN, NULL, "unknown: the proxy named its UDP relay as '%s'",
			   relay.host);
		goto out;
	}
	if ((rsa.ss_family == AF_INET &&
	     ((struct sockaddr_in *)&rsa)->sin_addr.s_addr == htonl(INADDR_ANY)) ||
	    (rsa.ss_family == AF_INET6 &&
	     IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&rsa)->sin6_addr))) {
		rsa = psa;
		rlen = psa.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						 : sizeof(struct sockaddr_in);
		if (psa.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&rsa)->sin6_port = htons(relay.port);
		else
			((struct sockaddr_in *)&rsa)->sin_port = htons(relay.port);
	}
	he_rp_random_hex(token, 24, NULL);
	snprintf(payload, sizeof(payload), "homeexpose-socks %s\n", token);
	hl = he_socks5_udp_header(dgram, dst, &err);
	ufd = socket(rsa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (hl < 0 || ufd < 0 || connect(ufd, (struct sockaddr *)&rsa, rlen) < 0) {
		he_chk_set(l, HE_CHK_WARN, NULL, "unknown: cannot use the proxy's UDP relay: %s",
			   hl < 0 ? err.msg : strerror(errno));
		goto out;
	}
	memcpy(dgram + hl, payload, strlen(payload));
	/* a free port can be listened on to see the datagram arrive */
	catch_fd = he_udp_catch_open(t->family, t->in, NULL);
	if (send(ufd, dgram, (size_t)hl + strlen(payload), 0) < 0) {
		he_chk_set(l, HE_CHK_WARN, NULL, "unknown: sending to the proxy's UDP relay: %s",
			   strerror(errno));
		goto out;
	}
	if (relay_answer(ufd, dst, &got))
		he_chk_set(
		    l, HE_CHK_PASS, NULL,
		    "through socks %s (UDP relay): the datagram to %s/udp was answered with %zu "
		    "bytes",
		    o->proxy, ep, got);
	else if (catch_fd >= 0 && he_udp_catch_wait(catch_fd, token, 300))
		he_chk_set(l, HE_CHK_PASS, NULL,
			   "through socks %s (UDP relay): the datagram to %s/udp arrived here",
			   o->proxy, ep);
	else
		he_chk_set(
		    l, HE_CHK_WARN, unknown,
		    "unknown: a datagram was sent to %s/udp through socks %s; the service did not "
		    "answer%s",
		    ep, o->proxy,
		    catch_fd >= 0 ? " and it did not arrive here"
				  : " and its port is busy, so arrival cannot be confirmed");
out:
	if (catch_fd >= 0)
		close(catch_fd);
	if (ufd >= 0)
		close(ufd);
	close(cfd);
}

void he_outside_socks_run(const struct he_outside_socks *o, struct he_check_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct he_check_line *l = &t[i].l[HE_CHK_OUTSIDE];
		const char *pub = o->pub[he_chk_fam_idx(t[i].family)];
		uint16_t port = he_chk_outside_port(&t[i]);
		struct he_socks5_addr dst;
		char ep[HE_SOCKS5_HOST_MAX + 8];

		if (!pub || !*pub) {
			if (t[i].family == AF_INET6)
				he_chk_set(l, HE_CHK_NA, NULL,
					   "no global IPv6 address on this host");
			else
				he_chk_set(
				    l, HE_CHK_NA,
				    "let the router answer (UPnP, NAT-PMP, PCP) or set [publicip] "
				    "sources",
				    "this home's public IPv4 address is not known: nothing to ask "
				    "the proxy to connect to");
			continue;
		}
		if (he_socks5_addr_set(&dst, pub, port, NULL) < 0) {
			he_chk_set(l, HE_CHK_WARN, NULL, "bad public address '%s'", pub);
			continue;
		}
		endpoint(&dst, ep, sizeof(ep));
		if (t[i].proto == HE_PROTO_UDP)
			udp_target(o, &t[i], &dst, ep);
		else
			tcp_target(o, &t[i], &dst, ep);
	}
}
