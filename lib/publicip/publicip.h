/* SPDX-License-Identifier: MIT */
/*
 * publicip.h - where is this home on the internet: the public address, from
 * several independent sources, classified and cross-checked.
 *
 * Owner: lib/publicip. Sources:
 *   - the router (external address over PCP / NAT-PMP / UPnP, lib/portmap),
 *   - STUN (RFC 8489 Binding request, own implementation, stun.c/stun_wire.c),
 *   - HTTP check services (libcurl, TLS verification always on),
 *   - the host's interface addresses, for IPv6 (global, stable, not temporary).
 * Each source's answer is classified (net/addrclass.h). Disagreement between
 * the router's WAN address (private / shared) and an outside source (public)
 * is reported as CGNAT, double NAT or DS-Lite.
 *
 * Used by cmd/netcheck.c, cmd/ddns.c (what address to publish), cmd/check.c
 * and the agent. Nothing here prints; every function returns 0 or -errno and
 * fills err.
 */
#ifndef HE_PUBLICIP_PUBLICIP_H
#define HE_PUBLICIP_PUBLICIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/addrclass.h"

struct he_config;
struct he_state;
struct he_portmap_opts;

#define HE_PUBIP_ADDR_MAX    46 /* INET6_ADDRSTRLEN */
#define HE_PUBIP_SOURCES_MAX 16

/*
 * The sources asked when the config leaves [publicip] stun-servers or
 * http-urls empty: well-known free services of two different operators each
 * (Google and Cloudflare for STUN; Cloudflare's icanhazip and ipify for
 * HTTP), all reachable over IPv4 and IPv6. The value "none" switches a kind
 * of source off.
 */
#define HE_PUBIP_DEFAULT_STUN "stun.l.google.com:19302 stun.cloudflare.com:3478"
#define HE_PUBIP_DEFAULT_HTTP "https://icanhazip.com https://api64.ipify.org"

enum he_pubip_kind {
	HE_PUBIP_ROUTER = 1, /* router's external address (PCP/NAT-PMP/UPnP) */
	HE_PUBIP_STUN,       /* STUN binding response (XOR-MAPPED-ADDRESS) */
	HE_PUBIP_HTTP,       /* HTTP check service (body is the address) */
	HE_PUBIP_IFACE,      /* host interface address (IPv6 global, stable) */
};

/* One source's answer (or failure) for one family. */
struct he_pubip_answer {
	enum he_pubip_kind kind;
	char source[128]; /* "router (pcp)", "stun 11.77.0.1:3478", "http https://...", "interface
			     eth0" */
	int family;       /* AF_INET or AF_INET6 */
	int rc;           /* 0 when addr is set, else -errno */
	char addr[HE_PUBIP_ADDR_MAX];
	enum he_addr_class cls;         /* meaningful when rc == 0 */
	unsigned ms;                    /* time this source took */
	char error[HE_ERR_MSG_MAX / 2]; /* why it failed ("" on success) */
};

enum he_pubip_nat {
	HE_PUBIP_NAT_UNKNOWN = 0, /* not enough answers to say */
	HE_PUBIP_NAT_NONE,        /* router WAN address is the public address */
	HE_PUBIP_NAT_CGNAT,       /* router WAN in 100.64/10, outside sees another address */
	HE_PUBIP_NAT_DOUBLE,      /* router WAN private (RFC 1918), outside sees public */
	HE_PUBIP_NAT_DSLITE,      /* router WAN in 192.0.0.0/29: IPv4 via the ISP's AFTR */
	HE_PUBIP_NAT_MISMATCH,    /* router WAN public but differs from the outside's answer */
};

/* The combined view for both families. */
struct he_pubip_report {
	struct he_pubip_answer answers[HE_PUBIP_SOURCES_MAX];
	size_t nanswers;

