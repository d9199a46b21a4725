/* SPDX-License-Identifier: MIT */
/*
 * test_nft.c - nftables transaction text and ruleset analysis, from
 * `nft -j list ruleset` outputs recorded in namespaces
 * (tests/fixtures/firewall/record.sh).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "firewall/fw_internal.h"

#include <jansson.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>

static char *load(const char *name)
{
	char path[512];
	const char *dir = getenv("HE_FIXTURES");
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures/firewall", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* desired from "name:port/proto" strings */
static void ports_of(struct he_fw_ports *p, const char *const *specs)
{
	struct he_fw_desired d = {0};
	struct he_error err = {0};

	for (size_t i = 0; specs[i]; i++) {
		char name[64];
		unsigned port = 0;
		char proto[8] = "tcp";

		assert_true(sscanf(specs[i], "%63[^:]:%u/%7s", name, &port, proto) >= 2);
		assert_int_equal(he_fw_desired_add(&d, name, (uint16_t)port,
						   !strcmp(proto, "udp")    ? HE_PROTO_UDP
						   : !strcmp(proto, "both") ? HE_PROTO_BOTH
									    : HE_PROTO_TCP,
						   &err),
				 0);
	}
	assert_int_equal(he_fw_ports_from_desired(&d, p, &err), 0);
	he_fw_desired_free(&d);
}

static void analyze(const char *fixture, const char *const *specs, unsigned flags,
		    struct he_fw_report *rep)
{
	struct he_fw_ports p;
	struct he_error err = {0};
	char *json = load(fixture);

	ports_of(&p, specs);
	memset(rep, 0, sizeof(*rep));
	assert_int_equal(he_nft_analyze(json, strlen(json), &p, flags, NULL, rep, &err), 0);
	he_fw_ports_free(&p);
	free(json);
}

static const struct he_fw_shadow *shadow_for(const struct he_fw_report *r, uint16_t port,
					     unsigned proto, const char *table)
{
	for (size_t i = 0; i < r->n_shadow; i++) {
		if (r->shadow[i].port == port && r->shadow[i].proto == proto &&
		    (!table || !strcmp(r->shadow[i].table, table)))
			return &r->shadow[i];
	}
	return NULL;
}

static void test_ports_union(void **state)
{
	static const char *const s[] = {"web:8443", "cloud:8443", "web:8443", "dns:53/both", NULL};
	struct he_fw_ports p;

	ports_of(&p, s);
	assert_int_equal(p.n, 3); /* 53/tcp, 8443/tcp, 53/udp */
	assert_int_equal(p.v[0].port, 53);
	assert_int_equal(p.v[0].proto, HE_PROTO_TCP);
	assert_int_equal(p.v[1].port, 8443);
	assert_string_equal(p.v[1].comment, "homeexpose:cloud,web");
	assert_int_equal(p.v[2].proto, HE_PROTO_UDP);
	assert_string_equal(p.v[2].comment, "homeexpose:dns");
	he_fw_ports_free(&p);
}

static void test_name_rules(void **state)
{
	struct he_fw_desired d = {0};
	struct he_error err = {0};

	assert_int_equal(he_fw_desired_add(&d, "bad name", 80, HE_PROTO_TCP, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "bad name"));
	assert_int_equal(he_fw_desired_add(&d, "x\"; drop", 80, HE_PROTO_TCP, &err), -EINVAL);
	assert_int_equal(he_fw_desired_add(&d, "ok", 0, HE_PROTO_TCP, &err), -EINVAL);
	assert_int_equal(he_fw_desired_add(&d, "ok", 80, 4, &err), -EINVAL);
	assert_int_equal(d.n, 0);
	he_fw_desired_free(&d);
}

