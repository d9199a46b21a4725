/* SPDX-License-Identifier: MIT */
/* homeexpose services [NAME]: the catalog, and the ports never to expose. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "catalog/danger.h"
#include "cli.h"

static void usage(void)
{
	printf("Usage: homeexpose services [--json] [NAME]\n"
	       "\n"
	       "Without NAME, list the service profiles and the ports homeexpose refuses to\n"
	       "expose without --force. With NAME, show one profile, or the /etc/services\n"
	       "entry of that name.\n");
}

/* "ports": the canonical PORTSPEC string; "port_specs": each spec spelled out. */
static void ports_json(json_t *o, const struct he_portlist *l)
{
	char text[HE_PORTSPEC_MAX * 24];
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++) {
		json_array_append_new(
		    a, json_pack("{s:i, s:i, s:i, s:s}", "external_port", l->v[i].ext,
				 "internal_port", l->v[i].in, "last_port",
				 he_portspec_count(&l->v[i]) > 1 ? l->v[i].last : l->v[i].ext,
				 "transport", he_proto_name(l->v[i].proto)));
	}
	he_portlist_format(l, text, sizeof(text));
	json_object_set_new(o, "ports", json_string(text));
	json_object_set_new(o, "port_specs", a);
}

static json_t *profile_json(const struct he_profile *p)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s}", "name", p->name, "title", p->title, "note", p->note);

	ports_json(o, &p->ports);
	json_object_set_new(o, "local_only", json_boolean(p->local_only));
	json_object_set_new(o, "file", json_string(p->file));

	if (p->local_only)
		json_object_set_new(o, "reason", json_string(p->reason));
	return o;
}

static json_t *dangers_json(void)
{
	json_t *a = json_array();

	for (const struct he_danger *d = he_danger_list(); d->lo; d++)
		json_array_append_new(a, json_pack("{s:i, s:i, s:s, s:s, s:s}", "from", d->lo, "to",
						   d->hi, "transport", he_proto_name(d->proto),
						   "service", d->what, "reason", d->reason));
	return a;
}

static int show_all(struct he_cli *cli)
{
	const struct he_catalog *cat = &cli->catalog;
	char ports[256];

	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < cat->n; i++)
			json_array_append_new(a, profile_json(&cat->v[i]));
		he_json_print(
		    json_pack("{s:o, s:o}", "services", a, "refused_ports", dangers_json()));
		return HE_EXIT_OK;
	}
	printf("%-16s %-24s %s\n", "SERVICE", "PORTS", "NOTE");
	for (size_t i = 0; i < cat->n; i++) {
		const struct he_profile *p = &cat->v[i];

		he_portlist_format(&p->ports, ports, sizeof(ports));
		printf("%-16s %-24s %s%s\n", p->name, ports, p->local_only ? "[local only] " : "",
		       p->note);
	}
	printf("\nNever exposed without --force:\n");
	for (const struct he_danger *d = he_danger_list(); d->lo; d++) {
		char range[16];

		if (d->lo == d->hi)
			snprintf(range, sizeof(range), "%u", d->lo);
		else
			snprintf(range, sizeof(range), "%u-%u", d->lo, d->hi);
		printf("  %-12s %-20s %s\n", range, d->what, d->reason);
	}
	return HE_EXIT_OK;
}

static int show_one(struct he_cli *cli, const char *name)
{
	const struct he_profile *p = NULL;
	struct he_portlist ports;
	struct he_error err;
	char origin[PATH_MAX + 64], text[256];

	if (he_service_resolve(&cli->catalog, name, &ports, &p, origin, sizeof(origin), &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		return HE_EXIT_USAGE;
	}
	if (cli->json) {
		if (p)
			he_json_print(profile_json(p));
		else {
			json_t *o = json_pack("{s:s}", "name", name);

			ports_json(o, &ports);
			json_object_set_new(o, "source", json_string("/etc/services"));
			he_json_print(o);
		}
		return HE_EXIT_OK;
	}
	printf("%s%s%s\n", p ? p->name : name, p && *p->title ? ": " : "", p ? p->title : "");
	for (size_t i = 0; i < ports.n; i++) {
		const struct he_danger *d = he_danger_find(ports.v[i].ext, ports.v[i].proto);

		he_portspec_format(&ports.v[i], text, sizeof(text));
		printf("  port %s%s%s\n", text, d ? "  refused without --force: " : "",
		       d ? d->reason : "");
	}
	if (p && *p->note)
		printf("  note: %s\n", p->note);
	if (p && p->local_only)
		printf("  local only: %s\n", p->reason);
	printf("  from: %s\n", origin);
	return HE_EXIT_OK;
}

int cmd_services(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (argc - optind > 1)
		return he_usage_error(cli, "too many arguments");
	if (he_cli_catalog(cli) < 0)
		return HE_EXIT_USAGE;
	return optind < argc ? show_one(cli, argv[optind]) : show_all(cli);
}
