/* SPDX-License-Identifier: MIT */
#include "apply.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/control_client.h"
#include "firewall/firewall.h"
#include "net/route.h"

int he_apply_portmap_opts(struct he_cli *cli, const char *protocol, struct he_portmap_opts *o)
{
	struct he_error err;

	he_portmap_opts_from_config(&cli->cfg, false, o);
	if (protocol && he_pm_protocol_parse(protocol, &o->force, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		return -1;
	}
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

/* The family of e's --to address (another LAN host), or 0 for this host. */
static int to_family(const struct he_exposure *e)
{
	struct in6_addr a;

	if (!*e->to)
		return 0;
	return inet_pton(AF_INET6, e->to, &a) == 1 ? AF_INET6 : AF_INET;
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

				if ((fam == 0 && (!want_v4(e) || to_family(e) == AF_INET6)) ||
				    (fam == 1 && (!want_v6(e) || !v6 || to_family(e) == AF_INET)))
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
	bool v6 = want_v6(e) && to_family(e) != AF_INET && host_has_global_v6();
	size_t done = 0;
	int rc = HE_EXIT_OK;

	if (to_family(e) == AF_INET && !want_v4(e)) {
		he_errorf(cli,
			  "--to %s is an IPv4 address: with --ipv6-only give the LAN host's "
			  "IPv6 address",
			  e->to);
		return HE_EXIT_USAGE;
	}
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

/* The host firewall is this host's: an exposure for another LAN host (--to) has none here. */
static bool fw_wanted(const struct he_exposure *x)
{
	return x->firewall && !*x->to;
}

/* Every opening of all (minus without, with extra in place of its namesake). */
static int build_desired(const struct he_exposures *all, const struct he_exposure *extra,
			 const char *without, struct he_fw_desired *want, struct he_error *err)
{
	for (size_t i = 0; all && i < all->n; i++) {
		const struct he_exposure *x = &all->v[i];

		if (!fw_wanted(x) || (without && strcmp(x->name, without) == 0) ||
		    (extra && strcmp(x->name, extra->name) == 0))
			continue;
		if (he_fw_desired_add_list(want, x->name, &x->ports, err) < 0)
			return -1;
	}
	if (extra && fw_wanted(extra) &&
	    he_fw_desired_add_list(want, extra->name, &extra->ports, err) < 0)
		return -1;
	return 0;
}

/* Does e open internal port PORT for PROTO on the host? */
static bool has_port(const struct he_exposure *e, uint16_t port, unsigned proto)
{
	for (size_t i = 0; i < e->ports.n; i++)
		if (e->ports.v[i].in == port && (e->ports.v[i].proto & proto))
			return true;
	return false;
}

static void print_shadow(struct he_cli *cli, const struct he_fw_shadow *s)
{
	he_errorf(cli,
		  "firewall: port %u/%s %s still be dropped%s by %s table %s %s, chain %s (%s). "
		  "Fix: %s",
		  s->port, he_proto_name(s->proto), s->certain ? "will" : "may",
		  !strcmp(s->ipfam, "ipv4")   ? " for IPv4"
		  : !strcmp(s->ipfam, "ipv6") ? " for IPv6"
					      : "",
		  s->owner, s->family, s->table, s->chain, s->where, s->fix);
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

	if (build_desired(all, extra, without, &want, &err) < 0)
		goto out;
	if (he_firewall_open_config(&cli->cfg, &fw, &err) < 0)
		goto out;
	/*
	 * An accept is not final: when another table would still drop a port
	 * of the exposure being opened, say which (with the fix) and change
	 * nothing - homeexpose never touches another table, and a half-applied
	 * opening that cannot work helps nobody.
	 */
	want.families = extra ? he_fw_families(extra->family) : 0;
	if (extra && he_firewall_verify(fw, &want, &rep, &err) == 0) {
		size_t certain = 0;

		for (size_t i = 0; i < rep.n_shadow; i++) {
			if (!has_port(extra, rep.shadow[i].port, rep.shadow[i].proto))
				continue; /* another exposure's: list reports it */
			print_shadow(cli, &rep.shadow[i]);
			certain += rep.shadow[i].certain != 0;
		}
		he_fw_report_free(&rep);
		if (certain) {
			fprintf(stderr,
				"firewall: nothing was changed: homeexpose does not edit other "
				"tables; apply the fix above (your decision), then run open "
				"again\n");
			he_error_clear(&err);
			goto out;
		}
	}
	he_error_clear(&err);
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

/* ---- the live state: what the router and the host firewall hold ---- */

void he_live_read(struct he_cli *cli, const struct he_exposures *all, struct he_live *lv)
{
	struct he_state *st = NULL;
	struct he_fw_desired want = {0};
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	bool upnp = false;

	memset(lv, 0, sizeof(*lv));
	/* router: the state's records (read-only), UPnP forwards confirmed on the router */
	if (he_state_open(cli->cfg.state_dir, HE_STATE_READ, 2000, &st, &err) < 0) {
		snprintf(lv->router_err, sizeof(lv->router_err),
			 "could not read the runtime state: %s", err.msg);
	} else if (he_portmap_records(st, &lv->maps, &lv->nmaps, &err) < 0) {
		snprintf(lv->router_err, sizeof(lv->router_err), "%s", err.msg);
	} else {
		lv->router_read = true;
		for (size_t i = 0; i < lv->nmaps; i++)
			upnp |= lv->maps[i].protocol == HE_PM_UPNP && lv->maps[i].family == AF_INET;
	}
	if (lv->router_read && upnp) {
		struct he_portmap_opts o;
		struct he_portmap *pm = NULL;
		struct he_pm_entry *v = NULL;
		size_t n = 0;

		if (he_apply_portmap_opts(cli, NULL, &o) == 0 &&
		    he_portmap_open(&o, st, &pm, &err) == 0 &&
		    he_portmap_list(pm, &v, &n, &err) == 0) {
			free(lv->maps);
			lv->maps = v;
			lv->nmaps = n;
		} else {
			snprintf(lv->router_err, sizeof(lv->router_err),
				 "could not ask the router to confirm its UPnP mappings: %s",
				 err.msg);
		}
		he_portmap_close(pm);
	}
	he_state_close(st);

	/* host firewall: compare with every exposure's openings */
	he_error_clear(&err);
	if (build_desired(all, NULL, NULL, &want, &err) < 0 ||
	    he_firewall_open_config(&cli->cfg, &fw, &err) < 0) {
		snprintf(lv->fw_err, sizeof(lv->fw_err), "%s", err.msg);
	} else {
		snprintf(lv->fw_backend, sizeof(lv->fw_backend), "%s", he_firewall_backend(fw));
		if (he_firewall_verify(fw, &want, &lv->fw, &err) < 0)
			snprintf(lv->fw_err, sizeof(lv->fw_err), "could not read the firewall: %s",
				 err.msg);
		else
			lv->fw_read = true;
	}
	he_firewall_close(fw);
	he_fw_desired_free(&want);
}

void he_live_free(struct he_live *lv)
{
	if (!lv)
		return;
	free(lv->maps);
	he_fw_report_free(&lv->fw);
	memset(lv, 0, sizeof(*lv));
}

static const struct he_pm_entry *find_map(const struct he_live *lv, const char *name,
					  unsigned proto, int family, uint16_t port)
{
	for (size_t i = 0; i < lv->nmaps; i++) {
		const struct he_pm_entry *m = &lv->maps[i];

		if (m->proto == proto && m->family == family && !strcmp(m->name, name) &&
		    (family == AF_INET6 ? m->int_port : m->ext_port) == port)
			return m;
	}
	return NULL;
}

static void drift(json_t *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void drift(json_t *d, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ". Fix: homeexpose open %s", name);
	json_array_append_new(d, json_string(msg));
}

static json_t *map_json(const struct he_pm_entry *m, const char *state)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:I, s:b, s:o, s:s}", "transport",
	    he_proto_name(m->proto), "family", m->family == AF_INET6 ? "ipv6" : "ipv4", "protocol",
	    he_pm_protocol_name(m->protocol), "external_address", m->ext_addr, "external_port",
	    m->ext_port, "client", m->client, "internal_port", m->int_port, "lease_remaining",
	    (json_int_t)m->lease_remaining, "permanent", m->lease_remaining == 0, "on_router",
	    m->router_checked ? json_boolean(m->on_router) : json_null(), "state", state);
}

/* The router part of one exposure: each expected mapping, its state and drift. */
static void live_router(const struct he_live *lv, const struct he_exposure *e, bool v6,
			json_t *maps, json_t *d)
{
	static const unsigned protos[] = {HE_PROTO_TCP, HE_PROTO_UDP};
	bool to4 = to_family(e) == AF_INET, to6 = to_family(e) == AF_INET6;

	for (size_t i = 0; i < e->ports.n; i++) {
		for (size_t p = 0; p < 2; p++) {
			if (!(e->ports.v[i].proto & protos[p]))
				continue;
			for (int fam = 0; fam < 2; fam++) {
				int family = fam ? AF_INET6 : AF_INET;
				uint16_t key = fam ? e->ports.v[i].in : e->ports.v[i].ext;
				const struct he_pm_entry *m =
				    find_map(lv, e->name, protos[p], family, key);
				const char *fam_s = fam ? "IPv6 pinhole" : "IPv4 forward";

				if (fam == 0 && (!want_v4(e) || to6))
					continue;
				if (fam == 1 && (!want_v6(e) || to4 || (!m && !v6)))
					continue;
				if (!m) {
					drift(d, e->name,
					      "router: no %s for %u/%s is recorded (never made, or "
					      "removed)",
					      fam_s, key, he_proto_name(protos[p]));
					continue;
				}
				if (m->router_checked && !m->on_router) {
					json_array_append_new(maps, map_json(m, "vanished"));
					drift(d, e->name,
					      "router: the %s %u/%s is gone from the router (it "
					      "expired or the router restarted)",
					      fam_s, key, he_proto_name(protos[p]));
				} else if (m->lease_remaining < 0) {
					json_array_append_new(maps, map_json(m, "expired"));
					drift(d, e->name,
					      "router: the lease of the %s %u/%s has run out (no "
					      "agent renewed it)",
					      fam_s, key, he_proto_name(protos[p]));
				} else {
					json_array_append_new(maps, map_json(m, "ok"));
				}
			}
		}
	}
}

/* The firewall part of one exposure: each internal port, open or missing, shadows. */
static void live_firewall(const struct he_live *lv, const struct he_exposure *e, json_t *fwa,
			  json_t *d)
{
	static const unsigned protos[] = {HE_PROTO_TCP, HE_PROTO_UDP};

	for (size_t i = 0; i < e->ports.n; i++) {
		for (size_t p = 0; p < 2; p++) {
			uint16_t port = e->ports.v[i].in;
			const char *state = lv->fw_read ? "open" : "unknown";
			json_t *sh = json_array();

			if (!(e->ports.v[i].proto & protos[p]))
				continue;
			for (size_t k = 0; lv->fw_read && k < lv->fw.n_missing; k++)
				if (lv->fw.missing[k].port == port &&
				    lv->fw.missing[k].proto == protos[p])
					state = "missing";
			for (size_t k = 0; lv->fw_read && k < lv->fw.n_shadow; k++) {
				const struct he_fw_shadow *s = &lv->fw.shadow[k];

				if (s->port != port || s->proto != protos[p])
					continue;
				json_array_append_new(
				    sh,
				    json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "family", s->family,
					      "table", s->table, "chain", s->chain, "where",
					      s->where, "certain", s->certain, "fix", s->fix));
			}
			json_array_append_new(fwa, json_pack("{s:i, s:s, s:s, s:o}", "port", port,
							     "transport", he_proto_name(protos[p]),
							     "state", state, "dropped_by", sh));
			if (!strcmp(state, "missing"))
				drift(
				    d, e->name,
				    "firewall: %u/%s is no longer open in %s (the rules homeexpose "
				    "put in place are gone, e.g. after 'nft flush ruleset' or a "
				    "reload of the firewall)",
				    port, he_proto_name(protos[p]), lv->fw_backend);
		}
	}
}

