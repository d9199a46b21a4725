/* SPDX-License-Identifier: MIT */
/*
 * nft_xt.c - what iptables-nft's xt matches hold, which `nft -j` does not
 * show: it prints {"xt": {"type": "match", "name": "conntrack"}} and no more.
 *
 * The kernel keeps each match's option block; this reads the rules over
 * netlink (libnftnl + libmnl, no program is run) and adds to each xt match of
 * the JSON ruleset what the analysis needs:
 *   conntrack / state:  "homeexpose": {"new": true|false}  (does --ctstate /
 *                       --state take a NEW connection)
 *   multiport:          "homeexpose": {"dports": [[lo, hi], ...]}
 * Anything else (other revisions, inversions, source ports) is left as it
 * was: the analysis then decides as it did before.
 */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CT_NEW_BIT (1u << (IP_CT_NEW + 1)) /* XT_STATE_BIT / XT_CONNTRACK_STATE_BIT */

/* --ctstate alone: does it take NEW? Other conditions (addresses...): not read. */
static json_t *ct_new(unsigned match_flags, unsigned invert_flags, unsigned state_mask)
{
	int on = (state_mask & CT_NEW_BIT) != 0;

	if (match_flags != XT_CONNTRACK_STATE)
		return NULL;
	if (invert_flags & XT_CONNTRACK_STATE)
		on = !on;
	return json_pack("{s:b}", "new", on);
}

json_t *he_nft_xt_decode(const char *name, unsigned rev, const void *info, size_t len)
{
	if (!strcmp(name, "state") && len >= sizeof(struct xt_state_info)) {
		const struct xt_state_info *s = info;

		return json_pack("{s:b}", "new", (s->statemask & CT_NEW_BIT) != 0);
	}
	if (!strcmp(name, "conntrack") && (rev == 2 || rev == 3) &&
	    len >= sizeof(struct xt_conntrack_mtinfo2)) {
		const struct xt_conntrack_mtinfo2 *c = info;

		/* -m state arrives as conntrack with the alias flag */
		return ct_new(c->match_flags & ~XT_CONNTRACK_STATE_ALIAS, c->invert_flags,
			      c->state_mask);
	}
	if (!strcmp(name, "conntrack") && rev == 1 && len >= sizeof(struct xt_conntrack_mtinfo1)) {
		const struct xt_conntrack_mtinfo1 *c = info;

		return ct_new(c->match_flags, c->invert_flags, c->state_mask);
	}
	if (!strcmp(name, "multiport") && rev == 1 && len >= sizeof(struct xt_multiport_v1)) {
		const struct xt_multiport_v1 *m = info;
		json_t *a;

		if (m->invert || m->count > XT_MULTI_PORTS ||
		    (m->flags != XT_MULTIPORT_DESTINATION && m->flags != XT_MULTIPORT_EITHER))
			return NULL;
		a = json_array();
		for (unsigned i = 0; i < m->count; i++) {
			unsigned lo = m->ports[i], hi = lo;

			if (m->pflags[i] && i + 1 < m->count)
				hi = m->ports[++i];
			json_array_append_new(a, json_pack("[i, i]", lo, hi));
		}
		return json_pack("{s:o}", "dports", a);
	}
	return NULL;
}

static const char *family_name(unsigned f)
{
	switch (f) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	default:
		return "";
	}
}

/* The JSON rule object for (family, table, chain, handle), or NULL. */
static json_t *json_rule(json_t *root, const char *fam, const char *table, const char *chain,
			 uint64_t handle)
{
	json_t *it;
	size_t i;

	json_array_foreach(json_object_get(root, "nftables"), i, it)
	{
		json_t *r = json_object_get(it, "rule");
		json_t *h = json_object_get(r, "handle");

		if (json_is_object(r) && json_is_integer(h) &&
		    (uint64_t)json_integer_value(h) == handle &&
		    !strcmp(json_string_value(json_object_get(r, "family")) ?: "", fam) &&
		    !strcmp(json_string_value(json_object_get(r, "table")) ?: "", table) &&
		    !strcmp(json_string_value(json_object_get(r, "chain")) ?: "", chain))
			return r;
	}
	return NULL;
}

struct walk {
	json_t *root;
	int changed;
};

/* Annotate the JSON rule's xt matches, in order, from one netlink rule. */
static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	json_t *jr, *exprs;
	size_t xi = 0;

	if (!r)
		return MNL_CB_OK;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	jr = json_rule(w->root, family_name(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY)),
		       nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
		       nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
		       nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
	exprs = json_object_get(jr, "expr");
	if (!json_is_array(exprs))
		goto out;
	it = nftnl_expr_iter_create(r);
	while (it && (e = nftnl_expr_iter_next(it))) {
		const char *name;
		const void *info;
		uint32_t len = 0;
		json_t *xt = NULL, *ann;

		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "match"))
			continue;
		/* the xi-th xt match of the JSON rule */
		for (size_t k = 0, seen = 0; k < json_array_size(exprs); k++) {
			json_t *x = json_object_get(json_array_get(exprs, k), "xt");

			if (x &&
			    !strcmp(json_string_value(json_object_get(x, "type")) ?: "", "match") &&
			    seen++ == xi) {
				xt = x;
				break;
			}
		}
		xi++;
		name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
		info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
		if (!xt || !name || !info)
			continue;
		ann = he_nft_xt_decode(name, nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV), info, len);
		if (ann) {
			json_object_set_new(xt, "homeexpose", ann);
			w->changed = 1;
		}
	}
	nftnl_expr_iter_destroy(it);
out:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

int he_nft_xt_annotate(char **json, struct he_error *err)
{
	struct mnl_socket *nl;
	char *buf;
	struct walk w = {0};
	uint32_t seq = (uint32_t)time(NULL), portid;
	struct nlmsghdr *nlh;
	int n, rc = 0;

	if (!strstr(*json, "\"xt\""))
		return 0;
	w.root = json_loads(*json, 0, NULL);
	buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!w.root || !buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = he_error_set(err, -EIO, "cannot read the iptables-nft rules over netlink");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_rule_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = he_error_set(err, -EIO, "netlink: cannot ask for the rules");
		goto out;
	}
	while ((n = (int)mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE)) > 0) {
		n = mnl_cb_run(buf, (size_t)n, seq, portid, rule_cb, &w);
		if (n <= MNL_CB_STOP)
			break;
	}
	if (w.changed) {
		char *s = json_dumps(w.root, JSON_COMPACT);

		if (s) {
			free(*json);
			*json = s;
		}
	}
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	json_decref(w.root);
	return rc;
}
