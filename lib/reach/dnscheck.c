/* SPDX-License-Identifier: MIT */
/* dnscheck.c - resolve names through the system resolver, compare addresses. */
#include "reach/dnscheck.h"

#include "net/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int he_dns_resolve(const char *host, struct he_dns_answer *out, struct he_error *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = he_resolve(host, NULL, &hints, HE_DNS_TIMEOUT_MS, &res, err);
	if (rc < 0)
		return rc;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char buf[46];

		if (ai->ai_family == AF_INET &&
		    inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, buf,
			      sizeof(buf)) &&
		    !he_dns_has(out, buf) && out->n4 < HE_DNS_ADDRS_MAX)
			snprintf(out->v4[out->n4++], sizeof(out->v4[0]), "%s", buf);
		else if (ai->ai_family == AF_INET6 &&
			 inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, buf,
				   sizeof(buf)) &&
			 !he_dns_has(out, buf) && out->n6 < HE_DNS_ADDRS_MAX)
			snprintf(out->v6[out->n6++], sizeof(out->v6[0]), "%s", buf);
	}
	freeaddrinfo(res);
	return 0;
}

bool he_dns_has(const struct he_dns_answer *a, const char *addr)
{
	unsigned char want[16], have[16];
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	size_t len = fam == AF_INET6 ? 16 : 4;

	if (inet_pton(fam, addr, want) != 1)
		return false;
	for (size_t i = 0; i < (fam == AF_INET ? a->n4 : a->n6); i++)
		if (inet_pton(fam, fam == AF_INET ? a->v4[i] : a->v6[i], have) == 1 &&
		    !memcmp(want, have, len))
			return true;
	return false;
}
