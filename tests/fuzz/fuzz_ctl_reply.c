/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ctl_reply.c - libFuzzer target for the control-socket client's reply
 * parser (whatever listens on the socket path answers it).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/control_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	json_t *reply = (json_t *)1;
	struct he_error err;
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	r = he_ctl_parse_reply(copy, size, &reply, &err);
	if (r == 0 && !json_is_object(reply))
		abort();
	if (r != 0 && r != -EPROTO && r != -EPERM && r != -EINVAL)
		abort();
	if (r == -EPROTO && reply)
		abort();
	if (r != -EPROTO && !json_is_object(reply))
		abort();
	json_decref(reply);
	free(copy);
	return 0;
}
