/* SPDX-License-Identifier: MIT */
#include "core/bytes.h"
#include "portmap/pcp_wire.h"

#include <errno.h>
#include <string.h>

void he_pcp_v4mapped(const struct in_addr *a, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], a, 4);
}

bool he_pcp_is_v4mapped(const struct in6_addr *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return !memcmp(a->s6_addr, pfx, sizeof(pfx));
}

static void put_header(uint8_t *buf, uint8_t opcode, uint32_t lifetime,
		       const struct in6_addr *client)
{
	memset(buf, 0, HE_PCP_HDR_LEN);
	buf[0] = HE_PCP_VERSION;
	buf[1] = opcode & 0x7f;
	he_put32(buf + 4, lifetime);
	memcpy(buf + 8, client, 16);
}

size_t he_pcp_encode_announce(const struct in6_addr *client, uint8_t *buf, size_t len)
{
	if (len < HE_PCP_HDR_LEN)
		return 0;
	put_header(buf, HE_PCP_OP_ANNOUNCE, 0, client);
	return HE_PCP_HDR_LEN;
}

size_t he_pcp_encode_map(const struct he_pcp_map_req *req, uint8_t *buf, size_t len)
{
	uint8_t *p = buf + HE_PCP_HDR_LEN;
	size_t need =
	    HE_PCP_MAP_LEN + (req->has_third_party ? 20 : 0) + (req->prefer_failure ? 4 : 0);

	if (len < need)
		return 0;
	put_header(buf, HE_PCP_OP_MAP, req->lifetime, &req->client);
	memcpy(p, req->nonce, HE_PCP_NONCE_LEN);
	p[12] = req->proto;
	p[13] = p[14] = p[15] = 0;
	he_put16(p + 16, req->int_port);
	he_put16(p + 18, req->ext_port);
	memcpy(p + 20, &req->ext_addr, 16);
	p = buf + HE_PCP_MAP_LEN;
	if (req->has_third_party) {
		p[0] = HE_PCP_OPT_THIRD_PARTY;
		p[1] = 0;
		he_put16(p + 2, 16);
		memcpy(p + 4, &req->third_party, 16);
		p += 20;
	}
	if (req->prefer_failure) {
		p[0] = HE_PCP_OPT_PREFER_FAILURE;
		p[1] = 0;
		he_put16(p + 2, 0);
		p += 4;
	}
	return (size_t)(p - buf);
}

/* Walk options after the opcode payload: each must fit exactly. */
static int check_options(const uint8_t *p, size_t len)
{
	while (len > 0) {
		size_t olen, padded;

		if (len < 4)
			return -EBADMSG;
		olen = he_get16(p + 2);
		padded = (olen + 3) & ~(size_t)3;
		if (padded > len - 4)
			return -EBADMSG;
		p += 4 + padded;
		len -= 4 + padded;
	}
	return 0;
}

int he_pcp_decode(const uint8_t *buf, size_t len, struct he_pcp_reply *out)
{
	struct he_pcp_reply r;

	if (!buf || len < 2)
		return -EBADMSG;
	memset(&r, 0, sizeof(r));
	if (buf[0] == 0) {
		/* NAT-PMP server: [0][128+op][result u16][epoch u32] */
		if (len < 8 || !(buf[1] & 0x80))
			return -EBADMSG;
		r.version = 0;
		r.opcode = buf[1] & 0x7f;
		r.result = (uint8_t)(he_get16(buf + 2) > 255 ? 255 : he_get16(buf + 2));
		r.epoch = he_get32(buf + 4);
		*out = r;
		return -EPROTO;
	}
	if (len < HE_PCP_HDR_LEN || len > HE_PCP_MAX_LEN || (len & 3))
		return -EBADMSG;
	if (!(buf[1] & 0x80))
		return -EBADMSG; /* a request, not a reply */
	r.version = buf[0];
	r.opcode = buf[1] & 0x7f;
	r.result = buf[3];
	r.lifetime = he_get32(buf + 4);
	r.epoch = he_get32(buf + 8);
	if (r.version != HE_PCP_VERSION) {
		/* only UNSUPP_VERSION may come with another version */
		if (r.result != HE_PCP_UNSUPP_VERSION)
			return -EBADMSG;
		*out = r;
		return 0;
	}
	if (r.opcode == HE_PCP_OP_MAP) {
		if (len >= HE_PCP_MAP_LEN) {
			const uint8_t *p = buf + HE_PCP_HDR_LEN;

			r.has_map = true;
			memcpy(r.nonce, p, HE_PCP_NONCE_LEN);
			r.proto = p[12];
			r.int_port = he_get16(p + 16);
			r.ext_port = he_get16(p + 18);
			memcpy(&r.ext_addr, p + 20, 16);
			if (check_options(buf + HE_PCP_MAP_LEN, len - HE_PCP_MAP_LEN) < 0)
				return -EBADMSG;
		} else if (r.result == HE_PCP_SUCCESS) {
			return -EBADMSG; /* a successful MAP must say what was mapped */
		}
	} else if (r.opcode == HE_PCP_OP_ANNOUNCE) {
		if (check_options(buf + HE_PCP_HDR_LEN, len - HE_PCP_HDR_LEN) < 0)
			return -EBADMSG;
	}
	*out = r;
	return 0;
}

