/* SPDX-License-Identifier: MIT */
/*
 * stun_wire.h - STUN (RFC 8489) Binding request encoding and response
 * decoding.
 *
 * Owner: lib/publicip. Pure functions over byte buffers (no I/O); the
 * response decoder is fuzzed (tests/fuzz/fuzz_stun.c). Only what a client
 * needs to learn its public address: a Binding request (optionally with
 * FINGERPRINT) and the decoding of a Binding success or error response.
 *
 * What the decoder accepts (anything else is -EBADMSG, out untouched):
 *   - a 20-byte header whose first two bits are zero, a length that is a
 *     multiple of 4 and equals the datagram's length minus 20, the magic
 *     cookie 0x2112A442;
 *   - attributes (type, length, value padded to 4 bytes; padding bytes are
 *     ignored, RFC 8489 section 14) that fit the message exactly;
 *   - XOR-MAPPED-ADDRESS (0x0020) and MAPPED-ADDRESS (0x0001) of exactly 8
 *     (IPv4) or 20 (IPv6) bytes with family 1 or 2; XOR-MAPPED-ADDRESS wins,
 *     MAPPED-ADDRESS is the fallback for RFC 3489 servers; only the first of
 *     each is used;
 *   - ERROR-CODE (0x0009): class 3-6, number 0-99, reason up to 763 bytes;
 *   - FINGERPRINT (0x8028), when present, must be the last attribute and
 *     match (CRC-32 of the message before it, XOR 0x5354554e);
 *   - SOFTWARE (0x8022) is kept (printable characters only) for display.
 * Other comprehension-optional attributes (0x8000-0xFFFF) are skipped, and
 * so are the comprehension-required ones a client may meet without using
 * them (USERNAME, MESSAGE-INTEGRITY(-SHA256), REALM, NONCE, USERHASH,
 * PASSWORD-ALGORITHM, UNKNOWN-ATTRIBUTES, RFC 3489's RESPONSE-ADDRESS,
 * CHANGE-REQUEST, SOURCE-ADDRESS, CHANGED-ADDRESS, REFLECTED-FROM). Any
 * other comprehension-required attribute in a success response makes it a
 * failure (-EPROTO), as RFC 8489 section 6.3.3 requires.
 *
 * A message that is not a Binding response to our transaction (a request,
 * an indication, another method, another transaction id) is -ENOMSG: a
 * client ignores it and keeps waiting.
 */
#ifndef HE_PUBLICIP_STUN_WIRE_H
#define HE_PUBLICIP_STUN_WIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HE_STUN_PORT       3478
#define HE_STUN_HDR_LEN    20
#define HE_STUN_MAGIC      0x2112A442u
#define HE_STUN_TID_LEN    12
#define HE_STUN_REQ_MAX    28   /* header + FINGERPRINT */
#define HE_STUN_MAX_LEN    1500 /* largest response the decoder looks at */
#define HE_STUN_REASON_MAX 128

/* Message types (method Binding) */
#define HE_STUN_BINDING_REQUEST 0x0001
#define HE_STUN_BINDING_SUCCESS 0x0101
#define HE_STUN_BINDING_ERROR   0x0111

/* Attributes */
#define HE_STUN_ATTR_MAPPED_ADDRESS     0x0001
#define HE_STUN_ATTR_ERROR_CODE         0x0009
#define HE_STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define HE_STUN_ATTR_SOFTWARE           0x8022
#define HE_STUN_ATTR_FINGERPRINT        0x8028

struct he_stun_response {
	bool is_error;   /* Binding error response: see error_code/reason */
	int family;      /* AF_INET / AF_INET6 of the mapped address (success) */
	bool xor_mapped; /* from XOR-MAPPED-ADDRESS (false: MAPPED-ADDRESS) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t port;                   /* mapped port */
	uint16_t error_code;             /* 300-699 for an error response */
	char reason[HE_STUN_REASON_MAX]; /* error reason phrase, printable */
	char software[64];               /* SOFTWARE attribute ("" if none) */
	bool has_fingerprint;            /* a FINGERPRINT was present and matched */
	unsigned skipped;                /* attributes skipped */
};

/*
 * Encode a Binding request with transaction id tid (12 bytes) into buf.
 * With fingerprint, a FINGERPRINT attribute is appended (28 bytes, else 20).
 * Returns the length, 0 if buf is too small.
 */
size_t he_stun_encode_binding(const uint8_t tid[HE_STUN_TID_LEN], bool fingerprint, uint8_t *buf,
			      size_t len);

/*
 * Decode a response of len bytes to the request with transaction id tid.
 * 0: a Binding success (family/addr/port set) or error response (is_error,
 * error_code, reason); -ENOMSG: not a response to this transaction (ignore
 * it); -EBADMSG: malformed or truncated; -EPROTO: a success response with an
 * unknown comprehension-required attribute or without any mapped address.
 * out is only written on 0.
 */
int he_stun_decode(const uint8_t *buf, size_t len, const uint8_t tid[HE_STUN_TID_LEN],
		   struct he_stun_response *out);

/* CRC-32 (ISO-HDLC, as in FINGERPRINT) of len bytes. */
uint32_t he_stun_crc32(const uint8_t *buf, size_t len);

/* The mapped address as text ("11.77.0.2", "2e77:77:1::2"); "" if none. */
const char *he_stun_addr_str(const struct he_stun_response *r, char *buf, size_t len);

#endif
