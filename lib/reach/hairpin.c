/* SPDX-License-Identifier: MIT */
/* hairpin.c - connect to the public address from inside (information only). */
#include "reach/hairpin.h"

#include <stdio.h>

#include "reach/probe.h"

enum he_rp_result he_hairpin_probe(const char *public_addr, uint16_t port, unsigned proto,
				   int timeout_ms, char *detail, size_t dlen)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	unsigned ms;

	if (he_probe_sockaddr(public_addr, port, &sa, &salen) < 0) {
		snprintf(detail, dlen, "'%s' is not an address", public_addr);
		return HE_RP_ERROR;
	}
	if (proto == HE_PROTO_UDP)
		return he_probe_udp((struct sockaddr *)&sa, salen, "homeexpose-hairpin\n",
				    timeout_ms, &ms, detail, dlen);
	return he_probe_tcp((struct sockaddr *)&sa, salen, timeout_ms, &ms, detail, dlen);
}
