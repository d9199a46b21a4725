/* SPDX-License-Identifier: MIT */
/*
 * homeexpose open PORTSPEC...|SERVICE [NAME]: expose ports.
 * Resolves what to expose, refuses dangerous ports without --force, records
 * the exposure as a drop-in, then applies it (router mapping, host firewall).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/danger.h"
#include "cli.h"
#include "config/exposure.h"
#include "engine/engine.h"
#include "opreport.h"
#include "check.h"
#include "target.h"

#define HE_STR_(x) #x
#define HE_STR(x)  HE_STR_(x)
#include "state/state.h"

static void usage(void)
{
	printf(
	    "Usage: homeexpose open PORTSPEC... [NAME] [OPTIONS]\n"
	    "       homeexpose open SERVICE [NAME] [OPTIONS]\n"
	    "\n"
	    "Expose ports to the internet: ask the router for a port mapping, open the\n"
	    "host firewall, record the exposure and check that it is reachable.\n"
	    "\n"
	    "  PORTSPEC  EXT[:INT][/tcp|/udp|/both], several allowed; default tcp, INT = EXT;\n"
	    "            or a range FIRST-LAST[/udp...] of at most 100 ports (not FIRST:LAST)\n"
	    "  SERVICE   a catalog profile (see 'homeexpose services') or an /etc/services name\n"
	    "  NAME      the exposure's name (default: the service, or port-EXT)\n"
	    "\n"
	    "Options:\n"
	    "      --lease SEC        router lease asked for (default from [router] lease)\n"
	    "      --no-router        leave the router alone\n"
	    "      --no-firewall      leave the host firewall alone\n"
	    "      --ipv4-only        IPv4 only\n"
	    "      --ipv6-only        IPv6 only\n"
	    "      --to ADDR          map to another LAN host instead of this one\n"
	    "      --protocol P       use only this router protocol: pcp, natpmp or upnp\n"
	    "      --force            expose even ports that are refused by default\n"
	    "      --no-check         skip the reachability check at the end\n"
	    "      --dry-run          show what would be done, change nothing\n"
	    "      --json             machine-readable output\n");
}

enum {
	OPT_LEASE = 256,
	OPT_NO_ROUTER,
	OPT_NO_FIREWALL,
	OPT_V4,
	OPT_V6,
	OPT_FORCE,
	OPT_NO_CHECK,
	OPT_DRY_RUN,
	OPT_TO,
	OPT_PROTOCOL,
};

struct open_opts {
	long lease;
	bool no_router, no_firewall, v4, v6, force, no_check, dry_run;
	const char *to, *protocol;
};

/* Resolve positional arguments into ports, a name and the profile used. */
static int resolve(struct he_cli *cli, int n, char **args, struct he_exposure *e,
		   const struct he_profile **profile)
{
	struct he_portlist ports = {0};
	struct he_error err;
	const char *name = NULL;
	int i = 0;

	*profile = NULL;
	if (n == 0)
		return he_usage_error(cli, "missing PORTSPEC or SERVICE");
	if (he_cli_is_portspec(args[0])) {
		for (; i < n && he_cli_is_portspec(args[i]); i++) {
			struct he_portspec ps;

			if (he_portspec_parse(args[i], &ps, &err) < 0 ||
			    he_portlist_add(&ports, &ps, &err) < 0)
				return he_usage_error(cli, "%s", err.msg);
			if (he_portspec_range_like(&ps))
				he_warnf(cli,
					 "'%s' forwards external port %u to internal port %u; for "
					 "the ports %u to %u (ufw's %u:%u) write %u-%u%s",
					 args[i], ps.ext, ps.in, ps.ext, ps.in, ps.ext, ps.in,
					 ps.ext, ps.in,
					 ps.in - ps.ext >= HE_PORTRANGE_MAX
					     ? " (ranges are supported up to " HE_STR(
						   HE_PORTRANGE_MAX) " ports)"
					     : "");
		}
	} else {
		int rc = he_cli_service(cli, args[0], &ports, profile);

		if (rc)
			return rc;
		i = 1;
	}
	if (i < n)
		name = args[i++];
	if (i < n)
		return he_usage_error(cli,
				      "unexpected argument '%s' (a NAME was already given: '%s')",
				      args[i], name);
	if (!name && *profile)
		name = (*profile)->name;
	else if (!name && !he_cli_is_portspec(args[0]))
		name = args[0];
	if (name && !he_exposure_name_valid(name))
		return he_usage_error(
		    cli,
		    "'%s' is not a valid name (letters, digits, '.', '_' and '-', "
		    "starting with a letter or digit, at most 63)",
		    name);
	if (name)
		he_exposure_init(e, name);
	else {
		char def[32];

		snprintf(def, sizeof(def), "port-%u", ports.v[0].ext);
		he_exposure_init(e, def);
	}
	e->ports = ports;
	if (*profile)
		snprintf(e->service, sizeof(e->service), "%s", (*profile)->name);
	else if (!he_cli_is_portspec(args[0]))
		snprintf(e->service, sizeof(e->service), "%.63s", args[0]);
	return 0;
}

