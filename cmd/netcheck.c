/* SPDX-License-Identifier: MIT */
/*
 * homeexpose netcheck: the gateway, which router protocols answer and how
 * fast, the public address from every source, the trusted address per family
 * and the NAT verdict (CGNAT, double NAT, DS-Lite).
 *
 * Behind CGNAT or DS-Lite it also says what works (IPv6 pinholes, never IPv4
 * forwarding) and, for DS-Lite, names the B4 (the router's 192.0.0.2) and
 * what this host can know of the AFTR.
 *
 * Exit: 0 when a public address is trusted for at least one family, no family
 * that got answers was left untrusted (sources disagree or too few answered),
 * and no NAT problem (CGNAT, double NAT, DS-Lite, mismatch) was found; 1
 * otherwise; 2 for usage or configuration errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "opreport.h"
#include "cli.h"
#include "portmap/portmap.h"
#include "progress.h"
#include "publicip/publicip.h"
#include "state/state.h"
#include "core/portspec.h"

enum { OPT_PROTOCOL = 256, OPT_V4, OPT_V6, OPT_NO_ROUTER, OPT_TIMEOUT };

struct nc_opts {
	const char *protocol;
	bool v4_only, v6_only, no_router;
	int timeout_ms;
};

static void usage(void)
{
	printf("Usage: homeexpose netcheck [--json] [--protocol pcp|natpmp|upnp]\n"
	       "                           [--ipv4-only|--ipv6-only] [--no-router] [--timeout MS]\n"
	       "\n"
	       "Show the gateway, which router protocols answer and how fast, the public\n"
	       "address each source reports (router, STUN, HTTP check services, this host's\n"
	       "IPv6 address), the address trusted per family and the NAT class (CGNAT,\n"
	       "double NAT, DS-Lite).\n"
	       "\n"
	       "  --protocol P     ask the router with this protocol only\n"
	       "  --ipv4-only      only IPv4 sources        --ipv6-only  only IPv6 sources\n"
	       "  --no-router      do not ask the router (PCP, NAT-PMP, UPnP)\n"
	       "  --timeout MS     deadline per source (default 1000)\n"
	       "\n"
	       "Exit status: 0 a public address was found and no NAT problem; 1 otherwise.\n");
}

static int parse(struct he_cli *cli, int argc, char **argv, struct nc_opts *o)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS,
	    {"protocol", required_argument, NULL, OPT_PROTOCOL},
	    {"ipv4-only", no_argument, NULL, OPT_V4},
	    {"ipv6-only", no_argument, NULL, OPT_V6},
	    {"no-router", no_argument, NULL, OPT_NO_ROUTER},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	long v;
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			usage();
			return -1;
		case OPT_PROTOCOL:
			o->protocol = optarg;
			break;
		case OPT_V4:
			o->v4_only = true;
			break;
		case OPT_V6:
			o->v6_only = true;
			break;
		case OPT_NO_ROUTER:
			o->no_router = true;
			break;
		case OPT_TIMEOUT:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || v < 50 || v > 60000)
				return he_usage_error(
				    cli,
				    "--timeout: '%s' is not a number of milliseconds (50-60000)",
				    optarg);
			o->timeout_ms = (int)v;
			break;
		default:
			return he_usage_error(cli, "bad option");
		}
	}
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (o->v4_only && o->v6_only)
		return he_usage_error(cli, "--ipv4-only and --ipv6-only exclude each other");
	if (o->protocol && o->no_router)
		return he_usage_error(cli, "--protocol and --no-router exclude each other");
	if (o->protocol) {
		enum he_pm_protocol p;
		struct he_error err;

		if (he_pm_protocol_parse(o->protocol, &p, &err) < 0)
			return he_usage_error(cli, "%s", err.msg);
	}
	return 0;
}

static bool family_unresolved(const struct he_pubip_report *r, int family, const char *trusted)
{
	size_t i;

	if (trusted[0])
		return false;
	for (i = 0; i < r->nanswers; i++)
		if (r->answers[i].family == family && r->answers[i].rc == 0 &&
		    !(r->answers[i].kind == HE_PUBIP_ROUTER && r->answers[i].cls != HE_ADDR_PUBLIC))
			return true; /* answers came, yet nothing is trusted */
	return false;
}

