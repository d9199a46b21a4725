/* SPDX-License-Identifier: MIT */
/* opts_config.c - struct he_fw_options from the configuration's [firewall]. */
#include <errno.h>
#include <stdlib.h>

#include "config/config.h"
#include "firewall/firewall.h"

int he_firewall_open_config(const struct he_config *cfg, struct he_firewall **out,
			    struct he_error *err)
{
	struct he_fw_options o = {.backend = cfg->firewall_backend};
	int rc;

	if (cfg->firewall_mark[0]) {
		char *end = NULL;
		unsigned long m = strtoul(cfg->firewall_mark, &end, 0);

		if (!end || *end || m == 0 || m > 0xffffffffUL || (m & (m - 1)))
			return he_error_set(err, -EINVAL,
					    "[firewall] mark = '%s': want one bit, e.g. 0x10000000",
					    cfg->firewall_mark);
		o.mark = (uint32_t)m;
	}
	o.nftables_conf = cfg->firewall_nftables_conf;
	rc = he_fw_options_integrate(&o, cfg->firewall_integrate, err);
	if (rc < 0)
		return rc;
	return he_firewall_open_opts(&o, out, err);
}
