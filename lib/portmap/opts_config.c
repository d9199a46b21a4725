/* SPDX-License-Identifier: MIT */
/* opts_config.c - struct he_portmap_opts from the configuration's [router]. */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "portmap/portmap.h"

void he_portmap_opts_from_config(const struct he_config *cfg, bool no_cache,
				 struct he_portmap_opts *o)
{
	const char *p = cfg->router_protocols;
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	while (*p && n < HE_PM_NPROTO) {
		char word[16];
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, " \t,");
		if (!len)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)(len < 15 ? len : 15), p);
		if (he_pm_protocol_parse(word, &o->order[n], NULL) == 0)
			n++;
		p += len;
	}
	o->probe_timeout_ms = (int)cfg->probe_timeout_ms;
	o->lease_default = cfg->lease;
	o->no_cache = no_cache;
	if (strcmp(cfg->gateway, "auto") != 0)
		o->gateway = cfg->gateway;
}
