/* SPDX-License-Identifier: MIT */
/*
 * Fuzz what a SOCKS5 proxy sends back (reach/socks5.h): the first byte picks
 * the parser (reply, UDP relay datagram, method choice, authentication
 * status, HOST:PORT); the rest is the input. A parsed address must encode
 * and parse back the same.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reach/socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct he_socks5_addr *a)
{
	uint8_t buf[HE_SOCKS5_REQ_MAX];
	struct he_socks5_addr back;
	struct he_error err;
	size_t hl;
	int n = he_socks5_udp_header(buf, a, &err);

	if (n < 0 || (size_t)n > sizeof(buf))
		abort();
	if (he_socks5_parse_udp(buf, (size_t)n, &back, &hl, &err) != 0 || hl != (size_t)n ||
	    back.atyp != a->atyp || back.port != a->port || strcmp(back.host, a->host))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_socks5_addr a;
	struct he_error err;
	const uint8_t *in = data + 1;
	size_t n = size - 1, used = 0;
	uint8_t m;
	int rep = -1, r;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		r = he_socks5_parse_reply(in, n, &rep, &a, &used, &err);
		if (r == 0 && (used > n || used < 10 - 4 || rep < 0 || rep > 255))
			abort();
		if (r == -EAGAIN && used <= n)
			abort(); /* asks for no more than it has */
		if (r == 0)
			roundtrip(&a);
		break;
	case 1:
		if (he_socks5_parse_udp(in, n, &a, &used, &err) == 0) {
			if (used > n)
				abort();
			roundtrip(&a);
		}
		break;
	case 2:
		he_socks5_parse_choice(in, n, n > 2 && (in[2] & 1), &m, &err);
		break;
	case 3:
		he_socks5_parse_auth(in, n, &err);
		break;
	default: {
		char s[300], host[HE_SOCKS5_HOST_MAX];
		uint16_t port;

		if (n >= sizeof(s))
			return 0;
		memcpy(s, in, n);
		s[n] = '\0';
		if (he_socks5_parse_hostport(s, host, sizeof(host), &port, &err) == 0 &&
		    (port == 0 || !*host))
			abort();
		break;
	}
	}
	return 0;
}
