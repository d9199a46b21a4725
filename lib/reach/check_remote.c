/* SPDX-License-Identifier: MIT */
/*
 * check_remote.c - the check chain's steps beyond the router: the public
 * addresses (CGNAT, double NAT), the probe from outside through the
 * reflector, the DNS names, and hairpin.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/secret.h"
#include "reach/check_internal.h"
#include "reach/dnscheck.h"
#include "reach/hairpin.h"
#include "reach/outside_socks.h"
#include "reach/reflector_client.h"
#include "state/state.h"
#include "core/portspec.h"

/* ---- 4. addresses ------------------------------------------------------ */

void he_chk_pubip_once(struct ctx *c)
{
	struct he_pubip_opts o;
	struct he_error err = {0};
	bool router = false;

	/* only where the router path is in use: the sources talk to the network */
	for (size_t i = 0; i < c->nt; i++)
		router = router || (c->p[i].e->router && c->cfg->router_enabled);
	if (!router)
		return;
	/*
	 * The router's WAN address and the reflector's view are checked anyway;
	 * the outside sources are asked only when configured explicitly, so a
	 * check never waits on the built-in public servers (or their names).
	 */
	he_pubip_opts_from_config(c->cfg, &o);
	o.use_stun = o.use_stun && *c->cfg->stun_servers;
	o.use_http = o.use_http && *c->cfg->http_urls;
	if (!c->opts.pubip_sources || (!o.use_stun && !o.use_http))
		return;
	he_chk_state_lock(c);
	c->pubip_ok = he_pubip_detect(c->cfg, &o, c->st, &c->pubip, &err) == 0;
	he_chk_state_unlock(c);
}

/*
 * IPv4 behind CGNAT/DS-Lite: no forward can ever work, so IPv4 is "not
 * possible here" with the reason, not a broken link; the router and outside
 * steps, failing only because of it, say so instead of failing.
 */
static bool addr_impossible(struct ctx *c, struct he_check_target *t)
{
	const char *wan = *c->wan4 ? c->wan4 : c->pubip_ok ? c->pubip.router_wan : "";
	enum he_addr_class cls = c->wan4_cls;
	char why[HE_ERR_MSG_MAX];

	if ((!*c->wan4 && he_addr_class_str(wan, &cls) < 0) || !he_addr_class_v4_impossible(cls))
		return false;
	he_addr_class_explain(cls, wan, NULL, why, sizeof(why));
	snprintf(t->impossible, sizeof(t->impossible), "%s (router WAN %s, %s)",
		 he_addr_class_v4_reason(cls), wan, he_addr_class_name(cls));
	he_chk_set(&t->l[HE_CHK_ADDRESSES], HE_CHK_NA, why,
		   "IPv4 not possible here: %s; only IPv6 reaches this home", t->impossible);
	if (t->l[HE_CHK_ROUTER].status == HE_CHK_FAIL)
		he_chk_set(&t->l[HE_CHK_ROUTER], HE_CHK_NA, NULL,
			   "no IPv4 mapping: IPv4 is not possible here (see addresses)");
	if (t->l[HE_CHK_OUTSIDE].status == HE_CHK_FAIL)
		he_chk_set(&t->l[HE_CHK_OUTSIDE], HE_CHK_NA, NULL,
			   "IPv4 not reachable from outside, as expected here (see addresses)");
	return true;
}

