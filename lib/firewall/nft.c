/* SPDX-License-Identifier: MIT */
/*
 * nft.c - the nftables backend over libnftables: read the ruleset as JSON,
 * write `table inet homeexpose` with one atomic transaction.
 */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

int he_nft_run(const char *cmd, int json, char **out, struct he_error *err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *o, *e;
	int rc = 0;

	if (!ctx)
		return he_error_set(err, -ENOMEM, "libnftables: cannot create a context");
	if (json)
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		nft_ctx_free(ctx);
		return he_error_set(err, -ENOMEM, "libnftables: cannot buffer output");
	}
	if (nft_run_cmd_from_buffer(ctx, cmd) != 0) {
		e = nft_ctx_get_error_buffer(ctx);
		if (e && (strstr(e, "Operation not permitted") || strstr(e, "Permission denied")))
			rc = he_fw_eperm(err, "changing or reading the nftables ruleset");
		else
			rc = he_error_set(err, -EIO, "nftables refused the change: %s",
					  e && *e ? e : "(no message)");
		goto out;
	}
	if (out) {
		o = nft_ctx_get_output_buffer(ctx);
		*out = strdup(o ? o : "");
		if (!*out)
			rc = he_error_set(err, -ENOMEM, "out of memory");
	}
out:
	nft_ctx_free(ctx);
	return rc;
}

int he_nft_list_ruleset(char **out, struct he_error *err)
{
	char *s = NULL;
	int rc;

	if (!he_fw_have_net_admin())
		return he_fw_eperm(err, "reading the nftables ruleset");
	rc = he_nft_run("list ruleset", 1, &s, err);
	if (rc < 0)
		return rc;
	if (!*s) { /* an empty ruleset may print nothing at all */
		free(s);
		s = strdup("{\"nftables\": []}");
		if (!s)
			return he_error_set(err, -ENOMEM, "out of memory");
	}
	he_nft_xt_annotate(&s, NULL); /* without it, xt matches stay opaque */
	*out = s;
	return 0;
}

/* Compare our table with ports: 1 in sync, 0 not, <0 error. */
static int own_in_sync(const struct he_fw_env *env, const struct he_fw_ports *ports,
		       struct he_error *err)
{
	struct he_fw_report rep = {0};
	char *json = NULL;
	int rc;

	rc = he_nft_list_ruleset(&json, err);
	if (rc < 0)
		return rc;
	rc = he_nft_analyze(json, strlen(json), ports, HE_NFT_OWN_STATE | HE_NFT_NO_SHADOW,
			    &env->view, &rep, err);
	free(json);
	if (rc == 0)
		rc = rep.in_sync;
	he_fw_report_free(&rep);
	return rc;
}

static int nft_apply(const struct he_fw_env *env, const struct he_fw_desired *d,
		     const struct he_fw_ports *ports, unsigned flags, char **dry_run_text,
		     struct he_error *err)
{
	const struct he_fw_options *o = env->opt;
	char *txn = NULL;
	int rc, integ = 0;

