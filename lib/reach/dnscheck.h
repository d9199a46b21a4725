/* SPDX-License-Identifier: MIT */
/*
 * dnscheck.h - do the dynamic-DNS names resolve to this home's addresses?
 *
 * Owner: lib/reach. Resolves through the system resolver (getaddrinfo, as
 * the users of the service will) and compares with the expected public
 * addresses. Nothing here prints.
 */
#ifndef HE_REACH_DNSCHECK_H
#define HE_REACH_DNSCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define HE_DNS_ADDRS_MAX  8
#define HE_DNS_TIMEOUT_MS 2000 /* a resolver that has not answered by then is reported */

struct he_dns_answer {
	size_t n4, n6;
	char v4[HE_DNS_ADDRS_MAX][46];
	char v6[HE_DNS_ADDRS_MAX][46];
};

/*
 * Resolve host's A and AAAA records, waiting at most HE_DNS_TIMEOUT_MS.
 * -ENOENT (no such name / no data), -EAGAIN (resolver failure), -ETIMEDOUT.
 */
int he_dns_resolve(const char *host, struct he_dns_answer *out, struct he_error *err);

/* Whether addr (numeric, either family) is among the answer's addresses. */
bool he_dns_has(const struct he_dns_answer *a, const char *addr);

#endif
