/* SPDX-License-Identifier: MIT */
/*
 * ddns.h - dynamic DNS: the provider interface, the HTTP transport seam and
 * the engine that decides when to talk to a provider.
 *
 * Owner: lib/ddns. A provider is a struct of typed function pointers listed
 * in the static const table of providers.c (no constructors). An HTTP
 * provider (all but rfc2136) is a small pure state machine: step() is called first with no
 * reply and builds the first request; then with each reply, and either builds
 * the next request (Cloudflare needs up to three) or ends with an outcome.
 * No I/O happens in a provider, so unit tests and the fuzzer drive it with
 * recorded replies. The transport (http.c, libcurl) sits behind
 * struct he_ddns_transport so tests replace it.
 *
 * The engine (engine.c) keeps, per record and family, what the provider last
 * accepted and when, the next allowed attempt (911/dnserr: 30 minutes; HTTP
 * 5xx and timeouts: exponential back-off with jitter, 1 min doubling to 1 h)
 * and, per record, a fatal answer that disables it until its configuration
 * changes or an update is forced. All of it lives in the runtime state,
 * section "ddns". The clock is a parameter. Secrets are read here with
 * config/secret.h and never appear in messages (URLs are redacted).
 */
#ifndef HE_DDNS_DDNS_H
#define HE_DDNS_DDNS_H

#include <stdbool.h>
#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "core/error.h"

struct he_state;
struct he_pubip_report;

#define HE_DDNS_ADDR_MAX    46 /* INET6_ADDRSTRLEN */
#define HE_DDNS_URL_MAX     1024
#define HE_DDNS_BODY_MAX    2048 /* Route 53's XML change batch, Netcup's JSON */
#define HE_DDNS_HDR_MAX     512
#define HE_DDNS_HDRS        3
#define HE_DDNS_REPLY_MAX   (64 * 1024) /* a provider's reply is cut off here */
#define HE_DDNS_WAIT_SECS   1800        /* 911, dnserr: not before 30 minutes */
#define HE_DDNS_BACKOFF_MIN 60          /* transient failures: 1 min ... */
#define HE_DDNS_BACKOFF_MAX 3600        /* ... doubling up to 1 h */
#define HE_DDNS_RESULTS_MAX (2 * HE_DDNS_MAX)
#define HE_DDNS_TIMEOUT_MS  15000

/* What a provider's answer means for the engine. */
enum he_ddns_outcome {
	HE_DDNS_NONE = 0,
	HE_DDNS_GOOD,        /* accepted, the record changed */
	HE_DDNS_NOCHG,       /* accepted, the record already had this address */
	HE_DDNS_FATAL,       /* disable the record until its config changes or --force */
	HE_DDNS_RETRY_LATER, /* the provider asked to wait (911, dnserr, 429): >= 30 min */
	HE_DDNS_TRANSIENT,   /* 5xx, timeout, connection failure: back off */
};

/* One HTTP request, built by a provider. Secrets are borrowed pointers. */
struct he_http_req {
	const char *method;        /* "GET", "PATCH", "POST" */
	char url[HE_DDNS_URL_MAX]; /* may hold a secret (DuckDNS): see redact */
	char body[HE_DDNS_BODY_MAX];
	const char *content_type; /* NULL: no body */
	const char *user;         /* basic auth when non-NULL */
	const char *password;
	const char *bearer;  /* "Authorization: Bearer ..." when non-NULL */
	const char *redact;  /* a secret that may appear in url; never shown */
	const char *ca_file; /* NULL or "": the system's CAs */
	int timeout_ms;      /* 0: HE_DDNS_TIMEOUT_MS */
	/* Extra header lines "Name: value" ("" unused): may hold a credential
	 * (Auth-API-Token, sso-key, X-API-Key, a SigV4 Authorization); the
	 * engine wipes the request after sending it and never shows them. */
	char header[HE_DDNS_HDRS][HE_DDNS_HDR_MAX];
};

/* The reply (or the transport failure). */
struct he_http_resp {
	long status; /* HTTP status, 0 when no reply came */
	char *body;  /* NUL-terminated, at most HE_DDNS_REPLY_MAX bytes; may be NULL */
	size_t len;
};

