/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fwtext.c - libFuzzer target for the parsers of `ufw show added` and
 * `firewall-cmd --list-ports` output (a rule's comment is text anyone with
 * root once typed; the tools' output format may change).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/fw_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct he_ufw_rule *rules = NULL;
	struct he_fw_ports ports;
	size_t n = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (he_ufw_parse_added(text, &rules, &n) == 0) {
		/* a port, or a range port..last (ufw's FIRST:LAST) */
		for (size_t i = 0; i < n; i++)
			if (!rules[i].port || rules[i].last < rules[i].port ||
			    !memchr(rules[i].comment, '\0', sizeof(rules[i].comment)))
				abort();
	}
	free(rules);
	/* user.rules lines ("### tuple ### ...") as `ufw show added` lines */
	{
		struct he_fw_text t = {0};

		he_ufw_tuple_to_added(text, &t);
		free(he_fw_text_take(&t));
	}
	memset(&ports, 0, sizeof(ports));
	if (he_firewalld_parse_ports(text, &ports, "homeexpose") == 0) {
		for (size_t i = 0; i < ports.n; i++)
			if (!ports.v[i].port ||
			    (ports.v[i].last && ports.v[i].last <= ports.v[i].port))
				abort();
		he_fw_ports_free(&ports);
	}
	free(text);
	return 0;
}
