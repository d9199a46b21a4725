/* SPDX-License-Identifier: MIT */
/*
 * pcp_wire.h - PCP (RFC 6887) message encoding and decoding.
 *
 * Owner: lib/portmap. Pure functions over byte buffers (no I/O); the reply
 * decoder is fuzzed (tests/fuzz/fuzz_pcp.c). Addresses are carried as
 * 16-byte IPv6 (IPv4 as ::ffff:a.b.c.d), as on the wire.
 */
#ifndef HE_PORTMAP_PCP_WIRE_H
#define HE_PORTMAP_PCP_WIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HE_PCP_VERSION            2
#define HE_PCP_PORT               5351
#define HE_PCP_OP_ANNOUNCE        0
#define HE_PCP_OP_MAP             1
#define HE_PCP_NONCE_LEN          12
#define HE_PCP_HDR_LEN            24
#define HE_PCP_MAP_LEN            (HE_PCP_HDR_LEN + 36)
#define HE_PCP_MAX_LEN            1100
#define HE_PCP_OPT_THIRD_PARTY    1
#define HE_PCP_OPT_PREFER_FAILURE 2
/* MAP with both options */
#define HE_PCP_MAP_MAX_REQ (HE_PCP_MAP_LEN + 20 + 4)

enum he_pcp_result {
	HE_PCP_SUCCESS = 0,
	HE_PCP_UNSUPP_VERSION = 1,
	HE_PCP_NOT_AUTHORIZED = 2,
	HE_PCP_MALFORMED_REQUEST = 3,
	HE_PCP_UNSUPP_OPCODE = 4,
	HE_PCP_UNSUPP_OPTION = 5,
	HE_PCP_MALFORMED_OPTION = 6,
	HE_PCP_NETWORK_FAILURE = 7,
	HE_PCP_NO_RESOURCES = 8,
	HE_PCP_UNSUPP_PROTOCOL = 9,
	HE_PCP_USER_EX_QUOTA = 10,
	HE_PCP_CANNOT_PROVIDE_EXTERNAL = 11,
	HE_PCP_ADDRESS_MISMATCH = 12,
	HE_PCP_EXCESSIVE_REMOTE_PEERS = 13,
};

struct he_pcp_map_req {
	uint32_t lifetime;      /* 0 deletes */
	struct in6_addr client; /* our address (v4-mapped for IPv4) */
	uint8_t nonce[HE_PCP_NONCE_LEN];
	uint8_t proto; /* IPPROTO_TCP / IPPROTO_UDP */
	uint16_t int_port;
	uint16_t ext_port;        /* suggested, 0 = any */
	struct in6_addr ext_addr; /* suggested, :: or ::ffff:0.0.0.0 = any */
	bool prefer_failure;      /* PREFER_FAILURE option: exact port or error */
	bool has_third_party;     /* THIRD_PARTY option: map for another host */
	struct in6_addr third_party;
};

struct he_pcp_reply {
	uint8_t version; /* 2; 0 means a NAT-PMP-only server answered */
	uint8_t opcode;  /* without the R bit */
	uint8_t result;  /* enum he_pcp_result */
	uint32_t lifetime;
	uint32_t epoch;
	bool has_map; /* MAP payload present */
	uint8_t nonce[HE_PCP_NONCE_LEN];
	uint8_t proto;
	uint16_t int_port;
	uint16_t ext_port;
	struct in6_addr ext_addr;
};

/* Encode a MAP request into buf (>= HE_PCP_MAP_MAX_REQ). Returns its length, 0 if buf is
 * too small. */
size_t he_pcp_encode_map(const struct he_pcp_map_req *req, uint8_t *buf, size_t len);

/* Encode an ANNOUNCE request (the probe). Returns its length (24). */
size_t he_pcp_encode_announce(const struct in6_addr *client, uint8_t *buf, size_t len);

/*
 * Decode a reply. Returns 0 on a well-formed PCP reply (any result code),
 * -EPROTO for a NAT-PMP (version 0) reply (version and result filled: the
 * server speaks only NAT-PMP), -EBADMSG for anything malformed or truncated
 * (out untouched then).
 */
int he_pcp_decode(const uint8_t *buf, size_t len, struct he_pcp_reply *out);

/* "SUCCESS", "NOT_AUTHORIZED", ... ("UNKNOWN" for others). */
const char *he_pcp_result_name(unsigned code);

/* Human explanation of a result code naming cause and fix (never NULL). */
const char *he_pcp_result_explain(unsigned code);

/* IPv4 <-> v4-mapped IPv6 helpers. */
void he_pcp_v4mapped(const struct in_addr *a, struct in6_addr *out);
bool he_pcp_is_v4mapped(const struct in6_addr *a);

#endif
