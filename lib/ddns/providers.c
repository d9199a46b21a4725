/* SPDX-License-Identifier: MIT */
/* providers.c - the table of DNS providers, in one explicit array. */
#include <string.h>

#include "ddns/ddns_internal.h"

static const struct he_ddns_provider *const providers[] = {
    &he_ddns_dyndns2, &he_ddns_desec,        &he_ddns_cloudflare, &he_ddns_duckdns,
    &he_ddns_rfc2136, &he_ddns_namecheap,    &he_ddns_dynv6,      &he_ddns_njalla,
    &he_ddns_route53, &he_ddns_porkbun,      &he_ddns_hetzner,    &he_ddns_gandi,
    &he_ddns_godaddy, &he_ddns_digitalocean, &he_ddns_linode,     &he_ddns_ionos,
    &he_ddns_netcup,
};

const struct he_ddns_provider *const *he_ddns_providers(size_t *n)
{
	*n = sizeof(providers) / sizeof(providers[0]);
	return providers;
}

const struct he_ddns_provider *he_ddns_provider_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(providers) / sizeof(providers[0]); i++)
		if (!strcmp(providers[i]->name, name))
			return providers[i];
	return NULL;
}

const struct he_ddns_key *he_ddns_provider_key(const struct he_ddns_provider *p, const char *name)
{
	for (const struct he_ddns_key *k = p && name ? p->keys : NULL; k && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}
