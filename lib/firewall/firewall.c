/* SPDX-License-Identifier: MIT */
/* firewall.c - the backend table, the desired state and the public calls. */
#include "firewall/fw_internal.h"

#include "net/route.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

struct he_firewall {
	const struct he_fw_backend *be;
	struct he_fw_options opt; /* mark never 0; backend not kept */
	char why[160];
};

/* The environment of one backend call; VERIFY: also learn the WAN interface. */
static void env_init(const struct he_firewall *fw, const struct he_fw_desired *d, int verify,
		     struct he_fw_env *env)
{
	struct he_route_info ri;

	memset(env, 0, sizeof(*env));
	env->opt = &fw->opt;
	env->view.families = d ? d->families : 0;
	if (fw->be->caps & HE_FW_CAP_MARK_INTEGRATE) {
		env->view.mark = fw->opt.mark;
		env->view.mark_prio = HE_NFT_MARK_PRIO;
	}
	if (verify && he_route_default(AF_INET, &ri, NULL) == 0) {
		snprintf(env->wan_if, sizeof(env->wan_if), "%s", ri.ifname);
		env->view.wan_if = env->wan_if;
	}
}

/* In the order "auto" tries them; nftables is the fallback. */
static const struct he_fw_backend *const backends[] = {
    &he_fw_backend_ufw,
    &he_fw_backend_firewalld,
    &he_fw_backend_nftables,
    &he_fw_backend_none,
};

const char *const he_firewall_backend_words[] = {
    "auto", HE_FW_NAME_NFTABLES, HE_FW_NAME_UFW, HE_FW_NAME_FIREWALLD, HE_FW_NAME_NONE, NULL};

unsigned he_fw_families(const char *family)
{
	if (family && !strcmp(family, "ipv4"))
		return HE_FW_IPV4;
	if (family && !strcmp(family, "ipv6"))
		return HE_FW_IPV6;
	return 0;
}

int he_fw_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return 0;
	n = strlen(name);
	if (n == 0 || n >= HE_FW_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

int he_fw_desired_add(struct he_fw_desired *d, const char *name, uint16_t port, unsigned proto,
		      struct he_error *err)
{
	if (!he_fw_name_valid(name))
		return he_error_set(err, -EINVAL,
				    "exposure name '%s' is not usable in firewall rules: use 1-63 "
				    "letters, digits, '-', '_' or '.'",
				    name ? name : "");
	if (port == 0)
		return he_error_set(err, -EINVAL, "port 0 cannot be opened");
	if (proto == 0 || (proto & ~(unsigned)HE_PROTO_BOTH))
		return he_error_set(err, -EINVAL, "bad protocol %u (want tcp, udp or both)", proto);
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].port == port && d->v[i].proto == proto && !strcmp(d->v[i].name, name))
			return 0;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct he_fw_rule *nv = realloc(d->v, cap * sizeof(*nv));

		if (!nv)
			return he_error_set(err, -ENOMEM, "out of memory");
		d->v = nv;
		d->cap = cap;
	}
	memset(&d->v[d->n], 0, sizeof(d->v[d->n]));
	strcpy(d->v[d->n].name, name); /* length checked above */
	d->v[d->n].port = port;
	d->v[d->n].proto = proto;
	d->n++;
	return 0;
}

