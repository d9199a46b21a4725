/* SPDX-License-Identifier: MIT */
/*
 * firewall.h - the host firewall: open the ports homeexpose exposes.
 *
 * Owner: lib/firewall. One manager per backend behind one interface
 * (struct he_fw_backend, listed in a static const table in firewall.c):
 *
 *   nftables   own code over libnftables: homeexpose owns `table inet
 *              homeexpose` alone (an input base chain, policy accept, and the
 *              named interval sets tcp_ports / udp_ports, IPv4 and IPv6 alike;
 *              a port range is one element FIRST-LAST). Every
 *              change is one atomic transaction that makes the table match
 *              the desired state; nothing else is ever touched. When the
 *              desired state is empty the table is deleted.
 *   ufw        `ufw allow PORT/PROTO comment homeexpose:NAMES`, run with an
 *              argument vector; `ufw delete allow ...` on close.
 *   firewalld  one firewalld service `homeexpose-NAME` per exposure
 *              (description `homeexpose:NAME`), added to the default zone,
 *              permanent and runtime.
 *   none       does nothing; verify only reports what would block.
 *
 * "auto" picks ufw when ufw is active, firewalld when it is running, else
 * nftables - found without running a program: ufw from /etc/ufw/ufw.conf
 * (ENABLED=yes) and its chains in the ruleset, firewalld from its D-Bus name.
 *
 * The nftables table also holds a chain `mark_ports` (input hook, priority
 * -300) setting the [firewall] mark bit on packets to its ports. With
 * `integrate` set in the options, apply keeps ONE rule `meta mark & BIT ==
 * BIT accept comment "homeexpose"` at the top of that other table's chain.
 *
 * The model is declarative: the caller passes the FULL list of (exposure name,
 * port, protocol) homeexpose holds, and the backend makes the host match it.
 * Several exposures may share a port: the port stays open while any of them
 * wants it. The same request twice changes nothing.
 *
 * An nftables accept is not final: a drop in another table's input chain, an
 * iptables(-legacy) rule, ufw or firewalld still wins. he_firewall_verify()
 * inspects the ruleset and reports each table/chain that would still drop a
 * port, with the fix.
 *
 * Nothing here prints. Changing the firewall needs root or CAP_NET_ADMIN;
 * without it the calls return -EPERM with a message saying so, and nothing is
 * half-applied.
 */
#ifndef HE_FIREWALL_FIREWALL_H
#define HE_FIREWALL_FIREWALL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/portspec.h"

#define HE_FW_NAME_MAX    64  /* exposure name, [A-Za-z0-9._-], 1..63 chars */
#define HE_FW_COMMENT_MAX 128 /* "homeexpose:a,b" tags (nft limits comments to 128) */
#define HE_FW_TAG         "homeexpose:"

/* One wanted opening: exposure NAME wants PORT open for PROTO. */
struct he_fw_rule {
	char name[HE_FW_NAME_MAX];
	uint16_t port;
	unsigned proto; /* HE_PROTO_TCP, HE_PROTO_UDP or HE_PROTO_BOTH */
};

/* IP versions (struct he_fw_desired.families); 0 means both. */
#define HE_FW_IPV4 1u
#define HE_FW_IPV6 2u

/* The desired state: every opening homeexpose holds. Zero-init is empty. */
struct he_fw_desired {
	size_t n, cap;
	struct he_fw_rule *v;
	/*
	 * IP versions the shadow analysis of he_firewall_verify() checks (0: both):
	 * an exposure opened --ipv4-only is not refused for an IPv6-only drop.
	 */
	unsigned families;
};

/* HE_FW_IPV4 for "ipv4", HE_FW_IPV6 for "ipv6", else 0 (both). */
unsigned he_fw_families(const char *family);

/* Add one opening (a duplicate of an existing one is accepted and ignored). */
int he_fw_desired_add(struct he_fw_desired *d, const char *name, uint16_t port, unsigned proto,
		      struct he_error *err);
/* Add every spec of a port list (the internal port is what the host sees). */
int he_fw_desired_add_list(struct he_fw_desired *d, const char *name,
			   const struct he_portlist *ports, struct he_error *err);