/* Refuse local-only profiles and dangerous ports unless forced. */
static int refuse_dangerous(struct he_cli *cli, const struct he_exposure *e,
			    const struct he_profile *p, bool force)
{
	struct he_danger_hit hits[HE_PORTSPEC_MAX];
	size_t n = he_danger_check(&e->ports, hits, HE_PORTSPEC_MAX);
	char spec[32];

	if ((!p || !p->local_only) && n == 0)
		return 0;
	if (force) {
		if (p && p->local_only)
			he_warnf(cli, "%s is local-only (%s); exposing it because of --force",
				 p->name, p->reason);
		for (size_t i = 0; i < n; i++)
			he_warnf(cli, "port %u (%s): %s; exposing it because of --force",
				 hits[i].port, hits[i].d->what, hits[i].d->reason);
		return 0;
	}
	if (p && p->local_only)
		he_errorf(cli, "refusing to expose %s: %s", p->name, p->reason);
	for (size_t i = 0; i < n; i++) {
		he_portspec_format(&hits[i].spec, spec, sizeof(spec));
		he_errorf(cli, "refusing to expose port %u (%s, in '%s'): %s", hits[i].port,
			  hits[i].d->what, spec, hits[i].d->reason);
	}
	fprintf(stderr, "If you really mean it, add --force.\n");
	return HE_EXIT_USAGE;
}

static int parse_opts(struct he_cli *cli, int argc, char **argv, struct open_opts *o)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS,
	    {"lease", required_argument, NULL, OPT_LEASE},
	    {"no-router", no_argument, NULL, OPT_NO_ROUTER},
	    {"no-firewall", no_argument, NULL, OPT_NO_FIREWALL},
	    {"ipv4-only", no_argument, NULL, OPT_V4},
	    {"ipv6-only", no_argument, NULL, OPT_V6},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"no-check", no_argument, NULL, OPT_NO_CHECK},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"to", required_argument, NULL, OPT_TO},
	    {"protocol", required_argument, NULL, OPT_PROTOCOL},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	int opt;

	o->lease = -1;
	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			usage();
			return -1;
		case OPT_LEASE:
			errno = 0;
			o->lease = strtol(optarg, &end, 10);
			if (!isdigit((unsigned char)optarg[0]) || *end || errno ||
			    o->lease > 604800)
				return he_usage_error(cli,
						      "--lease: '%s' is not a number of seconds "
						      "(0-604800; 0 asks for a permanent mapping)",
						      optarg);
			break;
		case OPT_NO_ROUTER:
			o->no_router = true;
			break;
		case OPT_NO_FIREWALL:
			o->no_firewall = true;
			break;
		case OPT_V4:
			o->v4 = true;
			break;
		case OPT_V6:
			o->v6 = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_NO_CHECK:
			o->no_check = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_TO: {
			unsigned char a[16];

			if (inet_pton(AF_INET, optarg, a) != 1 &&
			    inet_pton(AF_INET6, optarg, a) != 1)
				return he_usage_error(cli,
						      "--to: '%s' is not an IPv4 or IPv6 address "
						      "(name the LAN host by its address)",
						      optarg);
			o->to = optarg;
			break;
		}
		case OPT_PROTOCOL: {
			enum he_pm_protocol p;
			struct he_error err;

			if (he_pm_protocol_parse(optarg, &p, &err) < 0)
				return he_usage_error(cli, "--protocol: %s", err.msg);
			o->protocol = optarg;
			break;
		}
		default:
			return he_usage_error(cli, "bad option");
		}
	}
	if (o->v4 && o->v6)
		return he_usage_error(cli, "--ipv4-only and --ipv6-only exclude each other");
	if (o->no_router && (o->to || o->protocol))
		return he_usage_error(cli,
				      "--to and --protocol need the router part (no --no-router)");
	return 0;
}

