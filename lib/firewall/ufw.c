/* SPDX-License-Identifier: MIT */
/*
 * ufw.c - open ports through ufw where ufw manages the host.
 *
 * One ufw rule per (port, protocol): `ufw allow 8443/tcp comment
 * 'homeexpose:a,b'` (ufw updates the comment of an existing rule in place);
 * a port range is one rule `ufw allow 60000:60100/udp` (ufw's range syntax).
 * Rules homeexpose placed are found again by their comment in `ufw show
 * added`; a rule the administrator added for the same port is left alone.
 * ufw has no transactions: the commands run one by one; on a failure the
 * rules this call added are deleted again.
 */
#include "firewall/fw_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define UFW_TIMEOUT_MS 30000
#define UFW_DIR        "/etc/ufw"

static const char *const ufw_denied[] = {"need to be root", "ermission denied", NULL};
static const struct he_fw_tool ufw_tool = {
    .missing = "ufw is not installed (apt install ufw), or choose another [firewall] backend",
    .what = "changing ufw rules",
    .denied = ufw_denied,
    .timeout_ms = UFW_TIMEOUT_MS,
};

static int ufw_run(const char *const argv[], char **out, struct he_error *err)
{
	return he_fw_tool_run(&ufw_tool, argv, out, err);
}

/* ENABLED=yes in ufw's own configuration: 1, 0, or -ENOENT (ufw not installed). */
int he_ufw_conf_enabled(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");
	int on = 0;

	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "ENABLED=", 8)) {
			p += 8;
			if (*p == '"' || *p == '\'')
				p++;
			on = !strncasecmp(p, "yes", 3);
		}
	}
	fclose(f);
	return on;
}

/*
 * Without running ufw (a Python program, which itself runs iptables): its
 * configuration says ENABLED=yes and, when the ruleset can be read, its
 * chains are loaded.
 */
static const char *ufw_dir(const struct he_fw_options *o)
{
	return o && o->ufw_dir ? o->ufw_dir : UFW_DIR;
}

static int ufw_detect(const struct he_fw_options *o, struct he_error *err)
{
	char path[512];
	int on;
	char *json = NULL;

	snprintf(path, sizeof(path), "%s/ufw.conf", ufw_dir(o));
	on = he_ufw_conf_enabled(path);
	if (on == -ENOENT)
		return he_error_set(err, -ENOENT,
				    "ufw is not installed (no %s; apt install ufw), or choose "
				    "another [firewall] backend",
				    path);
	if (on <= 0 || !he_fw_have_net_admin())
		return on;
	if (he_nft_list_ruleset(&json, NULL) < 0)
		return on;
	on = he_nft_ruleset_has_ufw(json, strlen(json));
	free(json);
	return on;
}

/* "PORT" or "FIRST:LAST" (ufw's range): 1 with *port (and *last, else 0). */
static int ufw_port_spec(const char *s, unsigned *port, unsigned *last)
{
	size_t n = strspn(s, "0123456789");

	*last = 0;
	if (n == 0 || n > 5 || sscanf(s, "%u", port) != 1 || *port == 0 || *port > 65535)
		return 0;
	if (s[n] == '\0')
		return 1;
	if (s[n] != ':' || strspn(s + n + 1, "0123456789") != strlen(s + n + 1) ||
	    strlen(s + n + 1) == 0 || strlen(s + n + 1) > 5 || sscanf(s + n + 1, "%u", last) != 1 ||
	    *last <= *port || *last > 65535)
		return 0;
	return 1;
}

