/* SPDX-License-Identifier: MIT */
/*
 * config.h - homeexpose.conf: the desired state's global half.
 *
 * Owner: lib/config. Loaded from /etc/homeexpose/homeexpose.conf (or -c FILE);
 * every path in it is relocatable, and the environment can override the
 * state and runtime directories (HOMEEXPOSE_STATE_DIR, HOMEEXPOSE_RUNTIME_DIR)
 * so tests never touch /etc or /var. The exposures live in drop-ins, see
 * config/exposure.h.
 */
#ifndef HE_CONFIG_CONFIG_H
#define HE_CONFIG_CONFIG_H

#include <limits.h>
#include <stdbool.h>

#include "config/diag.h"
#include "core/error.h"

#define HE_NAME_MAX 64
#define HE_HOST_MAX 256
#define HE_URL_MAX  512
#define HE_DDNS_MAX 16

struct he_ddns_record {
	char name[HE_NAME_MAX];     /* from the section header [ddns NAME] */
	int line;                   /* where the section was seen first */
	char provider[16];          /* dyndns2, cloudflare, duckdns, desec, rfc2136 */
	char preset[16];            /* dyndns2 presets */
	char hostname[HE_HOST_MAX]; /* the DNS name kept current */
	char families[16];          /* "A", "AAAA", "A AAAA" */
	char server[HE_URL_MAX];    /* provider endpoint or DNS server */
	char username[128];
	char password_file[PATH_MAX]; /* secret */
	char token_file[PATH_MAX];    /* secret */
	char zone[HE_HOST_MAX];
	char tsig_key_file[PATH_MAX]; /* secret */
	char ca_file[PATH_MAX];
	unsigned refresh_days;
	bool verify;                     /* ask the zone's servers after an update */
	char verify_server[HE_HOST_MAX]; /* ADDR[:PORT]; "": the zone's NS */
	unsigned verify_tries;           /* propagation allowance, 1 s apart */
	/* lines of the secret keys, for the errors found when the files are checked */
	int password_file_line, token_file_line, tsig_key_file_line;
	bool publish_behind_nat; /* publish A behind CGNAT/DS-Lite (default: withhold) */
};

struct he_config {
	char path[PATH_MAX]; /* the main file (may not exist: defaults) */
	bool file_exists;

	/* [general] */
	char state_dir[PATH_MAX];
	char runtime_dir[PATH_MAX];
	char exposures_dir[PATH_MAX];
	char services_dir[PATH_MAX]; /* local profiles, override the catalog */
	char catalog_dir[PATH_MAX];  /* shipped profiles */
	char log_level[16];

	/* [router] */
	bool router_enabled;
	char router_protocols[64]; /* order of preference */
	char gateway[HE_HOST_MAX]; /* "auto" or an address */
	unsigned lease;            /* seconds asked for */
	unsigned probe_timeout_ms;

	/* [firewall] */
	char firewall_backend[16];
	char firewall_mark[16];           /* "" default, or 0x... one bit */
	char firewall_integrate[200];     /* "" or FAMILY TABLE CHAIN */
	char firewall_nftables_conf[256]; /* "" (/etc/nftables.conf): the ruleset file */

	/* [publicip] */
	char stun_servers[HE_URL_MAX];
	char http_urls[HE_URL_MAX * 2];
	unsigned sources_required;
	char publicip_ca_file[PATH_MAX]; /* extra CA for the HTTP check services */

	/* [reflector] */
	char reflector_url[HE_URL_MAX];
	char reflector_key_file[PATH_MAX];
	int reflector_key_line;
	char reflector_socks[HE_HOST_MAX]; /* HOST:PORT of a SOCKS5 proxy: the outside probe without
					      a reflector */
	char reflector_socks_tor[8];       /* auto (port 9050/9150 is Tor), yes, no */

	/* [agent] */
	unsigned verify_interval; /* UPnP mappings confirmed on the router */
	unsigned drift_interval;  /* host firewall compared with the exposures */
	unsigned check_interval;
	unsigned outside_check_interval;
	unsigned poll_interval; /* no event source: one STUN exchange this often */
	bool release_on_stop;
	char metrics_listen[HE_HOST_MAX];
	char metrics_textfile[PATH_MAX];

	/* [ddns NAME] ... */
	struct he_ddns_record ddns[HE_DDNS_MAX];
	unsigned nddns;
};

/* Fill with built-in defaults, paths derived from the config file's path. */
void he_config_defaults(struct he_config *cfg, const char *path);

/*
 * Load path (NULL: $HOMEEXPOSE_CONFIG or the built-in default). A missing
 * default file is fine (defaults apply); a missing explicit file is an
 * error. Every problem goes to d as file:line; returns -EINVAL if d has
 * errors afterwards, -ENOENT for a missing explicit file, else 0. The
 * environment overrides are applied last.
 */
int he_config_load(struct he_config *cfg, const char *path, bool explicit_path, struct he_diags *d);

/* Parse config text (for tests and the fuzzer); name is used in diagnostics. */
int he_config_load_string(struct he_config *cfg, const char *name, const char *text,
			  struct he_diags *d);

/* Check the secret files the config names (existence, type, permissions). */
void he_config_check_secrets(const struct he_config *cfg, struct he_diags *d);

/* The built-in default config path. */
const char *he_config_default_path(void);

#endif
