/* SPDX-License-Identifier: MIT */
/* socks5.c - the SOCKS5 wire format (RFC 1928, RFC 1929), pure. */
#include "reach/socks5.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

const char *he_socks5_rep_text(int rep)
{
	static const char *const text[] = {
	    "succeeded",
	    "general SOCKS server failure",
	    "connection not allowed by ruleset",
	    "network unreachable",
	    "host unreachable",
	    "connection refused",
	    "TTL expired",
	    "command not supported",
	    "address type not supported",
	};

	if (rep == HE_SOCKS5_NO_REPLY)
		return "no reply from the proxy";
	return rep >= 0 && rep < (int)(sizeof(text) / sizeof(text[0])) ? text[rep]
								       : "unknown reply code";
}

int he_socks5_addr_set(struct he_socks5_addr *a, const char *host, uint16_t port,
		       struct he_error *err)
{
	uint8_t bin[16];

	memset(a, 0, sizeof(*a));
	a->port = port;
	if (inet_pton(AF_INET, host, bin) == 1)
		a->atyp = HE_SOCKS5_ATYP_IPV4;
	else if (inet_pton(AF_INET6, host, bin) == 1)
		a->atyp = HE_SOCKS5_ATYP_IPV6;
	else if (*host && strlen(host) <= 255)
		a->atyp = HE_SOCKS5_ATYP_DOMAIN;
	else
		return he_error_set(err, -EINVAL, "'%.64s' is not an address or a name", host);
	snprintf(a->host, sizeof(a->host), "%s", host);
	return 0;
}

int he_socks5_parse_hostport(const char *s, char *host, size_t hlen, uint16_t *port,
			     struct he_error *err)
{
	const char *colon, *h = s;
	size_t n;
	char *end;
	unsigned long p;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return he_error_set(err, -EINVAL, "'%s': use [IPv6]:PORT", s);
		h = s + 1;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return he_error_set(err, -EINVAL, "'%s': use HOST:PORT or [IPv6]:PORT", s);
		n = (size_t)(colon - s);
	}
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (!n || n >= hlen || colon[1] < '0' || colon[1] > '9' || *end || errno || p < 1 ||
	    p > 65535)
		return he_error_set(err, -EINVAL, "'%s': use HOST:PORT (port 1-65535)", s);
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (uint16_t)p;
	return 0;
}

size_t he_socks5_greeting(uint8_t *buf, bool userpass)
{
	buf[0] = HE_SOCKS5_VER;
	buf[1] = 1;
	buf[2] = userpass ? HE_SOCKS5_USERPASS : HE_SOCKS5_NO_AUTH;
	return 3;
}

int he_socks5_parse_choice(const uint8_t *b, size_t n, bool userpass, uint8_t *method,
			   struct he_error *err)
{
	if (n < 2)
		return he_error_set(err, -EAGAIN, "short method choice");
	if (b[0] != HE_SOCKS5_VER)
		return he_error_set(err, -EPROTO, "not a SOCKS5 proxy (version %u)", b[0]);
	if (b[1] == HE_SOCKS5_NO_METHOD)
		return he_error_set(err, -EACCES,
				    "the proxy accepts none of the offered methods (%s)",
				    userpass ? "username/password" : "no authentication");
	if (b[1] != (userpass ? HE_SOCKS5_USERPASS : HE_SOCKS5_NO_AUTH))
		return he_error_set(err, -EPROTO,
				    "the proxy chose method %u, which was not offered", b[1]);
	*method = b[1];
	return 0;
}

int he_socks5_auth_request(uint8_t *buf, const char *user, const char *pass, struct he_error *err)
{
	size_t ul = strlen(user), pl = strlen(pass);

	if (!ul || ul > 255 || !pl || pl > 255)
		return he_error_set(err, -EINVAL, "SOCKS username and password: 1-255 bytes each");
	buf[0] = 1;
	buf[1] = (uint8_t)ul;
	memcpy(buf + 2, user, ul);
	buf[2 + ul] = (uint8_t)pl;
	memcpy(buf + 3 + ul, pass, pl);
	return (int)(3 + ul + pl);
}

int he_socks5_parse_auth(const uint8_t *b, size_t n, struct he_error *err)
{
	if (n < 2)
		return he_error_set(err, -EAGAIN, "short authentication status");
	if (b[0] != 1)
		return he_error_set(err, -EPROTO, "bad authentication status version %u", b[0]);
	if (b[1] != 0)
		return he_error_set(err, -EACCES, "the proxy refused the username/password");
	return 0;
}