json_t *he_live_exposure(const struct he_live *lv, const struct he_exposure *e)
{
	char ports[HE_PORTSPEC_MAX * 24];
	json_t *maps = json_array(), *fwa = json_array(), *d = json_array();

	he_portlist_format(&e->ports, ports, sizeof(ports));
	if (e->router && lv->router_read)
		live_router(lv, e, host_has_global_v6(), maps, d);
	if (fw_wanted(e))
		live_firewall(lv, e, fwa, d);
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:o, s:o, s:o}", "name", e->name,
			 "ports", ports, "service", e->service, "router", e->router, "firewall",
			 e->firewall, "family", e->family, "to", e->to, "file", e->file, "mappings",
			 maps, "firewall_ports", fwa, "drift", d);
}

json_t *he_live_leftovers(const struct he_live *lv, const struct he_exposures *all)
{
	json_t *a = json_array();

	for (size_t i = 0; i < lv->nmaps; i++) {
		const struct he_pm_entry *m = &lv->maps[i];

		if (he_exposures_find((struct he_exposures *)all, m->name))
			continue;
		json_array_append_new(a, map_json(m, m->lease_remaining < 0 ? "expired" : "ok"));
		json_object_set_new(json_array_get(a, json_array_size(a) - 1), "name",
				    json_string(m->name));
	}
	return a;
}

size_t he_apply_report_drift(struct he_cli *cli, const struct he_exposures *all,
			     const struct he_exposure *e)
{
	struct he_live lv;
	json_t *x, *v;
	size_t i, n;

	he_live_read(cli, all, &lv);
	x = he_live_exposure(&lv, e);
	n = json_array_size(json_object_get(x, "drift"));
	json_array_foreach(json_object_get(x, "drift"), i, v)
	{
		char msg[512];
		const char *s = json_string_value(v), *fix = strstr(s, ". Fix: ");

		snprintf(msg, sizeof(msg), "%.*s", (int)(fix ? fix - s : (long)strlen(s)), s);
		if (cli->verbosity >= 0 && !cli->json)
			printf("drift: %s: putting it back\n", msg);
	}
	json_decref(x);
	he_live_free(&lv);
	return n;
}
