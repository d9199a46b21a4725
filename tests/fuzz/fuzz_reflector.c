/* SPDX-License-Identifier: MIT */
/*
 * Fuzz what the reflector reads from the network: the HTTP request head and
 * the JSON probe request (and, on the client side, the JSON response). The
 * first byte picks the parser; the rest is the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reach/http_head.h"
#include "reach/reflector_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_error err;
	const char *in = (const char *)data + 1;
	size_t n = size - 1;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		struct he_rp_request r;

		if (he_rp_request_parse(in, n, &r, &err) == 0) {
			char *text = NULL;
			struct he_rp_request back;

			/* a parsed request must encode and parse back the same */
			if (he_rp_request_encode(&r, &text, &err) != 0 ||
			    he_rp_request_parse(text, strlen(text), &back, &err) != 0 ||
			    back.n != r.n || back.ts != r.ts || strcmp(back.nonce, r.nonce))
				abort();
			for (size_t i = 0; i < r.n; i++)
				if (back.v[i].port != r.v[i].port ||
				    back.v[i].proto != r.v[i].proto ||
				    strcmp(back.v[i].token, r.v[i].token))
					abort();
			free(text);
		}
		break;
	}
	case 1: {
		struct he_http_head h;

		if (he_http_head_parse(in, n, &h, &err) == 0 && (h.head_len > n || h.head_len == 0))
			abort();
		break;
	}
	default: {
		struct he_rp_response r;

		he_rp_response_parse(in, n, &r, &err);
		break;
	}
	}
	return 0;
}
