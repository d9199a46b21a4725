/* SPDX-License-Identifier: MIT */
#include "apply.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/control_client.h"
#include "firewall/firewall.h"
#include "net/route.h"

int he_apply_portmap_opts(struct he_cli *cli, const char *protocol, struct he_portmap_opts *o)
{
	const struct he_config *cfg = &cli->cfg;
	struct he_error err;
	const char *p = cfg->router_protocols;
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	while (*p && n < HE_PM_NPROTO) {
		char word[16];
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, " \t,");
		if (!len)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)(len < 15 ? len : 15), p);
		if (he_pm_protocol_parse(word, &o->order[n], &err) == 0)
			n++;
		p += len;
	}
	if (protocol && he_pm_protocol_parse(protocol, &o->force, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		return -1;
	}
	o->probe_timeout_ms = (int)cfg->probe_timeout_ms;
	o->lease_default = cfg->lease;
	if (strcmp(cfg->gateway, "auto") != 0)
		o->gateway = cfg->gateway;
	return 0;
}

static int want_v4(const struct he_exposure *e)
{
	return strcmp(e->family, "ipv6") != 0;
}

static int want_v6(const struct he_exposure *e)
{
	return strcmp(e->family, "ipv4") != 0;
}

static void print_result(struct he_cli *cli, const struct he_pm_result *r, unsigned proto,
			 json_t *jout)
{
	if (jout) {
		json_array_append_new(
		    json_object_get(jout, "router"),
		    json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:b, s:i, s:s, s:s}", "protocol",
			      he_pm_protocol_name(r->protocol), "family",
			      r->family == AF_INET6 ? "ipv6" : "ipv4", "external_address",
			      r->ext_addr, "external_port", r->ext_port, "client", r->client,
			      "internal_port", r->int_port, "lease", r->lease, "permanent",
			      r->permanent, "elapsed_ms", r->elapsed_ms, "transport",
			      he_proto_name(proto), "address_class",
			      he_addr_class_name(r->ext_class)));
		return;
	}
	if (cli->verbosity < 0)
		return;
	if (r->family == AF_INET6)
		printf("router: %s IPv6 pinhole [%s]:%u/%s open", he_pm_protocol_name(r->protocol),
		       r->client, r->int_port, he_proto_name(proto));
	else
		printf("router: %s %s:%u/%s -> %s:%u", he_pm_protocol_name(r->protocol),
		       *r->ext_addr ? r->ext_addr : "?", r->ext_port, he_proto_name(proto),
		       r->client, r->int_port);
	if (r->permanent || r->lease == 0)
		printf(", permanent (removed on close)");
	else
		printf(", lease %u s", r->lease);
	printf(" (%u ms)\n", r->elapsed_ms);
}

/* The mapping requests of e, one per port, transport and family. */
struct req_list {
	size_t n;
	struct he_pm_request v[HE_PORTSPEC_MAX * 4];
};

static void build_requests(const struct he_exposure *e, bool v6, struct req_list *l)
{
	static const unsigned protos[] = {HE_PROTO_TCP, HE_PROTO_UDP};

	l->n = 0;
	for (size_t i = 0; i < e->ports.n; i++) {
		for (size_t p = 0; p < 2; p++) {
			if (!(e->ports.v[i].proto & protos[p]))
				continue;
			for (int fam = 0; fam < 2; fam++) {
				struct he_pm_request *r;

				if ((fam == 0 && !want_v4(e)) || (fam == 1 && (!want_v6(e) || !v6)))
					continue;
				r = &l->v[l->n++];
				memset(r, 0, sizeof(*r));
				r->name = e->name;
				r->proto = protos[p];
				r->ext_port = e->ports.v[i].ext;
				r->int_port = e->ports.v[i].in;
				r->lease = e->lease;
				r->family = fam ? AF_INET6 : AF_INET;
				r->to = *e->to ? e->to : NULL;
			}
		}
	}
}

static bool host_has_global_v6(void)
{
	struct in6_addr a;
	struct he_error err;

	return he_net_global_ipv6(0, &a, &err) == 0;
}

