/* SPDX-License-Identifier: MIT */
/*
 * fw_tool.c - the one way a firewall backend runs its manager's program (ufw,
 * firewall-cmd): an argument vector, a timeout, the permission and "not
 * installed" cases named. Only to change something: what the host has is read
 * from files, the ruleset and D-Bus, never by running a program.
 */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/spawn.h"

static bool denied(const struct he_fw_tool *t, const char *msg)
{
	for (const char *const *d = t->denied; d && *d; d++)
		if (strstr(msg, *d))
			return true;
	return false;
}

int he_fw_tool_run(const struct he_fw_tool *t, const char *const argv[], char **out,
		   struct he_error *err)
{
	struct he_spawn_result res;
	int rc = he_spawn_run(argv, t->timeout_ms, &res, err);

	if (rc == -ENOENT)
		return he_error_set(err, -ENOENT, "%s", t->missing);
	if (rc < 0)
		return rc;
	if (res.exit_code != 0) {
		const char *msg = res.err && *res.err ? res.err : res.out;

		if (denied(t, msg))
			rc = he_fw_eperm(err, t->what);
		else
			rc = he_error_set(err, -EIO, "`%s %s %s` failed (exit %d): %.300s", argv[0],
					  argv[1] ? argv[1] : "", argv[1] && argv[2] ? argv[2] : "",
					  res.exit_code, msg);
		he_spawn_result_free(&res);
		return rc;
	}
	if (out) {
		*out = res.out;
		res.out = NULL;
	}
	he_spawn_result_free(&res);
	return 0;
}
