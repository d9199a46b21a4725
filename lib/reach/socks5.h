/* SPDX-License-Identifier: MIT */
/*
 * socks5.h - the SOCKS5 client protocol (RFC 1928, RFC 1929): the wire
 * format (pure: greeting, method choice, username/password, CONNECT and UDP
 * ASSOCIATE requests, the reply, the UDP relay header) and a blocking client
 * with a deadline (socks5_client.c).
 *
 * Owner: lib/reach, for the outside probe through a proxy (outside_socks.c).
 * Everything the proxy sends is untrusted: the parsers check every length
 * (tests/fuzz/fuzz_socks5.c). Nothing here prints.
 */
#ifndef HE_REACH_SOCKS5_H
#define HE_REACH_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/error.h"

#define HE_SOCKS5_VER         5
#define HE_SOCKS5_NO_AUTH     0x00
#define HE_SOCKS5_USERPASS    0x02
#define HE_SOCKS5_NO_METHOD   0xff
#define HE_SOCKS5_CONNECT     0x01
#define HE_SOCKS5_UDP_ASSOC   0x03
#define HE_SOCKS5_ATYP_IPV4   0x01
#define HE_SOCKS5_ATYP_DOMAIN 0x03
#define HE_SOCKS5_ATYP_IPV6   0x04
#define HE_SOCKS5_HOST_MAX    256 /* a domain is at most 255 bytes, plus the NUL */
#define HE_SOCKS5_REQ_MAX     (4 + 1 + 255 + 2)
#define HE_SOCKS5_AUTH_MAX    (3 + 255 + 255)

/* The reply codes (RFC 1928 section 6); HE_SOCKS5_NO_REPLY: the proxy never answered. */
enum he_socks5_rep {
	HE_SOCKS5_OK = 0,
	HE_SOCKS5_FAILURE = 1,      /* general SOCKS server failure */
	HE_SOCKS5_NOT_ALLOWED = 2,  /* connection not allowed by ruleset */
	HE_SOCKS5_NET_UNREACH = 3,  /* network unreachable */
	HE_SOCKS5_HOST_UNREACH = 4, /* host unreachable */
	HE_SOCKS5_REFUSED = 5,      /* connection refused */
	HE_SOCKS5_TTL_EXPIRED = 6,  /* TTL expired (Tor: the exit timed out) */
	HE_SOCKS5_CMD_UNSUPP = 7,   /* command not supported (Tor: UDP ASSOCIATE) */
	HE_SOCKS5_ATYP_UNSUPP = 8,  /* address type not supported */
	HE_SOCKS5_NO_REPLY = 0x100, /* not a wire value */
};

/* An address as SOCKS5 carries it: IPv4, IPv6 (host is its text form) or a domain name. */
struct he_socks5_addr {
	uint8_t atyp;
	char host[HE_SOCKS5_HOST_MAX];
	uint16_t port;
};

/* "general SOCKS server failure", ... ; "unknown reply code" past 8. */
const char *he_socks5_rep_text(int rep);

/* Fill a from host (an IPv4 or IPv6 literal, else a domain name) and port. -EINVAL when too long.
 */
int he_socks5_addr_set(struct he_socks5_addr *a, const char *host, uint16_t port,
		       struct he_error *err);

/* Split "HOST:PORT" or "[IPv6]:PORT" (the port is required, 1-65535). */
int he_socks5_parse_hostport(const char *s, char *host, size_t hlen, uint16_t *port,
			     struct he_error *err);

/* The greeting offering no authentication or (userpass) username/password only; its length. */
size_t he_socks5_greeting(uint8_t *buf, bool userpass);

/*
 * The method choice (2 bytes): 0 with *method set; -EAGAIN short, -EPROTO
 * not SOCKS5 or a method that was not offered, -EACCES when the proxy accepts
 * none of the offered methods.
 */
int he_socks5_parse_choice(const uint8_t *b, size_t n, bool userpass, uint8_t *method,
			   struct he_error *err);

/* The RFC 1929 request into buf (HE_SOCKS5_AUTH_MAX); its length, or -EINVAL (over 255 bytes). */
int he_socks5_auth_request(uint8_t *buf, const char *user, const char *pass, struct he_error *err);

/* The RFC 1929 status (2 bytes): 0 accepted, -EACCES refused, -EAGAIN short, -EPROTO. */
int he_socks5_parse_auth(const uint8_t *b, size_t n, struct he_error *err);

/* A request (cmd CONNECT or UDP ASSOCIATE) into buf (HE_SOCKS5_REQ_MAX); its length, or -EINVAL. */
int he_socks5_request(uint8_t *buf, uint8_t cmd, const struct he_socks5_addr *dst,
		      struct he_error *err);

/*
 * The reply at the start of b: 0 with *rep and *bnd set and *used its length
 * (bytes after it are the destination's); -EAGAIN when more bytes are needed
 * (*used is then how many are needed in all, when known, else 5); -EPROTO
 * when malformed. *rep may be any value 0-255 (not only 0-8).
 */
int he_socks5_parse_reply(const uint8_t *b, size_t n, int *rep, struct he_socks5_addr *bnd,
			  size_t *used, struct he_error *err);

/* The UDP relay header for dst into buf (HE_SOCKS5_REQ_MAX); its length, or -EINVAL. */
int he_socks5_udp_header(uint8_t *buf, const struct he_socks5_addr *dst, struct he_error *err);

/*
 * A datagram from the relay: 0 with *from and *hdrlen (the payload follows);
 * -EPROTO when malformed, -ENOTSUP for a fragment (FRAG != 0).
 */
int he_socks5_parse_udp(const uint8_t *b, size_t n, struct he_socks5_addr *from, size_t *hdrlen,
			struct he_error *err);

/* ---- the client (socks5_client.c) -------------------------------------- */

struct he_socks5_client {
	const char *proxy; /* "HOST:PORT" */
	const char *user;  /* non-NULL: offer only username/password (Tor: stream isolation) */
	const char *pass;
	int timeout_ms; /* the whole exchange up to the reply; 0: 10000 */
};

/*
 * Connect to the proxy, authenticate and send cmd for dst; wait for the
 * reply. Returns the connected (blocking) socket with *rep = 0 and *bnd the
 * proxy's bound address; the destination's bytes follow on it. On failure
 * returns -errno and sets *rep: the proxy's reply code when it answered the
 * request (then the message says what it means), HE_SOCKS5_NO_REPLY when
 * the proxy itself could not be used (unreachable, authentication, protocol,
 * deadline). The proxy's own address goes to proxy_sa when not NULL.
 */
int he_socks5_open(const struct he_socks5_client *c, uint8_t cmd, const struct he_socks5_addr *dst,
		   int *rep, struct he_socks5_addr *bnd, struct sockaddr_storage *proxy_sa,
		   struct he_error *err);

#endif