static void print_plan(struct he_cli *cli, const struct he_exposure *e, bool exists)
{
	char *text = he_exposure_format(e);
	char ports[HE_PORTSPEC_MAX * 24];

	he_portlist_format(&e->ports, ports, sizeof(ports));
	if (cli->json) {
		he_json_print(json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:b, s:s?, s:b}", "name",
					e->name, "ports", ports, "drop_in", e->file, "router",
					e->router, "firewall", e->firewall, "family", e->family,
					"replaces_existing", exists, "drop_in_text", text,
					"dry_run", true));
	} else {
		printf("dry run: would %s %s with:\n%s", exists ? "update" : "write", e->file,
		       text ? text : "");
		printf("dry run: would then %s%s%s\n",
		       e->router ? "ask the router to map the ports" : "",
		       e->router && e->firewall ? " and " : "",
		       e->firewall ? "open the host firewall" : "");
	}
	free(text);
}

static json_t *result_json(const struct he_eng_result *r)
{
	const struct he_pm_result *x = &r->res;

	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:b, s:i, s:s, s:s}", "protocol",
			 he_pm_protocol_name(x->protocol), "family", he_family_id(x->family),
			 "external_address", x->ext_addr, "external_port", x->ext_port, "client",
			 x->client, "internal_port", x->int_port, "lease", x->lease, "permanent",
			 x->permanent, "elapsed_ms", x->elapsed_ms, "transport",
			 he_proto_name(r->proto), "address_class",
			 he_addr_class_name(x->ext_class));
}

static void print_result(struct he_cli *cli, const struct he_eng_result *r)
{
	const struct he_pm_result *x = &r->res;

	if (cli->verbosity < 0)
		return;
	if (x->family == AF_INET6)
		printf("router: %s IPv6 pinhole [%s]:%u/%s open", he_pm_protocol_name(x->protocol),
		       x->client, x->int_port, he_proto_name(r->proto));
	else
		printf("router: %s %s:%u/%s -> %s:%u", he_pm_protocol_name(x->protocol),
		       *x->ext_addr ? x->ext_addr : "?", x->ext_port, he_proto_name(r->proto),
		       x->client, x->int_port);
	if (x->permanent || x->lease == 0)
		printf(", permanent (removed on close)");
	else
		printf(", lease %u s", x->lease);
	printf(" (%u ms)\n", x->elapsed_ms);
}

/* Behind CGNAT or DS-Lite: IPv4 is not possible here, said once with the reason. */
static void report_v4_impossible(struct he_cli *cli, const struct he_eng_results *res, json_t *jout)
{
	char why[HE_ERR_MSG_MAX];

	if (!res->v4_impossible)
		return;
	he_addr_class_explain(res->v4_class, res->v4_addr, NULL, why, sizeof(why));
	if (jout)
		json_object_set_new(jout, "ipv4",
				    json_pack("{s:b, s:s, s:s, s:s}", "possible", 0, "reason",
					      he_addr_class_v4_reason(res->v4_class), "router_wan",
					      res->v4_addr, "explain", why));
	else if (cli->verbosity >= 0)
		printf("router: IPv4: not possible here: %s. Only the IPv6 pinhole is opened.\n",
		       why);
}

/* The router's results, as the router answered them; failures named. */
static void report_router(struct he_cli *cli, const struct he_op_report *rep, bool force,
			  json_t *jout)
{
	report_v4_impossible(cli, &rep->router, jout);
	for (size_t i = 0; i < rep->router.n; i++) {
		const struct he_eng_result *r = &rep->router.v[i];

		if (r->v4_impossible)
			continue;
		if (r->rc < 0 && !r->not_public) {
			he_errorf(cli, "router: %u/%s%s: %s", r->ext_port, he_proto_name(r->proto),
				  r->family == AF_INET6 ? " (IPv6)" : "", r->msg);
			continue;
		}
		if (jout)
			json_array_append_new(json_object_get(jout, "mappings"), result_json(r));
		else
			print_result(cli, r);
		if (r->not_public && r->rc < 0) {
			he_errorf(cli, "%s", r->msg);
			fprintf(stderr,
				"The mapping is not kept; add --force to make it anyway.\n");
		} else if (r->not_public && force) {
			char why[HE_ERR_MSG_MAX];

			he_addr_class_explain(r->res.ext_class, r->res.ext_addr, NULL, why,
					      sizeof(why));
			he_warnf(cli, "%s (kept because of --force)", why);
		} else if (*r->res.note) {
			he_warnf(cli, "%s", r->res.note);
		}
	}
	for (size_t i = 0; i < rep->router.n; i++) {
		const struct he_eng_result *r = &rep->router.v[i];

		/* a mapping this run made and could not take back again */
		if (r->act == HE_ACT_MAP && rep->failed != HE_OP_DONE && !r->rolled_back &&
		    (r->rc == 0 || r->not_public) && *r->msg && !r->not_public)
			he_warnf(cli, "router: %u/%s: %s", r->ext_port, he_proto_name(r->proto),
				 r->msg);
	}
}

