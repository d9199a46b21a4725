/* SPDX-License-Identifier: MIT */
/*
 * withhold.c - the A-record rule behind a carrier's NAT (ddns.h,
 * he_ddns_v4_withheld): behind CGNAT or DS-Lite the public IPv4 address is
 * the ISP's, shared with other customers; an A record pointing there sends
 * IPv4 visitors to a NAT that never forwards to this home. Such a record is
 * withheld unless publish-behind-nat = yes asks for it (allow-lists want
 * the NAT's address). The engine (engine.c) then deletes an A record
 * published earlier where the provider can.
 */
#include <stdio.h>

#include "ddns/ddns.h"
#include "net/addrclass.h"
#include "publicip/publicip.h"

int he_ddns_v4_withheld(const struct he_ddns_record *rec, const struct he_pubip_report *report,
			char *why, size_t whysz)
{
	enum he_addr_class cls;
	const char *reason;

	if (whysz)
		why[0] = '\0';
	if (!report || !report->router_wan[0] || he_addr_class_str(report->router_wan, &cls) < 0 ||
	    !he_addr_class_v4_impossible(cls))
		return 0;
	if (rec->publish_behind_nat)
		return 0;
	reason = he_addr_class_v4_reason(cls);
	snprintf(why, whysz,
		 "not published: %s (router WAN %s), so %s is the ISP's address, shared with "
		 "other customers, and no IPv4 visitor can reach this home through it; only "
		 "IPv6 (AAAA) works%s. Set publish-behind-nat = yes in [ddns %s] to publish it "
		 "anyway",
		 reason, report->router_wan, report->v4[0] ? report->v4 : "the public IPv4 address",
		 (he_ddns_families(rec) & 2) ? "" : " (add AAAA to 'families')", rec->name);
	return 1;
}