/* The router handle per [router] and --protocol; HE_EXIT_OK or the exit code. */
static int open_router(struct he_cli *cli, struct he_state *st, const char *protocol,
		       struct he_portmap **pm)
{
	struct he_portmap_opts o;
	struct he_error err = {0};

	if (he_apply_portmap_opts(cli, protocol, &o) < 0)
		return HE_EXIT_USAGE;
	if (he_portmap_open(&o, st, pm, &err) < 0) {
		he_errorf(cli, "router: %s", err.msg);
		return HE_EXIT_FAIL;
	}
	return HE_EXIT_OK;
}

int he_apply_router(struct he_cli *cli, struct he_state *st, const struct he_exposure *e,
		    const char *protocol, bool force, json_t *jout)
{
	struct he_portmap *pm = NULL;
	struct he_error err = {0};
	struct req_list reqs;
	bool v6 = want_v6(e) && host_has_global_v6();
	size_t done = 0;
	int rc = HE_EXIT_OK;

	if (!want_v4(e) && !v6) {
		he_errorf(cli, "--ipv6-only: this host has no global IPv6 address, so there is no "
			       "IPv6 pinhole to open");
		return HE_EXIT_FAIL;
	}
	rc = open_router(cli, st, protocol, &pm);
	if (rc)
		return rc;
	build_requests(e, v6, &reqs);
	for (size_t i = 0; i < reqs.n; i++) {
		struct he_pm_result res;

		memset(&res, 0, sizeof(res));
		if (he_portmap_map(pm, &reqs.v[i], &res, &err) < 0) {
			he_errorf(cli, "router: %u/%s%s: %s", reqs.v[i].ext_port,
				  he_proto_name(reqs.v[i].proto),
				  reqs.v[i].family == AF_INET6 ? " (IPv6)" : "", err.msg);
			rc = HE_EXIT_FAIL;
			break;
		}
		done = i + 1;
		print_result(cli, &res, reqs.v[i].proto, jout);
		if (res.family == AF_INET && res.ext_class != HE_ADDR_PUBLIC && *res.ext_addr) {
			char why[HE_ERR_MSG_MAX];

			he_addr_class_explain(res.ext_class, res.ext_addr, NULL, why, sizeof(why));
			if (!force) {
				he_errorf(cli, "%s", why);
				fprintf(stderr, "The mapping is not kept; add --force to make it "
						"anyway.\n");
				rc = HE_EXIT_FAIL;
				break;
			}
			he_warnf(cli, "%s (kept because of --force)", why);
		} else if (*res.note) {
			he_warnf(cli, "%s", res.note);
		}
	}
	if (rc != HE_EXIT_OK) {
		/* roll back what this run made: nothing half-applied */
		for (size_t i = 0; i < done; i++) {
			struct he_error e2;

			if (he_portmap_unmap(pm, &reqs.v[i], &e2) < 0)
				he_warnf(cli, "router: could not remove %u/%s again: %s",
					 reqs.v[i].ext_port, he_proto_name(reqs.v[i].proto),
					 e2.msg);
		}
	}
	he_portmap_close(pm);
	return rc;
}

int he_apply_router_remove(struct he_cli *cli, struct he_state *st, const struct he_exposure *e,
			   json_t *jout)
{
	struct he_portmap *pm = NULL;
	struct he_error err = {0};
	struct req_list reqs;
	int rc = HE_EXIT_OK;

	rc = open_router(cli, st, NULL, &pm);
	if (rc)
		return rc;
	build_requests(e, true, &reqs);
	for (size_t i = 0; i < reqs.n; i++) {
		if (he_portmap_unmap(pm, &reqs.v[i], &err) < 0) {
			if (err.code == -ENOENT && reqs.v[i].family == AF_INET6)
				continue; /* no pinhole was made (no global IPv6 then) */
			he_errorf(cli, "router: removing %u/%s%s: %s", reqs.v[i].ext_port,
				  he_proto_name(reqs.v[i].proto),
				  reqs.v[i].family == AF_INET6 ? " (IPv6)" : "", err.msg);
			rc = HE_EXIT_FAIL;
			continue;
		}
		if (jout)
			json_array_append_new(
			    json_object_get(jout, "router"),
			    json_pack("{s:i, s:s, s:s, s:b}", "external_port", reqs.v[i].ext_port,
				      "transport", he_proto_name(reqs.v[i].proto), "family",
				      reqs.v[i].family == AF_INET6 ? "ipv6" : "ipv4", "removed",
				      true));
		else if (cli->verbosity >= 0)
			printf("router: removed %u/%s%s\n", reqs.v[i].ext_port,
			       he_proto_name(reqs.v[i].proto),
			       reqs.v[i].family == AF_INET6 ? " (IPv6 pinhole)" : "");
	}
	he_portmap_close(pm);
	return rc;
}

