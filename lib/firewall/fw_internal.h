/* SPDX-License-Identifier: MIT */
/*
 * fw_internal.h - what the firewall backends share; not for callers outside
 * lib/firewall (and its unit tests).
 *
 * Owner: lib/firewall. The backend interface, the port union built from the
 * desired state, report/text helpers, and the pure parts of each backend
 * (transaction text, ruleset analysis, tool-output parsing) exposed so unit
 * tests and the fuzzer can reach them without root.
 */
#ifndef HE_FIREWALL_FW_INTERNAL_H
#define HE_FIREWALL_FW_INTERNAL_H

#include <stdarg.h>

#include "firewall/firewall.h"

/* The union of wanted ports, sorted by (proto, port), one protocol each. */
struct he_fw_ports {
	size_t n;
	struct he_fw_port *v;
};

int he_fw_ports_from_desired(const struct he_fw_desired *d, struct he_fw_ports *out,
			     struct he_error *err);
void he_fw_ports_free(struct he_fw_ports *p);
/*
 * The index of the last entry of the run starting at i: consecutive ports of
 * one protocol with the same comment (a port range's ports are one run, the
 * unit of one nft set element, one ufw rule, one firewalld port).
 */
size_t he_fw_ports_run_end(const struct he_fw_ports *p, size_t i);
/* The entry for (port, proto) or NULL. */
const struct he_fw_port *he_fw_ports_find(const struct he_fw_ports *p, uint16_t port,
					  unsigned proto);

/*
 * What the shadow analysis assumes of the traffic that matters: a new
 * connection from a public address, coming in on the WAN-facing interface.
 */
struct he_nft_view {
	const char *wan_if; /* the default route's interface; NULL: unknown */
	uint32_t mark;      /* the bit our mark chain sets for our ports (0: none) */
	int mark_prio;      /* the priority of our mark chain on the input hook */
	unsigned families;  /* HE_FW_IPV4 | HE_FW_IPV6; 0: both */
};
/* What a backend call knows beyond the desired state (built by firewall.c). */
struct he_fw_env {
	const struct he_fw_options *opt; /* mark (never 0 here), integrate */
	struct he_nft_view view;         /* for the shadow analysis */
	char wan_if[16];
};

/* What a backend can do beyond apply/verify (struct he_fw_backend.caps). */
enum {
	/* its own table marks our ports ([firewall] mark), so ONE rule in another
	 * table's chain can accept them: `homeexpose firewall integrate` */
	HE_FW_CAP_MARK_INTEGRATE = 1,
};

struct he_fw_backend {
	const char *name;
	const char *why; /* what "auto" found when detect said 1 */
	unsigned caps;   /* HE_FW_CAP_* */
	/* 1 when this tool manages the host's firewall, 0 when not, <0 error. */
	int (*detect)(const struct he_fw_options *o, struct he_error *err);
	/* Make the host match D / PORTS, its union (empty: remove all of ours). */
	int (*apply)(const struct he_fw_env *env, const struct he_fw_desired *d,
		     const struct he_fw_ports *ports, unsigned flags, char **dry_run_text,
		     struct he_error *err);
	/* Fill rep: missing/extra/present/in_sync and shadowing drops. */
	int (*verify)(const struct he_fw_env *env, const struct he_fw_desired *d,
		      const struct he_fw_ports *ports, struct he_fw_report *rep,
		      struct he_error *err);
};

extern const struct he_fw_backend he_fw_backend_nftables;
extern const struct he_fw_backend he_fw_backend_ufw;
extern const struct he_fw_backend he_fw_backend_firewalld;
extern const struct he_fw_backend he_fw_backend_none;

/* --- report and text helpers (fw_report.c) --- */
int he_fw_report_add_missing(struct he_fw_report *r, const struct he_fw_port *p);
int he_fw_report_add_extra(struct he_fw_report *r, uint16_t port, unsigned proto,
			   const char *comment);