void he_ufw_tuple_to_added(const char *line, struct he_fw_text *t)
{
	char act[16], proto[8], dport[16], dst[64], sport[16], src[64], dir[16], rest[300] = "";
	char comment[HE_FW_COMMENT_MAX] = "";
	unsigned port, last = 0;
	int any;

	if (sscanf(line, "### tuple ### %15s %7s %15s %63s %15s %63s %15s %299[^\n]", act, proto,
		   dport, dst, sport, src, dir, rest) < 7)
		return;
	any = (!strcmp(dst, "0.0.0.0/0") || !strcmp(dst, "::/0")) && !strcmp(src, dst);
	if (strcmp(act, "allow") || (strcmp(proto, "tcp") && strcmp(proto, "udp")) ||
	    !ufw_port_spec(dport, &port, &last) || strcmp(sport, "any") || !any ||
	    strcmp(dir, "in")) {
		he_fw_text_add(t, "ufw other\n"); /* restricted: not a rule of ours */
		return;
	}
	if (!strncmp(rest, "comment=", 8)) {
		const char *h = rest + 8;
		size_t k = 0;

		while (isxdigit((unsigned char)h[0]) && isxdigit((unsigned char)h[1]) &&
		       k + 1 < sizeof(comment)) {
			unsigned b;

			sscanf(h, "%2x", &b);
			comment[k++] = (char)b;
			h += 2;
		}
		comment[k] = '\0';
	}
	{
		char want[HE_FW_COMMENT_MAX + 48], spec[16];

		if (last)
			snprintf(spec, sizeof(spec), "%u:%u", port, last);
		else
			snprintf(spec, sizeof(spec), "%u", port);
		if (comment[0])
			snprintf(want, sizeof(want), "ufw allow %s/%s comment '%s'\n", spec, proto,
				 comment);
		else
			snprintf(want, sizeof(want), "ufw allow %s/%s\n", spec, proto);
		if (!t->p || !strstr(t->p, want)) /* once for both IP versions */
			he_fw_text_add(t, "%s", want);
	}
}

/* Parse "ufw allow 8443/tcp comment 'homeexpose:a'" lines from `ufw show added`. */
int he_ufw_parse_added(const char *text, struct he_ufw_rule **out, size_t *n)
{
	struct he_ufw_rule *v = NULL;
	size_t k = 0;
	const char *line = text;

	*out = NULL;
	*n = 0;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[512], spec[16] = "", proto[8] = "", *c;
		unsigned port = 0, last = 0;
		int used = 0;

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = eol ? eol + 1 : NULL;
		if (sscanf(buf, "ufw allow %15[0-9:]/%7[a-z]%n", spec, proto, &used) != 2 ||
		    !ufw_port_spec(spec, &port, &last) ||
		    (strcmp(proto, "tcp") && strcmp(proto, "udp")))
			continue;
		if (buf[used] != '\0' && strncmp(buf + used, " comment '", 10))
			continue; /* from/to/interface restrictions: not a rule of ours */
		{
			struct he_ufw_rule *nv = realloc(v, (k + 1) * sizeof(*nv));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		memset(&v[k], 0, sizeof(v[k]));
		v[k].port = (uint16_t)port;
		v[k].last = (uint16_t)(last ? last : port);
		v[k].proto = !strcmp(proto, "udp") ? HE_PROTO_UDP : HE_PROTO_TCP;
		if (buf[used] != '\0') {
			snprintf(v[k].comment, sizeof(v[k].comment), "%s", buf + used + 10);
			c = strrchr(v[k].comment, '\'');
			if (c)
				*c = '\0';
		}
		v[k].ours = !strncmp(v[k].comment, HE_FW_TAG, strlen(HE_FW_TAG));
		k++;
	}
	*out = v;
	*n = k;
	return 0;
}

static const struct he_ufw_rule *find_rule(const struct he_ufw_rule *r, size_t n, uint16_t port,
					   unsigned proto)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].port <= port && port <= r[i].last && r[i].proto == proto)
			return &r[i];
	}
	return NULL;
}

/* Append FILE's "### tuple ###" lines to t as `ufw show added` lines. */
static int read_tuples(const char *file, struct he_fw_text *t)
{
	char line[1024];
	FILE *f = fopen(file, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		he_ufw_tuple_to_added(line, t);
	fclose(f);
	return 0;
}

/*
 * The rules ufw holds, from its own files (user.rules, user6.rules), without
 * running ufw: what `ufw show added` would print.
 */
static int ufw_current(const struct he_fw_options *o, struct he_ufw_rule **rules, size_t *n,
		       struct he_error *err)
{
	struct he_fw_text t = {0};
	char path[512], path6[512], *text;
	int rc;

	snprintf(path, sizeof(path), "%s/user.rules", ufw_dir(o));
	snprintf(path6, sizeof(path6), "%s/user6.rules", ufw_dir(o));
	rc = read_tuples(path, &t);
	if (rc == -EACCES || rc == -EPERM) {
		free(he_fw_text_take(&t));
		return he_fw_eperm(err, "reading ufw's rules (user.rules)");
	}
	if (rc < 0) {
		free(he_fw_text_take(&t));
		return he_error_set(err, rc, "cannot read %s: %s", path, strerror(-rc));
	}
	read_tuples(path6, &t); /* absent when IPV6=no */
	text = he_fw_text_take(&t);
	if (!text)
		return he_error_set(err, -ENOMEM, "out of memory");
	rc = he_ufw_parse_added(text, rules, n);
	free(text);
	if (rc < 0)
		return he_error_set(err, rc, "out of memory");
	return 0;
}

struct ufw_cmd {
	char spec[24];
	char comment[HE_FW_COMMENT_MAX];
	int del;
};

/* The index of our rule for exactly port..last/proto, or n. */
static size_t exact_rule(const struct he_ufw_rule *r, size_t n, uint16_t port, uint16_t last,
			 unsigned proto)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].ours && r[i].port == port && r[i].last == last && r[i].proto == proto)
			return i;
	}
	return n;
}

