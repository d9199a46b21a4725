/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ddns_reply.c - libFuzzer target over every HTTP provider's reply
 * parsing: the first byte picks the provider (its top bit: the deletion
 * conversation, job->remove, where the provider can delete) and how many
 * steps of its conversation to play with the input as the reply (a provider's reply is
 * untrusted input). Checks the promises: every reply ends in an outcome or
 * a well-formed next request, never a piece of 8 characters of the secret
 * in a message or a code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does TEXT hold any HE_DDNS_PIECE-character piece of SECRET? */
static int leaks(const char *text, const char *secret)
{
	size_t n = strlen(secret);

	for (size_t i = 0; i + HE_DDNS_PIECE <= n; i++) {
		char piece[HE_DDNS_PIECE + 1];

		memcpy(piece, secret + i, HE_DDNS_PIECE);
		piece[HE_DDNS_PIECE] = '\0';
		if (strstr(text, piece))
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char secret[] = "SECRETKEY1:SECRETTOKEN"; /* two parts for pair secrets */
	static const long statuses[] = {200, 201, 400, 401, 403, 404, 429, 500, 503};
	const struct he_ddns_provider *const *provs;
	const struct he_ddns_provider *p;
	struct he_ddns_record rec;
	struct he_ddns_job job;
	struct he_http_req req;
	struct he_ddns_answer ans;
	struct he_error err;
	struct he_http_resp resp;
	size_t np;
	int rc;

	if (size < 2)
		return 0;
	provs = he_ddns_providers(&np);
	p = provs[(data[0] & 0x7f) % np];
	if (!p->step)
		return 0;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.name, sizeof(rec.name), "fz");
	snprintf(rec.provider, sizeof(rec.provider), "%s", p->name);
	snprintf(rec.hostname, sizeof(rec.hostname), "home.example.com");
	snprintf(rec.server, sizeof(rec.server), "ddns.lab.test");
	snprintf(rec.username, sizeof(rec.username), "12345"); /* route53, netcup */
	memset(&job, 0, sizeof(job));
	job.rec = &rec;
	job.family = (data[1] & 1) ? AF_INET6 : AF_INET;
	job.addr = (data[1] & 1) ? "2e77:77:1::2" : "11.77.0.2";
	if (p->can_remove && (data[0] & 0x80)) {
		job.remove = true;
		job.addr = NULL;
	}
	job.secret = secret;
	job.user = rec.username;
	job.now = 1440938160;
	memset(&req, 0, sizeof(req));
	memset(&err, 0, sizeof(err));
	rc = p->step(&job, NULL, &req, &ans, &err);
	if (rc != HE_DDNS_SEND)
		abort();
	resp.status = statuses[(data[1] >> 1) % (sizeof(statuses) / sizeof(statuses[0]))];
	resp.len = size - 2;
	resp.body = malloc(resp.len + 1);
	if (!resp.body)
		return 0;
	memcpy(resp.body, data + 2, resp.len);
	resp.body[resp.len] = '\0';
	/* Play the same reply at each step until the conversation ends. */
	memset(&ans, 0, sizeof(ans));
	for (int round = 0; round < 6; round++) {
		memset(&req, 0, sizeof(req));
		rc = p->step(&job, &resp, &req, &ans, &err);
		if (rc == HE_DDNS_DONE) {
			if (ans.outcome < HE_DDNS_GOOD || ans.outcome > HE_DDNS_TRANSIENT)
				abort();
			if (!ans.code[0] || leaks(ans.message, secret) || leaks(ans.code, secret))
				abort();
			break;
		}
		if (rc != HE_DDNS_SEND || strncmp(req.url, "https://", 8) != 0)
			abort();
		if (strstr(req.url, "..") || strchr(req.url, ' '))
			abort(); /* ids from the reply never escape the path */
	}
	free(resp.body);
	return 0;
}