int he_apply_firewall(struct he_cli *cli, const struct he_exposures *all,
		      const struct he_exposure *extra, const char *without, bool dry_run,
		      json_t *jout)
{
	struct he_fw_desired want = {0};
	struct he_firewall *fw = NULL;
	struct he_fw_report rep;
	struct he_error err = {0};
	char *text = NULL;
	int rc = HE_EXIT_FAIL;

	for (size_t i = 0; i < all->n; i++) {
		const struct he_exposure *x = &all->v[i];

		if (!x->firewall || (without && strcmp(x->name, without) == 0) ||
		    (extra && strcmp(x->name, extra->name) == 0))
			continue;
		if (he_fw_desired_add_list(&want, x->name, &x->ports, &err) < 0)
			goto out;
	}
	if (extra && extra->firewall &&
	    he_fw_desired_add_list(&want, extra->name, &extra->ports, &err) < 0)
		goto out;
	if (he_firewall_open(cli->cfg.firewall_backend, &fw, &err) < 0)
		goto out;
	if (he_firewall_apply(fw, &want, dry_run ? HE_FW_DRY_RUN : 0, dry_run ? &text : NULL,
			      &err) < 0)
		goto out;
	if (dry_run) {
		if (jout)
			json_object_set_new(jout, "firewall_commands",
					    json_string(text ? text : ""));
		else
			printf("firewall (%s) would run:\n%s%s", he_firewall_backend(fw),
			       text && *text ? text : "(nothing: already in place)\n",
			       text && *text && text[strlen(text) - 1] != '\n' ? "\n" : "");
		rc = HE_EXIT_OK;
		goto out;
	}
	if (jout)
		json_object_set_new(jout, "firewall_backend", json_string(he_firewall_backend(fw)));
	else if (cli->verbosity >= 0)
		printf("firewall: %s rules in place for %zu opening%s\n", he_firewall_backend(fw),
		       want.n, want.n == 1 ? "" : "s");
	rc = HE_EXIT_OK;
	/* An accept is not final: say which other table would still drop the port. */
	if (extra && he_firewall_verify(fw, &want, &rep, &err) == 0) {
		for (size_t i = 0; i < rep.n_shadow; i++) {
			const struct he_fw_shadow *s = &rep.shadow[i];

			he_errorf(
			    cli,
			    "firewall: port %u/%s %s still be dropped by %s table %s %s, chain "
			    "%s (%s). Fix: %s",
			    s->port, he_proto_name(s->proto), s->certain ? "will" : "may", s->owner,
			    s->family, s->table, s->chain, s->where, s->fix);
			if (s->certain)
				rc = HE_EXIT_FAIL;
		}
		he_fw_report_free(&rep);
	}
out:
	if (rc == HE_EXIT_FAIL && err.msg[0])
		he_errorf(cli, "firewall: %s", err.msg);
	free(text);
	he_firewall_close(fw);
	he_fw_desired_free(&want);
	return rc;
}

void he_apply_notify_agent(struct he_cli *cli)
{
	struct he_error err = {0};
	json_t *reply = NULL;
	int r = he_ctl_call(cli->cfg.runtime_dir, HE_CTL_RELOAD, 2000, &reply, &err);

	if (r < 0 && r != -ENOENT && r != -ECONNREFUSED)
		he_warnf(cli,
			 "the running agent was not told about the change (%s); it sees it "
			 "at its next pass, or run: systemctl reload homeexpose",
			 err.msg);
	json_decref(reply);
}
