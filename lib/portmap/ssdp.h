/* SPDX-License-Identifier: MIT */
/*
 * ssdp.h - the SSDP M-SEARCH request for an Internet Gateway Device and the
 * parsing of its HTTPU answer. Owner: lib/portmap. Pure functions, no I/O.
 */
#ifndef HE_PORTMAP_SSDP_H
#define HE_PORTMAP_SSDP_H

#include <stdbool.h>
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

/* An SSDP NOTIFY multicast by a device (UPnP Device Architecture 1.1, 1.2). */
struct he_ssdp_notify {
	bool alive;  /* NTS ssdp:alive (else ssdp:byebye) */
	bool igd;    /* NT names an IGD or a WAN connection service / device */
	long bootid; /* BOOTID.UPNP.ORG, -1 when absent */
};

/*
 * Parse "NOTIFY * HTTP/1.1" with NT and NTS (ssdp:alive or ssdp:byebye)
 * headers. Returns 0 or -EBADMSG (another method, another NTS, no NT, a
 * BOOTID that is not a number). Pure.
 */
int he_ssdp_parse_notify(const char *buf, size_t len, struct he_ssdp_notify *out);

#endif
