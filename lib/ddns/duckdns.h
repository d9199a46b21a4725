/* SPDX-License-Identifier: MIT */
/*
 * duckdns.h - the DuckDNS provider's pure parts, for tests and the fuzzer.
 *
 * Owner: lib/ddns (duckdns.c).
 */
#ifndef HE_DDNS_DUCKDNS_H
#define HE_DDNS_DUCKDNS_H

#include <stddef.h>

#include "ddns/ddns.h"

/* "home.duckdns.org" -> "home" (other names unchanged). */
void he_duckdns_domain(const char *hostname, char *out, size_t outsz);

/* The meaning of an /update reply; returns HE_DDNS_DONE (ans filled). */
int he_duckdns_parse(long status, const char *body, size_t len, struct he_ddns_answer *ans);

#endif