int he_fw_desired_add_list(struct he_fw_desired *d, const char *name,
			   const struct he_portlist *ports, struct he_error *err)
{
	for (size_t i = 0; ports && i < ports->n; i++) {
		/* a range FIRST-LAST opens each of its ports */
		for (unsigned k = 0; k < he_portspec_count(&ports->v[i]); k++) {
			const struct he_portspec one = he_portspec_at(&ports->v[i], k);
			int rc = he_fw_desired_add(d, name, one.in, one.proto, err);

			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

void he_fw_desired_free(struct he_fw_desired *d)
{
	if (!d)
		return;
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

static int port_cmp(const void *a, const void *b)
{
	const struct he_fw_port *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return (int)x->port - (int)y->port;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Build "homeexpose:a,b" from the names wanting (port, proto), sorted, unique. */
static void make_comment(const struct he_fw_desired *d, uint16_t port, unsigned proto, char *buf,
			 size_t len, const char **names)
{
	size_t k = 0, off;

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].port == port && (d->v[i].proto & proto))
			names[k++] = d->v[i].name;
	}
	qsort(names, k, sizeof(*names), str_cmp);
	off = (size_t)snprintf(buf, len, "%s", HE_FW_TAG);
	for (size_t i = 0; i < k; i++) {
		size_t need;

		if (i > 0 && !strcmp(names[i], names[i - 1]))
			continue;
		need = strlen(names[i]) + (off > strlen(HE_FW_TAG) ? 1 : 0);
		if (off + need + 4 >= len) { /* keep room for "..." */
			snprintf(buf + off, len - off, "...");
			return;
		}
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off > strlen(HE_FW_TAG) ? "," : "", names[i]);
	}
}

int he_fw_ports_from_desired(const struct he_fw_desired *d, struct he_fw_ports *out,
			     struct he_error *err)
{
	struct he_fw_ports p = {0};
	const char **names = NULL;
	size_t n = d ? d->n : 0;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	p.v = calloc(2 * n, sizeof(*p.v));
	names = calloc(n, sizeof(*names));
	if (!p.v || !names) {
		free(p.v);
		free(names);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		for (unsigned pr = HE_PROTO_TCP; pr <= HE_PROTO_UDP; pr <<= 1) {
			if (!(d->v[i].proto & pr) || he_fw_ports_find(&p, d->v[i].port, pr))
				continue;
			p.v[p.n].port = d->v[i].port;
			p.v[p.n].proto = pr;
			make_comment(d, d->v[i].port, pr, p.v[p.n].comment,
				     sizeof(p.v[p.n].comment), names);
			p.n++;
		}
	}
	free(names);
	qsort(p.v, p.n, sizeof(*p.v), port_cmp);
	*out = p;
	return 0;
}

void he_fw_ports_free(struct he_fw_ports *p)
{
	if (!p)
		return;
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

size_t he_fw_ports_run_end(const struct he_fw_ports *p, size_t i)
{
	size_t j = i;

	/* p is sorted by protocol, then port */
	while (j + 1 < p->n && p->v[j + 1].proto == p->v[i].proto &&
	       p->v[j + 1].port == p->v[j].port + 1 &&
	       !strcmp(p->v[j + 1].comment, p->v[i].comment))
		j++;
	return j;
}

const struct he_fw_port *he_fw_ports_find(const struct he_fw_ports *p, uint16_t port,
					  unsigned proto)
{
	for (size_t i = 0; p && i < p->n; i++) {
		if (p->v[i].port == port && p->v[i].proto == proto)
			return &p->v[i];
	}
	return NULL;
}

int he_fw_options_integrate(struct he_fw_options *o, const char *text, struct he_error *err)
{
	char f[16] = "", t[80] = "", c[80] = "", extra[2] = "";
	int n = text ? sscanf(text, "%15s %79s %79s %1s", f, t, c, extra) : 0;

	o->integrate_family[0] = o->integrate_table[0] = o->integrate_chain[0] = '\0';
	if (n <= 0)
		return 0;
	if (n != 3 || strlen(t) >= sizeof(o->integrate_table) ||
	    strlen(c) >= sizeof(o->integrate_chain) ||
	    (strcmp(f, "inet") && strcmp(f, "ip") && strcmp(f, "ip6")))
		return he_error_set(err, -EINVAL,
				    "[firewall] integrate = '%s': want FAMILY TABLE CHAIN, e.g. "
				    "'inet filter input' (family inet, ip or ip6)",
				    text);
	snprintf(o->integrate_family, sizeof(o->integrate_family), "%s", f);
	snprintf(o->integrate_table, sizeof(o->integrate_table), "%s", t);
	snprintf(o->integrate_chain, sizeof(o->integrate_chain), "%s", c);
	return 0;
}

uint32_t he_firewall_mark(const struct he_firewall *fw)
{
	return fw ? fw->opt.mark : HE_FW_MARK_DEFAULT;
}

int he_firewall_open(const char *name, struct he_firewall **out, struct he_error *err)
{
	struct he_fw_options o = {.backend = name};

	return he_firewall_open_opts(&o, out, err);
}

int he_firewall_open_opts(const struct he_fw_options *o, struct he_firewall **out,
			  struct he_error *err)
{
	const struct he_fw_backend *be = NULL;
	struct he_firewall *fw;
	const char *name = o->backend;

	if (!name || !*name)
		name = "auto";
	if (!strcmp(name, "auto")) {
		for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
			struct he_error e2 = {0};

			if (!backends[i]->detect || backends[i]->detect(o, &e2) > 0) {
				be = backends[i];
				break;
			}
		}
	} else {
		for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
			if (!strcmp(backends[i]->name, name))
				be = backends[i];
		}
		if (!be)
			return he_error_set(err, -EINVAL,
					    "unknown firewall backend '%s': use auto, nftables, "
					    "ufw, firewalld or none ([firewall] backend)",
					    name);
		if (be->detect) {
			int rc = be->detect(o, err);

			if (rc == -ENOENT)
				return rc;
		}
	}
	if (!be)
		be = &he_fw_backend_nftables;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return he_error_set(err, -ENOMEM, "out of memory");
	fw->be = be;
	if (strcmp(name, "auto"))
		snprintf(fw->why, sizeof(fw->why), "[firewall] backend = %s", name);
	else
		snprintf(fw->why, sizeof(fw->why), "auto: %s", be->why ? be->why : "");
	fw->opt = *o;
	fw->opt.backend = NULL;
	if (!fw->opt.mark)
		fw->opt.mark = HE_FW_MARK_DEFAULT;
	he_error_clear(err);
	*out = fw;
	return 0;
}

const char *he_firewall_why(const struct he_firewall *fw)
{
	return fw ? fw->why : "";
}