static int exit_code(const struct he_op_report *rep)
{
	if (rep->failed == HE_OP_DONE)
		return HE_EXIT_OK;
	/* settings that contradict each other or a never-expose port: usage; the rest failed */
	return rep->failed == HE_OP_REFUSED && (rep->rc == -EINVAL || rep->rc == -EPERM)
		   ? HE_EXIT_USAGE
		   : HE_EXIT_FAIL;
}

/* Carry e out (lib/engine: firewall, router, drop-in) and report it. */
static int apply(struct he_cli *cli, const struct open_opts *o, struct he_exposure *e,
		 const struct he_exposures *existing, bool exists)
{
	struct he_op_opts oo = {.force = o->force};
	struct he_op_report *rep = calloc(1, sizeof(*rep));
	json_t *jout = NULL;
	int rc;

	if (!rep) {
		he_errorf(cli, "out of memory");
		return HE_EXIT_FAIL;
	}
	if (o->protocol)
		he_pm_protocol_parse(o->protocol, &oo.protocol, NULL);
	if (cli->json)
		jout =
		    json_pack("{s:s, s:s, s:[]}", "name", e->name, "drop_in", e->file, "mappings");
	he_op_open(&cli->cfg, e, existing, &oo, rep);
	for (size_t i = 0; i < rep->ndrift; i++)
		if (cli->verbosity >= 0 && !cli->json)
			printf("drift: %s: putting it back\n", rep->drift[i]);
	if (rep->failed == HE_OP_REFUSED)
		he_errorf(cli, "%s", rep->msg);
	if (rep->fw_backend[0] || rep->failed == HE_OP_FIREWALL)
		he_report_firewall(cli, rep, jout);
	if (rep->failed == HE_OP_STATE || rep->failed == HE_OP_SAVE)
		he_errorf(cli, "%s", rep->msg);
	if (rep->failed == HE_OP_ROUTER && *rep->msg)
		he_errorf(cli, "router: %s", rep->msg);
	report_router(cli, rep, o->force, jout);
	if (rep->fw_done && rep->failed != HE_OP_DONE && rep->fw_restore < 0)
		he_warnf(cli, "firewall: could not put the rules back as they were (%s)",
			 strerror(-rep->fw_restore));
	rc = exit_code(rep);
	if (rc == HE_EXIT_OK) {
		/* the check reports; open's exit code stays about open itself */
		if (jout && !o->no_check) {
			json_t *chk = json_object();

			he_check_run(cli, e, 1, existing, chk);
			json_object_set_new(jout, "check", chk);
		}
		if (jout) {
			json_object_set_new(jout, "ok", json_true());
			he_json_print(jout);
			jout = NULL;
		} else if (cli->verbosity >= 0) {
			printf("%s exposure '%s' (%s)\n", exists ? "updated" : "opened", e->name,
			       e->file);
			if (rep->ndrift)
				printf("repaired %zu drift item%s\n", rep->ndrift,
				       rep->ndrift == 1 ? "" : "s");
			if (!o->no_check)
				he_check_run(cli, e, 1, existing, NULL);
		}
	} else if (cli->verbosity >= 0 && !cli->json) {
		fprintf(stderr, "nothing was kept: exposure '%s' is %s\n", e->name,
			exists ? "as it was" : "not recorded");
	}
	json_decref(jout);
	he_op_report_free(rep);
	free(rep);
	return rc;
}