static bool verdict_ok(const struct he_pubip_report *r)
{
	if (!r->v4[0] && !r->v6[0])
		return false;
	if (family_unresolved(r, AF_INET, r->v4) || family_unresolved(r, AF_INET6, r->v6))
		return false;
	return r->nat == HE_PUBIP_NAT_NONE || r->nat == HE_PUBIP_NAT_UNKNOWN;
}

static json_t *json_str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *router_json(const struct he_pm_netcheck *nc, int rc, const char *error)
{
	json_t *protos = json_array(), *j;

	if (rc < 0)
		return json_pack("{s:o, s:s}", "protocols", protos, "error", error);
	for (size_t i = 0; i < HE_PM_NPROTO; i++) {
		const struct he_pm_probe_info *p = &nc->proto[i];

		json_array_append_new(
		    protos,
		    json_pack("{s:s, s:b, s:i, s:o, s:o, s:o, s:o, s:o}", "protocol",
			      he_pm_protocol_name(p->protocol), "answered", p->answered, "ms",
			      (int)p->ms, "external_address", json_str_or_null(p->ext_addr),
			      "class",
			      p->ext_addr[0] ? json_string(he_addr_class_name(p->ext_class))
					     : json_null(),
			      "detail", json_str_or_null(p->detail), "explain",
			      json_str_or_null(p->explain), "error", json_str_or_null(p->error)));
	}
	j = json_pack("{s:o, s:o, s:o, s:o, s:o, s:i, s:o}", "gateway",
		      json_str_or_null(nc->gateway), "interface", json_str_or_null(nc->ifname),
		      "local_address", json_str_or_null(nc->local_addr), "gateway6",
		      json_str_or_null(nc->gateway6), "global6", json_str_or_null(nc->global6),
		      "total_ms", (int)nc->total_ms, "protocols", protos);
	return j;
}

static json_t *report_json(const struct he_pubip_report *r)
{
	json_t *src = json_array();

	for (size_t i = 0; i < r->nanswers; i++) {
		const struct he_pubip_answer *a = &r->answers[i];

		json_array_append_new(
		    src,
		    json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:i, s:o}", "kind",
			      he_pubip_kind_name(a->kind), "source", a->source, "family",
			      he_family_id(a->family), "ok", a->rc == 0, "address",
			      json_str_or_null(a->rc == 0 ? a->addr : NULL), "class",
			      a->rc == 0 ? json_string(he_addr_class_name(a->cls)) : json_null(),
			      "ms", (int)a->ms, "error",
			      json_str_or_null(a->rc == 0 ? NULL : a->error)));
	}
	return json_pack("{s:o, s:{s:o, s:i, s:o, s:i}, s:s, s:o, s:o}", "sources", src, "public",
			 "ipv4", json_str_or_null(r->v4), "ipv4_agree", (int)r->v4_agree, "ipv6",
			 json_str_or_null(r->v6), "ipv6_agree", (int)r->v6_agree, "nat",
			 he_pubip_nat_name(r->nat), "router_wan", json_str_or_null(r->router_wan),
			 "verdict", json_str_or_null(r->verdict));
}

/*
 * ---- behind the carrier's NAT: what works ----
 * DS-Lite (RFC 6333): the router is the B4, its IPv4 end of the softwire one
 * of 192.0.0.2-7; the AFTR's IPv4 end is 192.0.0.1 by the same RFC. The
 * AFTR's IPv6 address (the tunnel's far end) reaches the router by DHCPv6
 * (AFTR-Name option, RFC 6334) and is not visible from a host on the LAN.
 */
struct carrier_nat {
	bool behind;        /* CGNAT or DS-Lite: no IPv4 forward can ever work */
	bool dslite;        /* the router is a DS-Lite B4 */
	bool v6_pinholes;   /* this host has a global IPv6 address and a router answered */
	const char *reason; /* he_addr_class_v4_reason() */
	char global6[HE_PUBIP_ADDR_MAX];
};

static void carrier_nat_of(const struct he_pubip_report *r, const struct he_pm_netcheck *nc,
			   bool router_ok, struct carrier_nat *c)
{
	enum he_addr_class cls;

	memset(c, 0, sizeof(*c));
	if (!r->router_wan[0] || he_addr_class_str(r->router_wan, &cls) < 0 ||
	    !he_addr_class_v4_impossible(cls))
		return;
	c->behind = true;
	c->dslite = cls == HE_ADDR_DSLITE;
	c->reason = he_addr_class_v4_reason(cls);
	snprintf(c->global6, sizeof(c->global6), "%s", nc->global6[0] ? nc->global6 : r->v6);
	c->v6_pinholes = router_ok && c->global6[0];
}

