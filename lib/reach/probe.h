/* SPDX-License-Identifier: MIT */
/*
 * probe.h - one TCP or UDP probe toward an address, with a deadline.
 *
 * Owner: lib/reach. Used by the reflector (toward its caller), the probe
 * through a SOCKS proxy (the TLS evidence) and by the hairpin test (toward this home's own public
 * address from inside). The address is always given by the caller of these functions; nothing here
 * decides whom to probe. Nothing here prints.
 */
#ifndef HE_REACH_PROBE_H
#define HE_REACH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "reach/reflector_proto.h"

/* TCP connect to sa within timeout_ms: HE_RP_OPEN, HE_RP_CLOSED, HE_RP_FILTERED or HE_RP_ERROR. */
enum he_rp_result he_probe_tcp(const struct sockaddr *sa, socklen_t salen, int timeout_ms,
			       unsigned *ms, char *detail, size_t dlen);

/*
 * Send payload in one datagram to sa and wait up to timeout_ms for a reply:
 * HE_RP_REPLY, HE_RP_CLOSED (ICMP port unreachable), HE_RP_SENT (no answer)
 * or HE_RP_ERROR.
 */
enum he_rp_result he_probe_udp(const struct sockaddr *sa, socklen_t salen, const char *payload,
			       int timeout_ms, unsigned *ms, char *detail, size_t dlen);

/* Ports that speak TLS from the first byte (443, 993, 8443, ...): worth a handshake as evidence. */
bool he_probe_tls_port(uint16_t port);

struct ssl_ctx_st; /* OpenSSL's SSL_CTX */

/*
 * A TLS handshake over the connected socket fd as extra evidence (the
 * certificate is not verified; ctx NULL: a fresh client context): out gets
 * "TLS handshake ok (TLSv1.3, certificate /CN=...)" or why not. Sets the
 * socket's send and receive timeouts to timeout_ms. Closes nothing.
 */
void he_probe_tls_handshake(struct ssl_ctx_st *ctx, int fd, int timeout_ms, char *out, size_t len);
struct ssl_ctx_st; /* OpenSSL's SSL_CTX */

/*
 * A TLS handshake with sa as extra evidence (the certificate is not verified),
 * connect and handshake both bounded by the absolute DEADLINE_MS (he_now_ms()
 * clock): a peer that trickles bytes cannot hold the caller past it. Writes
 * what happened into out; 1 if the handshake completed, 0 if not.
 */
int he_probe_tls(struct ssl_ctx_st *ctx, const struct sockaddr *sa, socklen_t salen,
		 int64_t deadline_ms, char *out, size_t len);

/* Fill sa from a numeric address and port. -EINVAL on junk. */
int he_probe_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *sa,
		      socklen_t *salen);

#endif
