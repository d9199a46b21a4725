/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rfc2136.c - libFuzzer target for the DNS UPDATE reply judge and the
 * TSIG key file parser (a server's reply and a key file are untrusted input).
 * The first byte picks the target; the rest is the input. Checks the
 * promises, not just crashes: documented return codes only, and a failed
 * key parse leaves no secret behind.
 */
#include <errno.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddns/rfc2136.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a request signed with the fixture key, built once per input (cheap) */
static const char key_text[] = "hmac-sha256:ddns-key:q0LE+gqz5ZVKSgqOwU2sbtYvjb8AvqTlr0KjUjyu3DA=";

static void judge(const uint8_t *reply, size_t n)
{
	struct he_tsig_key key;
	struct he_rfc2136_req req = {0};
	struct he_rfc2136_result res;
	struct he_error err;
	uint8_t *q = NULL;
	size_t qn = 0;
	int r;

	if (he_tsig_key_parse(key_text, sizeof(key_text) - 1, &key, &err))
		abort();
	req.zone = "home.example";
	req.name = "nas.home.example";
	req.family = AF_INET;
	req.address = "11.77.0.2";
	req.key = &key;
	if (he_rfc2136_build(&req, n >= 2 ? (uint16_t)(reply[0] << 8 | reply[1]) : 0, 1700000000,
			     &q, &qn, &err))
		abort();
	r = he_rfc2136_classify(reply, n, q, qn, &key, 1700000000, &res, &err);
	if (r != 0 && r != -EACCES && r != -EPERM && r != -ENOTDIR && r != -EOPNOTSUPP &&
	    r != -EPROTO && r != -EAGAIN && r != -ETIME && r != -EBADMSG && r != -EMSGSIZE)
		abort();
	if (r == 0 && res.rcode != 0)
		abort();
	if (strstr(err.msg, key.secret))
		abort();
	free(q);
}

static void parse(const uint8_t *data, size_t n)
{
	struct he_tsig_key key;
	struct he_error err = {0};
	int r = he_tsig_key_parse((const char *)data, n, &key, &err);

	if (r != 0 && r != -EINVAL)
		abort();
	if (r == 0 && (!key.name[0] || !key.secret[0] || !key.algorithm[0]))
		abort();
	if (r != 0 && (key.secret[0] || key.name[0]))
		abort(); /* wiped on failure */
	if (r == 0 && strstr(err.msg, key.secret))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 1)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1); /* exact size: ASan sees over-reads */
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1)
		parse(copy, size - 1);
	else
		judge(copy, size - 1);
	free(copy);
	return 0;
}
