/* SPDX-License-Identifier: MIT */
/*
 * portmap.h - router port mapping: the one public interface of lib/portmap.
 *
 * Owner: lib/portmap. Three backends behind one interface - PCP (RFC 6887,
 * own implementation, pcp.c), NAT-PMP (RFC 6886, libnatpmp, natpmp.c) and
 * UPnP IGD v1/v2 (miniupnpc, upnp.c) - listed in a static const table
 * (backend.h). The router is the gateway of the default route (netlink,
 * lib/net/route.h) unless opts->gateway overrides it.
 *
 * Discovery: all three protocols are probed at once toward the gateway on one
 * short deadline (opts->probe_timeout_ms, 250 ms by default); the loop ends as
 * soon as the most preferred protocol answered, 50 ms after a less preferred
 * one answered, or when every protocol answered or clearly refused (ICMP port
 * unreachable). What answered (the UPnP control URL
 * included) is cached in section "portmap" of the runtime state, so the next
 * run talks to the router at once. A cached protocol that stops answering is
 * re-probed once, transparently.
 *
 * Runtime state, section "portmap" (owned here):
 *   "probe":    {"gateway", "protocol", "at", "upnp": {location, control_url,
 *                service_type, control_url_6fc, service_type_6fc, igd_version}}
 *   "pcp"/"natpmp": {"epoch", "at"}    last server epoch, to notice reboots
 *   "upnp_permanent_only": true        router refused finite leases (725/402)
 *   "mappings": {"NAME tcp 443 ipv4": {name, protocol, proto, family, ext_port,
 *                int_port, client, ext_addr, lease, expires, nonce, pinhole_id,
 *                permanent}}
 * The library saves the state after each change when it was opened for
 * writing (HE_STATE_WRITE); with a read-only state or NULL nothing is kept.
 *
 * Every function returns 0 or -errno and fills err with a message naming the
 * cause and the fix. Nothing here prints. Mappings carry the description
 * "homeexpose:NAME". The internal client is always this host's own address on
 * the route to the gateway unless the request names another LAN host (to).
 */
#ifndef HE_PORTMAP_PORTMAP_H
#define HE_PORTMAP_PORTMAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/addrclass.h"

struct he_state;
struct he_portmap;

enum he_pm_protocol {
	HE_PM_NONE = 0,
	HE_PM_PCP = 1,
	HE_PM_NATPMP = 2,
	HE_PM_UPNP = 3,
};
#define HE_PM_NPROTO 3

#define HE_PM_DESC_PREFIX "homeexpose:"
#define HE_PM_NAME_MAX    64
#define HE_PM_ADDR_MAX    46 /* INET6_ADDRSTRLEN */

/* The protocols' names, spelled once (the backends' table uses the same). */
#define HE_PM_NAME_PCP    "pcp"
#define HE_PM_NAME_NATPMP "natpmp"
#define HE_PM_NAME_UPNP   "upnp"
/* Their names in preference order, NULL-terminated: what config and help accept. */
extern const char *const he_pm_protocol_words[HE_PM_NPROTO + 1];
/* "pcp", "natpmp", "upnp" ("none"). */
const char *he_pm_protocol_name(enum he_pm_protocol p);
/* Parse "pcp" | "natpmp" | "nat-pmp" | "upnp". -EINVAL with a message otherwise. */
int he_pm_protocol_parse(const char *s, enum he_pm_protocol *out, struct he_error *err);

/* What a protocol can do beyond map/unmap: asked instead of naming protocols. */
enum {
	HE_PM_CAP_CONFIRM = 1, /* the router's table can be listed: mappings confirmed on it */
	HE_PM_CAP_EPOCH = 2,   /* answers carry an epoch; a restart is announced (PCP, NAT-PMP) */
	HE_PM_CAP_EVENTS = 4,  /* address changes are sent to subscribers (UPnP GENA) */
};
/* The capabilities of a protocol (0 for HE_PM_NONE) and of an open handle. */
unsigned he_pm_protocol_caps(enum he_pm_protocol p);
unsigned he_portmap_caps(const struct he_portmap *pm);
/* The protocol with all of caps, first in preference order (HE_PM_NONE if none). */
enum he_pm_protocol he_pm_protocol_with(unsigned caps);

