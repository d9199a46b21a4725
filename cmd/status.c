/* SPDX-License-Identifier: MIT */
/*
 * homeexpose status: one screen, as `ufw status` is one: whether the agent
 * runs, each exposure with its router mappings, firewall openings and last
 * reachability verdict, the public addresses and NAT class, and each DNS
 * record's state. Built from what exists: the agent's control socket
 * (status, list), the engine's live view (he_live_read) and the ddns status
 * document; nothing is changed and nothing is probed beyond what `list` does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/control_client.h"
#include "cli.h"
#include "config/exposure.h"
#include "engine/engine.h"
#include "opreport.h"

static void usage(void)
{
	printf("Usage: homeexpose status [--json]\n"
	       "\n"
	       "One screen: whether the agent runs, each exposure with its router\n"
	       "mappings, host firewall and last reachability verdict (the agent's\n"
	       "self-check), the public addresses and NAT class, and each dynamic-DNS\n"
	       "record's state. Reads only; works without root (what could not be read\n"
	       "says so).\n"
	       "\n"
	       "Exit status: 0, or 2 for a configuration error.\n");
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The agent's last self-check of exposure name: {state, at, ...} or NULL. */
static json_t *agent_check(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(list, "exposures"), i, v)
	{
		if (!strcmp(jstr(v, "name"), name))
			return json_object_get(v, "check");
	}
	return NULL;
}

/* One exposure: router "ok"/"missing"/..., counts, firewall, reachability. */
static json_t *exposure_json(const struct he_live *lv, size_t x, const json_t *alist)
{
	const struct he_exposure *e = &lv->d.ex[x];
	struct he_live_map m[HE_PORTS_MAX * 4];
	struct he_live_fw f[HE_PORTS_MAX * 2];
	char ports[HE_PORTSPEC_MAX * 24];
	size_t nm = 0, nf, ok = 0, fw_missing = 0;
	const struct he_eng_refusal *ref = he_desired_refusal(&lv->d, e->name);
	json_t *chk = alist ? agent_check(alist, e->name) : NULL;
	json_t *router, *fw;

	he_portlist_format(&e->ports, ports, sizeof(ports));
	if (e->router && lv->o.router_read)
		nm = he_live_router(&lv->d, &lv->o, x, lv->have_v6, m, HE_PORTS_MAX * 4);
	for (size_t i = 0; i < nm; i++)
		ok += m[i].state == HE_LIVE_OK;
	if (!e->router)
		router = json_pack("{s:s}", "state", "off");
	else if (!lv->o.router_read)
		router = json_pack("{s:s, s:s}", "state", "unknown", "error", lv->o.router_err);
	else
		router = json_pack("{s:s, s:i, s:i}", "state", ok == nm ? "ok" : "missing",
				   "mappings", (int)ok, "wanted", (int)nm);
	nf = he_live_firewall(&lv->d, &lv->o, x, f, HE_PORTS_MAX * 2);
	for (size_t i = 0; i < nf; i++)
		fw_missing += f[i].missing;
	if (!e->firewall || *e->to)
		fw = json_pack("{s:s}", "state", "off");
	else if (!lv->o.fw_read)
		fw = json_pack("{s:s, s:s}", "state", "unknown", "error", lv->o.fw_err);
	else
		fw = json_pack("{s:s, s:i, s:i}", "state", fw_missing ? "missing" : "open", "open",
			       (int)(nf - fw_missing), "wanted", (int)nf);
	return json_pack("{s:s, s:s, s:o, s:o, s:O?, s:s?}", "name", e->name, "ports", ports,
			 "router_state", router, "firewall_state", fw, "reachability", chk,
			 "refused", ref ? ref->msg : NULL);
}

