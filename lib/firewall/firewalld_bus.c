/* SPDX-License-Identifier: MIT */
/*
 * firewalld_bus.c - read firewalld's state over D-Bus (sd-bus), as
 * firewall-cmd would print it, without running firewall-cmd (a Python
 * program): firewall-cmd runs only to change something (firewalld.c).
 *
 * The interface is firewalld.dbus(5): on /org/fedoraproject/FirewallD1,
 * getDefaultZone() and org.fedoraproject.FirewallD1.zone getServices(zone)
 * (runtime); on /org/fedoraproject/FirewallD1/config, getServiceNames(),
 * getZoneByName(zone) -> the zone's object, getServices() there, and
 * getServiceByName(name) -> the service's object, getPorts() there
 * (permanent). Each answer is given as firewall-cmd's words ("a b c",
 * "8443/tcp 60000-60002/udp").
 */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define FWD_NAME   "org.fedoraproject.FirewallD1"
#define FWD_PATH   "/org/fedoraproject/FirewallD1"
#define FWD_CONFIG "/org/fedoraproject/FirewallD1/config"

static int bus_error(const sd_bus_error *e, int r, const char *what, struct he_error *err)
{
	const char *name = e && e->name ? e->name : "";
	const char *msg = e && e->message ? e->message : strerror(-r);

	if (strstr(name, "AccessDenied") || strstr(msg, "NOT_AUTHORIZED") || r == -EACCES ||
	    r == -EPERM)
		return he_fw_eperm(err, "reading firewalld's configuration");
	if (strstr(name, "ServiceUnknown") || strstr(name, "NameHasNoOwner"))
		return he_error_set(err, -ENOENT,
				    "firewalld does not answer on D-Bus (%s): is it running "
				    "(systemctl status firewalld)?",
				    what);
	return he_error_set(err, r < 0 ? r : -EIO, "firewalld over D-Bus: %s: %s", what, msg);
}

/* Call PATH IFACE.METHOD (one string argument when arg) and keep the reply. */
static int call(sd_bus *bus, const char *path, const char *iface, const char *method,
		const char *arg, sd_bus_message **reply, struct he_error *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (arg)
		r = sd_bus_call_method(bus, FWD_NAME, path, iface, method, &e, reply, "s", arg);
	else
		r = sd_bus_call_method(bus, FWD_NAME, path, iface, method, &e, reply, "");
	if (r < 0)
		r = bus_error(&e, r, method, err);
	sd_bus_error_free(&e);
	return r < 0 ? r : 0;
}

/* An "as" reply as words: "a b c\n". */
static int words_of(sd_bus_message *m, char **out, struct he_error *err)
{
	char **v = NULL;
	struct he_fw_text t = {0};
	int r = sd_bus_message_read_strv(m, &v);

	if (r < 0)
		return he_error_set(err, r, "firewalld over D-Bus: an unexpected answer");
	for (size_t i = 0; v && v[i]; i++)
		he_fw_text_add(&t, "%s%s", i ? " " : "", v[i]);
	he_fw_text_add(&t, "\n");
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
	*out = he_fw_text_take(&t);
	return *out ? 0 : he_error_set(err, -ENOMEM, "out of memory");
}

/* An "a(ss)" reply of getPorts as "8443/tcp 60000-60002/udp\n". */
static int ports_of(sd_bus_message *m, char **out, struct he_error *err)
{
	struct he_fw_text t = {0};
	const char *port, *proto;
	int r, first = 1;

	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(ss)");
	while (r > 0 && (r = sd_bus_message_read(m, "(ss)", &port, &proto)) > 0) {
		he_fw_text_add(&t, "%s%s/%s", first ? "" : " ", port, proto);
		first = 0;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	he_fw_text_add(&t, "\n");
	*out = he_fw_text_take(&t);
	if (r < 0) {
		free(*out);
		*out = NULL;
		return he_error_set(err, r, "firewalld over D-Bus: an unexpected getPorts answer");
	}
	return *out ? 0 : he_error_set(err, -ENOMEM, "out of memory");
}

/* The object path an answer of "o" names, into path. */
static int path_of(sd_bus_message *m, char *path, size_t n, struct he_error *err)
{
	const char *p = NULL;
	int r = sd_bus_message_read(m, "o", &p);

	if (r < 0 || !p)
		return he_error_set(err, r < 0 ? r : -EIO, "firewalld over D-Bus: no object path");
	snprintf(path, n, "%s", p);
	return 0;
}

static int query(sd_bus *bus, enum he_fwd_q what, const char *svc, char **out, struct he_error *err)
{
	sd_bus_message *m = NULL;
	char zone[128] = "", path[256];
	const char *z = NULL;
	int r;

	if (what == HE_FWD_SERVICES) {
		r = call(bus, FWD_CONFIG, FWD_NAME ".config", "getServiceNames", NULL, &m, err);
		if (r == 0)
			r = words_of(m, out, err);
		goto out;
	}
	if (what == HE_FWD_PORTS) {
		r = call(bus, FWD_CONFIG, FWD_NAME ".config", "getServiceByName", svc, &m, err);
		if (r == 0)
			r = path_of(m, path, sizeof(path), err);
		m = sd_bus_message_unref(m);
		if (r == 0)
			r = call(bus, path, FWD_NAME ".config.service", "getPorts", NULL, &m, err);
		if (r == 0)
			r = ports_of(m, out, err);
		goto out;
	}
	/* the default zone's services: runtime, or permanent */
	r = call(bus, FWD_PATH, FWD_NAME, "getDefaultZone", NULL, &m, err);
	if (r == 0 && (sd_bus_message_read(m, "s", &z) < 0 || !z))
		r = he_error_set(err, -EIO, "firewalld over D-Bus: no default zone");
	if (r == 0)
		snprintf(zone, sizeof(zone), "%s", z);
	m = sd_bus_message_unref(m);
	if (r == 0 && what == HE_FWD_ENABLED) {
		r = call(bus, FWD_PATH, FWD_NAME ".zone", "getServices", zone, &m, err);
	} else if (r == 0) {
		r = call(bus, FWD_CONFIG, FWD_NAME ".config", "getZoneByName", zone, &m, err);
		if (r == 0)
			r = path_of(m, path, sizeof(path), err);
		m = sd_bus_message_unref(m);
		if (r == 0)
			r = call(bus, path, FWD_NAME ".config.zone", "getServices", NULL, &m, err);
	}
	if (r == 0)
		r = words_of(m, out, err);
out:
	sd_bus_message_unref(m);
	return r;
}

int he_fwd_query(enum he_fwd_q what, const char *svc, char **out, struct he_error *err)
{
	sd_bus *bus = NULL;
	int r;

	*out = NULL;
	r = sd_bus_open_system(&bus);
	if (r < 0)
		return he_error_set(err, r,
				    "cannot reach the system D-Bus to read firewalld's state: %s",
				    strerror(-r));
	r = query(bus, what, svc, out, err);
	sd_bus_flush_close_unref(bus);
	return r;
}
