/* SPDX-License-Identifier: MIT */
/*
 * ssdp.h - the SSDP M-SEARCH request for an Internet Gateway Device and the
 * parsing of its HTTPU answer. Owner: lib/portmap. Pure functions, no I/O.
 */
#ifndef HE_PORTMAP_SSDP_H
#define HE_PORTMAP_SSDP_H

#include <stddef.h>

#define HE_SSDP_PORT  1900
#define HE_SSDP_GROUP "239.255.255.250"

/* Format the M-SEARCH for IGD (ST ...InternetGatewayDevice:1, MX 1). Returns length. */
size_t he_ssdp_msearch(char *buf, size_t len);

/*
 * Parse an SSDP answer ("HTTP/1.1 200 OK" with LOCATION and ST headers).
 * Returns 0 and the LOCATION URL (http:// only) when the answer is for an IGD
 * or a WAN connection service, -EBADMSG otherwise.
 */
int he_ssdp_parse(const char *buf, size_t len, char *location, size_t loclen);

#endif