const char *he_firewall_backend(const struct he_firewall *fw)
{
	return fw && fw->be ? fw->be->name : "none";
}

int he_firewall_apply(struct he_firewall *fw, const struct he_fw_desired *desired, unsigned flags,
		      char **dry_run_text, struct he_error *err)
{
	struct he_fw_ports ports;
	struct he_fw_env env;
	int rc;

	if (!fw)
		return he_error_set(err, -EINVAL, "firewall not open");
	rc = he_fw_ports_from_desired(desired, &ports, err);
	if (rc < 0)
		return rc;
	env_init(fw, desired, 0, &env);
	rc = fw->be->apply(&env, desired, &ports, flags, dry_run_text, err);
	he_fw_ports_free(&ports);
	return rc;
}

int he_firewall_remove(struct he_firewall *fw, unsigned flags, char **dry_run_text,
		       struct he_error *err)
{
	struct he_fw_desired none = {0};

	return he_firewall_apply(fw, &none, flags, dry_run_text, err);
}

int he_firewall_verify(struct he_firewall *fw, const struct he_fw_desired *desired,
		       struct he_fw_report *rep, struct he_error *err)
{
	struct he_fw_ports ports;
	struct he_fw_env env;
	int rc;

	if (!fw || !rep)
		return he_error_set(err, -EINVAL, "firewall not open");
	memset(rep, 0, sizeof(*rep));
	rc = he_fw_ports_from_desired(desired, &ports, err);
	if (rc < 0)
		return rc;
	snprintf(rep->backend, sizeof(rep->backend), "%s", fw->be->name);
	env_init(fw, desired, 1, &env);
	rc = fw->be->verify(&env, desired, &ports, rep, err);
	he_fw_ports_free(&ports);
	if (rc < 0)
		he_fw_report_free(rep);
	return rc;
}

void he_firewall_close(struct he_firewall *fw)
{
	free(fw);
}

/* --- the "none" backend: changes nothing, still reports what would block --- */

static int none_apply(const struct he_fw_env *env, const struct he_fw_desired *d,
		      const struct he_fw_ports *ports, unsigned flags, char **dry_run_text,
		      struct he_error *err)
{
	if (dry_run_text && (flags & HE_FW_DRY_RUN)) {
		*dry_run_text = strdup("");
		if (!*dry_run_text)
			return he_error_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int none_verify(const struct he_fw_env *env, const struct he_fw_desired *d,
		       const struct he_fw_ports *ports, struct he_fw_report *rep,
		       struct he_error *err)
{
	char *json = NULL;
	int rc;

	rep->in_sync = 1;
	rc = he_nft_list_ruleset(&json, err);
	if (rc < 0)
		return rc;
	rc = he_nft_analyze(json, strlen(json), ports, HE_NFT_SKIP_OWN, &env->view, rep, err);
	free(json);
	if (rc < 0)
		return rc;
	return he_fw_legacy_check(ports, rep, err);
}

const struct he_fw_backend he_fw_backend_none = {
    .name = HE_FW_NAME_NONE,
    .why = "never chosen by auto",
    .detect = NULL,
    .apply = none_apply,
    .verify = none_verify,
};

/* --- integration with another table's chain (nftables only) --- */

static int integrate_check(const struct he_firewall *fw, struct he_error *err)
{
	if (!fw)
		return he_error_set(err, -EINVAL, "firewall not open");
	if (!(fw->be->caps & HE_FW_CAP_MARK_INTEGRATE))
		return he_error_set(err, -ENOTSUP,
				    "integration is for the nftables backend (in use: %s): ufw and "
				    "firewalld open ports in their own rules",
				    fw->be->name);
	if (!he_fw_have_net_admin())
		return he_fw_eperm(err, "changing another nftables table");
	return 0;
}

int he_firewall_integrate_persist(struct he_firewall *fw, const char *family, const char *table,
				  const char *chain, int remove, char *written, size_t n,
				  struct he_error *err)
{
	int rc = integrate_check(fw, err);
	const char *conf = fw && fw->opt.nftables_conf && *fw->opt.nftables_conf
			       ? fw->opt.nftables_conf
			       : "/etc/nftables.conf";

	if (rc < 0)
		return rc;
	return he_nft_persist(fw->opt.mark, family, table, chain, remove, conf, written, n, err);
}

int he_firewall_integrate(struct he_firewall *fw, const char *family, const char *table,
			  const char *chain, int remove, char **line, struct he_error *err)
{
	int rc = integrate_check(fw, err);

	if (rc < 0)
		return rc;
	rc = he_nft_integrate(fw->opt.mark, family, table, chain, remove, err);
	if (rc < 0 || !line)
		return rc;
	if (asprintf(line, HE_NFT_INTEGRATE_FMT, fw->opt.mark, fw->opt.mark) < 0) {
		*line = NULL;
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

int he_firewall_integrated(struct he_firewall *fw, const char *family, const char *table,
			   const char *chain, struct he_error *err)
{
	int rc = integrate_check(fw, err);

	return rc < 0 ? rc : he_nft_integrate_find(family, table, chain, err);
}