void he_chk_addr(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_ADDRESSES];
	const char *seen = c->pub[he_chk_fam_idx(t->family)];
	char why[HE_ERR_MSG_MAX];

	if (t->family == AF_INET6) {
		if (!*c->global6)
			he_chk_set(l, HE_CHK_NA, NULL, "no global IPv6 address on this host");
		else if (*seen && strcmp(seen, c->global6))
			he_chk_set(
			    l, HE_CHK_WARN, NULL,
			    "the reflector saw %s, not this host's global IPv6 %s (NPTv6 or a "
			    "proxy in between)",
			    seen, c->global6);
		else
			he_chk_set(l, HE_CHK_PASS, NULL, "global IPv6 address %s", c->global6);
		return;
	}
	if (addr_impossible(c, t))
		return;
	if (c->pubip_ok && c->pubip.nat != HE_PUBIP_NAT_NONE &&
	    c->pubip.nat != HE_PUBIP_NAT_UNKNOWN) {
		he_chk_set(l, HE_CHK_FAIL, c->pubip.verdict, "%s: router WAN %s, public %s",
			   he_pubip_nat_name(c->pubip.nat), c->pubip.router_wan, c->pubip.v4);
		return;
	}
	if (*c->wan4 && c->wan4_cls != HE_ADDR_PUBLIC) {
		he_addr_class_explain(c->wan4_cls, c->wan4, NULL, why, sizeof(why));
		he_chk_set(l, HE_CHK_FAIL, why, "the router's WAN address %s is %s%s%s", c->wan4,
			   he_addr_class_name(c->wan4_cls), *seen ? "; the outside sees " : "",
			   seen);
		return;
	}
	if (*c->wan4 && *seen && strcmp(seen, c->wan4)) {
		he_chk_set(
		    l, HE_CHK_FAIL,
		    "another NAT sits in front of the router: forward the port there too, or ask "
		    "the ISP for a public address",
		    "the router's WAN address is %s but the outside sees %s (double NAT)", c->wan4,
		    seen);
		return;
	}
	if (*c->wan4)
		he_chk_set(l, HE_CHK_PASS, NULL, "the router's WAN address %s is public%s", c->wan4,
			   *seen ? " and is what the outside sees" : "");
	else if (*seen)
		he_chk_set(l, HE_CHK_PASS, NULL, "the outside sees %s", seen);
	else
		he_chk_set(l, HE_CHK_NA, NULL,
			   "public IPv4 address not known (no router answer, no reflector)");
}

/* ---- 5. outside -------------------------------------------------------- */

/*
 * [reflector] url holds one or more URLs: the first usable over family (an
 * IPv4 literal only for IPv4, [IPv6] only for IPv6, a name for both).
 */
static bool pick_url(const char *urls, int family, char *out, size_t len)
{
	const char *p = urls;

	while (*p) {
		size_t n;
		const char *host;
		bool v6lit, v4lit;
		unsigned a, b, cc, d;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (!n)
			break;
		snprintf(out, len, "%.*s", (int)n, p);
		p += n;
		host = strstr(out, "://");
		host = host ? host + 3 : out;
		v6lit = host[0] == '[';
		v4lit = sscanf(host, "%u.%u.%u.%u", &a, &b, &cc, &d) == 4;
		if ((family == AF_INET && !v6lit) || (family == AF_INET6 && !v4lit))
			return true;
	}
	return false;
}

