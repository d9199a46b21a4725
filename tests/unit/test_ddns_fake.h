/* SPDX-License-Identifier: MIT */
/*
 * test_ddns_fake.h - shared by the test_ddns_*.c programs: fixture loading,
 * a scripted transport that records requests, and record builders.
 */
#ifndef HE_TEST_DDNS_FAKE_H
#define HE_TEST_DDNS_FAKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddns/ddns.h"

#define FIXDIR "tests/fixtures/ddns"

static inline char *fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *fp;
	char *buf = calloc(1, 70000);
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", FIXDIR, name);
	fp = fopen(path, "rb");
	if (!fp || !buf) {
		fprintf(stderr, "missing fixture %s\n", path);
		abort();
	}
	n = fread(buf, 1, 69999, fp);
	fclose(fp);
	if (len)
		*len = n;
	return buf;
}

/* A reply from a fixture (NULL name: empty body). */
static inline struct he_http_resp reply(long status, const char *name)
{
	struct he_http_resp r = {.status = status};

	if (name)
		r.body = fixture(name, &r.len);
	return r;
}

/* The scripted transport: replies in order (status < 0: transport error -status). */
struct fake_net {
	struct {
		long status;
		const char *fixture;
	} script[16];
	size_t nscript, next;
	struct he_http_req sent[16]; /* secrets copied below: the engine wipes its own */
	char password[16][64], bearer[16][64];
	size_t nsent;
};

static inline int fake_send(void *ctx, const struct he_http_req *req, struct he_http_resp *resp,
			    struct he_error *err)
{
	struct fake_net *f = ctx;

	if (f->nsent < 16) {
		size_t i = f->nsent++;

		f->sent[i] = *req;
		if (req->password) {
			snprintf(f->password[i], sizeof(f->password[i]), "%s", req->password);
			f->sent[i].password = f->password[i];
		}
		if (req->bearer) {
			snprintf(f->bearer[i], sizeof(f->bearer[i]), "%s", req->bearer);
			f->sent[i].bearer = f->bearer[i];
		}
		f->sent[i].redact = NULL;
		f->sent[i].user = NULL;
	}
	if (f->next >= f->nscript) {
		fprintf(stderr, "unexpected request %s %s\n", req->method, req->url);
		abort();
	}
	if (f->script[f->next].status < 0) {
		int e = (int)f->script[f->next++].status;

		return he_error_set(err, e, "fake transport failure %d", e);
	}
	*resp = reply(f->script[f->next].status, f->script[f->next].fixture);
	f->next++;
	return 0;
}

static inline void fake_push(struct fake_net *f, long status, const char *fixture_name)
{
	f->script[f->nscript].status = status;
	f->script[f->nscript].fixture = fixture_name;
	f->nscript++;
}

static inline void record(struct he_ddns_record *r, const char *name, const char *provider,
			  const char *preset, const char *hostname, const char *families)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->provider, sizeof(r->provider), "%s", provider);
	snprintf(r->preset, sizeof(r->preset), "%s", preset);
	snprintf(r->hostname, sizeof(r->hostname), "%s", hostname);
	snprintf(r->families, sizeof(r->families), "%s", families);
	r->refresh_days = 25;
}

/* One provider conversation driven by hand: init, set rec fields, first(), then feed(). */
struct ddns_conv {
	struct he_ddns_record rec;
	struct he_ddns_job job;
	struct he_http_req req;
	struct he_ddns_answer ans;
	struct he_error err;
	const struct he_ddns_provider *p;
};

static inline void conv_init(struct ddns_conv *c, const char *provider, const char *hostname,
			     int family, const char *addr, const char *secret)
{
	memset(c, 0, sizeof(*c));
	record(&c->rec, "t", provider, "", hostname, "A AAAA");
	c->p = he_ddns_provider_find(provider);
	if (!c->p)
		abort();
	c->job.rec = &c->rec;
	c->job.family = family;
	c->job.addr = addr;
	c->job.secret = secret;
	c->job.user = c->rec.username;
	c->job.now = 1440938160; /* 2015-08-30T12:36:00Z */
}

static inline int conv_first(struct ddns_conv *c)
{
	memset(&c->req, 0, sizeof(c->req));
	return c->p->step(&c->job, NULL, &c->req, &c->ans, &c->err);
}

/* The next step with a reply from a fixture (NULL: empty body). */
static inline int conv_feed(struct ddns_conv *c, long status, const char *fx)
{
	struct he_http_resp r = reply(status, fx);
	int rc;

	memset(&c->req, 0, sizeof(c->req));
	rc = c->p->step(&c->job, &r, &c->req, &c->ans, &c->err);
	he_http_resp_free(&r);
	return rc;
}

#endif
