/* SPDX-License-Identifier: MIT */
/*
 * natpmp_wire.h - NAT-PMP (RFC 6886) reply decoding and result codes.
 *
 * Owner: lib/portmap. Requests are built and sent by libnatpmp; replies are
 * read from libnatpmp's socket by natpmp.c and decoded here, so that malformed
 * and truncated replies are judged by one fuzzed function
 * (tests/fuzz/fuzz_natpmp.c). Pure functions, no I/O.
 */
#ifndef HE_PORTMAP_NATPMP_WIRE_H
#define HE_PORTMAP_NATPMP_WIRE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define HE_NATPMP_OP_PUBLICADDR 0
#define HE_NATPMP_OP_MAP_UDP    1
#define HE_NATPMP_OP_MAP_TCP    2

enum he_natpmp_result {
	HE_NATPMP_SUCCESS = 0,
	HE_NATPMP_UNSUPP_VERSION = 1,
	HE_NATPMP_NOT_AUTHORIZED = 2,
	HE_NATPMP_NETWORK_FAILURE = 3,
	HE_NATPMP_OUT_OF_RESOURCES = 4,
	HE_NATPMP_UNSUPP_OPCODE = 5,
};

struct he_natpmp_reply {
	uint8_t opcode;      /* request opcode (reply opcode minus 128) */
	uint16_t result;     /* enum he_natpmp_result */
	uint32_t epoch;      /* seconds since the router's mapping table started */
	struct in_addr addr; /* OP_PUBLICADDR */
	uint16_t int_port;   /* OP_MAP_* */
	uint16_t ext_port;
	uint32_t lifetime;
};

/*
 * Decode one reply datagram. 0: a well-formed reply (any result code; with a
 * non-zero result only the 8-byte header is required). -EBADMSG: malformed,
 * truncated, not a reply, or another version (out untouched then). -EPROTO: a
 * PCP server's reply (version 2) - the router speaks PCP.
 */
int he_natpmp_decode(const uint8_t *buf, size_t len, struct he_natpmp_reply *out);

/* "SUCCESS", "NOT_AUTHORIZED", ... */
const char *he_natpmp_result_name(unsigned code);

/* Human explanation naming cause and fix (never NULL). */
const char *he_natpmp_result_explain(unsigned code);

#endif