/*
 * The transport seam. send() returns 0 when an HTTP reply arrived (any
 * status; resp filled, body malloc'd), or -errno when none did (-ETIMEDOUT,
 * -ECONNREFUSED, -EHOSTUNREACH, TLS failure -EPROTO ...) with err naming why
 * (the URL in err is redacted).
 */
struct he_ddns_transport {
	int (*send)(void *ctx, const struct he_http_req *req, struct he_http_resp *resp,
		    struct he_error *err);
	void *ctx;
};

/* The libcurl transport (http.c): TLS verification always on. */
extern const struct he_ddns_transport he_ddns_curl_transport;

/* Free a reply's body. Accepts NULL. */
void he_http_resp_free(struct he_http_resp *resp);

#define HE_DDNS_PIECE 8 /* a run this long from a secret is a leak */

/*
 * url with every occurrence of secret (and its %-encoding) replaced by
 * "REDACTED", and every run of HE_DDNS_PIECE or more characters that is a
 * piece of it too (text cut elsewhere keeps part of a token): of the whole
 * secret when it is one word, else of its base64 words of 2 * HE_DDNS_PIECE
 * or more (a key file's secret, not the key's name). Redact first, then cut.
 */
void he_ddns_redact(const char *url, const char *secret, char *out, size_t outsz);

/* One conversation: one record, one family, one address. */
struct he_ddns_job {
	const struct he_ddns_record *rec;
	int family; /* AF_INET or AF_INET6 */
	const char *addr;
	/*
	 * Delete the record's RRset of this family instead (addr is NULL):
	 * only for a provider with can_remove. Ends GOOD "deleted" when
	 * something was removed, NOCHG "none" when there was nothing.
	 */
	bool remove;
	const char *user;   /* username (dyndns2), may be NULL */
	const char *secret; /* password or token */
	time_t now;         /* the engine's clock (Route 53 signs requests with it) */
	/* Provider scratch, starts zeroed. */
	int step;
	char zone_id[64];
	char record_id[64];
	char scratch[192]; /* a session id (Netcup), a record name ... */
	long ttl;          /* the record's TTL as found, kept on rewrite */
};

/* The end of a conversation. */
struct he_ddns_answer {
	enum he_ddns_outcome outcome;
	char code[32];        /* short: "good", "nochg", "badauth", "http 503", "created" ... */
	char message[384];    /* human: why, and the fix for fatal answers */
	unsigned retry_after; /* seconds, for RETRY_LATER (0: HE_DDNS_WAIT_SECS) */
};

/*
 * One setting a provider takes in its [ddns NAME] section, besides
 * 'provider' and 'hostname' (which every record has). `ddns add`, `ddns
 * providers` and `ddns import` ask this list, so a provider says here what
 * it needs. A secret key names a file (password-file, token-file,
 * tsig-key-file): `ddns add` reads the secret and writes that file.
 */
enum he_ddns_step {
	HE_DDNS_SEND = 1, /* req is filled: send it and call step() again with the reply */
	HE_DDNS_DONE = 2, /* ans is filled */
};

/* One configuration key a provider reads: config check, help and `ddns providers` ask. */
struct he_ddns_key {
	const char *name; /* a [ddns NAME] key: "hostname", "zone", "token-file" ... */
	unsigned flags;   /* HE_DDNS_KEY_REQUIRED, HE_DDNS_KEY_SECRET */
	const char *help; /* what it holds for this provider, one line */
};
#define HE_DDNS_KEY_REQUIRED 1u
#define HE_DDNS_KEY_SECRET   2u

#define HE_DDNS_FAM_A    1u
#define HE_DDNS_FAM_AAAA 2u

struct he_ddns_provider {
	const char *name;  /* the config's provider = NAME */
	const char *title; /* the service, for people: "Porkbun (API v3)" */
	unsigned families; /* HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA: what the service can update */
	const struct he_ddns_key *keys; /* the keys it reads, ends with a NULL name */
	/* Check the record's settings (preset, server, hostname shape). */
	int (*check)(const struct he_ddns_record *rec, struct he_error *err);
	/*
	 * Next move of the conversation: resp is NULL on the first call.
	 * Returns HE_DDNS_SEND or HE_DDNS_DONE, or -errno for a request that
	 * cannot be built (err says why).
	 */
	int (*step)(struct he_ddns_job *job, const struct he_http_resp *resp,
		    struct he_http_req *req, struct he_ddns_answer *ans, struct he_error *err);
	/*
	 * For a provider that does not speak HTTP (rfc2136): the whole
	 * update, I/O included; step is NULL then. job->secret holds the
	 * secret file's text.
	 */
	int (*update)(struct he_ddns_job *job, struct he_ddns_answer *ans, struct he_error *err);
	/* Which secret this provider needs: "password-file", "token-file" or "tsig-key-file". */
	const char *secret_key;
	/* The provider can delete a record (job->remove): a stale A behind CGNAT/DS-Lite. */
	bool can_remove;
};