static void outside_family(struct ctx *c, int family, const void *key, size_t keylen)
{
	char url[HE_URL_MAX];
	struct he_reflector_client rc = {
	    .url = url, .key = key, .keylen = keylen, .family = family};
	size_t idx[HE_RP_PROBES_MAX];
	int catch_fd[HE_RP_PROBES_MAX];
	size_t i = 0;

	if (!pick_url(c->cfg->reflector_url, family, url, sizeof(url))) {
		for (size_t k = 0; k < c->nt; k++)
			if (c->t[k].family == family)
				he_chk_set(&c->t[k].l[HE_CHK_OUTSIDE], HE_CHK_NA,
					   "add an URL with a name or an address of this family",
					   "no reflector URL usable over %s in [reflector] url",
					   he_family_label(family));
		return;
	}

	while (i < c->nt) {
		struct he_rp_request req;
		struct he_rp_response resp;
		struct he_error err = {0};
		int ret;

		if (he_rp_request_init(&req, &err) < 0)
			return;
		for (; i < c->nt && req.n < HE_RP_PROBES_MAX; i++) {
			struct he_check_target *t = &c->t[i];
			struct he_rp_probe *p;

			if (t->family != family)
				continue;
			p = &req.v[req.n];
			catch_fd[req.n] = -1;
			idx[req.n++] = i;
			p->proto = t->proto;
			p->port = he_chk_outside_port(t);
			if (t->proto == HE_PROTO_UDP) {
				he_rp_random_hex(P(c, t)->token, 24, &err);
				snprintf(p->token, sizeof(p->token), "%s", P(c, t)->token);
				/* a free port can be listened on to see the datagram arrive */
				catch_fd[req.n - 1] =
				    *P(c, t)->e->to ? -1 : he_udp_catch_open(family, t->in, &err);
			}
		}
		if (req.n == 0)
			break;
		ret = he_reflector_query(&rc, &req, &resp, &err);
		for (size_t k = 0; k < req.n; k++) {
			struct he_check_target *t = &c->t[idx[k]];
			struct he_check_line *l = &t->l[HE_CHK_OUTSIDE];
			const struct he_rp_item *it = ret == 0 && k < resp.n ? &resp.v[k] : NULL;
			const char *via = resp.source;

			if (ret < 0) {
				he_chk_set(l,
					   ret == -ENETUNREACH && family == AF_INET6 ? HE_CHK_NA
										     : HE_CHK_WARN,
					   NULL, "%s", err.msg);
			} else if (!it) {
				he_chk_set(l, HE_CHK_WARN, NULL,
					   "the reflector did not answer for this port");
			} else if (it->result == HE_RP_OPEN) {
				he_chk_set(l, HE_CHK_PASS, NULL,
					   "the reflector connected to %s%s%s:%u/tcp: %s%s%s",
					   family == AF_INET6 ? "[" : "", via,
					   family == AF_INET6 ? "]" : "", it->port, it->detail,
					   *it->tls ? "; " : "", it->tls);
			} else if (it->result == HE_RP_REPLY) {
				he_chk_set(
				    l, HE_CHK_PASS, NULL,
				    "the reflector's datagram to %s port %u/udp was answered: %s",
				    via, it->port, it->detail);
			} else if (it->result == HE_RP_SENT && catch_fd[k] >= 0 &&
				   he_udp_catch_wait(catch_fd[k], P(c, t)->token, 1500)) {
				he_chk_set(
				    l, HE_CHK_PASS, NULL,
				    "the reflector's datagram to %s port %u/udp arrived here", via,
				    it->port);
			} else if (it->result == HE_RP_SENT) {
				he_chk_set(
				    l, HE_CHK_WARN,
				    "make the service answer, or stop it briefly and run check "
				    "again",
				    "unknown: a datagram was sent to %s port %u/udp; the service "
				    "did not "
				    "answer and its port is busy, so arrival cannot be confirmed",
				    via, it->port);
			} else {
				he_chk_set(l, HE_CHK_FAIL, "see the first failing step above",
					   "the reflector could not reach %s%s%s:%u/%s: %s (%s)",
					   family == AF_INET6 ? "[" : "", via,
					   family == AF_INET6 ? "]" : "", it->port,
					   he_proto_name(it->proto), he_rp_result_name(it->result),
					   it->detail);
			}
			if (catch_fd[k] >= 0)
				close(catch_fd[k]);
		}
		if (ret == 0)
			snprintf(c->pub[he_chk_fam_idx(family)], sizeof(c->pub[0]), "%s",
				 resp.source);
	}
}

/* Through a SOCKS5 proxy (outside_socks.h), aimed at the public address this host knows. */
static void outside_socks(struct ctx *c, const char *proxy)
{
	struct he_outside_socks o = {
	    .proxy = proxy, .tor = he_outside_socks_is_tor(c->cfg->reflector_socks_tor, proxy)};

	if (c->pubip_ok && *c->pubip.v4)
		o.pub[0] = c->pubip.v4;
	else if (*c->wan4 && c->wan4_cls == HE_ADDR_PUBLIC)
		o.pub[0] = c->wan4;
	o.pub[1] = c->global6;
	he_outside_socks_run(&o, c->t, c->nt);
}

