/* SPDX-License-Identifier: MIT */
/*
 * control_client.h - asking a running agent over its control socket
 * (control.h, ctlproto.h). Used by `homeexpose list`, `ddns status`, and by
 * `open` / `close` to have the agent reload.
 *
 * Owner: lib/agent. No root needed for the read-only commands.
 */
#ifndef HE_AGENT_CONTROL_CLIENT_H
#define HE_AGENT_CONTROL_CLIENT_H

#include <jansson.h>

#include "agent/ctlproto.h"
#include "core/error.h"

/*
 * Send cmd to the agent listening in runtime_dir and wait up to timeout_ms
 * for its reply (a JSON object, *reply to json_decref). -ENOENT or
 * -ECONNREFUSED: no agent runs (message says so); -ETIMEDOUT; -EPERM: the
 * agent refused (its message in err); -EPROTO: a reply that is not JSON.
 * With "ok": false the reply's "error" becomes err and -EPERM/-EINVAL is
 * returned, *reply still set.
 */
/*
 * Judge the agent's reply line (LEN bytes): *reply gets the JSON object (also
 * for a refusal; json_decref it); 0 when ok is true, -EPERM / -EINVAL with the
 * agent's message otherwise, -EPROTO when it is not a JSON object.
 */
int he_ctl_parse_reply(const char *buf, size_t len, json_t **reply, struct he_error *err);

int he_ctl_call(const char *runtime_dir, enum he_ctl_cmd cmd, int timeout_ms, json_t **reply,
		struct he_error *err);

#endif