static void test_txn_text(void **state)
{
	static const char *const s[] = {"web:8443", "cloud:443", "cloud:8443", "dns:53/udp", NULL};
	struct he_fw_ports p;
	char *t;

	ports_of(&p, s);
	t = he_nft_build_txn(&p, 0);
	assert_non_null(t);
	/* atomic replace of our table, and only our table */
	assert_memory_equal(t, "add table inet homeexpose\ndelete table inet homeexpose\n", 52);
	assert_non_null(strstr(t, "elements = { 443 comment \"homeexpose:cloud\", 8443 comment "
				  "\"homeexpose:cloud,web\" }"));
	assert_non_null(strstr(t, "elements = { 53 comment \"homeexpose:dns\" }"));
	assert_non_null(strstr(t, "type filter hook input priority filter; policy accept;"));
	assert_non_null(strstr(t, "tcp dport @tcp_ports accept"));
	assert_null(strstr(t, "drop"));
	assert_null(strstr(t, "flush"));
	free(t);
	he_fw_ports_free(&p);

	/* nothing desired: the table goes */
	memset(&p, 0, sizeof(p));
	t = he_nft_build_txn(&p, 0);
	assert_string_equal(t, "add table inet homeexpose\ndelete table inet homeexpose\n");
	free(t);
}

static void test_own_in_sync(void **state)
{
	static const char *const s[] = {"web:8443", "cloud:443", "cloud:8443", NULL};
	struct he_fw_report r;

	analyze("ours_only.json", s, HE_NFT_OWN_STATE | HE_NFT_SKIP_OWN, &r);
	assert_int_equal(r.present, 1);
	assert_int_equal(r.in_sync, 1);
	assert_int_equal(r.n_missing, 0);
	assert_int_equal(r.n_extra, 0);
	assert_int_equal(r.n_shadow, 0);
	he_fw_report_free(&r);
}

static void test_own_range(void **state)
{
	static const char *const all[] = {
	    "mosh:60000/udp", "mosh:60001/udp", "mosh:60002/udp", "web:8443",
	    "web:8444",       "game:8445",      "web:60003/udp",  NULL};
	static const char *const less[] = {
	    "mosh:60000/udp", "mosh:60002/udp", "web:8443", "web:8444",
	    "game:8445",      "web:60003/udp",  NULL};
	struct he_fw_ports p;
	struct he_fw_report r;
	char *t;

	/* a run of ports of the same exposures is one interval element */
	ports_of(&p, all);
	t = he_nft_build_txn(&p, 0);
	assert_non_null(t);
	assert_non_null(strstr(t, "flags interval"));
	assert_non_null(strstr(t, "elements = { 8443-8444 comment \"homeexpose:web\", 8445 "
				  "comment \"homeexpose:game\" }"));
	assert_non_null(strstr(t, "elements = { 60000-60002 comment \"homeexpose:mosh\", 60003 "
				  "comment \"homeexpose:web\" }"));
	free(t);
	he_fw_ports_free(&p);
	/* read back from the kernel (recorded): in sync, a port inside a range counts */
	analyze("ours_range.json", all, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.present, 1);
	assert_int_equal(r.in_sync, 1);
	assert_int_equal(r.n_extra, 0);
	he_fw_report_free(&r);
	/* a port of a range no longer wanted is an extra, the others are not */
	analyze("ours_range.json", less, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.in_sync, 0);
	assert_int_equal(r.n_missing, 0);
	assert_int_equal(r.n_extra, 1);
	assert_int_equal(r.extra[0].port, 60001);
	assert_int_equal(r.extra[0].proto, HE_PROTO_UDP);
	assert_string_equal(r.extra[0].comment, "homeexpose:mosh");
	he_fw_report_free(&r);
}

/* Issue 13: where the ruleset file includes a directory, the rule's file goes there. */
static void test_persist_target(void **state)
{
	char out[256];

	assert_int_equal(he_nft_persist_target("#!/usr/sbin/nft -f\nflush ruleset\n"
					       "table inet filter { }\n"
					       "include \"/etc/nftables.d/*.nft\"\n",
					       out, sizeof(out)),
			 1);
	assert_string_equal(out, "/etc/nftables.d/homeexpose-integrate.nft");
	assert_int_equal(
	    he_nft_persist_target("\tinclude   \"/etc/fw/rules-*.conf\"", out, sizeof(out)), 1);
	assert_string_equal(out, "/etc/fw/rules-homeexpose-integrate.conf");
	/* one file, a relative path, two globs, a glob in a directory, a comment: none */
	assert_int_equal(he_nft_persist_target("include \"/etc/nftables.d/ssh.nft\"\n"
					       "include \"nftables.d/*.nft\"\n"
					       "include \"/etc/n/*-*.nft\"\n"
					       "include \"/etc/*/x.nft\"\n"
					       "include \"/etc/n/[ab]*.nft\"\n"
					       "# include \"/etc/nftables.d/*.nft\"\n"
					       "includes \"/etc/nftables.d/*.nft\"\n",
					       out, sizeof(out)),
			 0);
	assert_int_equal(he_nft_persist_target("", out, sizeof(out)), 0);
}