struct he_portmap_opts {
	/* preference order; all HE_PM_NONE means PCP, NAT-PMP, UPnP */
	enum he_pm_protocol order[HE_PM_NPROTO];
	/* only this protocol (--protocol); HE_PM_NONE: automatic */
	enum he_pm_protocol force;
	int probe_timeout_ms;   /* discovery deadline; 0: 250 */
	int op_timeout_ms;      /* one map/unmap exchange incl. retries; 0: 1000 */
	const char *gateway;    /* router address override ("10.0.0.1", "fe80::1%eth0") */
	const char *gateway6;   /* IPv6 router override (for pinholes); NULL: default route */
	uint32_t lease_default; /* seconds; 0: 3600 */
	bool no_cache;          /* ignore the cached discovery result */
};

struct he_config;
/*
 * Options from the configuration's [router] section: protocols (preference
 * order), probe timeout, default lease, gateway override. no_cache: ignore
 * the cached discovery result. Unknown protocol words were refused when the
 * configuration was loaded and are skipped here.
 */
void he_portmap_opts_from_config(const struct he_config *cfg, bool no_cache,
				 struct he_portmap_opts *o);

struct he_pm_request {
	const char *name;      /* exposure name; description becomes "homeexpose:NAME" */
	unsigned proto;        /* HE_PROTO_TCP or HE_PROTO_UDP (exactly one) */
	uint16_t ext_port;     /* external port (IPv4); ignored for IPv6 pinholes */
	uint16_t int_port;     /* port on the internal host */
	uint32_t lease;        /* seconds; 0: opts->lease_default */
	int family;            /* AF_INET (port forward) or AF_INET6 (firewall pinhole) */
	const char *to;        /* another LAN host's address; NULL: this host */
	bool allow_other_port; /* accept another external port if ext_port is taken */
	bool fresh;            /* the router lost its state (it restarted): make the mapping
				  anew; an id it gave before (a UPnP pinhole's) may now name
				  another mapping, so it is not renewed */
};

struct he_pm_result {
	enum he_pm_protocol protocol;
	int family;
	char ext_addr[HE_PM_ADDR_MAX]; /* router's external address ("" if unknown);
					  for IPv6: the global address now reachable */
	enum he_addr_class ext_class;  /* meaningful only when ext_addr is set */
	uint16_t ext_port;
	char client[HE_PM_ADDR_MAX]; /* internal client the mapping points to */
	uint16_t int_port;
	uint32_t lease;            /* granted lease in seconds; 0 with permanent */
	bool permanent;            /* router only grants permanent mappings (removed on close) */
	bool reused;               /* an existing homeexpose entry was taken over (UPnP 718/729) */
	bool epoch_reset;          /* the router lost its mappings since the last run */
	unsigned elapsed_ms;       /* time taken for this call */
	char note[HE_ERR_MSG_MAX]; /* warnings for the user ("" if none): CGNAT, reboot */
};

/*
 * Resolve the gateway, take the cached discovery result from st (section
 * "portmap", may be NULL) or probe, and return a handle bound to the chosen
 * protocol. -ENETUNREACH: no default route; -EHOSTUNREACH: no router answered
 * any enabled protocol (message lists what was tried and how long it took).
 */
int he_portmap_open(const struct he_portmap_opts *opts, struct he_state *st,
		    struct he_portmap **out, struct he_error *err);

/* The protocol in use and how long opening took (probe included). */
enum he_pm_protocol he_portmap_protocol(const struct he_portmap *pm);
unsigned he_portmap_open_ms(const struct he_portmap *pm);
/* The gateway address as text. */
const char *he_portmap_gateway(const struct he_portmap *pm);

/*
 * Create or renew one mapping (one transport protocol, one family). A renewal
 * of a mapping in the state reuses its PCP nonce. -EADDRINUSE when the
 * external port belongs to another host (message names it and offers a free
 * port), -EACCES when the router forbids mappings (message names the setting),
 * -ETIMEDOUT when the router stopped answering.
 */
int he_portmap_map(struct he_portmap *pm, const struct he_pm_request *req, struct he_pm_result *res,
		   struct he_error *err);

/*
 * Remove a mapping homeexpose made (found in the state by name, proto,
 * ext_port - int_port for IPv6 - and family; the protocol that created it is
 * used). A mapping already gone from the router (UPnP 714) is success.
 */
int he_portmap_unmap(struct he_portmap *pm, const struct he_pm_request *req, struct he_error *err);