	if (o->integrate_family[0] && he_fw_have_net_admin()) {
		integ = he_nft_integrate_find(o->integrate_family, o->integrate_table,
					      o->integrate_chain, err);
		if (integ < 0)
			return integ;
	}
	if (flags & HE_FW_DRY_RUN) {
		struct he_fw_text t = {0};

		/* without the right to read the ruleset, show the full transaction */
		rc = he_fw_have_net_admin() ? own_in_sync(env, ports, err) : 0;
		if (rc < 0)
			return rc;
		if (!dry_run_text)
			return 0;
		if (rc != 1) {
			char *txn1 = he_nft_build_txn(ports, o->mark);

			he_fw_text_add(&t, "%s", txn1 ? txn1 : "");
			free(txn1);
		}
		if (o->integrate_family[0] && !integ)
			he_fw_text_add(&t, "insert rule %s %s %s " HE_NFT_INTEGRATE_FMT "\n",
				       o->integrate_family, o->integrate_table, o->integrate_chain,
				       o->mark, o->mark);
		if (!(*dry_run_text = he_fw_text_take(&t)))
			return he_error_set(err, -ENOMEM, "out of memory");
		return 0;
	}
	if (!he_fw_have_net_admin())
		return he_fw_eperm(err, "opening ports in the nftables firewall");
	/* [firewall] integrate: the one rule in the other table is desired state too */
	if (o->integrate_family[0] && !integ) {
		rc = he_nft_integrate(o->mark, o->integrate_family, o->integrate_table,
				      o->integrate_chain, 0, err);
		if (rc < 0)
			return rc;
	}
	rc = flags & HE_FW_KNOWN_OUT_OF_SYNC ? 0 : own_in_sync(env, ports, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0; /* already exactly so: change nothing */
	txn = he_nft_build_txn(ports, env->opt->mark);
	if (!txn)
		return he_error_set(err, -ENOMEM, "out of memory");
	rc = he_nft_run(txn, 0, NULL, err);
	free(txn);
	if (rc < 0)
		return rc;
	rc = own_in_sync(env, ports, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return he_error_set(err, -EIO,
				    "the nftables transaction was accepted but table inet "
				    "homeexpose does not hold the wanted ports afterwards");
	return 0;
}

/*
 * [firewall] integrate: apply keeps the marked-accept rule at the top of that
 * chain, so the chain no longer drops our ports (once applied).
 */
static void drop_integrated(const struct he_fw_options *o, struct he_fw_report *rep)
{
	size_t k = 0;

	for (size_t i = 0; i < rep->n_shadow; i++) {
		const struct he_fw_shadow *s = &rep->shadow[i];

		if (!strcmp(s->family, o->integrate_family) &&
		    !strcmp(s->table, o->integrate_table) && !strcmp(s->chain, o->integrate_chain))
			continue;
		rep->shadow[k++] = *s;
	}
	rep->n_shadow = k;
}

static int nft_verify(const struct he_fw_env *env, const struct he_fw_desired *d,
		      const struct he_fw_ports *ports, struct he_fw_report *rep,
		      struct he_error *err)
{
	char *json = NULL;
	int rc;

	rc = he_nft_list_ruleset(&json, err);
	if (rc < 0)
		return rc;
	rc = he_nft_analyze(json, strlen(json), ports, HE_NFT_OWN_STATE | HE_NFT_SKIP_OWN,
			    &env->view, rep, err);
	if (rc == 0 && env->opt->integrate_family[0])
		drop_integrated(env->opt, rep);
	if (rc == 0 && env->opt->integrate_family[0] &&
	    he_nft_integrate_find(env->opt->integrate_family, env->opt->integrate_table,
				  env->opt->integrate_chain, NULL) <= 0) {
		rep->in_sync = 0;
		he_fw_report_note(rep,
				  "the integration rule in %s %s %s ([firewall] integrate) is "
				  "missing: apply puts it back",
				  env->opt->integrate_family, env->opt->integrate_table,
				  env->opt->integrate_chain);
	}
	if (rc == 0 && he_nft_ruleset_has_ufw(json, strlen(json)))
		he_fw_report_note(rep, "ufw's tables are loaded: if ufw manages this host, set "
				       "[firewall] backend = ufw (or auto)");
	free(json);
	if (rc < 0)
		return rc;
	return he_fw_legacy_check(ports, rep, err);
}

const struct he_fw_backend he_fw_backend_nftables = {
    .name = HE_FW_NAME_NFTABLES,
    .why = "neither ufw nor firewalld is active: nftables through libnftables",
    .caps = HE_FW_CAP_MARK_INTEGRATE,
    .detect = NULL, /* libnftables is linked in: always usable, the fallback */
    .apply = nft_apply,
    .verify = nft_verify,
};
