/* SPDX-License-Identifier: MIT */
#include "net/addrclass.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct v4_block {
	uint32_t net;
	unsigned len;
	enum he_addr_class cls;
};

#define V4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* Most specific first (first match wins). RFC 6890 special-purpose registry. */
static const struct v4_block v4_blocks[] = {
    {V4(0, 0, 0, 0), 32, HE_ADDR_UNSPECIFIED},   {V4(192, 0, 0, 0), 29, HE_ADDR_DSLITE},
    {V4(0, 0, 0, 0), 8, HE_ADDR_RESERVED},       {V4(10, 0, 0, 0), 8, HE_ADDR_PRIVATE},
    {V4(100, 64, 0, 0), 10, HE_ADDR_CGNAT},      {V4(127, 0, 0, 0), 8, HE_ADDR_LOOPBACK},
    {V4(169, 254, 0, 0), 16, HE_ADDR_LINKLOCAL}, {V4(172, 16, 0, 0), 12, HE_ADDR_PRIVATE},
    {V4(192, 0, 0, 0), 24, HE_ADDR_RESERVED},    {V4(192, 0, 2, 0), 24, HE_ADDR_RESERVED},
    {V4(192, 88, 99, 0), 24, HE_ADDR_RESERVED},  {V4(192, 168, 0, 0), 16, HE_ADDR_PRIVATE},
    {V4(198, 18, 0, 0), 15, HE_ADDR_RESERVED},   {V4(198, 51, 100, 0), 24, HE_ADDR_RESERVED},
    {V4(203, 0, 113, 0), 24, HE_ADDR_RESERVED},  {V4(224, 0, 0, 0), 4, HE_ADDR_MULTICAST},
    {V4(240, 0, 0, 0), 4, HE_ADDR_RESERVED},
};

static int v4_in(uint32_t a, uint32_t net, unsigned len)
{
	uint32_t mask = len ? 0xffffffffu << (32 - len) : 0;

	return (a & mask) == (net & mask);
}

static enum he_addr_class class4(uint32_t a)
{
	size_t i;

	for (i = 0; i < sizeof(v4_blocks) / sizeof(v4_blocks[0]); i++)
		if (v4_in(a, v4_blocks[i].net, v4_blocks[i].len))
			return v4_blocks[i].cls;
	return HE_ADDR_PUBLIC;
}

static enum he_addr_class class6(const uint8_t *b)
{
	static const uint8_t zero[16];
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (!memcmp(b, zero, 16))
		return HE_ADDR_UNSPECIFIED;
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return HE_ADDR_LOOPBACK;
	if (!memcmp(b, mapped, 12))
		return class4(V4(b[12], b[13], b[14], b[15]));
	if (b[0] == 0xff)
		return HE_ADDR_MULTICAST;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return HE_ADDR_LINKLOCAL;
	if ((b[0] & 0xfe) == 0xfc)
		return HE_ADDR_PRIVATE;
	/* 2001:db8::/32 documentation, 3fff::/20 documentation (RFC 9637) */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return HE_ADDR_RESERVED;
	if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0)
		return HE_ADDR_RESERVED;
	/* only 2000::/3 is global unicast */
	if ((b[0] & 0xe0) != 0x20)
		return HE_ADDR_RESERVED;
	return HE_ADDR_PUBLIC;
}

enum he_addr_class he_addr_class(int family, const void *addr)
{
	if (family == AF_INET) {
		const uint8_t *b = addr;

		return class4(V4(b[0], b[1], b[2], b[3]));
	}
	if (family == AF_INET6)
		return class6(addr);
	return HE_ADDR_RESERVED;
}

int he_addr_class_str(const char *s, enum he_addr_class *out)
{
	uint8_t buf[16];

	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, buf) == 1) {
		*out = he_addr_class(AF_INET, buf);
		return 0;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		*out = he_addr_class(AF_INET6, buf);
		return 0;
	}
	return -EINVAL;
}

bool he_addr_class_v4_impossible(enum he_addr_class c)
{
	return he_addr_class_v4_reason(c) != NULL;
}

const char *he_addr_class_v4_reason(enum he_addr_class c)
{
	switch (c) {
	case HE_ADDR_CGNAT:
		return "the ISP's carrier-grade NAT (CGNAT, 100.64.0.0/10) sits in front of the "
		       "router";
	case HE_ADDR_DSLITE:
		return "DS-Lite: the router's IPv4 is tunnelled to the ISP's AFTR, a "
		       "carrier-grade NAT";
	default:
		return NULL;
	}
}

const char *he_addr_class_name(enum he_addr_class c)
{
	switch (c) {
	case HE_ADDR_PUBLIC:
		return "public";
	case HE_ADDR_PRIVATE:
		return "private";
	case HE_ADDR_CGNAT:
		return "cgnat";
	case HE_ADDR_LOOPBACK:
		return "loopback";
	case HE_ADDR_LINKLOCAL:
		return "link-local";
	case HE_ADDR_DSLITE:
		return "ds-lite";
	case HE_ADDR_RESERVED:
		return "reserved";
	case HE_ADDR_UNSPECIFIED:
		return "unspecified";
	case HE_ADDR_MULTICAST:
		return "multicast";
	}
	return "unknown";
}

void he_addr_class_explain(enum he_addr_class c, const char *a, const char *what, char *buf,
			   size_t len)
{
	if (!buf || !len)
		return;
	if (!what)
		what = "the router's external address";
	if (!a)
		a = "?";
	switch (c) {
	case HE_ADDR_PUBLIC:
		buf[0] = '\0';
		return;
	case HE_ADDR_CGNAT:
		snprintf(buf, len,
			 "%s %s is in the shared CGNAT range 100.64.0.0/10: your ISP puts you "
			 "behind carrier-grade NAT, so a port forward on your router cannot make "
			 "the service reachable from the internet; use IPv6 or a tunnel/VPS",
			 what, a);
		return;
	case HE_ADDR_PRIVATE:
		snprintf(buf, len,
			 "%s %s is a private address (RFC 1918 or IPv6 ULA): there is another "
			 "router (double NAT) between this router and the internet; forward the "
			 "port on the upstream router too, put this router in bridge mode or the "
			 "upstream one's exposed host/DMZ to it, or use IPv6 or a tunnel/VPS",
			 what, a);
		return;
	case HE_ADDR_DSLITE:
		snprintf(buf, len,
			 "%s %s is in 192.0.0.0/29, the DS-Lite range: your ISP carries IPv4 "
			 "through its own NAT (AFTR), so no IPv4 port forward can reach you; use "
			 "IPv6, ask the ISP for a public IPv4 address, or use a tunnel/VPS",
			 what, a);
		return;
	case HE_ADDR_LOOPBACK:
	case HE_ADDR_LINKLOCAL:
		snprintf(buf, len,
			 "%s %s is a %s address, which is never reachable from the internet: the "
			 "router has no working internet connection (check its WAN link)",
			 what, a, he_addr_class_name(c));
		return;
	case HE_ADDR_UNSPECIFIED:
		snprintf(buf, len,
			 "%s is %s (unspecified): the router has no external address yet; check "
			 "that its internet connection is up",
			 what, a);
		return;
	case HE_ADDR_MULTICAST:
	case HE_ADDR_RESERVED:
		snprintf(buf, len,
			 "%s %s is in a reserved (non-routable) range: there is another NAT or an "
			 "unusual network between the router and the internet, so a port forward "
			 "here is not enough; use IPv6 or a tunnel/VPS",
			 what, a);
		return;
	}
	snprintf(buf, len, "%s %s: unknown address class", what, a);
}
