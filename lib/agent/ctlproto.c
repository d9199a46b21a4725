/* SPDX-License-Identifier: MIT */
#include "agent/ctlproto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonvocab.h"

static const struct {
	enum he_ctl_cmd cmd;
	const char *name;
	bool mutates;
} cmds[] = {
    {HE_CTL_STATUS, "status", false},
    {HE_CTL_LIST, "list", false},
    {HE_CTL_DDNS_STATUS, "ddns-status", false},
    {HE_CTL_RELOAD, "reload", true},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const char *he_ctl_cmd_name(enum he_ctl_cmd c)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (cmds[i].cmd == c)
			return cmds[i].name;
	return NULL;
}

bool he_ctl_cmd_mutates(enum he_ctl_cmd c)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (cmds[i].cmd == c)
			return cmds[i].mutates;
	return true; /* unknown: treat as privileged */
}

int he_ctl_parse(const char *line, size_t len, struct he_ctl_request *out, struct he_error *err)
{
	json_error_t je;
	json_t *doc, *cmd;
	const char *name;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0)
		return he_error_set(err, -EINVAL,
				    "empty request: send one JSON object per line, "
				    "e.g. {\"cmd\":\"status\"}");
	if (len > HE_CTL_LINE_MAX)
		return he_error_set(err, -EINVAL, "request longer than %d bytes", HE_CTL_LINE_MAX);
	if (memchr(line, '\n', len))
		return he_error_set(err, -EINVAL, "one request per line");
	doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return he_error_set(err, -EINVAL, "request is not JSON (%s at column %d)", je.text,
				    je.column);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return he_error_set(err, -EINVAL, "request must be a JSON object with \"cmd\"");
	}
	cmd = json_object_get(doc, "cmd");
	name = json_string_value(cmd);
	if (!name) {
		json_decref(doc);
		return he_error_set(err, -EINVAL, "request has no \"cmd\" string");
	}
	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(name, cmds[i].name) == 0) {
			out->cmd = cmds[i].cmd;
			out->id = json_incref(json_object_get(doc, "id"));
			json_decref(doc);
			return 0;
		}
	}
	json_decref(doc);
	return he_error_set(err, -EINVAL,
			    "unknown command (known: status, list, ddns-status, reload)");
}

void he_ctl_request_free(struct he_ctl_request *r)
{
	if (!r)
		return;
	json_decref(r->id);
	r->id = NULL;
}

static char *dump_line(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	char *line;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *he_ctl_format_request(enum he_ctl_cmd c)
{
	const char *name = he_ctl_cmd_name(c);
	json_t *doc;
	char *line;

	if (!name)
		return NULL;
	doc = json_pack("{s:s}", "cmd", name);
	line = doc ? dump_line(doc) : NULL;
	json_decref(doc);
	return line;
}

char *he_ctl_format_reply(json_t *data, bool ok, const char *msg, const json_t *id)
{
	json_t *doc = json_is_object(data) ? data : json_object();
	char *line;

	if (data && doc != data)
		json_decref(data);
	if (!doc)
		return NULL;
	/* the vocabulary's version, as in every --json document (docs/json.md) */
	json_object_set_new(doc, "schema_version", json_integer(HE_JSON_SCHEMA_VERSION));
	json_object_set_new(doc, "ok", json_boolean(ok));
	if (msg)
		json_object_set_new(doc, "error", json_string(msg));
	if (id)
		json_object_set(doc, "id", (json_t *)id);
	line = dump_line(doc);
	json_decref(doc);
	return line;
}
