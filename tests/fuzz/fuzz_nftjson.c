/* SPDX-License-Identifier: MIT */
/*
 * fuzz_nftjson.c - the `nft -j list ruleset` analysis (drift and shadowing)
 * on arbitrary input. Seeds: the recorded fixtures.
 */
#include <stddef.h>
#include <stdint.h>

#include "firewall/fw_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct he_fw_port v[] = {
	    {.port = 22, .proto = HE_PROTO_TCP, .comment = "homeexpose:a"},
	    {.port = 8443, .proto = HE_PROTO_TCP, .comment = "homeexpose:a,b"},
	    {.port = 53, .proto = HE_PROTO_UDP, .comment = "homeexpose:dns"},
	};
	struct he_fw_ports ports = {.n = 3, .v = (struct he_fw_port *)v};
	struct he_fw_report rep = {0};
	struct he_error err = {0};

	static const struct he_nft_view view = {
	    .wan_if = "wan0", .mark = 0x10000000, .mark_prio = HE_NFT_MARK_PRIO};

	he_nft_analyze((const char *)data, size, &ports, HE_NFT_OWN_STATE | HE_NFT_SKIP_OWN, NULL,
		       &rep, &err);
	he_fw_report_free(&rep);
	he_nft_analyze((const char *)data, size, &ports, HE_NFT_OWN_STATE, &view, &rep, &err);
	he_fw_report_free(&rep);
	he_nft_find_tagged((const char *)data, size, "inet", "lock", "input");
	he_nft_ruleset_has_ufw((const char *)data, size);
	return 0;
}