static void when(json_int_t at, char *buf, size_t len)
{
	time_t t = (time_t)at;
	struct tm tm;

	if (at <= 0 || !localtime_r(&t, &tm))
		snprintf(buf, len, "never");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static void print_agent(struct he_cli *cli, const json_t *st)
{
	const json_t *r = json_object_get(st, "router"), *fw = json_object_get(st, "firewall");

	if (!st) {
		printf("agent       ");
		he_cli_tone(cli, stdout, HE_TONE_WARN, "not running");
		printf(" (start it: systemctl enable --now homeexpose)\n");
		return;
	}
	printf("agent       ");
	he_cli_tone(cli, stdout, HE_TONE_PASS, "running");
	printf(" (pid %lld, up %lld s, %s)\n",
	       (long long)json_integer_value(json_object_get(st, "pid")),
	       (long long)json_integer_value(json_object_get(st, "uptime")), jstr(st, "status"));
	printf("router      %s via %s, %lld mapping(s)\n", jstr(r, "protocol"), jstr(r, "gateway"),
	       (long long)json_integer_value(json_object_get(r, "mappings")));
	printf("firewall    %s, %s\n", jstr(fw, "backend"),
	       json_is_true(json_object_get(fw, "in_sync")) ||
		       json_integer_value(json_object_get(fw, "in_sync")) > 0
		   ? "in place"
		   : "NOT in place");
}

static void print_exposure(struct he_cli *cli, const json_t *x)
{
	const json_t *r = json_object_get(x, "router_state"),
		     *f = json_object_get(x, "firewall_state");
	const json_t *c = json_object_get(x, "reachability");
	char rs[32], fs[32], at[32];
	const char *reach;

	if (!json_is_object(c))
		c = NULL;
	reach = c ? jstr(c, "state") : "not known";

	if (!strcmp(jstr(r, "state"), "ok") || !strcmp(jstr(r, "state"), "missing"))
		snprintf(rs, sizeof(rs), "%s %lld/%lld", jstr(r, "state"),
			 (long long)json_integer_value(json_object_get(r, "mappings")),
			 (long long)json_integer_value(json_object_get(r, "wanted")));
	else
		snprintf(rs, sizeof(rs), "%s", jstr(r, "state"));
	snprintf(fs, sizeof(fs), "%s", jstr(f, "state"));
	printf("  %-14s %-18s ", jstr(x, "name"), jstr(x, "ports"));
	he_cli_tone(cli, stdout, he_tone_of(jstr(r, "state")), rs);
	printf("%*s ", (int)(13 - strlen(rs) > 13 ? 0 : 13 - strlen(rs)), "");
	he_cli_tone(cli, stdout, he_tone_of(!strcmp(fs, "open") ? "ok" : fs), fs);
	printf("%*s ", (int)(8 - strlen(fs) > 8 ? 0 : 8 - strlen(fs)), "");
	he_cli_tone(cli, stdout, he_tone_of(reach), reach);
	if (c && json_integer_value(json_object_get(c, "at"))) {
		when(json_integer_value(json_object_get(c, "at")), at, sizeof(at));
		printf(" (%s)", at);
	}
	if (c && *jstr(c, "broken"))
		printf(", broken link: %s", jstr(c, "broken"));
	if (*jstr(x, "refused"))
		printf(" refused: %s", jstr(x, "refused"));
	printf("\n");
}

static void print_public(const json_t *pub)
{
	char at[32];

	if (!json_is_object(pub)) {
		printf("public      not known yet (the agent or 'homeexpose ddns update' records "
		       "it; 'homeexpose netcheck' asks now)\n");
		return;
	}
	when(json_integer_value(json_object_get(pub, "at")), at, sizeof(at));
	printf("public      IPv4 %s, IPv6 %s, NAT %s (%s)\n",
	       *jstr(pub, "ipv4") ? jstr(pub, "ipv4") : "none",
	       *jstr(pub, "ipv6") ? jstr(pub, "ipv6") : "none",
	       *jstr(pub, "nat") ? jstr(pub, "nat") : "unknown", at);
}

static void print_record(struct he_cli *cli, const json_t *r)
{
	const char *answer = jstr(r, "answer");
	char at[32];

	when(json_integer_value(json_object_get(r, "answered_at")), at, sizeof(at));
	printf("  %-14s %-28s %-4s %-20s ", jstr(r, "record"), jstr(r, "hostname"), jstr(r, "type"),
	       *jstr(r, "address") ? jstr(r, "address") : "-");
	he_cli_tone(cli, stdout,
		    json_integer_value(json_object_get(r, "failures")) ? HE_TONE_FAIL
		    : *answer                                          ? HE_TONE_PASS
								       : HE_TONE_WARN,
		    *answer ? answer : "not updated yet");
	printf(" (%s)%s%s\n", at,
	       json_is_string(json_object_get(r, "disabled")) ? " disabled: " : "",
	       jstr(r, "disabled"));
}

int cmd_status(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	struct he_exposures l = {0};
	struct he_diags d = {0};
	struct he_live lv;
	json_t *ast, *alist, *ddns, *arr = json_array(), *doc, *pub, *recs, *mine = NULL;
	int rc = he_cli_getopt(cli, argc, argv, opts, usage), drc = 0;

	if (rc) {
		json_decref(arr);
		return rc < 0 ? HE_EXIT_OK : rc;
	}
	if (argc - optind > 0) {
		json_decref(arr);
		return he_usage_error(cli, "status takes no argument");
	}
	if (he_cli_config(cli) < 0) {
		json_decref(arr);
		return HE_EXIT_USAGE;
	}
	he_exposures_load(cli->cfg.exposures_dir, &l, &d);
	he_cli_print_diags(cli, &d);
	ast = he_cli_agent_ask(cli, HE_CTL_STATUS);
	alist = ast ? he_cli_agent_ask(cli, HE_CTL_LIST) : NULL;
	he_live_read(&cli->cfg, &l, &lv);
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, exposure_json(&lv, i, alist));
	ddns = cli->cfg.nddns ? he_cli_ddns_doc(cli, NULL, &drc) : NULL;
	pub = ddns ? json_object_get(ddns, "public") : NULL;
	if (!json_is_object(pub) && ast && json_is_object(json_object_get(ast, "public_address"))) {
		/* no DNS record keeps it: the agent's own view (no NAT class then) */
		const json_t *pa = json_object_get(ast, "public_address");

		pub = mine = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "nat", "", "router_wan",
				       "", "ipv4", jstr(pa, "ipv4"), "ipv6", jstr(pa, "ipv6"),
				       "verdict", "", "at", (json_int_t)0);
	}
	recs = ddns ? json_object_get(ddns, "records") : NULL;
	doc = json_pack("{s:i, s:{s:b, s:O?}, s:o, s:O?, s:o}", "schema_version", 1, "agent",
			"running", ast != NULL, "status", ast, "exposures", arr, "public",
			json_is_object(pub) ? pub : NULL, "ddns",
			json_is_array(recs) ? json_incref(recs) : json_array());
	if (cli->json) {
		he_json_print(doc);
	} else {
		size_t i;

		print_agent(cli, ast);
		print_public(json_object_get(doc, "public"));
		printf("exposures   %zu%s\n", l.n,
		       l.n ? ":" : " (homeexpose open PORTSPEC|SERVICE)");
		if (l.n)
			printf("  %-14s %-18s %-13s %-8s %s\n", "NAME", "PORTS", "ROUTER",
			       "FIREWALL", "REACHABLE (last self-check)");
		for (i = 0; i < json_array_size(arr); i++)
			print_exposure(cli, json_array_get(arr, i));
		if (!ast && l.n)
			printf("  (the reachability verdicts come from the agent's self-check; "
			       "'homeexpose check' runs it now)\n");
		printf("dns         %zu record%s%s\n",
		       json_array_size(json_object_get(doc, "ddns")),
		       json_array_size(json_object_get(doc, "ddns")) == 1 ? "" : "s",
		       json_array_size(json_object_get(doc, "ddns")) ? ":" : "");
		for (i = 0; i < json_array_size(json_object_get(doc, "ddns")); i++)
			print_record(cli, json_array_get(json_object_get(doc, "ddns"), i));
		json_decref(doc);
	}
	json_decref(ast);
	json_decref(alist);
	json_decref(ddns);
	json_decref(mine);
	he_live_free(&lv);
	he_exposures_free(&l);
	rc = d.nerrors ? HE_EXIT_USAGE : HE_EXIT_OK;
	he_diags_free(&d);
	return rc;
}
