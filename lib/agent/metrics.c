/* SPDX-License-Identifier: MIT */
#include "agent/metrics.h"
#include "core/portspec.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[HE_AGENT_ERR_NKINDS] = {
    "router", "firewall", "config", "publicip", "ddns", "control",
};

const char *he_agent_err_kind_name(enum he_agent_err_kind k)
{
	return (unsigned)k < HE_AGENT_ERR_NKINDS ? kind_names[k] : "unknown";
}

/* A label value with \ " and newline escaped, as the text format wants. */
static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
	fputc('"', f);
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	head(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

char *he_metrics_render(const struct he_agent_metrics *m, int64_t now)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	head(f, "homeexpose_agent_start_time_seconds", "gauge",
	     "When the agent started (unix time).");
	fprintf(f, "homeexpose_agent_start_time_seconds %lld\n", (long long)m->start_time);
	head(f, "homeexpose_exposures", "gauge", "Exposures in the desired state.");
	fprintf(f, "homeexpose_exposures %u\n", m->exposures);
	head(f, "homeexpose_router_mappings", "gauge", "Router mappings homeexpose holds.");
	fprintf(f, "homeexpose_router_mappings %zu\n", m->nmap);
	head(f, "homeexpose_mapping_lease_remaining_seconds", "gauge",
	     "Seconds until a router mapping's lease ends (-1 permanent, 0 expired).");
	for (size_t i = 0; i < m->nmap; i++) {
		const struct he_metrics_mapping *p = &m->maps[i];
		long long left = p->expires <= 0 ? -1 : (long long)(p->expires - now);

		if (p->expires > 0 && left < 0)
			left = 0;
		fputs("homeexpose_mapping_lease_remaining_seconds{name=", f);
		label(f, p->name);
		fprintf(f, ",transport=\"%s\",family=\"%s\",port=\"%u\",protocol=\"%s\"} %lld\n",
			he_proto_name(p->proto), he_family_id(p->family), p->ext_port,
			he_pm_protocol_name(p->protocol), left);
	}
	head(f, "homeexpose_firewall_in_sync", "gauge",
	     "1 when the host firewall matches the exposures, 0 when not, -1 not checked yet.");
	fprintf(f, "homeexpose_firewall_in_sync %d\n", m->firewall_in_sync);
	counter(f, "homeexpose_public_address_changes_total", "Changes of the public address seen.",
		m->pubip_changes);
	counter(f, "homeexpose_router_maps_total", "Router mappings created.", m->router_maps);
	counter(f, "homeexpose_router_renewals_total", "Router mappings renewed.",
		m->router_renewals);
	counter(f, "homeexpose_router_unmaps_total", "Router mappings removed.", m->router_unmaps);
	counter(f, "homeexpose_router_epoch_resets_total",
		"Times the router was found to have lost its mappings.", m->router_epoch_resets);
	counter(f, "homeexpose_firewall_repairs_total",
		"Times the host firewall was put back after drift.", m->firewall_repairs);
	counter(f, "homeexpose_announcements_total", "NAT-PMP/PCP announcements received.",
		m->announcements);
	counter(f, "homeexpose_upnp_events_total",
		"UPnP events (GENA NOTIFY) accepted from the router.", m->upnp_events);
	counter(f, "homeexpose_netlink_changes_total",
		"Address and route changes (netlink) the agent looked at.", m->netlink_changes);
	counter(f, "homeexpose_address_polls_total",
		"Public address polls (one STUN exchange each, poll-interval).", m->polls);
	head(f, "homeexpose_address_events_info", "gauge",
	     "How the agent learns that the public address changed (mode label).");
	fprintf(f, "homeexpose_address_events_info{mode=\"%s\"} 1\n",
		m->evmode ? m->evmode : "unknown");
	head(f, "homeexpose_address_poll_interval_seconds", "gauge",
	     "Seconds between public address polls (0: an event source tells instead).");
	fprintf(f, "homeexpose_address_poll_interval_seconds %u\n", m->poll_interval);
	counter(f, "homeexpose_outside_checks_total",
		"Public address checks through outside services (STUN, HTTP).", m->outside_checks);
	counter(f, "homeexpose_ddns_updates_total", "DNS updates a provider accepted.",
		m->ddns_updates);
	counter(f, "homeexpose_reloads_total", "Configuration reloads.", m->reloads);
	counter(f, "homeexpose_reload_failures_total",
		"Reloads refused (the running configuration was kept).", m->reload_failures);
	counter(f, "homeexpose_state_lock_busy_total",
		"Times the state lock was held by another run when the agent wanted it.",
		m->state_lock_busy);
	head(f, "homeexpose_errors_total", "counter", "Errors by kind.");
	for (int k = 0; k < HE_AGENT_ERR_NKINDS; k++)
		fprintf(f, "homeexpose_errors_total{kind=\"%s\"} %llu\n", kind_names[k],
			(unsigned long long)m->errors[k]);
	head(f, "homeexpose_ddns_last_success_timestamp_seconds", "gauge",
	     "Last successful DNS update per record (unix time, 0 never).");
	for (size_t i = 0; i < m->nddns; i++) {
		fputs("homeexpose_ddns_last_success_timestamp_seconds{record=", f);
		label(f, m->ddns[i].record);
		fprintf(f, "} %lld\n", (long long)m->ddns[i].last_success);
	}
	head(f, "homeexpose_ddns_failures_total", "counter", "Failed DNS updates per record.");
	for (size_t i = 0; i < m->nddns; i++) {
		fputs("homeexpose_ddns_failures_total{record=", f);
		label(f, m->ddns[i].record);
		fprintf(f, "} %llu\n", (unsigned long long)m->ddns[i].failures);
	}
	counter(f, "homeexpose_check_runs_total", "Reachability self-checks run.", m->check_runs);
	head(f, "homeexpose_check_last_run_timestamp_seconds", "gauge",
	     "When the last reachability self-check ended (unix time, 0 never).");
	fprintf(f, "homeexpose_check_last_run_timestamp_seconds %lld\n",
		(long long)m->check_last_run);
	head(f, "homeexpose_check_reachable", "gauge",
	     "1 when the last self-check proved the port reachable from outside, 0 when not.");
	for (size_t i = 0; i < m->ncheck; i++) {
		const struct he_metrics_check *c = &m->checks[i];

		fputs("homeexpose_check_reachable{exposure=", f);
		label(f, c->name);
		fprintf(f, ",port=\"%u\",proto=\"%s\",family=\"%s\"} %d\n", c->port,
			he_proto_name(c->proto), he_family_id(c->family), c->reachable ? 1 : 0);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