/* 1 when the administrator's own rules open every port of port..last/proto. */
static int admin_covers(const struct he_ufw_rule *r, size_t n, uint16_t port, uint16_t last,
			unsigned proto)
{
	for (unsigned p = port; p <= last; p++) {
		size_t i;

		for (i = 0; i < n; i++) {
			if (!r[i].ours && r[i].port <= p && p <= r[i].last && r[i].proto == proto)
				break;
		}
		if (i == n)
			return 0;
	}
	return 1;
}

static void spec_of(char *buf, size_t size, uint16_t port, uint16_t last, unsigned proto)
{
	if (last != port)
		snprintf(buf, size, "%u:%u/%s", port, last, he_proto_name(proto));
	else
		snprintf(buf, size, "%u/%s", port, he_proto_name(proto));
}

/*
 * Mark in keep[] our rules that are exactly one wanted run (a port or a
 * range, any comment); put in cmds the `allow` for each run not in place.
 */
static size_t plan_adds(const struct he_fw_ports *ports, const struct he_ufw_rule *rules,
			size_t nrules, unsigned char *keep, struct ufw_cmd *cmds)
{
	size_t ncmd = 0;

	for (size_t i = 0; i < ports->n; i++) {
		const struct he_fw_port *p = &ports->v[i];
		size_t j = he_fw_ports_run_end(ports, i);
		uint16_t last = ports->v[j].port;
		size_t r = exact_rule(rules, nrules, p->port, last, p->proto);

		i = j;
		if (r < nrules)
			keep[r] = 1;
		if (r < nrules ? !strcmp(rules[r].comment, p->comment)
			       : admin_covers(rules, nrules, p->port, last, p->proto))
			continue; /* in place, or the administrator's own rules open it */
		spec_of(cmds[ncmd].spec, sizeof(cmds[ncmd].spec), p->port, last, p->proto);
		snprintf(cmds[ncmd].comment, sizeof(cmds[ncmd].comment), "%s", p->comment);
		ncmd++;
	}
	return ncmd;
}

static void cmd_argv(const struct ufw_cmd *c, const char **argv)
{
	size_t k = 0;

	argv[k++] = "ufw";
	if (c->del)
		argv[k++] = "delete";
	argv[k++] = "allow";
	argv[k++] = c->spec;
	if (!c->del) {
		argv[k++] = "comment";
		argv[k++] = c->comment;
	}
	argv[k] = NULL;
}

static int ufw_apply(const struct he_fw_env *env, const struct he_fw_desired *d,
		     const struct he_fw_ports *ports, unsigned flags, char **dry_run_text,
		     struct he_error *err)
{
	struct he_ufw_rule *rules = NULL;
	struct ufw_cmd *cmds = NULL;
	unsigned char *keep = NULL;
	size_t nrules = 0, ncmd;
	int rc;

