/* SPDX-License-Identifier: MIT */
/*
 * hairpin.h - reaching this home's own public address from inside (NAT loopback).
 *
 * Owner: lib/reach. Information only: many routers do not support hairpin
 * NAT, and that is no failure of the exposure (it only means people at home
 * must use the LAN address or a split-horizon DNS name). Nothing here prints.
 */
#ifndef HE_REACH_HAIRPIN_H
#define HE_REACH_HAIRPIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/portspec.h"
#include "reach/reflector_proto.h"

/*
 * Probe public_addr:port (TCP connect, or for UDP a datagram expecting the
 * service's reply) from this host within timeout_ms. Returns the result and
 * a one-line evidence in detail; HE_RP_ERROR for an unusable address.
 */
enum he_rp_result he_hairpin_probe(const char *public_addr, uint16_t port, unsigned proto,
				   int timeout_ms, char *detail, size_t dlen);

#endif
