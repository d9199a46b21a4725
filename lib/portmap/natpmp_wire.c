/* SPDX-License-Identifier: MIT */
#include "core/bytes.h"
#include "portmap/natpmp_wire.h"

#include <errno.h>
#include <string.h>

int he_natpmp_decode(const uint8_t *buf, size_t len, struct he_natpmp_reply *out)
{
	struct he_natpmp_reply r;

	if (!buf || len < 8)
		return -EBADMSG;
	if (buf[0] == 2 && (buf[1] & 0x80))
		return -EPROTO;
	if (buf[0] != 0 || buf[1] < 128 || buf[1] > 128 + HE_NATPMP_OP_MAP_TCP)
		return -EBADMSG;
	memset(&r, 0, sizeof(r));
	r.opcode = (uint8_t)(buf[1] - 128);
	r.result = he_get16(buf + 2);
	r.epoch = he_get32(buf + 4);
	if (r.result == HE_NATPMP_SUCCESS) {
		if (r.opcode == HE_NATPMP_OP_PUBLICADDR) {
			if (len < 12)
				return -EBADMSG;
			memcpy(&r.addr, buf + 8, 4);
		} else {
			if (len < 16)
				return -EBADMSG;
			r.int_port = he_get16(buf + 8);
			r.ext_port = he_get16(buf + 10);
			r.lifetime = he_get32(buf + 12);
		}
	}
	*out = r;
	return 0;
}

struct natpmp_code {
	const char *name;
	const char *explain;
};

static const struct natpmp_code natpmp_codes[] = {
    [HE_NATPMP_SUCCESS] = {"SUCCESS", "success"},
    [HE_NATPMP_UNSUPP_VERSION] = {"UNSUPPORTED_VERSION",
				  "the router does not speak NAT-PMP version 0 (result 1); "
				  "try --protocol pcp or upnp"},
    [HE_NATPMP_NOT_AUTHORIZED] = {"NOT_AUTHORIZED",
				  "the router refuses port mappings (NAT-PMP result 2, not "
				  "authorized/refused): enable NAT-PMP port mapping for this "
				  "device in the router's settings, or forward the port by hand"},
    [HE_NATPMP_NETWORK_FAILURE] = {"NETWORK_FAILURE",
				   "the router has no usable external address (NAT-PMP result "
				   "3, network failure): its internet connection is down, or "
				   "its WAN address is private or carrier-grade NAT (routers "
				   "such as miniupnpd refuse forwards then); check the "
				   "router's WAN address (homeexpose netcheck)"},
    [HE_NATPMP_OUT_OF_RESOURCES] = {"OUT_OF_RESOURCES",
				    "the router has no room for more mappings (NAT-PMP result "
				    "4, out of resources): remove unused forwards in the router "
				    "or use fewer ports"},
    [HE_NATPMP_UNSUPP_OPCODE] = {"UNSUPPORTED_OPCODE",
				 "the router does not support this NAT-PMP request (result 5, "
				 "unsupported opcode); try --protocol pcp or upnp"},
};

const char *he_natpmp_result_name(unsigned code)
{
	if (code < sizeof(natpmp_codes) / sizeof(natpmp_codes[0]))
		return natpmp_codes[code].name;
	return "UNKNOWN";
}

const char *he_natpmp_result_explain(unsigned code)
{
	if (code < sizeof(natpmp_codes) / sizeof(natpmp_codes[0]))
		return natpmp_codes[code].explain;
	return "the router answered with an unknown NAT-PMP result code; try --protocol pcp "
	       "or upnp";
}