#define AFTR_V4 "192.0.0.1"
#define AFTR_V6_NOTE                                                                               \
	"the AFTR's IPv6 address (the tunnel's far end) is configured on the router (DHCPv6 "      \
	"AFTR-Name) and cannot be seen from this host"

static json_t *carrier_json(const struct carrier_nat *c, const struct he_pubip_report *r)
{
	json_t *j;

	if (!c->behind)
		return json_null();
	j = json_pack("{s:s, s:s, s:o, s:{s:b, s:b}}", "kind", c->dslite ? "ds-lite" : "cgnat",
		      "reason", c->reason, "public_ipv4", json_str_or_null(r->v4), "works",
		      "ipv6_pinholes", c->v6_pinholes, "ipv4_forwarding", 0);
	if (c->dslite)
		json_object_set_new(j, "dslite",
				    json_pack("{s:s, s:s, s:n, s:s}", "b4", r->router_wan,
					      "aftr_ipv4", AFTR_V4, "aftr_ipv6", "aftr_note",
					      AFTR_V6_NOTE));
	return j;
}

static void print_carrier(const struct carrier_nat *c, const struct he_pubip_report *r)
{
	if (!c->behind)
		return;
	if (c->dslite) {
		printf("DS-Lite:     B4 (this router's IPv4 end of the softwire) %s; AFTR (the "
		       "ISP's end and NAT) %s on the IPv4 side (RFC 6333); %s\n",
		       r->router_wan, AFTR_V4, AFTR_V6_NOTE);
	} else {
		printf("CGNAT:       router WAN %s is in 100.64.0.0/10 (RFC 6598 shared address "
		       "space): the ISP's carrier-grade NAT sits in front of the router\n",
		       r->router_wan);
	}
	if (r->v4[0])
		printf("             the internet sees this home as %s, an address of the ISP's "
		       "NAT shared with other customers\n",
		       r->v4);
	printf("what works:  IPv6 pinholes: %s; IPv4 forwarding: no (%s)\n",
	       c->v6_pinholes ? "yes" : "no", c->reason);
	if (c->v6_pinholes)
		printf("             'open' opens the IPv6 pinhole to %s and reports IPv4 as not "
		       "possible here\n",
		       c->global6);
	else
		printf("             %s\n", c->global6[0] ? "the router did not answer (no PCP or "
							    "UPnP to ask for a pinhole)"
							  : "this host has no global IPv6 address: "
							    "nothing can be opened here; use a "
							    "tunnel to a VPS");
}

static void print_router(const struct he_cli *cli, const struct he_pm_netcheck *nc, int rc,
			 const char *error)
{
	if (rc < 0) {
		printf("router:      ");
		he_cli_tone(cli, stdout, HE_TONE_FAIL, error);
		printf("\n");
		return;
	}
	printf("gateway:     %s (%s), this host %s\n", nc->gateway, nc->ifname,
	       nc->local_addr[0] ? nc->local_addr : "?");
	if (nc->gateway6[0] || nc->global6[0])
		printf("IPv6:        gateway %s, this host %s\n",
		       nc->gateway6[0] ? nc->gateway6 : "(none)",
		       nc->global6[0] ? nc->global6 : "(no global address)");
	printf("router protocols (%u ms):\n", nc->total_ms);
	for (size_t i = 0; i < HE_PM_NPROTO; i++) {
		const struct he_pm_probe_info *p = &nc->proto[i];

		printf("  %-7s ", he_pm_protocol_name(p->protocol));
		if (!p->answered) {
			he_cli_tone(cli, stdout, HE_TONE_WARN, "no answer");
			printf(" (%u ms): %s\n", p->ms, p->error);
			continue;
		}
		he_cli_tone(cli, stdout, HE_TONE_PASS, "answered");
		printf(" in %u ms", p->ms);
		if (p->ext_addr[0])
			printf(", external %s (%s)", p->ext_addr, he_addr_class_name(p->ext_class));
		if (p->detail[0])
			printf(", %s", p->detail);
		printf("\n");
	}
}

