/* SPDX-License-Identifier: MIT */
/*
 * ctlproto.h - the agent's control protocol: JSON lines over a Unix socket.
 *
 * Owner: lib/agent. A request is one line holding a JSON object,
 * {"cmd": "status"} optionally with "id" (any JSON value, echoed back). A
 * reply is one line holding a JSON object with "ok" (true or false), "error"
 * (a message, when not ok) and the command's data. Commands:
 *   status       the agent's own view: pid, uptime, router, firewall, errors
 *   list         every exposure with its live router and firewall state
 *   ddns-status  the dynamic-DNS records and their last update
 *   reload       re-read the configuration and the exposures (root or the
 *                agent's own uid only, checked with SO_PEERCRED)
 * Pure parsing and formatting; the socket lives in control.c.
 */
#ifndef HE_AGENT_CTLPROTO_H
#define HE_AGENT_CTLPROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define HE_CTL_LINE_MAX 4096 /* longest request line */
#define HE_CTL_SOCKET   "agent.sock"

enum he_ctl_cmd {
	HE_CTL_STATUS = 1,
	HE_CTL_LIST,
	HE_CTL_DDNS_STATUS,
	HE_CTL_RELOAD,
};

struct he_ctl_request {
	enum he_ctl_cmd cmd;
	json_t *id; /* owned reference or NULL */
};

/*
 * Parse one request line (without or with its trailing newline). -EINVAL
 * with a message for anything else: not JSON, not an object, no "cmd",
 * unknown command, a line longer than HE_CTL_LINE_MAX.
 */
int he_ctl_parse(const char *line, size_t len, struct he_ctl_request *out, struct he_error *err);
void he_ctl_request_free(struct he_ctl_request *r);

/* "status", "list", "ddns-status", "reload" (NULL for others). */
const char *he_ctl_cmd_name(enum he_ctl_cmd c);
/* Does the command change anything (then only root / the agent's uid may send it)? */
bool he_ctl_cmd_mutates(enum he_ctl_cmd c);

/* The request line for cmd, newline-terminated (malloc'ed). */
char *he_ctl_format_request(enum he_ctl_cmd c);

/*
 * A reply line (newline-terminated, malloc'ed): data's members plus "ok" and,
 * with msg, "error". Steals data (may be NULL); id is borrowed (may be NULL).
 */
char *he_ctl_format_reply(json_t *data, bool ok, const char *msg, const json_t *id);

#endif
