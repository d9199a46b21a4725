/* SPDX-License-Identifier: MIT */
/* ddns_providers.h - `homeexpose ddns providers [--json]` (cmd/ddns_providers.c). */
#ifndef HE_CMD_DDNS_PROVIDERS_H
#define HE_CMD_DDNS_PROVIDERS_H

#include "cli.h"

/* List every provider and dyndns2 preset with the keys each needs; returns an exit code. */
int he_ddns_providers_print(struct he_cli *cli);

#endif