static void print_report(const struct he_cli *cli, const struct he_pubip_report *r)
{
	printf("public address sources:\n");
	for (size_t i = 0; i < r->nanswers; i++) {
		const struct he_pubip_answer *a = &r->answers[i];

		if (a->rc == 0)
			printf("  %-4s %-40s %s (%s), %u ms\n", he_family_label(a->family),
			       a->source, a->addr, he_addr_class_name(a->cls), a->ms);
		else {
			printf("  %-4s %-40s ", he_family_label(a->family), a->source);
			he_cli_tone(cli, stdout, HE_TONE_FAIL, "failed");
			printf(", %u ms: %s\n", a->ms, a->error);
		}
	}
	printf("public IPv4: ");
	if (r->v4[0])
		printf("%s (%u sources agree)\n", r->v4, r->v4_agree);
	else {
		he_cli_tone(cli, stdout, HE_TONE_WARN, "not trusted");
		printf("\n");
	}
	printf("public IPv6: ");
	if (r->v6[0])
		printf("%s (%u sources agree)\n", r->v6, r->v6_agree);
	else {
		he_cli_tone(cli, stdout, HE_TONE_WARN, "not trusted");
		printf("\n");
	}
	printf("NAT:         %s%s%s\n", he_pubip_nat_name(r->nat),
	       r->router_wan[0] ? ", router WAN " : "", r->router_wan);
	if (r->verdict[0])
		printf("\n%s\n", r->verdict);
}

int cmd_netcheck(struct he_cli *cli, int argc, char **argv)
{
	struct nc_opts o;
	struct he_portmap_opts pmo;
	struct he_pubip_opts po;
	struct he_pm_netcheck nc;
	struct he_pubip_report *rep = NULL;
	struct he_state *st = NULL;
	struct he_error err, perr;
	struct carrier_nat cn;
	int rc = parse(cli, argc, argv, &o), prc = 0;
	bool ok;

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	if (he_cli_portmap_opts(cli, o.protocol, &pmo) < 0)
		return HE_EXIT_USAGE;
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		he_errorf(cli, "out of memory");
		return HE_EXIT_FAIL;
	}
	/* the discovery cache is a nicety: without write access, go on without it */
	if (he_state_open(cli->cfg.state_dir, HE_STATE_WRITE, 2000, &st, &err) < 0) {
		if (cli->verbosity > 0)
			he_warnf(cli, "%s (the router discovery is not cached)", err.msg);
		st = NULL;
	}
	he_pubip_opts_from_config(&cli->cfg, &po);
	po.portmap = &pmo;
	if (o.timeout_ms)
		po.timeout_ms = o.timeout_ms;
	if (o.v4_only)
		po.want_v6 = false;
	if (o.v6_only)
		po.want_v4 = false;
	if (o.no_router || !cli->cfg.router_enabled)
		po.use_router = false;

	memset(&nc, 0, sizeof(nc));
	he_error_clear(&perr);
	if (po.use_router) {
		struct he_progress *pg = he_progress_start(cli, "asking the router");

		prc = he_portmap_probe_all(&pmo, st, &nc, &perr);
		he_progress_stop(pg);
	}
	struct he_progress *pg = he_progress_start(cli, "asking the public-address sources");

	rc = he_pubip_detect(&cli->cfg, &po, st, rep, &err);
	he_progress_stop(pg);
	he_state_close(st);
	if (rc < 0) {
		he_errorf(cli, "%s", err.msg);
		free(rep);
		return rc == -EINVAL ? HE_EXIT_USAGE : HE_EXIT_FAIL;
	}
	ok = verdict_ok(rep);
	carrier_nat_of(rep, &nc, po.use_router && prc == 0, &cn);
	if (cli->json) {
		json_t *doc = report_json(rep);

		json_object_set_new(doc, "carrier_nat", carrier_json(&cn, rep));
		json_object_set_new(doc, "router_state",
				    po.use_router ? router_json(&nc, prc, perr.msg) : json_null());
		json_object_set_new(doc, "ok", json_boolean(ok));
		he_json_print(doc);
	} else {
		if (po.use_router)
			print_router(cli, &nc, prc, perr.msg);
		print_report(cli, rep);
		print_carrier(&cn, rep);
	}
	free(rep);
	return ok ? HE_EXIT_OK : HE_EXIT_FAIL;
}