static void test_own_extra_after_close(void **state)
{
	static const char *const s[] = {"web:8443", NULL};
	struct he_fw_report r;

	analyze("ours_only.json", s, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.in_sync, 0); /* 443 is no longer wanted, 8443 lost "cloud" */
	assert_int_equal(r.n_missing, 0);
	assert_int_equal(r.n_extra, 1);
	assert_int_equal(r.extra[0].port, 443);
	assert_string_equal(r.extra[0].comment, "homeexpose:cloud");
	he_fw_report_free(&r);
}

static void test_drift_element(void **state)
{
	static const char *const s[] = {"web:8443", "cloud:443", NULL};
	struct he_fw_report r;

	analyze("ours_drift_element.json", s, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.present, 1);
	assert_int_equal(r.in_sync, 0);
	assert_int_equal(r.n_missing, 1);
	assert_int_equal(r.missing[0].port, 8443);
	assert_string_equal(r.missing[0].comment, "homeexpose:web");
	he_fw_report_free(&r);
}

static void test_drift_rule(void **state)
{
	static const char *const s[] = {"web:8443", NULL};
	struct he_fw_report r;

	analyze("ours_drift_rule.json", s, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.present, 1);
	assert_int_equal(r.in_sync, 0);
	assert_int_equal(r.n_missing, 1); /* element there, but no rule uses the set */
	he_fw_report_free(&r);
}

static void test_flushed(void **state)
{
	static const char *const s[] = {"web:8443", NULL};
	static const char *const none[] = {NULL};
	struct he_fw_report r;

	analyze("flushed.json", s, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.present, 0);
	assert_int_equal(r.in_sync, 0);
	assert_int_equal(r.n_missing, 1);
	assert_int_equal(r.n_shadow, 0);
	he_fw_report_free(&r);
	analyze("flushed.json", none, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.in_sync, 1); /* nothing wanted, nothing there */
	he_fw_report_free(&r);
	analyze("ours_only.json", none, HE_NFT_OWN_STATE, &r);
	assert_int_equal(r.in_sync, 0); /* nothing wanted, table still there */
	assert_int_equal(r.n_extra, 2);
	he_fw_report_free(&r);
}