	if (!(flags & HE_FW_DRY_RUN) && geteuid() != 0)
		return he_fw_eperm(err, "changing ufw rules");
	rc = ufw_current(env->opt, &rules, &nrules, err);
	if (rc < 0)
		return rc;
	cmds = calloc(ports->n + nrules + 1, sizeof(*cmds));
	keep = calloc(nrules + 1, 1);
	if (!cmds || !keep) {
		free(rules);
		free(cmds);
		free(keep);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	ncmd = plan_adds(ports, rules, nrules, keep, cmds);
	/* our rules that are no longer exactly a wanted port or range */
	for (size_t i = 0; i < nrules; i++) {
		if (!rules[i].ours || keep[i])
			continue;
		spec_of(cmds[ncmd].spec, sizeof(cmds[ncmd].spec), rules[i].port, rules[i].last,
			rules[i].proto);
		cmds[ncmd].del = 1;
		ncmd++;
	}
	free(rules);
	free(keep);

	if (flags & HE_FW_DRY_RUN) {
		struct he_fw_text t = {0};

		for (size_t i = 0; i < ncmd; i++) {
			const char *argv[8];

			cmd_argv(&cmds[i], argv);
			he_fw_text_argv(&t, argv);
		}
		free(cmds);
		if (dry_run_text && !(*dry_run_text = he_fw_text_take(&t)))
			return he_error_set(err, -ENOMEM, "out of memory");
		free(he_fw_text_take(&t));
		return 0;
	}
	for (size_t i = 0; i < ncmd; i++) {
		const char *argv[8];

		cmd_argv(&cmds[i], argv);
		rc = ufw_run(argv, NULL, err);
		if (rc < 0) {
			/* undo the rules this call added (best effort) */
			for (size_t j = 0; j < i; j++) {
				struct ufw_cmd undo = cmds[j];
				const char *uargv[8];

				if (undo.del)
					continue;
				undo.del = 1;
				cmd_argv(&undo, uargv);
				ufw_run(uargv, NULL, NULL);
			}
			break;
		}
	}
	free(cmds);
	return rc;
}

static int ufw_verify(const struct he_fw_env *env, const struct he_fw_desired *d,
		      const struct he_fw_ports *ports, struct he_fw_report *rep,
		      struct he_error *err)
{
	struct he_ufw_rule *rules = NULL;
	size_t nrules = 0;
	char *json = NULL;
	int rc, sync = 1;

	rc = ufw_current(env->opt, &rules, &nrules, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < ports->n; i++) {
		const struct he_ufw_rule *r =
		    find_rule(rules, nrules, ports->v[i].port, ports->v[i].proto);

		if (!r) {
			sync = 0;
			if (he_fw_report_add_missing(rep, &ports->v[i]) < 0)
				goto oom;
		} else if (r->ours && strcmp(r->comment, ports->v[i].comment)) {
			sync = 0;
		}
	}
	for (size_t i = 0; i < nrules; i++) {
		if (!rules[i].ours)
			continue;
		rep->present = 1;
		for (unsigned p = rules[i].port; p <= rules[i].last; p++) {
			if (he_fw_ports_find(ports, (uint16_t)p, rules[i].proto))
				continue;
			sync = 0;
			if (he_fw_report_add_extra(rep, (uint16_t)p, rules[i].proto,
						   rules[i].comment) < 0)
				goto oom;
		}
	}
	/* a range kept as other rules (one per port, or another range): apply redoes it */
	for (size_t i = 0; sync && i < ports->n; i++) {
		size_t j = he_fw_ports_run_end(ports, i);

		if (exact_rule(rules, nrules, ports->v[i].port, ports->v[j].port,
			       ports->v[i].proto) == nrules &&
		    !admin_covers(rules, nrules, ports->v[i].port, ports->v[j].port,
				  ports->v[i].proto))
			sync = 0;
		i = j;
	}
	free(rules);
	rules = NULL;
	rep->in_sync = sync;
	if (ufw_detect(env->opt, NULL) == 0)
		he_fw_report_note(rep, "ufw is installed but not active: its rules do nothing "
				       "until `ufw enable`");
	/* other nftables tables still apply; ufw's own are checked above */
	if (he_nft_list_ruleset(&json, NULL) == 0) {
		rc = he_nft_analyze(json, strlen(json), ports, HE_NFT_SKIP_OWN | HE_NFT_SKIP_UFW,
				    &env->view, rep, err);
		free(json);
		if (rc < 0)
			return rc;
	}
	return 0;
oom:
	free(rules);
	return he_error_set(err, -ENOMEM, "out of memory");
}

const struct he_fw_backend he_fw_backend_ufw = {
    .name = HE_FW_NAME_UFW,
    .why = "ufw is enabled (/etc/ufw/ufw.conf ENABLED=yes, its chains loaded)",
    .detect = ufw_detect,
    .apply = ufw_apply,
    .verify = ufw_verify,
};
