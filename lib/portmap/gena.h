/* SPDX-License-Identifier: MIT */
/*
 * gena.h - UPnP eventing (GENA, UPnP Device Architecture 1.1 section 4):
 * SUBSCRIBE / renewal / UNSUBSCRIBE toward a router's event URL, and the
 * strict parser of the NOTIFY requests the router sends to our callback.
 *
 * Owner: lib/portmap. The requests are blocking (libcurl) with a short
 * deadline; the parser is pure (fuzzed: tests/fuzz/fuzz_gena.c). The HTTP
 * listener that receives NOTIFY lives in the agent (lib/agent/gena_listener.c).
 */
#ifndef HE_PORTMAP_GENA_H
#define HE_PORTMAP_GENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HE_GENA_SID_MAX    128
#define HE_GENA_NOTIFY_MAX 8192 /* a NOTIFY larger than this is refused */
#define HE_GENA_ADDR_MAX   46

struct he_gena_sub {
	char sid[HE_GENA_SID_MAX]; /* "uuid:..." */
	unsigned timeout;          /* seconds granted (0: infinite, which we renew hourly) */
};

/*
 * SUBSCRIBE to event_url with callback "http://ADDR:PORT/PATH" asking for
 * timeout_s seconds; out gets the SID and the granted TIMEOUT. -ETIMEDOUT,
 * -ECONNREFUSED, -EPROTO (the router refused: status in the message).
 */
int he_gena_subscribe(const char *event_url, const char *callback, unsigned timeout_s,
		      int op_timeout_ms, struct he_gena_sub *out, struct he_error *err);
/* Renew sid (SUBSCRIBE with SID, no CALLBACK/NT); -EPROTO 412 when the router forgot it. */
int he_gena_renew(const char *event_url, const char *sid, unsigned timeout_s, int op_timeout_ms,
		  struct he_gena_sub *out, struct he_error *err);
int he_gena_unsubscribe(const char *event_url, const char *sid, int op_timeout_ms,
			struct he_error *err);

/*
 * One response header line of a SUBSCRIBE reply ("SID: uuid:x", "TIMEOUT:
 * Second-1800"), folded into out. Pure; for the unit tests and the requests.
 */
void he_gena_sub_header(const char *line, size_t len, struct he_gena_sub *out);

struct he_gena_notify {
	char path[128]; /* the request path (our callback path) */
	char sid[HE_GENA_SID_MAX];
	uint32_t seq;
	bool has_ext_addr;               /* an ExternalIPAddress property was present */
	char ext_addr[HE_GENA_ADDR_MAX]; /* its value, a dotted IPv4 address or "" */
	size_t total;                    /* bytes of the request (headers + body) */
};

/*
 * Parse one NOTIFY request (start line, headers, body) in buf. Returns 0 when
 * complete and valid, -EAGAIN when more bytes are needed (headers or
 * Content-Length not yet all there), -EMSGSIZE above HE_GENA_NOTIFY_MAX,
 * -EBADMSG for anything else: another method, NT other than upnp:event, NTS
 * other than upnp:propchange, no SID, a body that is not a propertyset, an
 * ExternalIPAddress that is not an IPv4 address. Pure, no allocation.
 */
int he_gena_parse_notify(const char *buf, size_t len, struct he_gena_notify *out);

#endif
