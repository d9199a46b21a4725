/* SPDX-License-Identifier: MIT */
/*
 * records.c - homeexpose's mappings as recorded in section "portmap" of
 * the runtime state: saving, keys, reading them back (records, list, the
 * router's whole table with ours marked).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/portspec.h"
#include "portmap/backend.h"
#include "portmap/portmap.h"
#include "state/state.h"

/* ---- state ---- */

int he_pm_save_state(struct he_portmap *pm, struct he_error *err)
{
	struct he_error e;
	int ret;

	if (!pm->st)
		return 0;
	he_error_clear(&e);
	ret = he_state_save(pm->st, &e);
	if (ret == -EBADF)
		return 0; /* read-only state (e.g. netcheck): nothing is kept */
	if (ret < 0 && err) {
		*err = e;
		return he_error_prefix(err, ret, "the router mapping was made but not recorded");
	}
	return ret;
}

json_t *he_pm_mappings(struct he_portmap *pm)
{
	json_t *m = json_object_get(pm->sec, "mappings");

	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(pm->sec, "mappings", m);
	}
	return m;
}

void he_pm_record_key(const char *name, unsigned proto, int family, uint16_t port, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s %s %u ipv%d", name, he_proto_name(proto), port,
		 family == AF_INET6 ? 6 : 4);
}

static int records(json_t *sec, struct he_pm_entry **out, size_t *n, struct he_error *err)
{
	json_t *m = json_object_get(sec, "mappings"), *rec;
	const char *key;
	struct he_pm_entry *v;
	size_t cnt = 0, total = json_is_object(m) ? json_object_size(m) : 0;
	time_t now = time(NULL);

	v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		return he_error_set(err, -ENOMEM, "out of memory");
	json_object_foreach(m, key, rec)
	{
		struct he_pm_entry *e;
		const char *proto = json_string_value(json_object_get(rec, "proto"));
		json_int_t exp = json_integer_value(json_object_get(rec, "expires"));
		json_int_t ep = json_integer_value(json_object_get(rec, "ext_port"));
		json_int_t ip = json_integer_value(json_object_get(rec, "int_port"));

		if (!json_is_object(rec) || !proto ||
		    !json_is_string(json_object_get(rec, "name")) || ep < 0 || ep > 65535 ||
		    ip < 0 || ip > 65535)
			continue; /* not a record written here: leave it alone */
		e = &v[cnt++];

		he_pm_protocol_parse(json_string_value(json_object_get(rec, "protocol")),
				     &e->protocol, NULL);
		e->proto = proto && !strcmp(proto, "udp") ? HE_PROTO_UDP : HE_PROTO_TCP;
		e->family =
		    json_integer_value(json_object_get(rec, "family")) == 6 ? AF_INET6 : AF_INET;
		e->ext_port = (uint16_t)json_integer_value(json_object_get(rec, "ext_port"));
		e->int_port = (uint16_t)json_integer_value(json_object_get(rec, "int_port"));
		he_pm_copy_str(e->client, sizeof(e->client), rec, "client");
		he_pm_copy_str(e->name, sizeof(e->name), rec, "name");
		he_pm_copy_str(e->ext_addr, sizeof(e->ext_addr), rec, "ext_addr");
		he_pm_desc(e->name, e->desc, sizeof(e->desc));
		e->ours = true;
		e->enabled = true;
		e->lease = json_integer_value(json_object_get(rec, "lease")) > 0
			       ? (uint32_t)json_integer_value(json_object_get(rec, "lease"))
			       : 0;
		e->expires = (int64_t)exp;
		e->permanent = json_is_true(json_object_get(rec, "permanent"));
		if (e->permanent)
			e->lease_remaining = 0;
		else
			e->lease_remaining = exp > now ? (int64_t)(exp - now) : -1;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int he_portmap_records(struct he_state *st, struct he_pm_entry **out, size_t *n,
		       struct he_error *err)
{
	json_t *sec = st ? he_state_section(st, "portmap") : NULL;

	if (!sec) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	return records(sec, out, n, err);
}

int he_portmap_list(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
		    struct he_error *err)
{
	int ret = records(pm->sec, out, n, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < *n; i++) {
		struct he_pm_entry *e = &(*out)[i];
		const struct he_portmap_backend *be = he_pm_backend_of(e->protocol);
		int64_t left = 0;
		int r;

		if (!be || !be->has_entry || e->family != AF_INET)
			continue; /* the protocol cannot list the router's table */
		r = be->has_entry(pm, e->ext_port, e->proto, &left);
		if (r < 0)
			continue; /* could not ask: the state's view stands */
		e->router_checked = true;
		e->on_router = r == 1;
		e->lease_remaining = r == 1 ? left : -1;
	}
	return 0;
}

int he_portmap_list_router(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
			   struct he_error *err)
{
	json_t *m = he_pm_mappings(pm), *rec;
	const char *key;
	size_t i;
	int ret = pm->be->list_router(pm, out, n, err);

	if (ret < 0)
		return ret;
	/* PCP and NAT-PMP carry no description: mark what the state says is ours */
	for (i = 0; i < *n; i++) {
		struct he_pm_entry *e = &(*out)[i];

		if (e->ours)
			continue;
		json_object_foreach(m, key, rec)
		{
			const char *c = json_string_value(json_object_get(rec, "client"));
			const char *p = json_string_value(json_object_get(rec, "proto"));
			const char *nm = json_string_value(json_object_get(rec, "name"));

			if (json_integer_value(json_object_get(rec, "family")) != 4 || !c ||
			    strcmp(c, e->client) || !p || strcmp(p, he_proto_name(e->proto)) ||
			    json_integer_value(json_object_get(rec, "ext_port")) != e->ext_port)
				continue;
			e->ours = true;
			snprintf(e->name, sizeof(e->name), "%s", nm ? nm : "");
			break;
		}
	}
	return 0;
}