/* --dry-run: the firewall commands open would run (other tables analysed too). */
static int dry_run_firewall(struct he_cli *cli, const struct he_exposure *e,
			    const struct he_exposures *existing)
{
	const struct he_op_opts oo = {.dry_run = true};
	struct he_op_report *rep = calloc(1, sizeof(*rep));
	int rc;

	if (!rep)
		return HE_EXIT_FAIL;
	he_op_open(&cli->cfg, e, existing, &oo, rep);
	if (rep->failed != HE_OP_DONE) {
		if (rep->failed == HE_OP_FIREWALL)
			he_report_firewall(cli, rep, NULL);
		else
			he_errorf(cli, "%s", rep->msg);
	} else if (rep->fw_backend[0]) { /* nothing when the firewall is not this exposure's */
		const char *t = rep->fw_text ? rep->fw_text : "";

		printf("firewall (%s) would run:\n%s%s", rep->fw_backend,
		       *t ? t : "(nothing: already in place)\n",
		       *t && t[strlen(t) - 1] != '\n' ? "\n" : "");
	}
	rc = exit_code(rep);
	he_op_report_free(rep);
	free(rep);
	return rc;
}

/*
 * open NAME of an existing exposure: apply it again as recorded (drift
 * repair, renewal); options given now override the recorded ones.
 */
static int reapply(struct he_cli *cli, const struct open_opts *o, struct he_exposures *existing,
		   const char *name)
{
	struct he_exposure e = *he_exposures_find(existing, name);
	int rc;

	if (o->no_router)
		e.router = false;
	if (o->no_firewall)
		e.firewall = false;
	if (o->v4 || o->v6)
		snprintf(e.family, sizeof(e.family), "%s", o->v4 ? "ipv4" : "ipv6");
	if (o->lease >= 0)
		e.lease = (unsigned)o->lease;
	if (o->to)
		snprintf(e.to, sizeof(e.to), "%s", o->to);
	if (o->force)
		e.force = true;
	if (o->dry_run) {
		print_plan(cli, &e, true);
		rc = !cli->json ? dry_run_firewall(cli, &e, existing) : HE_EXIT_OK;
	} else {
		rc = apply(cli, o, &e, existing, true);
		if (rc == HE_EXIT_OK)
			he_cli_notify_agent(cli);
	}
	he_exposures_free(existing);
	return rc;
}

int cmd_open(struct he_cli *cli, int argc, char **argv)
{
	struct open_opts o = {0};
	struct he_exposure e;
	struct he_exposures existing = {0};
	const struct he_profile *profile = NULL;
	struct he_diags d = {0};
	bool exists;
	int rc;

	rc = parse_opts(cli, argc, argv, &o);
	if (rc < 0)
		return HE_EXIT_OK; /* --help */
	if (rc > 0)
		return rc;
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	he_exposures_load(cli->cfg.exposures_dir, &existing, &d);
	he_diags_free(&d);
	if (argc - optind == 1 && !he_cli_is_portspec(argv[optind]) &&
	    he_exposures_find(&existing, argv[optind]))
		return reapply(cli, &o, &existing, argv[optind]);
	he_exposures_free(&existing);
	rc = resolve(cli, argc - optind, argv + optind, &e, &profile);
	if (rc)
		return rc;
	rc = refuse_dangerous(cli, &e, profile, o.force);
	if (rc)
		return rc;
	e.force = o.force;
	e.router = !o.no_router;
	e.firewall = !o.no_firewall;
	if (o.v4 || o.v6)
		snprintf(e.family, sizeof(e.family), "%s", o.v4 ? "ipv4" : "ipv6");
	if (o.lease >= 0)
		e.lease = (unsigned)o.lease;
	if (o.to)
		snprintf(e.to, sizeof(e.to), "%s", o.to);
	snprintf(e.file, sizeof(e.file), "%.4000s/%s.conf", cli->cfg.exposures_dir, e.name);

	he_exposures_load(cli->cfg.exposures_dir, &existing, &d);
	he_diags_free(&d);
	exists = he_exposures_find(&existing, e.name) != NULL;

	if (o.dry_run) {
		print_plan(cli, &e, exists);
		if (!cli->json)
			rc = dry_run_firewall(cli, &e, &existing);
		he_exposures_free(&existing);
		return rc;
	}
	rc = apply(cli, &o, &e, &existing, exists);
	he_exposures_free(&existing);
	if (rc == HE_EXIT_OK)
		he_cli_notify_agent(cli);
	return rc;
}