struct he_pm_entry {
	enum he_pm_protocol protocol;
	unsigned proto; /* HE_PROTO_TCP / HE_PROTO_UDP */
	int family;
	uint16_t ext_port;
	char client[HE_PM_ADDR_MAX];
	uint16_t int_port;
	char desc[96];
	char remote[64]; /* remote host restriction ("" = any) */
	bool enabled;
	bool ours;                     /* description "homeexpose:NAME" */
	char name[HE_PM_NAME_MAX];     /* NAME when ours */
	int64_t lease_remaining;       /* seconds; 0 permanent; -1 unknown/expired */
	uint32_t lease;                /* granted lease in seconds (state records; 0 unknown) */
	int64_t expires;               /* unix time the lease ends (state records; 0 permanent) */
	bool permanent;                /* granted without an end (state records) */
	bool on_router;                /* confirmed present on the router (UPnP), else from state */
	bool router_checked;           /* the router was asked (UPnP): on_router is its answer */
	char ext_addr[HE_PM_ADDR_MAX]; /* external address when mapped ("" unknown) */
};

/*
 * homeexpose's own mappings from the state, each with its remaining lease;
 * IPv4 forwards made with UPnP are confirmed on the router (router_checked,
 * on_router). *out is malloc'ed (free()); *n may be 0.
 */
int he_portmap_list(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
		    struct he_error *err);

/*
 * The same records from the state alone (st may be read-only; no router
 * traffic, no root needed): for `list` when the router is not asked.
 */
int he_portmap_records(struct he_state *st, struct he_pm_entry **out, size_t *n,
		       struct he_error *err);

/*
 * The router's whole port-mapping table (UPnP only:
 * GetGenericPortMappingEntry), ours marked (by description, and for entries
 * made with PCP/NAT-PMP, which carry none, by the state's records).
 * -EOPNOTSUPP with a message when the handle uses PCP/NAT-PMP, which cannot
 * list a table (open with force = HE_PM_UPNP for this).
 */
int he_portmap_list_router(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
			   struct he_error *err);

/* External IPv4 address as seen by the router, with its class. */
int he_portmap_external_address(struct he_portmap *pm, char *buf, size_t len,
				enum he_addr_class *cls, struct he_error *err);

/*
 * The router's event URLs (HE_PM_CAP_EVENTS): the WAN connection service's
 * (url) and the IPv6 firewall service's (url6, "" when absent), absolute.
 * -EOPNOTSUPP when the protocol has no events or the router named no URL.
 */
int he_portmap_event_urls(struct he_portmap *pm, char *url, size_t len, char *url6, size_t len6,
			  struct he_error *err);

/*
 * Has the router lost its state since the epoch recorded for protocol p in st
 * (an announcement carrying epoch at time now)? True when nothing is recorded.
 */
bool he_portmap_epoch_reset(struct he_state *st, enum he_pm_protocol p, uint32_t epoch,
			    int64_t now);

/* Free the handle (mappings stay). Accepts NULL. */
void he_portmap_close(struct he_portmap *pm);

struct he_pm_probe_info {
	enum he_pm_protocol protocol;
	bool answered;
	unsigned ms;                   /* time to the answer (or to the failure) */
	char ext_addr[HE_PM_ADDR_MAX]; /* "" if not learned */
	enum he_addr_class ext_class;
	char explain[HE_ERR_MSG_MAX];    /* class explanation when not public */
	char detail[HE_ERR_MSG_MAX / 2]; /* e.g. "IGDv2 http://...", "epoch 1234" */
	char error[HE_ERR_MSG_MAX];      /* why it did not answer */
};

struct he_pm_netcheck {
	char gateway[HE_PM_ADDR_MAX];
	char ifname[16];
	char local_addr[HE_PM_ADDR_MAX]; /* this host's address toward the router */
	char gateway6[HE_PM_ADDR_MAX];   /* "" when no IPv6 default route */
	char global6[HE_PM_ADDR_MAX];    /* this host's global IPv6 ("" if none) */
	unsigned total_ms;
	struct he_pm_probe_info proto[HE_PM_NPROTO]; /* in order PCP, NAT-PMP, UPnP */
};

/*
 * netcheck: probe every protocol (or opts->force only) and wait for all to
 * answer or the deadline, then ask each that answered for the external
 * address. st may be NULL; when given, the discovery cache is refreshed.
 */
int he_portmap_probe_all(const struct he_portmap_opts *opts, struct he_state *st,
			 struct he_pm_netcheck *out, struct he_error *err);

#endif
