/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the protocol backend interface and the handle shared by
 * portmap.c, pcp.c, natpmp.c and upnp.c. Internal to lib/portmap.
 *
 * A backend probes in three steps so portmap.c can run all of them in one
 * poll loop on one deadline: probe_start opens a socket and sends, returning
 * the fd to watch; probe_input reads what arrived (>0 answered, 0 keep
 * waiting, <0 failed for good); probe_resend retransmits. probe_finish (may
 * be NULL) completes discovery after the loop when the protocol is chosen
 * (UPnP: fetch the device description).
 */
#ifndef HE_PORTMAP_BACKEND_H
#define HE_PORTMAP_BACKEND_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/clock.h"
#include "core/error.h"
#include "net/route.h"
#include "portmap/portmap.h"

#define HE_URL_MAX 256

struct he_upnp_igd {
	char location[HE_URL_MAX];    /* root description URL (from SSDP) */
	char control_url[HE_URL_MAX]; /* WANIPConnection / WANPPPConnection */
	char service_type[HE_URL_MAX];
	char control_url_6fc[HE_URL_MAX]; /* WANIPv6FirewallControl ("" if none) */
	char service_type_6fc[HE_URL_MAX];
	char event_url[HE_URL_MAX];     /* the WAN*Connection event URL (GENA; "" if none) */
	char event_url_6fc[HE_URL_MAX]; /* WANIPv6FirewallControl's ("" if none) */
	char lanaddr[64];               /* our address as miniupnpc saw it */
	int igd_version;                /* 1 or 2 */
	bool ready;                     /* control URL known */
};

struct he_pm_probe {
	const struct he_portmap_backend *be;
	int fd;
	bool done;
	bool answered;
	unsigned ms;
	struct he_error err;
	/* what the probe learned */
	char ext_addr[HE_PM_ADDR_MAX];
	uint32_t epoch;
	bool have_epoch;
	bool natpmp_only; /* PCP probe got a version-0 answer */
	/* backend scratch */
	void *priv;
	uint8_t pkt[64];
	size_t pkt_len;
};

struct he_portmap {
	struct he_portmap_opts opts;
	enum he_pm_protocol order[HE_PM_NPROTO];
	int op_timeout_ms;
	struct he_state *st;
	json_t *sec;     /* section "portmap" or a private object when st is NULL */
	json_t *own_sec; /* owned reference when st is NULL */
	struct he_route_info gw4;
	bool have_gw4;
	struct he_route_info gw6;
	bool have_gw6;
	struct in6_addr global6;
	bool have_global6;
	char gw_text[HE_PM_ADDR_MAX];
	const struct he_portmap_backend *be; /* active */
	unsigned open_ms;
	struct he_upnp_igd igd;
	bool upnp_permanent_only;
	bool epoch_reset; /* noticed on this handle, reported once */
	unsigned exclude; /* 1 << protocol: skipped by the next probe */
};

struct he_portmap_backend {
	const char *name;  /* "pcp": state and --protocol */
	const char *label; /* "PCP": messages */
	enum he_pm_protocol id;
	unsigned caps; /* HE_PM_CAP_* (portmap.h) */
	int (*probe_start)(struct he_portmap *pm, struct he_pm_probe *p);
	int (*probe_input)(struct he_portmap *pm, struct he_pm_probe *p);
	int (*probe_resend)(struct he_portmap *pm, struct he_pm_probe *p);
	int (*probe_finish)(struct he_portmap *pm, struct he_pm_probe *p, struct he_error *err);
	void (*probe_cleanup)(struct he_pm_probe *p);
	/* rec: the state record (created/updated by the backend) */
	int (*map)(struct he_portmap *pm, const struct he_pm_request *req, json_t *rec,
		   struct he_pm_result *res, struct he_error *err);
	int (*unmap)(struct he_portmap *pm, json_t *rec, struct he_error *err);
	int (*list_router)(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
			   struct he_error *err);
	/* HE_PM_CAP_CONFIRM: is the IPv4 entry (ext_port, proto) on the router? 1 yes, 0 no,
	 * <0 unknown; lease_remaining set when 1. NULL when the protocol cannot list. */
	int (*has_entry)(struct he_portmap *pm, uint16_t ext_port, unsigned proto,
			 int64_t *lease_remaining);
	int (*external_address)(struct he_portmap *pm, char *buf, size_t len, struct he_error *err);
	/* HE_PM_CAP_EVENTS: the event URLs (GENA) to subscribe to; NULL otherwise */
	int (*event_urls)(struct he_portmap *pm, char *url, size_t len, char *url6, size_t len6,
			  struct he_error *err);
};