int he_fw_report_add_shadow(struct he_fw_report *r, const struct he_fw_shadow *s);
void he_fw_report_note(struct he_fw_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A growable NUL-terminated string. */
struct he_fw_text {
	char *p;
	size_t len, cap;
	int oom;
};
void he_fw_text_add(struct he_fw_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append argv as one shell-quoted line (for dry-run output). */
void he_fw_text_argv(struct he_fw_text *t, const char *const argv[]);
/* Hand over the string (never NULL unless out of memory); resets t. */
char *he_fw_text_take(struct he_fw_text *t);

/* 1 when the process holds CAP_NET_ADMIN (effective). */
int he_fw_have_net_admin(void);
int he_fw_eperm(struct he_error *err, const char *what);

/* A firewall manager's program, for changing something through it (fw_tool.c). */
struct he_fw_tool {
	const char *missing;       /* the message when the program is not installed */
	const char *what;          /* "changing ufw rules": for the permission message */
	const char *const *denied; /* output fragments that mean "not allowed", NULL-ended */
	int timeout_ms;
};

/*
 * Run argv (never through a shell) with the tool's timeout: 0, with its
 * standard output in *out (to free) when out is not NULL; -ENOENT when the
 * program is missing, -EPERM when its output says permission was refused,
 * -EIO naming the command and its message otherwise.
 */
int he_fw_tool_run(const struct he_fw_tool *t, const char *const argv[], char **out,
		   struct he_error *err);

/* --- nftables (nft_txn.c, nft_json.c, nft.c) --- */
#define HE_NFT_TABLE "homeexpose"

/* The priority of our mark chain on the input hook (before filter chains). */
#define HE_NFT_MARK_PRIO (-300)
/* The transaction making `table inet homeexpose` hold exactly PORTS (MARK: the bit to set). */
char *he_nft_build_txn(const struct he_fw_ports *ports, uint32_t mark);

enum {
	HE_NFT_SKIP_OWN = 1,       /* skip table inet homeexpose in the shadow analysis */
	HE_NFT_SKIP_UFW = 2,       /* skip tables ufw manages (checked through ufw) */
	HE_NFT_SKIP_FIREWALLD = 4, /* skip firewalld's tables */
	HE_NFT_OWN_STATE = 8,      /* fill present/in_sync/missing/extra from our table */
	HE_NFT_NO_SHADOW = 16,     /* skip the shadow analysis */
};
/*
 * Analyse `nft -j list ruleset` output. Fills rep according to flags. VIEW
 * may be NULL (interface unknown, no mark, both families). Returns 0 or
 * -EINVAL for JSON that is not an nftables ruleset.
 */
int he_nft_analyze(const char *json, size_t len, const struct he_fw_ports *ports, unsigned flags,
		   const struct he_nft_view *view, struct he_fw_report *rep, struct he_error *err);
/* 1 when the ruleset holds tables managed by ufw (chains named ufw-*). */
int he_nft_ruleset_has_ufw(const char *json, size_t len);

/* Run one command buffer (JSON output when json); *out (may be NULL) gets the output. */
int he_nft_run(const char *cmd, int json, char **out, struct he_error *err);

/* nft_persist.c: the file an include of a directory in CONF_TEXT names for us
 * (1, in out), 0 when none. */
int he_nft_persist_target(const char *conf_text, char *out, size_t n);
int he_nft_persist(uint32_t mark, const char *family, const char *table, const char *chain,
		   int remove, const char *conf, char *written, size_t n, struct he_error *err);
/* The integration rule, after "FAMILY TABLE CHAIN" (two %u: the mark). */
#define HE_NFT_INTEGRATE_FMT "meta mark & 0x%08x == 0x%08x accept comment \"homeexpose\""
/* Names nft takes unquoted: 1..63 of [A-Za-z0-9_.-], not starting with '-'. */
int he_nft_name_ok(const char *s);
/* The handle of our rule (comment "homeexpose") in the chain; 0 none; <0 error. */
int he_nft_integrate_find(const char *family, const char *table, const char *chain,
			  struct he_error *err);
/* Insert the rule at the top of the chain (remove: delete it). Idempotent. */
int he_nft_integrate(uint32_t mark, const char *family, const char *table, const char *chain,
		     int remove, struct he_error *err);
/* Pure: the handle of the rule with comment "homeexpose" in the chain, from JSON; 0 none. */
long long he_nft_find_tagged(const char *json, size_t len, const char *family, const char *table,
			     const char *chain);

/*
 * Add to each iptables-nft xt match of *json what the kernel holds
 * (nft_xt.c): "homeexpose": {"new": bool} or {"dports": [[lo, hi], ...]}.
 * Best effort; *json may be replaced.
 */
int he_nft_xt_annotate(char **json, struct he_error *err);
/* Pure: the annotation for one match (NAME, revision, option block), or NULL. */
struct json_t;
struct json_t *he_nft_xt_decode(const char *name, unsigned rev, const void *info, size_t len);

/* Run `list ruleset` through libnftables with JSON output (xt matches annotated). */
int he_nft_list_ruleset(char **out, struct he_error *err);

/* --- iptables-legacy (legacy.c) --- */
/*
 * Check iptables-legacy's INPUT chains (when legacy tables exist in this
 * network namespace) for drops of PORTS; adds shadows/notes to rep.
 */
int he_fw_legacy_check(const struct he_fw_ports *ports, struct he_fw_report *rep,
		       struct he_error *err);
/* Pure part: analyse `iptables-legacy -S INPUT` output for family "ip"/"ip6". */
void he_fw_legacy_analyze(const char *save, const char *family, const struct he_fw_ports *ports,
			  struct he_fw_report *rep);

/* --- ufw (ufw.c) --- */
/* One rule homeexpose placed in ufw, parsed from `ufw show added`. */
struct he_ufw_rule {
	uint16_t port;
	uint16_t last; /* a range port..last (ufw's PORT:LAST); == port for one port */
	unsigned proto;
	char comment[HE_FW_COMMENT_MAX];
	int ours; /* comment starts with homeexpose: */
};
int he_ufw_parse_added(const char *text, struct he_ufw_rule **out, size_t *n);
/* One line of ufw's user.rules: its "### tuple ###" as a `ufw show added` line in t. */
void he_ufw_tuple_to_added(const char *line, struct he_fw_text *t);
/* ENABLED=yes in ufw.conf at PATH: 1, 0, or -ENOENT when the file is missing. */
int he_ufw_conf_enabled(const char *path);

/* --- firewalld (firewalld.c) --- */
/* firewalld_bus.c: firewalld's state over D-Bus, as firewall-cmd's words. */
enum he_fwd_q {
	HE_FWD_SERVICES, /* the permanent service names (--permanent --get-services) */
	HE_FWD_ENABLED,  /* the default zone's runtime services (--list-services) */
	HE_FWD_PERMZONE, /* its permanent services (--permanent --list-services) */
	HE_FWD_PORTS,    /* service svc's permanent ports (--permanent --service= --get-ports) */
};
int he_fwd_query(enum he_fwd_q what, const char *svc, char **out, struct he_error *err);
int he_firewalld_parse_ports(const char *text, struct he_fw_ports *out, const char *comment);

#endif