/* ATYP, address and port at p; the bytes written. */
static int put_addr(uint8_t *p, const struct he_socks5_addr *a, struct he_error *err)
{
	size_t n;

	p[0] = a->atyp;
	switch (a->atyp) {
	case HE_SOCKS5_ATYP_IPV4:
		if (inet_pton(AF_INET, a->host, p + 1) != 1)
			break;
		he_put16(p + 5, a->port);
		return 7;
	case HE_SOCKS5_ATYP_IPV6:
		if (inet_pton(AF_INET6, a->host, p + 1) != 1)
			break;
		he_put16(p + 17, a->port);
		return 19;
	case HE_SOCKS5_ATYP_DOMAIN:
		n = strlen(a->host);
		if (!n || n > 255)
			break;
		p[1] = (uint8_t)n;
		memcpy(p + 2, a->host, n);
		he_put16(p + 2 + n, a->port);
		return (int)(4 + n);
	default:
		break;
	}
	return he_error_set(err, -EINVAL, "bad SOCKS address '%.64s'", a->host);
}

/*
 * ATYP, address and port at b (n bytes): its length, -EAGAIN (*need then the
 * length needed, when known) or -EPROTO.
 */
static int get_addr(const uint8_t *b, size_t n, struct he_socks5_addr *a, size_t *need,
		    struct he_error *err)
{
	size_t len;

	memset(a, 0, sizeof(*a));
	*need = 2;
	if (n < 2)
		return -EAGAIN;
	a->atyp = b[0];
	switch (b[0]) {
	case HE_SOCKS5_ATYP_IPV4:
		len = 1 + 4 + 2;
		break;
	case HE_SOCKS5_ATYP_IPV6:
		len = 1 + 16 + 2;
		break;
	case HE_SOCKS5_ATYP_DOMAIN:
		if (b[1] == 0)
			return he_error_set(err, -EPROTO, "empty domain name in a SOCKS address");
		len = 2 + (size_t)b[1] + 2;
		break;
	default:
		return he_error_set(err, -EPROTO, "unknown SOCKS address type %u", b[0]);
	}
	*need = len;
	if (n < len)
		return -EAGAIN;
	if (b[0] == HE_SOCKS5_ATYP_IPV4) {
		inet_ntop(AF_INET, b + 1, a->host, sizeof(a->host));
	} else if (b[0] == HE_SOCKS5_ATYP_IPV6) {
		inet_ntop(AF_INET6, b + 1, a->host, sizeof(a->host));
	} else {
		for (size_t i = 0; i < b[1]; i++)
			if (b[2 + i] < 0x21 || b[2 + i] > 0x7e)
				return he_error_set(err, -EPROTO,
						    "control or non-ASCII byte in a SOCKS domain");
		memcpy(a->host, b + 2, b[1]);
		a->host[b[1]] = '\0';
	}
	a->port = he_get16(b + len - 2);
	return (int)len;
}

int he_socks5_request(uint8_t *buf, uint8_t cmd, const struct he_socks5_addr *dst,
		      struct he_error *err)
{
	int n;

	buf[0] = HE_SOCKS5_VER;
	buf[1] = cmd;
	buf[2] = 0;
	n = put_addr(buf + 3, dst, err);
	return n < 0 ? n : 3 + n;
}

int he_socks5_parse_reply(const uint8_t *b, size_t n, int *rep, struct he_socks5_addr *bnd,
			  size_t *used, struct he_error *err)
{
	size_t need;
	int r;

	*used = 5;
	if (n < 5)
		return he_error_set(err, -EAGAIN, "short SOCKS reply");
	if (b[0] != HE_SOCKS5_VER)
		return he_error_set(err, -EPROTO, "not a SOCKS5 reply (version %u)", b[0]);
	if (b[2] != 0)
		return he_error_set(err, -EPROTO, "SOCKS reply: reserved byte is %u, not 0", b[2]);
	r = get_addr(b + 3, n - 3, bnd, &need, err);
	*used = 3 + need;
	if (r == -EAGAIN)
		return he_error_set(err, -EAGAIN, "short SOCKS reply");
	if (r < 0)
		return r;
	*rep = b[1];
	return 0;
}

int he_socks5_udp_header(uint8_t *buf, const struct he_socks5_addr *dst, struct he_error *err)
{
	int n;

	buf[0] = 0;
	buf[1] = 0;
	buf[2] = 0; /* FRAG: a whole datagram */
	n = put_addr(buf + 3, dst, err);
	return n < 0 ? n : 3 + n;
}

int he_socks5_parse_udp(const uint8_t *b, size_t n, struct he_socks5_addr *from, size_t *hdrlen,
			struct he_error *err)
{
	size_t need;
	int r;

	if (n < 4 || b[0] || b[1])
		return he_error_set(err, -EPROTO, "not a SOCKS5 UDP datagram");
	if (b[2] != 0)
		return he_error_set(err, -ENOTSUP, "a SOCKS5 UDP fragment (FRAG %u)", b[2]);
	r = get_addr(b + 3, n - 3, from, &need, err);
	if (r == -EAGAIN)
		return he_error_set(err, -EPROTO, "truncated SOCKS5 UDP header");
	if (r < 0)
		return r;
	*hdrlen = 3 + (size_t)r;
	return 0;
}
