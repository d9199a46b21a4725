/* SPDX-License-Identifier: MIT */
/* Fuzz the agent's control-socket request parser (anyone may write to the socket). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_ctl_request r = {0};
	struct he_error err;

	if (he_ctl_parse((const char *)data, size, &r, &err) == 0) {
		char *line;

		/* a parsed command is a known one and formats back to a request */
		if (!he_ctl_cmd_name(r.cmd))
			abort();
		line = he_ctl_format_request(r.cmd);
		if (!line || line[strlen(line) - 1] != '\n')
			abort();
		free(line);
		line = he_ctl_format_reply(NULL, true, NULL, r.id);
		free(line);
		he_ctl_request_free(&r);
	} else if (err.code >= 0 || !err.msg[0]) {
		abort(); /* a refusal always says why */
	}
	return 0;
}