extern const struct he_portmap_backend he_pm_backend_pcp;
extern const struct he_portmap_backend he_pm_backend_natpmp;
extern const struct he_portmap_backend he_pm_backend_upnp;

/* Internal to lib/portmap, shared between its files (portmap.c, discover.c,
 * records.c, mapping.c): */
const struct he_portmap_backend *he_pm_backend_of(enum he_pm_protocol p);
/* a handle without a protocol yet (gateway resolved, state section attached) */
int he_pm_new(const struct he_portmap_opts *opts, struct he_state *st, struct he_portmap **out,
	      struct he_error *err);
/* probe (or take the cache when allowed) and bind pm->be; store: refresh the cache */
int he_pm_discover(struct he_portmap *pm, struct he_error *err, bool store);
bool he_pm_cache_load(struct he_portmap *pm);
/* the backend for an IPv6 pinhole (UPnP beside PCP where offered: discover.c says why) */
const struct he_portmap_backend *he_pm_v6_backend(struct he_portmap *pm);
void he_pm_cache_store(struct he_portmap *pm);
/* the state's "mappings" object (created when missing), a record's key, saving */
json_t *he_pm_mappings(struct he_portmap *pm);
void he_pm_record_key(const char *name, unsigned proto, int family, uint16_t port, char *buf,
		      size_t len);
int he_pm_save_state(struct he_portmap *pm, struct he_error *err);
void he_pm_copy_str(char *dst, size_t len, json_t *o, const char *key);

/* helpers in pm_util.c shared by the backends */
/*
 * The RFC 6887 section 8.5 epoch check: given the previous (epoch, client time)
 * stored in section[key] and the new server epoch, tell whether the server
 * lost its state; stores the new pair. Returns true on a reset.
 */
bool he_pm_epoch_update(struct he_portmap *pm, const char *key, uint32_t epoch);
/* pure form of the check (tested) */
bool he_pm_epoch_is_reset(uint32_t prev_epoch, int64_t prev_time, uint32_t epoch, int64_t now);
/*
 * A UPnP pinhole id in rec made (its "expires" minus "lease") before the router
 * last started, as its PCP or NAT-PMP epoch in sec says (the answer's time
 * minus the epoch, 2 s of slack): it names nothing on the new router, or
 * another pinhole that UpdatePinhole would renew instead. (tests/lab/soak.sh)
 */
bool he_pm_pinhole_stale(const json_t *sec, const json_t *rec);
/* This host's address toward the router for family, as text; -EADDRNOTAVAIL */
int he_pm_local_addr(struct he_portmap *pm, int family, char *buf, size_t len,
		     struct he_error *err);
/*
 * A non-blocking UDP socket connected to the gateway of family on port; with
 * bind_global6 bound to this host's global IPv6 address (PCP needs the source
 * to be the address being mapped). Returns the fd or -errno (err filled).
 */
int he_pm_udp_connect(struct he_portmap *pm, int family, uint16_t port, bool bind_global6,
		      struct he_error *err);
/* Resolve the IPv6 gateway and this host's global IPv6 address (once). */
int he_pm_need_v6(struct he_portmap *pm, struct he_error *err);
/* desc "homeexpose:NAME" */
void he_pm_desc(const char *name, char *buf, size_t len);
/* NAME from a description, or NULL when not ours */
const char *he_pm_desc_name(const char *desc);
/* Append the external address class warning to res->note. */
void he_pm_note_class(struct he_pm_result *res);

#endif
