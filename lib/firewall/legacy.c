/* SPDX-License-Identifier: MIT */
/*
 * legacy.c - iptables-legacy: rules nftables cannot show, that still drop.
 *
 * When legacy x_tables exist in this network namespace
 * (/proc/net/ip_tables_names lists "filter"), read `iptables-legacy -S INPUT`
 * and walk it for a new connection to each wanted port. User chains are not
 * followed (a jump makes the verdict uncertain).
 */
#include "firewall/fw_internal.h"

#include "core/spawn.h"
#include "core/portspec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOK 64

static int split(char *line, char **tok)
{
	int n = 0;

	for (char *s = strtok(line, " \t"); s && n < MAX_TOK; s = strtok(NULL, " \t"))
		tok[n++] = s;
	return n;
}

static int ports_has(const char *list, uint16_t port)
{
	char buf[256];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		unsigned a = 0, b = 0;

		if (sscanf(s, "%u:%u", &a, &b) == 2) {
			if (a <= port && port <= b)
				return 1;
		} else if (sscanf(s, "%u", &a) == 1 && a == port) {
			return 1;
		}
	}
	return 0;
}

/* One "-A INPUT ..." line: 0 no match, 1 match, 2 maybe; *target set. */
static int rule_match(char **tok, int n, uint16_t port, unsigned proto, const char **target)
{
	const char *pname = he_proto_name(proto);
	int maybe = 0, neg = 0;

	*target = NULL;
	for (int i = 2; i < n; i++) {
		const char *t = tok[i], *v = i + 1 < n ? tok[i + 1] : "";

		if (!strcmp(t, "!")) {
			neg = 1;
			continue;
		}
		if (!strcmp(t, "-j") || !strcmp(t, "-g")) {
			*target = v;
			i++;
		} else if (!strcmp(t, "-p")) {
			if (!strcmp(v, "all"))
				;
			else if (!!strcmp(v, pname) != neg)
				return 0;
			i++;
		} else if (!strcmp(t, "-i")) {
			if (!strcmp(v, "lo") && !neg)
				return 0;
			if (strcmp(v, "lo"))
				maybe = 1;
			i++;
		} else if (!strcmp(t, "--dport") || !strcmp(t, "--dports") ||
			   !strcmp(t, "--destination-ports")) {
			if (ports_has(v, port) == neg)
				return 0;
			i++;
		} else if (!strcmp(t, "--ctstate") || !strcmp(t, "--state")) {
			if ((strstr(v, "NEW") != NULL) == neg)
				return 0;
			i++;
		} else if (!strcmp(t, "-m") || !strcmp(t, "--comment") || !strcmp(t, "-c")) {
			i++; /* the module's own options decide; a comment does not */
			if (!strcmp(t, "-c"))
				i++;
		} else if (t[0] == '-') {
			maybe = 1; /* -s, -d, --tcp-flags, --limit, ... */
			if (i + 1 < n && tok[i + 1][0] != '-')
				i++;
		}
		neg = 0;
	}
	return maybe ? 2 : 1;
}

void he_fw_legacy_analyze(const char *save, const char *family, const struct he_fw_ports *ports,
			  struct he_fw_report *rep)
{
	int ip6 = family && !strcmp(family, "ip6");

	for (size_t pi = 0; ports && pi < ports->n; pi++) {
		const struct he_fw_port *p = &ports->v[pi];
		char *copy = strdup(save ? save : ""), *line, *sp = NULL;
		int policy_drop = 0, uncertain = 0, done = 0, dropped = 0;
		char where[192] = "";

		if (!copy)
			return;
		for (line = strtok_r(copy, "\n", &sp); line && !done;
		     line = strtok_r(NULL, "\n", &sp)) {
			char *tok[MAX_TOK];
			const char *target;
			int n = split(line, tok), m;

			if (n >= 3 && !strcmp(tok[0], "-P") && !strcmp(tok[1], "INPUT")) {
				policy_drop = !strcmp(tok[2], "DROP");
				continue;
			}
			if (n < 2 || strcmp(tok[0], "-A") || strcmp(tok[1], "INPUT"))
				continue;
			m = rule_match(tok, n, p->port, p->proto, &target);
			if (!m || !target)
				continue;
			if (!strcmp(target, "ACCEPT")) {
				if (m == 1)
					done = 1;
				else
					uncertain = 1;
			} else if (!strcmp(target, "DROP") || !strcmp(target, "REJECT")) {
				if (m == 1) {
					done = dropped = 1;
					snprintf(where, sizeof(where), "a -j %s rule in INPUT",
						 target);
				}
			} else if (strcmp(target, "LOG") && strcmp(target, "RETURN")) {
				uncertain = 1; /* a user chain we do not follow */
			}
		}
		free(copy);
		if (!done && policy_drop) {
			dropped = 1;
			snprintf(where, sizeof(where), "policy DROP of INPUT");
		}
		if (dropped) {
			struct he_fw_shadow s = {0};

			s.port = p->port;
			s.proto = p->proto;
			s.certain = !uncertain;
			snprintf(s.family, sizeof(s.family), "%s", ip6 ? "ip6" : "ip");
			snprintf(s.table, sizeof(s.table), "filter");
			snprintf(s.chain, sizeof(s.chain), "INPUT");
			snprintf(s.where, sizeof(s.where), "%s", where);
			snprintf(s.owner, sizeof(s.owner), "iptables-legacy");
			snprintf(s.fix, sizeof(s.fix), "%s -I INPUT -p %s --dport %u -j ACCEPT",
				 ip6 ? "ip6tables-legacy" : "iptables-legacy",
				 he_proto_name(p->proto), p->port);
			if (he_fw_report_add_shadow(rep, &s) < 0)
				return;
		}
	}
}

static int has_legacy_filter(const char *path)
{
	char line[64];
	FILE *f = fopen(path, "re");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		found |= !strcmp(line, "filter\n") || !strcmp(line, "filter");
	fclose(f);
	return found;
}

int he_fw_legacy_check(const struct he_fw_ports *ports, struct he_fw_report *rep,
		       struct he_error *err)
{
	static const struct {
		const char *names, *tool, *family;
	} fams[] = {
	    {"/proc/net/ip_tables_names", "iptables-legacy", "ip"},
	    {"/proc/net/ip6_tables_names", "ip6tables-legacy", "ip6"},
	};

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		const char *argv[] = {fams[i].tool, "-w", "5", "-S", "INPUT", NULL};
		struct he_spawn_result res;
		struct he_error e2 = {0};

		if (!has_legacy_filter(fams[i].names))
			continue;
		int rc = he_spawn_run(argv, 5000, &res, &e2);

		if (rc == 0 && res.exit_code == 0) {
			he_fw_legacy_analyze(res.out, fams[i].family, ports, rep);
			he_spawn_result_free(&res);
			continue;
		}
		if (rc == 0)
			he_spawn_result_free(&res);
		he_fw_report_note(rep,
				  "iptables-legacy filter tables exist but could not be read (%s): "
				  "their rules still apply; check `%s -S INPUT`",
				  rc < 0 ? e2.msg : "the tool failed", fams[i].tool);
	}
	(void)err;
	return 0;
}