void he_chk_outside(struct ctx *c)
{
	char *key = NULL;
	size_t keylen = 0;
	struct he_error err = {0};
	const char *why = NULL, *proxy = he_outside_socks_proxy(c->cfg, &c->opts);

	if (proxy) {
		outside_socks(c, proxy);
		return;
	}
	if (!*c->cfg->reflector_url)
		why = "no reflector or socks proxy configured ([reflector] url or socks): "
		      "reachability from outside is not proven";
	else if (*c->cfg->reflector_key_file &&
		 he_secret_read(c->cfg->reflector_key_file, &key, &keylen, &err) < 0)
		why = err.msg;
	for (size_t i = 0; why && i < c->nt; i++)
		he_chk_set(
		    &c->t[i].l[HE_CHK_OUTSIDE], HE_CHK_NA,
		    "run 'homeexpose reflector' on a host outside this network and set [reflector] "
		    "url, or set [reflector] socks (Tor, ssh -D)",
		    "%s", why);
	if (why)
		return;
	outside_family(c, AF_INET, key, keylen);
	if (*c->global6)
		outside_family(c, AF_INET6, key, keylen);
	for (size_t i = 0; i < c->nt; i++)
		if (c->t[i].family == AF_INET6 && !*c->global6)
			he_chk_set(&c->t[i].l[HE_CHK_OUTSIDE], HE_CHK_NA, NULL,
				   "no global IPv6 address on this host");
	he_secret_free(key);
}

/* ---- 6. DNS, 7. hairpin ------------------------------------------------ */

void he_chk_dns(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_DNS];
	const char *want = t->family == AF_INET6 ? c->global6 : c->pub[0];
	const char *rr = he_family_rr(t->family);
	unsigned checked = 0;

	if (t->family == AF_INET && !*want && *c->wan4 && c->wan4_cls == HE_ADDR_PUBLIC)
		want = c->wan4;
	if (t->family == AF_INET && !*want && c->pubip_ok)
		want = c->pubip.v4;
	for (unsigned i = 0; i < c->cfg->nddns; i++) {
		const struct he_ddns_record *d = &c->cfg->ddns[i];
		struct he_dns_answer a;
		struct he_error err = {0};
		char fix[400];

		if (!*d->hostname || (*d->families && !strstr(d->families, rr)) ||
		    (t->family == AF_INET && *d->families && !strcmp(d->families, "AAAA")))
			continue;
		checked++;
		snprintf(fix, sizeof(fix), "run 'homeexpose ddns update %s' and check the provider",
			 d->name);
		if (!*want) {
			he_chk_set(l, HE_CHK_WARN, NULL,
				   "%s: the current %s address is unknown, cannot compare",
				   d->hostname, he_family_label(t->family));
			return;
		}
		if (he_dns_resolve(d->hostname, &a, &err) < 0) {
			he_chk_set(l, HE_CHK_FAIL, fix, "%s", err.msg);
			return;
		}
		if (!he_dns_has(&a, want)) {
			he_chk_set(l, HE_CHK_FAIL, fix, "%s has no %s record for %s (it has %s)",
				   d->hostname, rr, want,
				   t->family == AF_INET6 ? (a.n6 ? a.v6[0] : "none")
							 : (a.n4 ? a.v4[0] : "none"));
			return;
		}
	}
	if (!checked)
		he_chk_set(l, HE_CHK_NA, NULL, "no dynamic-DNS name for %s configured", rr);
	else
		he_chk_set(l, HE_CHK_PASS, NULL, "%u name%s resolve%s to %s", checked,
			   checked == 1 ? "" : "s", checked == 1 ? "s" : "", want);
}

void he_chk_hairpin(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_HAIRPIN];
	const char *pub = *c->pub[0] ? c->pub[0] : c->wan4;
	char detail[160];
	enum he_rp_result r;

	if (t->family == AF_INET6) {
		he_chk_set(l, HE_CHK_NA, NULL, "IPv6 has no NAT: nothing to loop back");
		return;
	}
	if (*t->impossible) {
		he_chk_set(l, HE_CHK_NA, NULL, "IPv4 is not possible here: nothing to loop back");
		return;
	}
	if (!*pub) {
		he_chk_set(l, HE_CHK_NA, NULL, "public address unknown");
		return;
	}
	r = he_hairpin_probe(pub, t->ext, t->proto, 1000, detail, sizeof(detail));
	if (r == HE_RP_OPEN || r == HE_RP_REPLY)
		he_chk_set(l, HE_CHK_PASS, NULL, "%s:%u from inside works (%s)", pub, t->ext,
			   detail);
	else
		he_chk_set(l, HE_CHK_WARN,
			   "information only: many routers lack NAT loopback; at home use the LAN "
			   "address or a local DNS override",
			   "%s:%u from inside does not work (%s)", pub, t->ext, detail);
}