void he_fw_desired_free(struct he_fw_desired *d);
/* 1 when NAME may be used as an exposure name in firewall tags. */
int he_fw_name_valid(const char *name);

/* A port with one protocol and the exposures that want it. */
struct he_fw_port {
	uint16_t port;
	uint16_t last;                   /* firewalld's ports read back: a range port..last;
					    0 everywhere else (one port) */
	unsigned proto;                  /* exactly one of HE_PROTO_TCP / HE_PROTO_UDP */
	char comment[HE_FW_COMMENT_MAX]; /* "homeexpose:a,b" (names sorted, unique) */
};

/* A port the backend should have open but has not (drift, or never applied). */
struct he_fw_missing {
	uint16_t port;
	unsigned proto;
	char comment[HE_FW_COMMENT_MAX];
};

/* A table/chain outside homeexpose's control that would still drop a port. */
struct he_fw_shadow {
	uint16_t port;
	unsigned proto;
	int certain;    /* 1: would drop; 0: may drop (rules homeexpose cannot fully read) */
	char family[8]; /* "ip", "ip6", "inet", or "legacy" for iptables-legacy */
	char table[64];
	char chain[64];  /* the base chain (hook input / prerouting) */
	char where[192]; /* what drops: "policy drop", "rule handle 9 in chain sub: reject" */
	char owner[16];  /* "nftables", "iptables-nft", "iptables-legacy", "ufw", "firewalld",
			    "fail2ban" */
	char fix[256];   /* a command that would let the port through, or what to change */
	char ipfam[8];   /* "both", "ipv4" or "ipv6": the traffic that is dropped */
	char hook[24];   /* "filter input", "nat prerouting", "filter ingress", ... */
};

#define HE_FW_NOTES_MAX 4
#define HE_FW_NOTE_LEN  256

struct he_fw_report {
	char backend[16];
	int present; /* homeexpose's rules exist at all (table, ufw rules, services) */
	int in_sync; /* 1 when the backend matches the desired state exactly */
	size_t n_missing;
	struct he_fw_missing *missing;
	size_t n_extra; /* open through homeexpose but no longer desired */
	struct he_fw_missing *extra;
	size_t n_shadow;
	struct he_fw_shadow *shadow;
	size_t n_notes;
	char notes[HE_FW_NOTES_MAX][HE_FW_NOTE_LEN];
};

void he_fw_report_free(struct he_fw_report *r);

struct he_firewall;

/*
 * The default packet-mark bit of the mark chain ([firewall] mark). Chosen
 * clear of wg-quick (fwmark 0xca6c = 51820 and its table number), Tailscale
 * (0x40000 / 0x80000 within 0xff0000), Docker (none on input; swarm 0x100),
 * kube-proxy (0x4000 masquerade, 0x8000 drop) and Cilium (0xf00).
 */
#define HE_FW_MARK_DEFAULT 0x10000000u

/* What he_firewall_open_opts() takes; zero-init is "auto", default mark, no integration. */
struct he_fw_options {
	const char *backend; /* NULL or "auto", "nftables", "ufw", "firewalld", "none" */
	uint32_t mark;       /* 0: HE_FW_MARK_DEFAULT */
	const char *ufw_dir; /* NULL: /etc/ufw (ufw.conf, user.rules, user6.rules) */
	/* [firewall] integrate = FAMILY TABLE CHAIN: the rule he_firewall_apply keeps */
	char integrate_family[8];
	char integrate_table[64];
	char integrate_chain[64];
	/* the ruleset file loaded at boot; NULL or "": /etc/nftables.conf */
	const char *nftables_conf;
};

/*
 * Parse "FAMILY TABLE CHAIN" (as in [firewall] integrate) into o's integrate_*;
 * "" clears it. -EINVAL with a message for anything else.
 */
int he_fw_options_integrate(struct he_fw_options *o, const char *text, struct he_error *err);
int he_firewall_open_opts(const struct he_fw_options *o, struct he_firewall **out,
			  struct he_error *err);
struct he_config;
/* he_firewall_open_opts() with [firewall] backend, mark and integrate. */
int he_firewall_open_config(const struct he_config *cfg, struct he_firewall **out,
			    struct he_error *err);