/* The key called name in p's table, NULL if p does not read it. */
const struct he_ddns_key *he_ddns_provider_key(const struct he_ddns_provider *p, const char *name);

/* The provider for config name, NULL if unknown (or not built, e.g. rfc2136 later). */
const struct he_ddns_provider *he_ddns_provider_find(const char *name);
/* All providers, for the fuzzer and the docs. */
const struct he_ddns_provider *const *he_ddns_providers(size_t *n);

/* Outcome of a provider's HTTP status that no body can improve (401, 403, 429, 5xx); false: look at
 * the body. */
bool he_ddns_http_status_outcome(long status, struct he_ddns_answer *ans);

/* "good", "nochg", "fatal", "retry-later", "transient", "none". */
const char *he_ddns_outcome_name(enum he_ddns_outcome o);

/* ---- the engine ---- */

enum he_ddns_action {
	HE_DDNS_SENT = 1,   /* talked to the provider: see answer */
	HE_DDNS_UNCHANGED,  /* the provider already accepted this address */
	HE_DDNS_WAITING,    /* not before next_attempt (911 or back-off) */
	HE_DDNS_DISABLED,   /* a fatal answer disabled the record: see message */
	HE_DDNS_NO_ADDRESS, /* no trusted public address for this family */
	HE_DDNS_ERROR,      /* could not even ask (secret unreadable, bad setting) */
	HE_DDNS_WITHHELD,   /* A not published on purpose (CGNAT/DS-Lite): see message */
};

struct he_ddns_result {
	char record[HE_NAME_MAX];
	int family;
	char addr[HE_DDNS_ADDR_MAX]; /* the address that should be published */
	enum he_ddns_action action;
	struct he_ddns_answer answer; /* for SENT; outcome NONE otherwise */
	time_t next_attempt;          /* 0: none pending */
	char message[HE_ERR_MSG_MAX]; /* one line for the user, never a secret */
};

struct he_rfc2136_addrs;

/* A DNS query (he_rfc2136_query's shape): the verify seam for tests. */
typedef int (*he_ddns_query_fn)(const char *server, const char *name, int family, int timeout_ms,
				struct he_rfc2136_addrs *out, struct he_error *err);

struct he_ddns_opts {
	const char *name; /* NULL: every record */
	bool force;       /* clear disabled and waits, send even when unchanged */
	time_t now;
	const struct he_ddns_transport *transport; /* NULL: he_ddns_curl_transport */
	he_ddns_query_fn query;                    /* verify: NULL: he_rfc2136_query */
	unsigned verify_pause_ms;                  /* between verify tries; 0: 1000 */
};

/*
 * Bring the records (or opts->name) up to date with the addresses in
 * report (v4, v6; "" = none trusted). Updates st's "ddns" section; the caller
 * saves it. Fills up to max results, *n set to how many. Returns 0 (each
 * record's fate is in its results), or -errno for a setup error (unknown
 * record name: -ENOENT).
 */
int he_ddns_run(const struct he_config *cfg, struct he_state *st,
		const struct he_pubip_report *report, const struct he_ddns_opts *opts,
		struct he_ddns_result *results, size_t max, size_t *n, struct he_error *err);

/*
 * verify = yes: ask the zone's authoritative servers (verify-server, else
 * the zone's NS through the system resolver; the zone is the record's zone
 * key, else the hostname without its first label) for the record, up to
 * verify-tries times verify_pause_ms apart, until every server answers addr.
 * Writes "verified by S1, S2", "MISMATCH: server S answers X (expected Y)"
 * or "UNVERIFIED: why" into out. Returns 1 verified, 0 otherwise.
 */
