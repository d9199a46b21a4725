/* SPDX-License-Identifier: MIT */
/* probe.c - TCP connect and UDP datagram probes with deadlines. */
#include "core/lazy.h"
#include "core/clock.h"
#include "core/wait.h"
#include "reach/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (unsigned)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

int he_probe_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *sa,
		      socklen_t *salen)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*salen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*salen = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

enum he_rp_result he_probe_tcp(const struct sockaddr *sa, socklen_t salen, int timeout_ms,
			       unsigned *ms, char *detail, size_t dlen)
{
	struct timespec t0;
	struct pollfd p;
	int fd, e = 0, rc;
	socklen_t elen = sizeof(e);
	enum he_rp_result res;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*ms = 0;
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(detail, dlen, "socket: %s", strerror(errno));
		return HE_RP_ERROR;
	}
	rc = connect(fd, sa, salen);
	if (rc < 0 && errno != EINPROGRESS) {
		e = errno;
		goto verdict;
	}
	if (rc == 0)
		goto verdict;
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	rc = poll(&p, 1, timeout_ms);
	if (rc == 0) {
		e = ETIMEDOUT;
		goto verdict;
	}
	if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
		e = errno;
verdict:
	*ms = since(&t0);
	close(fd);
	switch (e) {
	case 0:
		snprintf(detail, dlen, "connected in %u ms", *ms);
		res = HE_RP_OPEN;
		break;
	case ECONNREFUSED:
		snprintf(detail, dlen, "connection refused (RST) after %u ms", *ms);
		res = HE_RP_CLOSED;
		break;
	case ETIMEDOUT:
		snprintf(detail, dlen, "no answer within %d ms (dropped on the way)", timeout_ms);
		res = HE_RP_FILTERED;
		break;
	case EHOSTUNREACH:
	case ENETUNREACH:
		snprintf(detail, dlen, "%s", strerror(e));
		res = HE_RP_FILTERED;
		break;
	default:
		snprintf(detail, dlen, "connect: %s", strerror(e));
		res = HE_RP_ERROR;
		break;
	}
	return res;
}

enum he_rp_result he_probe_udp(const struct sockaddr *sa, socklen_t salen, const char *payload,
			       int timeout_ms, unsigned *ms, char *detail, size_t dlen)
{
	struct timespec t0;
	struct pollfd p;
	char buf[512];
	ssize_t n;
	int fd, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*ms = 0;
	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(detail, dlen, "socket: %s", strerror(errno));
		return HE_RP_ERROR;
	}
	if (connect(fd, sa, salen) < 0 || send(fd, payload, strlen(payload), 0) < 0) {
		snprintf(detail, dlen, "send: %s", strerror(errno));
		close(fd);
		return HE_RP_ERROR;
	}
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	rc = poll(&p, 1, timeout_ms);
	n = rc > 0 ? recv(fd, buf, sizeof(buf), MSG_DONTWAIT) : -1;
	*ms = since(&t0);
	if (rc > 0 && n < 0 && errno == ECONNREFUSED) {
		close(fd);
		snprintf(detail, dlen, "ICMP port unreachable: nothing is bound to the port");
		return HE_RP_CLOSED;
	}
	close(fd);
	if (n >= 0) {
		snprintf(detail, dlen, "the service answered with %zd bytes in %u ms", n, *ms);
		return HE_RP_REPLY;
	}
	snprintf(detail, dlen, "datagram sent; no reply within %d ms", timeout_ms);
	return HE_RP_SENT;
}

bool he_probe_tls_port(uint16_t port)
{
	static const uint16_t ports[] = {443, 465, 563,  636,  853,  989,  990,  992, 993,
					 994, 995, 5061, 5223, 6697, 8443, 8448, 9443};

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (ports[i] == port)
			return true;
	return false;
}

/*
 * The handshake over the connected, non-blocking fd, bounded by one absolute
 * deadline however the peer trickles bytes: 1 completed, 0 not (out says).
 */
static int handshake(SSL_CTX *ctx, int fd, int64_t deadline_ms, char *out, size_t len)
{
	SSL *ssl = SSL_new(ctx);
	int rc, ok = 0;

	snprintf(out, len, "no TLS handshake: out of memory");
	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto out;
	while ((rc = SSL_connect(ssl)) != 1) {
		int want = SSL_get_error(ssl, rc);

		if (want != SSL_ERROR_WANT_READ && want != SSL_ERROR_WANT_WRITE) {
			snprintf(out, len,
				 "TLS handshake failed: the port answers but not with TLS");
			goto out;
		}
		if (he_wait_fd(fd, want == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms) <=
		    0) {
			snprintf(out, len, "TLS handshake not complete by the probe's deadline");
			goto out;
		}
	}
	{
		X509 *cert = SSL_get1_peer_certificate(ssl);
		char subject[128] = "";

		if (cert) {
			X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
			X509_free(cert);
		}
		snprintf(out, len, "TLS handshake ok (%s%s%s)", SSL_get_version(ssl),
			 *subject ? ", certificate " : "", subject);
		ok = 1;
	}
out:
	SSL_free(ssl);
	return ok;
}

void he_probe_tls_handshake(struct ssl_ctx_st *ctx, int fd, int timeout_ms, char *out, size_t len)
{
	SSL_CTX *own = NULL;
	int flags = fcntl(fd, F_GETFL);

	snprintf(out, len, "no TLS handshake: out of memory");
	if (!ctx) {
		own = SSL_CTX_new(TLS_client_method());
		if (!own) {
			struct he_error e = {0};

			if (he_lazy_need(HE_LAZY_SSL, &e) < 0)
				snprintf(out, len, "no TLS handshake: %s", e.msg);
			return;
		}
		SSL_CTX_set_verify(own, SSL_VERIFY_NONE, NULL);
		ctx = own;
	}
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	handshake(ctx, fd, he_now_ms() + timeout_ms, out, len);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags);
	SSL_CTX_free(own);
}

int he_probe_tls(struct ssl_ctx_st *ctx, const struct sockaddr *sa, socklen_t salen,
		 int64_t deadline_ms, char *out, size_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int e = 0, ok = 0;
	socklen_t elen = sizeof(e);

	snprintf(out, len, "no TLS: cannot try");
	if (fd < 0 || !ctx)
		goto out;
	if (connect(fd, sa, salen) < 0 && errno != EINPROGRESS) {
		snprintf(out, len, "no TLS: reconnect failed: %s", strerror(errno));
		goto out;
	}
	if (he_wait_fd(fd, POLLOUT, deadline_ms) <= 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 || e) {
		snprintf(out, len, "no TLS: reconnect failed: %s", e ? strerror(e) : "timed out");
		goto out;
	}
	ok = handshake(ctx, fd, deadline_ms, out, len);
out:
	if (fd >= 0)
		close(fd);
	return ok;
}
