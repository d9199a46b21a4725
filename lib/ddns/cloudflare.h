/* SPDX-License-Identifier: MIT */
/*
 * cloudflare.h - the Cloudflare API v4 provider's pure parts, for tests.
 *
 * Owner: lib/ddns (cloudflare.c).
 */
#ifndef HE_DDNS_CLOUDFLARE_H
#define HE_DDNS_CLOUDFLARE_H

#include <stddef.h>

#include "ddns/ddns.h"

/* The zone for a record: 'zone', else the last two labels of 'hostname'. */
void he_cloudflare_zone(const struct he_ddns_record *rec, char *out, size_t outsz);

/* The provider's step (see struct he_ddns_provider). */
int he_cloudflare_step(struct he_ddns_job *job, const struct he_http_resp *resp,
		       struct he_http_req *req, struct he_ddns_answer *ans, struct he_error *err);

#endif