/*
 * `homeexpose firewall integrate`: insert (or with remove, delete) the one rule
 * `meta mark & MARK == MARK accept comment "homeexpose"` at the top of
 * FAMILY TABLE CHAIN (nftables, another table's chain). Idempotent. *line
 * (to free(), may be NULL) gets the rule as a line for /etc/nftables.conf.
 */
int he_firewall_integrate(struct he_firewall *fw, const char *family, const char *table,
			  const char *chain, int remove, char **line, struct he_error *err);
/*
 * Keep (or with remove, drop) the integration rule across a reboot: when the
 * ruleset file (he_fw_options.nftables_conf) includes a directory, a file
 * there holds the rule's `insert rule` line, checked by a dry run of the whole
 * ruleset file. 1 with the file's path in written, 0 when the file includes
 * no directory (the caller says which line to add where), <0 error.
 */
int he_firewall_integrate_persist(struct he_firewall *fw, const char *family, const char *table,
				  const char *chain, int remove, char *written, size_t n,
				  struct he_error *err);
/* The handle of our rule in FAMILY TABLE CHAIN: >0, 0 when absent, <0 error. */
int he_firewall_integrated(struct he_firewall *fw, const char *family, const char *table,
			   const char *chain, struct he_error *err);
/* The mark bit in use. */
uint32_t he_firewall_mark(const struct he_firewall *fw);

/* he_firewall_apply() flags */
enum {
	HE_FW_DRY_RUN = 1, /* change nothing; return the exact commands in *dry_run_text */
	/* the caller's he_firewall_verify() of this very state just said it is not in
	 * place: the backend need not read it again before changing it */
	HE_FW_KNOWN_OUT_OF_SYNC = 2,
};

/*
 * Open the backend named "nftables", "ufw", "firewalld", "none" or "auto"
 * (NULL = "auto"). Unknown names: -EINVAL naming the valid ones. A named
 * backend whose tool is missing: -ENOENT.
 */
int he_firewall_open(const char *backend_name_or_auto, struct he_firewall **out,
		     struct he_error *err);

/* Why this backend: "[firewall] backend = ufw", "auto: ufw is enabled (...)". */
const char *he_firewall_why(const struct he_firewall *fw);
/* The backends' names, spelled once (the backends' table uses the same). */
#define HE_FW_NAME_NFTABLES  "nftables"
#define HE_FW_NAME_UFW       "ufw"
#define HE_FW_NAME_FIREWALLD "firewalld"
#define HE_FW_NAME_NONE      "none"
/* "auto" and every backend's name, NULL-terminated: what config and help accept. */
extern const char *const he_firewall_backend_words[];

/* The chosen backend's name ("nftables", ...). */
const char *he_firewall_backend(const struct he_firewall *fw);

/*
 * Make the host firewall match DESIRED (the full list; empty removes all that
 * homeexpose put in place). With HE_FW_DRY_RUN nothing changes and, when
 * dry_run_text is not NULL, *dry_run_text gets the exact commands (nft
 * transaction text, or one argv per line for ufw/firewalld; "" when nothing
 * would change), to free(). Idempotent; restores rules lost to drift.
 * Returns 0, -EPERM (no root / CAP_NET_ADMIN), or another -errno.
 */
int he_firewall_apply(struct he_firewall *fw, const struct he_fw_desired *desired, unsigned flags,
		      char **dry_run_text, struct he_error *err);

/* Remove everything homeexpose put in place (apply with an empty state). */
int he_firewall_remove(struct he_firewall *fw, unsigned flags, char **dry_run_text,
		       struct he_error *err);

/*
 * Compare the host with DESIRED: what is missing (drift) or extra, and which
 * other tables/chains would still drop a desired port, with fixes. rep is
 * filled on success (free with he_fw_report_free); zeroed on failure.
 */
int he_firewall_verify(struct he_firewall *fw, const struct he_fw_desired *desired,
		       struct he_fw_report *rep, struct he_error *err);

/* Free. Accepts NULL. */
void he_firewall_close(struct he_firewall *fw);

#endif