struct pcp_code {
	const char *name;
	const char *explain;
};

static const struct pcp_code pcp_codes[] = {
    [HE_PCP_SUCCESS] = {"SUCCESS", "success"},
    [HE_PCP_UNSUPP_VERSION] =
	{"UNSUPP_VERSION",
	 "the router does not speak this PCP version (PCP UNSUPP_VERSION); use NAT-PMP or "
	 "UPnP (--protocol natpmp|upnp)"},
    [HE_PCP_NOT_AUTHORIZED] = {"NOT_AUTHORIZED",
			       "the router refuses port mappings from this host (PCP "
			       "NOT_AUTHORIZED): enable PCP/NAT-PMP port mapping for this device "
			       "in the router's settings, or forward the port by hand"},
    [HE_PCP_MALFORMED_REQUEST] = {"MALFORMED_REQUEST",
				  "the router could not parse the request (PCP "
				  "MALFORMED_REQUEST): its PCP implementation is buggy; try "
				  "--protocol natpmp or upnp"},
    [HE_PCP_UNSUPP_OPCODE] =
	{"UNSUPP_OPCODE",
	 "the router does not support PCP MAP requests (PCP UNSUPP_OPCODE); try --protocol "
	 "natpmp or upnp"},
    [HE_PCP_UNSUPP_OPTION] =
	{"UNSUPP_OPTION",
	 "the router does not support a PCP option that was sent (PCP UNSUPP_OPTION); try "
	 "--protocol natpmp or upnp"},
    [HE_PCP_MALFORMED_OPTION] =
	{"MALFORMED_OPTION",
	 "the router rejected a PCP option as malformed (PCP MALFORMED_OPTION); try --protocol "
	 "natpmp or upnp"},
    [HE_PCP_NETWORK_FAILURE] = {"NETWORK_FAILURE",
				"the router has no working external connection right now (PCP "
				"NETWORK_FAILURE): check its internet link and try again"},
    [HE_PCP_NO_RESOURCES] = {"NO_RESOURCES",
			     "the router has no room for more mappings (PCP NO_RESOURCES): "
			     "remove unused forwards in the router or use fewer ports"},
    [HE_PCP_UNSUPP_PROTOCOL] = {"UNSUPP_PROTOCOL",
				"the router cannot map this transport protocol (PCP "
				"UNSUPP_PROTOCOL)"},
    [HE_PCP_USER_EX_QUOTA] = {"USER_EX_QUOTA",
			      "this host has used up its mapping quota on the router (PCP "
			      "USER_EX_QUOTA): close other exposures or raise the per-host limit "
			      "in the router"},
    [HE_PCP_CANNOT_PROVIDE_EXTERNAL] = {"CANNOT_PROVIDE_EXTERNAL",
					"the router cannot give this external port (PCP "
					"CANNOT_PROVIDE_EXTERNAL): another host or forward "
					"holds it; pick another external port"},
    [HE_PCP_ADDRESS_MISMATCH] = {"ADDRESS_MISMATCH",
				 "the router saw the request come from another address than "
				 "this host's (PCP ADDRESS_MISMATCH): there is another NAT "
				 "between this host and the router; forward ports on the inner "
				 "router or connect this host directly to the main router"},
    [HE_PCP_EXCESSIVE_REMOTE_PEERS] = {"EXCESSIVE_REMOTE_PEERS",
				       "the router refused the request: too many remote peers "
				       "(PCP EXCESSIVE_REMOTE_PEERS)"},
};

const char *he_pcp_result_name(unsigned code)
{
	if (code < sizeof(pcp_codes) / sizeof(pcp_codes[0]) && pcp_codes[code].name)
		return pcp_codes[code].name;
	return "UNKNOWN";
}

const char *he_pcp_result_explain(unsigned code)
{
	if (code < sizeof(pcp_codes) / sizeof(pcp_codes[0]) && pcp_codes[code].explain)
		return pcp_codes[code].explain;
	return "the router answered with an unknown PCP result code; try --protocol natpmp or "
	       "upnp";
}