int he_ddns_verify(const struct he_ddns_record *rec, int family, const char *addr,
		   const struct he_ddns_opts *opts, char *out, size_t outsz);

/*
 * The A-record rule behind a carrier's NAT: 1 (why filled) when the report
 * shows the router's WAN address in a class where no IPv4 port forward can
 * work (CGNAT 100.64.0.0/10, DS-Lite 192.0.0.0/29: he_addr_class_v4_impossible)
 * and the record does not say publish-behind-nat = yes: the public IPv4
 * address then belongs to the ISP's NAT, shared with other customers, and
 * an A record would point visitors at a machine that never reaches this
 * home. 0 otherwise (publish as usual). Pure; report may be NULL.
 */
int he_ddns_v4_withheld(const struct he_ddns_record *rec, const struct he_pubip_report *report,
			char *why, size_t whysz);

/* True if a result means failure (exit 1): a failed send, waiting after one, disabled, error. */
bool he_ddns_result_failed(const struct he_ddns_result *r);

/* What the state remembers about one record and family (for `ddns status`). */
struct he_ddns_status {
	char record[HE_NAME_MAX];
	char provider[16];
	char hostname[HE_HOST_MAX];
	int family;
	char accepted[HE_DDNS_ADDR_MAX]; /* address the provider last accepted, "" if none */
	time_t accepted_at;
	char last_code[32]; /* provider's last answer, "" if never asked */
	char last_message[384];
	time_t last_at;
	time_t next_attempt; /* 0: none pending; else not before this */
	unsigned failures;   /* consecutive transient failures */
	char disabled[384];  /* why the record is disabled, "" if it is not */
	bool config_changed; /* the record's config changed since the state was written */
	/* verify = yes: what the zone's authoritative servers answered after the last update */
	char verify[384]; /* "verified ...", "MISMATCH: server X answers Y", "" if not checked */
	time_t verify_at;
	/* A behind CGNAT/DS-Lite: why it is not published ("" when it is) */
	char withheld[384];
	time_t removed_at; /* when the old A record was deleted at the provider (0: not) */
	char stale[384];   /* an old A the provider cannot delete: what to do ("" none) */
};

/* Fill status entries for every record (or name); returns 0 or -ENOENT for an unknown name. */
int he_ddns_status_get(const struct he_config *cfg, struct he_state *st, const char *name,
		       struct he_ddns_status *out, size_t max, size_t *n, struct he_error *err);

/*
 * The public-address verdict of the last he_ddns_run() that had a report:
 * he_ddns_run() stores it in the "ddns" state section (key "@public") so
 * that `ddns status` can say CGNAT / double NAT later, whoever ran the
 * update (the command or the agent).
 */
struct he_ddns_public {
	char nat[16]; /* he_pubip_nat_name(): "none", "cgnat", "double-nat", ... */
	char router_wan[HE_DDNS_ADDR_MAX];
	char v4[HE_DDNS_ADDR_MAX]; /* trusted addresses then ("" none) */
	char v6[HE_DDNS_ADDR_MAX];
	char verdict[HE_ERR_MSG_MAX];
	time_t at;
};

/* The stored verdict: 0, or -ENOENT when no update has run yet. */
int he_ddns_public_get(struct he_state *st, struct he_ddns_public *out);

/*
 * `ddns status` as JSON, the shape both `ddns status --json` and the
 * agent's ddns-status control reply use:
 *   { "records": [ { record, provider, hostname, family (ipv4/ipv6), type (A/AAAA), address,
 *                    accepted_at, answer, message, answered_at,
 *                    next_attempt, failures, disabled (or null),
 *                    config_changed, verify (or null), verify_at,
 *                    withheld (or null), removed_at, stale (or null) } ... ],
 *     "public": { nat, router_wan, ipv4, ipv6, verdict, at } or null }
 * NULL with err set for an unknown name (-ENOENT) or no memory.
 */
json_t *he_ddns_status_json(const struct he_config *cfg, struct he_state *st, const char *name,
			    struct he_error *err);

/* Hash of the record's settings (and its secret file's identity), hex, for "config changed". */
void he_ddns_config_hash(const struct he_ddns_record *rec, char *out, size_t outsz);

/* The families a record wants: bit 1 = A, bit 2 = AAAA (default both). */
unsigned he_ddns_families(const struct he_ddns_record *rec);

#endif