static void test_default_drop(void **state)
{
	static const char *const s[] = {"a:8443", "b:22", "c:85", "d:53/udp", "e:9000", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze("default_drop.json", s, HE_NFT_SKIP_OWN, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "lock");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_string_equal(sh->family, "inet");
	assert_string_equal(sh->chain, "input");
	assert_string_equal(sh->owner, "nftables");
	assert_string_equal(sh->where, "policy drop of chain input");
	assert_string_equal(sh->fix, "homeexpose firewall integrate inet lock input (or, for this "
				     "port only: nft insert rule inet lock input tcp dport 8443 "
				     "accept)");
	assert_string_equal(sh->ipfam, "both");
	assert_null(shadow_for(&r, 22, HE_PROTO_TCP, NULL)); /* tcp dport { 22, 80-90 } */
	assert_null(shadow_for(&r, 85, HE_PROTO_TCP, NULL)); /* in the range */
	assert_null(shadow_for(&r, 53, HE_PROTO_UDP, NULL)); /* accepted in jumped-to chain */
	sh = shadow_for(&r, 9000, HE_PROTO_TCP, "lock");     /* only from 10/8: not the internet */
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_int_equal(r.n_shadow, 2);
	he_fw_report_free(&r);
}

static void test_ours_does_not_count(void **state)
{
	static const char *const s[] = {"web:8443", "web:8443/udp", "dns:53/udp", NULL};
	struct he_fw_report r;

	analyze("default_drop_with_ours.json", s, HE_NFT_OWN_STATE | HE_NFT_SKIP_OWN, &r);
	assert_int_equal(r.in_sync, 1);
	assert_non_null(shadow_for(&r, 8443, HE_PROTO_TCP, "lock"));
	assert_non_null(shadow_for(&r, 8443, HE_PROTO_UDP, "lock"));
	assert_null(shadow_for(&r, 53, HE_PROTO_UDP, NULL));
	assert_null(shadow_for(&r, 8443, HE_PROTO_TCP, "homeexpose"));
	he_fw_report_free(&r);
}

static void test_higher_prio_drop(void **state)
{
	static const char *const s[] = {"web:8443", "x:8444", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze("higher_prio_drop.json", s, HE_NFT_OWN_STATE | HE_NFT_SKIP_OWN, &r);
	assert_int_equal(r.in_sync, 0); /* 8444 is not in our table */
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "guard");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_string_equal(sh->family, "ip");
	assert_string_equal(sh->chain, "in");
	assert_non_null(strstr(sh->where, "in chain in: drop"));
	assert_non_null(strstr(sh->fix, "nft insert rule ip guard in tcp dport 8443 accept"));
	assert_string_equal(sh->ipfam, "ipv4");
	assert_null(shadow_for(&r, 8444, HE_PROTO_TCP, NULL));
	he_fw_report_free(&r);
}

static void test_reject_in_jump(void **state)
{
	static const char *const s[] = {"a:8443/both", "b:22", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze("reject_in_jump.json", s, HE_NFT_SKIP_OWN, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "filter");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_non_null(strstr(sh->where, "in chain deny: reject"));
	assert_non_null(shadow_for(&r, 8443, HE_PROTO_UDP, "filter"));
	assert_null(shadow_for(&r, 22, HE_PROTO_TCP, NULL));
	he_fw_report_free(&r);
}

static void test_iptables_nft(void **state)
{
	static const char *const s[] = {"a:8443", "b:22", "c:53/udp", NULL};
	struct he_fw_report r;
	int n4 = 0, n6 = 0;

	analyze("iptables_nft.json", s, HE_NFT_SKIP_OWN, &r);
	for (size_t i = 0; i < r.n_shadow; i++) {
		const struct he_fw_shadow *sh = &r.shadow[i];

		assert_string_equal(sh->owner, "iptables-nft");
		assert_string_equal(sh->chain, "INPUT");
		if (sh->port == 8443 && !strcmp(sh->family, "ip")) {
			n4++;
			assert_int_equal(sh->certain, 1);
			assert_string_equal(sh->fix,
					    "iptables -I INPUT -p tcp --dport 8443 -j ACCEPT");
		} else if (sh->port == 8443 && !strcmp(sh->family, "ip6")) {
			n6++;
			assert_int_equal(sh->certain, 1);
			assert_non_null(strstr(sh->where, "reject"));
			assert_string_equal(sh->fix,
					    "ip6tables -I INPUT -p tcp --dport 8443 -j ACCEPT");
		} else {
			/* 53/udp goes through an opaque multiport match: may drop */
			assert_int_equal(sh->port, 53);
			assert_int_equal(sh->certain, 0);
		}
	}
	assert_int_equal(n4, 1);
	assert_int_equal(n6, 1);
	assert_null(shadow_for(&r, 22, HE_PROTO_TCP, NULL));
	he_fw_report_free(&r);
}

static void test_ufw_tables(void **state)
{
	static const char *const s[] = {"web:8443", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;
	char *json;

	analyze("ufw_enabled.json", s, HE_NFT_SKIP_OWN, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "filter");
	assert_non_null(sh);
	assert_string_equal(sh->owner, "ufw");
	assert_non_null(strstr(sh->fix, "ufw allow 8443/tcp"));
	he_fw_report_free(&r);

	analyze("ufw_enabled.json", s, HE_NFT_SKIP_OWN | HE_NFT_SKIP_UFW, &r);
	assert_int_equal(r.n_shadow, 0);
	he_fw_report_free(&r);

	json = load("ufw_enabled.json");
	assert_int_equal(he_nft_ruleset_has_ufw(json, strlen(json)), 1);
	free(json);
	json = load("default_drop.json");
	assert_int_equal(he_nft_ruleset_has_ufw(json, strlen(json)), 0);
	free(json);
}

static void test_ufw_allowed_port(void **state)
{
	static const char *const s[] = {"web:8443", NULL};
	struct he_fw_report r;

	/* ufw's own allow rule lets 8443 through: no certain drop remains */
	analyze("ufw_allows_8443.json", s, HE_NFT_SKIP_OWN, &r);
	for (size_t i = 0; i < r.n_shadow; i++)
		assert_int_equal(r.shadow[i].certain, 0);
	he_fw_report_free(&r);
}

static void test_bad_json(void **state)
{
	static const char *const s[] = {"web:8443", NULL};
	struct he_fw_ports p;
	struct he_fw_report r = {0};
	struct he_error err = {0};

	ports_of(&p, s);
	assert_int_equal(he_nft_analyze("{", 1, &p, 0, NULL, &r, &err), -EINVAL);
	assert_int_equal(he_nft_analyze("{\"x\":1}", 7, &p, 0, NULL, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nftables"));
	/* odd but valid shapes do not crash */
	{
		static const char odd[] =
		    "{\"nftables\":[1,{\"chain\":2},{\"rule\":{\"expr\":3}}]}";

		assert_int_equal(
		    he_nft_analyze(odd, strlen(odd), &p, HE_NFT_OWN_STATE, NULL, &r, &err), 0);
	}
	he_fw_report_free(&r);
	he_fw_ports_free(&p);
}

static void test_legacy(void **state)
{
	static const char *const s[] = {"a:8443", "b:22", "c:80", NULL};
	static const char save[] = "-P INPUT DROP\n"
				   "-A INPUT -i lo -j ACCEPT\n"
				   "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
				   "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
				   "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 80 -j ACCEPT\n";
	struct he_fw_ports p;
	struct he_fw_report r = {0};
	const struct he_fw_shadow *sh;

	ports_of(&p, s);
	he_fw_legacy_analyze(save, "ip", &p, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "filter");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_string_equal(sh->owner, "iptables-legacy");
	assert_string_equal(sh->fix, "iptables-legacy -I INPUT -p tcp --dport 8443 -j ACCEPT");
	assert_null(shadow_for(&r, 22, HE_PROTO_TCP, NULL));
	sh = shadow_for(&r, 80, HE_PROTO_TCP, NULL);
	assert_non_null(sh);
	assert_int_equal(sh->certain, 0);
	he_fw_report_free(&r);
	he_fw_legacy_analyze("-P INPUT ACCEPT\n-A INPUT -p tcp --dport 8443 -j DROP\n", "ip6", &p,
			     &r);
	assert_int_equal(r.n_shadow, 1);
	assert_string_equal(r.shadow[0].family, "ip6");
	he_fw_report_free(&r);
	he_fw_ports_free(&p);
}

static void analyze_v(const char *fixture, const char *const *specs, unsigned flags,
		      const struct he_nft_view *v, struct he_fw_report *rep)
{
	struct he_fw_ports p;
	struct he_error err = {0};
	char *json = load(fixture);

	ports_of(&p, specs);
	memset(rep, 0, sizeof(*rep));
	assert_int_equal(he_nft_analyze(json, strlen(json), &p, flags, v, rep, &err), 0);
	he_fw_ports_free(&p);
	free(json);
}

static const struct he_nft_view wan = {.wan_if = "wan0"};

/* Issue 13: the classes of real rulesets (record_analysis.sh). */
static void test_vmap(void **state)
{
	static const char *const s[] = {"a:8443", "b:22", "c:9050", "d:80", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze_v("vmap_drop.json", s, 0, &wan, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "filter");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_non_null(strstr(sh->where, ": drop"));
	assert_non_null(shadow_for(&r, 9050, HE_PROTO_TCP, "filter")); /* a range element */
	assert_null(shadow_for(&r, 22, HE_PROTO_TCP, NULL));
	assert_null(shadow_for(&r, 80, HE_PROTO_TCP, NULL)); /* ct state vmap: new goes on */
	assert_int_equal(r.n_shadow, 2);
	he_fw_report_free(&r);
}

static void test_ingress(void **state)
{
	static const char *const s[] = {"a:8443", "b:5000/udp", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze_v("ingress_drop.json", s, 0, &wan, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "edge");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_string_equal(sh->family, "netdev");
	assert_string_equal(sh->hook, "filter ingress");
	assert_string_equal(sh->fix, "nft insert rule netdev edge ingress tcp dport 8443 accept");
	sh = shadow_for(&r, 5000, HE_PROTO_UDP, "early");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	he_fw_report_free(&r);
}

static void test_nat_prerouting(void **state)
{
	static const char *const s[] = {"a:8443", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze_v("nat_prerouting_drop.json", s, 0, &wan, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "nat");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_string_equal(sh->ipfam, "ipv4");
	assert_string_equal(sh->hook, "nat prerouting");
	assert_string_equal(sh->fix, "nft insert rule ip nat prerouting tcp dport 8443 accept");
	he_fw_report_free(&r);
}

static void test_lan_then_drop(void **state)
{
	static const char *const s[] = {"a:8443", NULL};
	struct he_fw_report r;

	/* LAN prefixes never hold a public source; the WAN is not lan0 */
	analyze_v("lan_then_drop.json", s, 0, &wan, &r);
	assert_int_equal(r.n_shadow, 1);
	assert_int_equal(r.shadow[0].certain, 1);
	assert_string_equal(r.shadow[0].where, "policy drop of chain input");
	he_fw_report_free(&r);
	/* WAN interface unknown: iifname "lan0" may be it */
	analyze_v("lan_then_drop.json", s, 0, NULL, &r);
	assert_int_equal(r.n_shadow, 1);
	assert_int_equal(r.shadow[0].certain, 0);
	he_fw_report_free(&r);
}

static void test_firewalld_table(void **state)
{
	static const char *const s[] = {"a:8443", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze_v("firewalld_like.json", s, 0, &wan, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "firewalld");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1); /* ct status dnat is not a new connection from outside */
	assert_string_equal(sh->chain, "filter_INPUT");
	assert_string_equal(sh->owner, "firewalld");
	assert_int_equal(r.n_shadow, 1); /* the reverse-path check passes */
	he_fw_report_free(&r);
}

static void test_family(void **state)
{
	static const char *const s[] = {"a:8443", "b:9443", NULL};
	struct he_nft_view v = {.wan_if = "wan0", .families = HE_FW_IPV4};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze_v("family_drops.json", s, 0, &v, &r);
	assert_null(shadow_for(&r, 8443, HE_PROTO_TCP, NULL)); /* IPv6-only drop */
	sh = shadow_for(&r, 9443, HE_PROTO_TCP, "mixed");
	assert_non_null(sh);
	assert_string_equal(sh->ipfam, "ipv4");
	he_fw_report_free(&r);
	v.families = HE_FW_IPV6;
	analyze_v("family_drops.json", s, 0, &v, &r);
	assert_null(shadow_for(&r, 9443, HE_PROTO_TCP, NULL));
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "v6only");
	assert_non_null(sh);
	assert_string_equal(sh->ipfam, "ipv6");
	he_fw_report_free(&r);
	analyze_v("family_drops.json", s, 0, &wan, &r);
	assert_int_equal(r.n_shadow, 2);
	he_fw_report_free(&r);
}

static void test_fail2ban(void **state)
{
	static const char *const s[] = {"a:8443", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze_v("fail2ban.json", s, 0, &wan, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "f2b-table");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 0); /* only banned addresses */
	assert_string_equal(sh->owner, "fail2ban");
	assert_non_null(strstr(sh->fix, "none to insert"));
	assert_null(strstr(sh->fix, "nft insert"));
	he_fw_report_free(&r);
}

static void test_iptables_raw(void **state)
{
	static const char *const s[] = {"a:8443", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	analyze_v("iptables_raw.json", s, 0, &wan, &r);
	sh = shadow_for(&r, 8443, HE_PROTO_TCP, "raw");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1);
	assert_string_equal(sh->fix, "iptables -t raw -I PREROUTING -p tcp --dport 8443 -j ACCEPT");
	he_fw_report_free(&r);
}

static void test_integrated(void **state)
{
	static const char *const s[] = {"web:8443", NULL};
	struct he_nft_view v = {
	    .wan_if = "wan0", .mark = 0x10000000, .mark_prio = HE_NFT_MARK_PRIO};
	struct he_fw_report r;
	char *json = load("integrated.json");

	analyze_v("integrated.json", s, HE_NFT_OWN_STATE | HE_NFT_SKIP_OWN, &v, &r);
	assert_int_equal(r.in_sync, 1);
	assert_int_equal(r.n_shadow, 0); /* the mark reaches the integration rule */
	he_fw_report_free(&r);
	analyze_v("integrated.json", s, HE_NFT_SKIP_OWN, &wan, &r); /* no mark: policy drop */
	assert_int_equal(r.n_shadow, 1);
	assert_int_equal(r.shadow[0].certain, 1);
	he_fw_report_free(&r);
	assert_true(he_nft_find_tagged(json, strlen(json), "inet", "lock", "input") > 0);
	assert_int_equal(he_nft_find_tagged(json, strlen(json), "inet", "homeexpose", "input"), 0);
	free(json);
}

static void test_xt_new_multiport(void **state)
{
	static const char *const s[] = {"a:8443", "b:8444", "c:8050", "d:443", "e:9000", NULL};
	const struct he_fw_shadow *sh;
	struct he_fw_report r;

	/* iptables-nft rules read with their xt option blocks (record_analysis.sh) */
	analyze_v("iptables_nft_new.json", s, 0, &wan, &r);
	assert_null(shadow_for(&r, 8443, HE_PROTO_TCP, NULL)); /* -m conntrack --ctstate NEW */
	assert_null(shadow_for(&r, 8444, HE_PROTO_TCP, NULL)); /* -m state --state NEW */
	assert_null(shadow_for(&r, 8050, HE_PROTO_TCP, NULL)); /* multiport 8000:8100 */
	assert_null(shadow_for(&r, 443, HE_PROTO_TCP, NULL));  /* multiport 443 */
	sh = shadow_for(&r, 9000, HE_PROTO_TCP, "filter");
	assert_non_null(sh);
	assert_int_equal(sh->certain, 1); /* not "may drop": every match was read */
	assert_string_equal(sh->fix, "iptables -I INPUT -p tcp --dport 9000 -j ACCEPT");
	he_fw_report_free(&r);
}

static void test_xt_decode(void **state)
{
	struct xt_state_info st = {.statemask = 1u << (IP_CT_NEW + 1)};
	struct xt_multiport_v1 mp = {.flags = XT_MULTIPORT_SOURCE, .count = 1, .ports = {80}};
	json_t *j;

	j = he_nft_xt_decode("state", 0, &st, sizeof(st));
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "new")));
	json_decref(j);
	assert_null(he_nft_xt_decode("state", 0, &st, 2));              /* short block */
	assert_null(he_nft_xt_decode("multiport", 1, &mp, sizeof(mp))); /* source ports */
	assert_null(he_nft_xt_decode("recent", 0, &st, sizeof(st)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ports_union),
	    cmocka_unit_test(test_name_rules),
	    cmocka_unit_test(test_txn_text),
	    cmocka_unit_test(test_own_in_sync),
	    cmocka_unit_test(test_own_range),
	    cmocka_unit_test(test_persist_target),
	    cmocka_unit_test(test_own_extra_after_close),
	    cmocka_unit_test(test_drift_element),
	    cmocka_unit_test(test_drift_rule),
	    cmocka_unit_test(test_flushed),
	    cmocka_unit_test(test_default_drop),
	    cmocka_unit_test(test_ours_does_not_count),
	    cmocka_unit_test(test_higher_prio_drop),
	    cmocka_unit_test(test_reject_in_jump),
	    cmocka_unit_test(test_iptables_nft),
	    cmocka_unit_test(test_ufw_tables),
	    cmocka_unit_test(test_ufw_allowed_port),
	    cmocka_unit_test(test_bad_json),
	    cmocka_unit_test(test_legacy),
	    cmocka_unit_test(test_vmap),
	    cmocka_unit_test(test_ingress),
	    cmocka_unit_test(test_nat_prerouting),
	    cmocka_unit_test(test_lan_then_drop),
	    cmocka_unit_test(test_firewalld_table),
	    cmocka_unit_test(test_family),
	    cmocka_unit_test(test_fail2ban),
	    cmocka_unit_test(test_iptables_raw),
	    cmocka_unit_test(test_integrated),
	    cmocka_unit_test(test_xt_new_multiport),
	    cmocka_unit_test(test_xt_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
