/* SPDX-License-Identifier: MIT */
/*
 * fw-driver.c - a small test driver for lib/firewall until the CLI is wired.
 *
 * usage: fw-driver [-b BACKEND] [-n] apply|remove|verify [NAME:PORT[/tcp|/udp|/both] ...]
 *        fw-driver ruleset   (the JSON ruleset as the analysis reads it, xt annotated)
 * The arguments are the FULL desired state. verify prints one line per fact:
 *   backend B / present 0|1 / in_sync 0|1 / missing PORT/PROTO COMMENT /
 *   extra PORT/PROTO COMMENT / shadow certain|maybe PORT/PROTO FAMILY TABLE CHAIN OWNER : WHERE :
 * FIX note TEXT Exit: 0 ok, 1 operation failed (message on stderr), 2 usage.
 */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_arg(struct he_fw_desired *d, const char *arg, struct he_error *err)
{
	char name[HE_FW_NAME_MAX];
	const char *colon = strchr(arg, ':');
	struct he_portspec ps;
	size_t n;
	int rc;

	if (!colon || (n = (size_t)(colon - arg)) >= sizeof(name))
		return he_error_set(err, -EINVAL, "want NAME:PORTSPEC, got '%s'", arg);
	memcpy(name, arg, n);
	name[n] = '\0';
	rc = he_portspec_parse(colon + 1, &ps, err);
	if (rc < 0)
		return rc;
	return he_fw_desired_add(d, name, ps.in, ps.proto, err);
}

int main(int argc, char **argv)
{
	const char *backend = "auto";
	struct he_fw_desired d = {0};
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	unsigned flags = 0;
	char *text = NULL;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "b:n")) != -1) {
		if (opt == 'b')
			backend = optarg;
		else if (opt == 'n')
			flags |= HE_FW_DRY_RUN;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(
		    stderr,
		    "usage: fw-driver [-b BACKEND] [-n] apply|remove|verify [NAME:PORTSPEC...]\n");
		return 2;
	}
	for (int i = optind + 1; i < argc; i++) {
		if (parse_arg(&d, argv[i], &err) < 0) {
			fprintf(stderr, "fw-driver: %s\n", err.msg);
			return 2;
		}
	}
	if (!strcmp(argv[optind], "ruleset")) {
		rc = he_nft_list_ruleset(&text, &err);
		if (rc == 0)
			puts(text);
		goto fail;
	}
	rc = he_firewall_open(backend, &fw, &err);
	if (rc < 0)
		goto fail;
	if (!strcmp(argv[optind], "apply") || !strcmp(argv[optind], "remove")) {
		if (!strcmp(argv[optind], "apply"))
			rc = he_firewall_apply(fw, &d, flags, &text, &err);
		else
			rc = he_firewall_remove(fw, flags, &text, &err);
		if (rc < 0)
			goto fail;
		if (text)
			fputs(text, stdout);
	} else if (!strcmp(argv[optind], "verify")) {
		struct he_fw_report r;

		rc = he_firewall_verify(fw, &d, &r, &err);
		if (rc < 0)
			goto fail;
		printf("backend %s\npresent %d\nin_sync %d\n", r.backend, r.present, r.in_sync);
		for (size_t i = 0; i < r.n_missing; i++)
			printf("missing %u/%s %s\n", r.missing[i].port,
			       he_proto_name(r.missing[i].proto), r.missing[i].comment);
		for (size_t i = 0; i < r.n_extra; i++)
			printf("extra %u/%s %s\n", r.extra[i].port, he_proto_name(r.extra[i].proto),
			       r.extra[i].comment);
		for (size_t i = 0; i < r.n_shadow; i++) {
			const struct he_fw_shadow *s = &r.shadow[i];

			printf("shadow %s %u/%s %s %s %s %s : %s : %s\n",
			       s->certain ? "certain" : "maybe", s->port, he_proto_name(s->proto),
			       s->family, s->table, s->chain, s->owner, s->where, s->fix);
		}
		for (size_t i = 0; i < r.n_notes; i++)
			printf("note %s\n", r.notes[i]);
		he_fw_report_free(&r);
	} else {
		fprintf(stderr, "fw-driver: unknown command '%s'\n", argv[optind]);
		rc = -EINVAL;
	}
fail:
	if (rc < 0)
		fprintf(stderr, "fw-driver: %s\n", err.msg);
	free(text);
	he_firewall_close(fw);
	he_fw_desired_free(&d);
	return rc < 0 ? 1 : 0;
}