	/*
	 * The address to publish per family ("" if none can be trusted), by
	 * the agreement rule of he_pubip_combine() below.
	 */
	char v4[HE_PUBIP_ADDR_MAX];
	unsigned v4_agree; /* how many sources said v4 */
	char v6[HE_PUBIP_ADDR_MAX];
	unsigned v6_agree;

	enum he_pubip_nat nat;
	char router_wan[HE_PUBIP_ADDR_MAX]; /* router's external IPv4 ("" if unknown) */
	/* Human summary naming CGNAT / double NAT / disagreement and the fix; "" if all fine. */
	char verdict[HE_ERR_MSG_MAX];
};

struct he_pubip_opts {
	bool want_v4, want_v6;
	bool use_router, use_stun, use_http, use_iface;
	/*
	 * Sources that must agree before an address is trusted (config
	 * [publicip] sources-required, default 2); the exact rule is
	 * he_pubip_combine()'s. When too few agree, v4/v6 stay "" and
	 * verdict says which sources failed or disagreed.
	 */
	unsigned required;
	int timeout_ms; /* per-source deadline; 0: 1000; all sources run concurrently where possible
			 */
	/* router options (--protocol, gateway, probe timeout); NULL: from [router] */
	const struct he_portmap_opts *portmap;
};

/* Defaults from the config: every configured source, both families. */
void he_pubip_opts_from_config(const struct he_config *cfg, struct he_pubip_opts *opts);

/*
 * Ask every enabled source (the router through lib/portmap with the
 * discovery cache in st, may be NULL) and fill out. Returns 0 when the
 * detection ran (even if no address could be trusted: see out->v4/v6 and
 * out->verdict); -errno only for a setup failure (bad config values).
 */
int he_pubip_detect(const struct he_config *cfg, const struct he_pubip_opts *opts,
		    struct he_state *st, struct he_pubip_report *out, struct he_error *err);

/* "none", "cgnat", "double-nat", "ds-lite", "mismatch", "unknown". */
const char *he_pubip_nat_name(enum he_pubip_nat nat);

/* "router", "stun", "http", "interface". */
const char *he_pubip_kind_name(enum he_pubip_kind kind);

/*
 * The pure decision step of he_pubip_detect(), on r->answers[0..nanswers)
 * (each with kind, family, rc, addr and cls set): fills v4/v4_agree,
 * v6/v6_agree, router_wan, nat and verdict. No I/O.
 *
 * Agreement rule, per family:
 *   - The sources of a family are its answers, failed ones included, except
 *     a router answer whose address is not public: that one describes the
 *     NAT in front of the router (see nat), not the public address, and
 *     neither votes nor counts as a source.
 *   - Each source that answered votes for the address it reported; only
 *     public addresses (HE_ADDR_PUBLIC) can win, a non-public answer from
 *     an outside source is a vote against every address.
 *   - The winner is the public address with the most votes, and only if no
 *     other address has as many (a tie trusts nothing).
 *   - It is trusted when its votes >= required, or, when fewer than required
 *     sources exist for the family, when every one of them answered and
 *     agrees. So with required >= 2 one lying or broken check service can
 *     neither put its address in place of the others' nor be trusted alone
 *     while others exist; at worst it ties with a single honest source and
 *     nothing is trusted.
 *
 * NAT verdict (IPv4), from the router's external (WAN) address and the
 * address the outside sees (the trusted v4, else the outside sources' most
 * voted public address): router WAN in 100.64.0.0/10 -> CGNAT; RFC 1918 or
 * another reserved block -> DOUBLE; 192.0.0.0/29 -> DSLITE (each also when
 * no outside source answered); public and equal to the outside's -> NONE;
 * public but different -> MISMATCH; public with no outside answer -> NONE.
 * Without a router answer: NONE when this host's own address (an interface
 * answer) is the public address, else UNKNOWN. verdict names the cause and
 * the fix, plus any disagreement or missing answers; "" when all is well.
 */
void he_pubip_combine(struct he_pubip_report *r, unsigned required);

#endif
