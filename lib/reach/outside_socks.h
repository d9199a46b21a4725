/* SPDX-License-Identifier: MIT */
/*
 * outside_socks.h - the check chain's outside step through a SOCKS5 proxy
 * ([reflector] socks, check --via-socks): the proxy connects to this home's
 * public address and port, so the connection comes from the proxy's side of
 * the internet (a Tor exit, an `ssh -D` host, a dante server).
 *
 * Owner: lib/reach. TCP: CONNECT, then what the service says first (or a
 * TLS handshake on TLS ports, probe.h). UDP: UDP ASSOCIATE and a datagram
 * with a random token through the proxy's relay, proven by the service's
 * answer or by its arrival here; a proxy without UDP ASSOCIATE (Tor) leaves
 * UDP "unknown", never a pass. With Tor (socks-tor = yes, or auto and port
 * 9050/9150) every attempt uses fresh SOCKS credentials (a new circuit: Tor
 * isolates streams by username/password) and up to three exits are tried
 * before a port is called not reachable; the proxy refusing the destination
 * (reply 2, a Tor exit policy) is told apart from closed (5), unreachable
 * (3, 4) and timed out (6). Nothing here prints.
 */
#ifndef HE_REACH_OUTSIDE_SOCKS_H
#define HE_REACH_OUTSIDE_SOCKS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "reach/check.h"

struct he_outside_socks {
	const char *proxy;  /* "HOST:PORT" */
	bool tor;           /* fresh credentials per attempt, several exits */
	const char *pub[2]; /* this home's public address per family (0: IPv4); "" unknown */
	int timeout_ms;     /* one attempt up to the proxy's reply; 0: 10000 (Tor: 30000) */
	int tries;          /* attempts per TCP port; 0: 3 with Tor, else 1 */
};

/*
 * The proxy this check goes through, or NULL when none: opts->via_socks, or
 * [reflector] socks when no reflector URL is configured (a configured
 * reflector is preferred).
 */
const char *he_outside_socks_proxy(const struct he_config *cfg, const struct he_check_opts *opts);

/* Tor: socks-tor = yes, or auto and the proxy's port is 9050 or 9150. */
bool he_outside_socks_is_tor(const char *mode, const char *proxy);

/*
 * The outside vantage point of a run, for the result: "from reflector URL",
 * "through socks HOST:PORT", "from a Tor exit (socks HOST:PORT)", or "" when
 * there is none.
 */
void he_check_vantage(const struct he_config *cfg, const struct he_check_opts *opts, char *buf,
		      size_t len);

/* Probe each target through the proxy and fill its HE_CHK_OUTSIDE line. */
void he_outside_socks_run(const struct he_outside_socks *o, struct he_check_target *t, size_t n);

#endif
