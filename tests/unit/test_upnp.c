/* SPDX-License-Identifier: MIT */
/*
 * test_upnp.c - the UPnP backend's handling of router answers, through a
 * wrapped miniupnpc (tests/unit/test_upnp.wrap): 402 and 725 (retry with a
 * permanent lease, remembered), 718/729 (our own entry reused; another
 * host's named with a free port offered; AddAnyPortMapping on IGDv2), 606
 * (the router's setting named), 714 on delete (already gone), the router
 * table listing. No network traffic: the control URL comes from the cached
 * state and every SOAP call is a mock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* cmocka after the standard headers */
#include <cmocka.h>

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>

#include "core/portspec.h"
#include "portmap/portmap.h"
#include "state/state.h"

#define CTL "http://127.77.1.1:5000/ctl/IPConn"

/* ---- miniupnpc seams ---- */

int __wrap_UPNP_AddPortMapping(const char *controlURL, const char *servicetype, const char *extPort,
			       const char *inPort, const char *inClient, const char *desc,
			       const char *proto, const char *remoteHost,
			       const char *leaseDuration);
int __wrap_UPNP_AddPortMapping(const char *controlURL, const char *servicetype, const char *extPort,
			       const char *inPort, const char *inClient, const char *desc,
			       const char *proto, const char *remoteHost, const char *leaseDuration)
{
	assert_string_equal(controlURL, CTL);
	check_expected_ptr(extPort);
	check_expected_ptr(inClient);
	check_expected_ptr(desc);
	check_expected_ptr(leaseDuration);
	(void)inPort;
	(void)proto;
	(void)remoteHost;
	(void)servicetype;
	return mock_type(int);
}

int __wrap_UPNP_AddAnyPortMapping(const char *controlURL, const char *servicetype,
				  const char *extPort, const char *inPort, const char *inClient,
				  const char *desc, const char *proto, const char *remoteHost,
				  const char *leaseDuration, char *reservedPort);
int __wrap_UPNP_AddAnyPortMapping(const char *controlURL, const char *servicetype,
				  const char *extPort, const char *inPort, const char *inClient,
				  const char *desc, const char *proto, const char *remoteHost,
				  const char *leaseDuration, char *reservedPort)
{
	(void)controlURL;
	(void)servicetype;
	(void)inPort;
	(void)proto;
	(void)remoteHost;
	(void)leaseDuration;
	check_expected_ptr(extPort);
	check_expected_ptr(desc);
	(void)inClient;
	strcpy(reservedPort, mock_ptr_type(const char *));
	return mock_type(int);
}

int __wrap_UPNP_GetSpecificPortMappingEntry(const char *controlURL, const char *servicetype,
					    const char *extPort, const char *proto,
					    const char *remoteHost, char *intClient, char *intPort,
					    char *desc, char *enabled, char *leaseDuration);
int __wrap_UPNP_GetSpecificPortMappingEntry(const char *controlURL, const char *servicetype,
					    const char *extPort, const char *proto,
					    const char *remoteHost, char *intClient, char *intPort,
					    char *desc, char *enabled, char *leaseDuration)
{
	int r;

	(void)controlURL;
	(void)servicetype;
	(void)proto;
	(void)remoteHost;
	check_expected_ptr(extPort);
	r = mock_type(int);
	if (r == 0) {
		strcpy(intClient, mock_ptr_type(const char *));
		strcpy(intPort, mock_ptr_type(const char *));
		strcpy(desc, mock_ptr_type(const char *));
		strcpy(enabled, "1");
		strcpy(leaseDuration, mock_ptr_type(const char *));
	}
	return r;
}

int __wrap_UPNP_DeletePortMapping(const char *controlURL, const char *servicetype,
				  const char *extPort, const char *proto, const char *remoteHost);
int __wrap_UPNP_DeletePortMapping(const char *controlURL, const char *servicetype,
				  const char *extPort, const char *proto, const char *remoteHost)
{
	(void)controlURL;
	(void)servicetype;
	(void)remoteHost;
	check_expected_ptr(extPort);
	check_expected_ptr(proto);
	return mock_type(int);
}

int __wrap_UPNP_GetExternalIPAddress(const char *controlURL, const char *servicetype,
				     char *extIpAdd);
int __wrap_UPNP_GetExternalIPAddress(const char *controlURL, const char *servicetype,
				     char *extIpAdd)
{
	(void)controlURL;
	(void)servicetype;
	strcpy(extIpAdd, mock_ptr_type(const char *));
	return 0;
}

int __wrap_UPNP_GetGenericPortMappingEntry(const char *controlURL, const char *servicetype,
					   const char *index, char *extPort, char *intClient,
					   char *intPort, char *protocol, char *desc, char *enabled,
					   char *rHost, char *duration);
int __wrap_UPNP_GetGenericPortMappingEntry(const char *controlURL, const char *servicetype,
					   const char *index, char *extPort, char *intClient,
					   char *intPort, char *protocol, char *desc, char *enabled,
					   char *rHost, char *duration)
{
	int i = atoi(index);

	(void)controlURL;
	(void)servicetype;
	if (i == 0) {
		strcpy(extPort, "443");
		strcpy(intClient, "127.0.0.1");
		strcpy(intPort, "8443");
		strcpy(protocol, "TCP");
		strcpy(desc, "homeexpose:web");
		strcpy(enabled, "1");
		strcpy(rHost, "");
		strcpy(duration, "3000");
		return 0;
	}
	if (i == 1) {
		strcpy(extPort, "32400");
		strcpy(intClient, "192.168.1.20");
		strcpy(intPort, "32400");
		strcpy(protocol, "UDP");
		strcpy(desc, "Plex Media Server");
		strcpy(enabled, "1");
		strcpy(rHost, "");
		strcpy(duration, "0");
		return 0;
	}
	return 713; /* SpecifiedArrayIndexInvalid: end of the table */
}

/* Discovery must never run in these tests (it would send SSDP). */
int __wrap_UPNP_GetIGDFromUrl(const char *rootdescurl, struct UPNPUrls *urls, struct IGDdatas *data,
			      char *lanaddr, int lanaddrlen);
int __wrap_UPNP_GetIGDFromUrl(const char *rootdescurl, struct UPNPUrls *urls, struct IGDdatas *data,
			      char *lanaddr, int lanaddrlen)
{
	fail_msg("unexpected UPNP_GetIGDFromUrl(%s)", rootdescurl);
	return 0;
}

struct UPNPDev *__wrap_upnpDiscover(int delay, const char *multicastif, const char *minissdpdsock,
				    int localport, int ipv6, unsigned char ttl, int *error);
struct UPNPDev *__wrap_upnpDiscover(int delay, const char *multicastif, const char *minissdpdsock,
				    int localport, int ipv6, unsigned char ttl, int *error)
{
	fail_msg("unexpected upnpDiscover");
	return NULL;
}

/* ---- fixture: a state whose cache says "UPnP IGDv2 at CTL" ---- */

struct fix {
	char dir[64];
	struct he_state *st;
	struct he_portmap *pm;
};

static int setup_v(void **s, int igd_version)
{
	struct fix *fx = calloc(1, sizeof(*fx));
	struct he_portmap_opts o = {0};
	struct he_error err = {0};
	json_t *sec, *probe, *u;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/he-test-upnp.XXXXXX");
	if (!mkdtemp(fx->dir) || he_state_open(fx->dir, HE_STATE_WRITE, 0, &fx->st, &err) < 0)
		return -1;
	sec = he_state_section(fx->st, "portmap");
	probe = json_pack("{s:s, s:s, s:I}", "gateway", "127.77.1.1", "protocol", "upnp", "at",
			  (json_int_t)time(NULL));
	u = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "location",
		      "http://127.77.1.1:5000/rootDesc.xml", "control_url", CTL, "service_type",
		      igd_version == 2 ? "urn:schemas-upnp-org:service:WANIPConnection:2"
				       : "urn:schemas-upnp-org:service:WANIPConnection:1",
		      "control_url_6fc", "", "service_type_6fc", "", "igd_version", igd_version);
	json_object_set_new(probe, "upnp", u);
	json_object_set_new(sec, "probe", probe);
	o.gateway = "127.77.1.1"; /* route lookup only: nothing is sent there */
	o.lease_default = 600;
	if (he_portmap_open(&o, fx->st, &fx->pm, &err) < 0) {
		fprintf(stderr, "open: %s\n", err.msg);
		return -1;
	}
	if (he_portmap_protocol(fx->pm) != HE_PM_UPNP)
		return -1;
	*s = fx;
	return 0;
}

static int setup2(void **s)
{
	return setup_v(s, 2);
}

static int setup1(void **s)
{
	return setup_v(s, 1);
}

static int teardown(void **s)
{
	struct fix *fx = *s;
	char p[128];

	he_portmap_close(fx->pm);
	he_state_close(fx->st);
	snprintf(p, sizeof(p), "%s/state.json", fx->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock", fx->dir);
	unlink(p);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static const struct he_pm_request web = {
    .name = "web",
    .proto = HE_PROTO_TCP,
    .ext_port = 443,
    .int_port = 8443,
    .lease = 0 /* default 600 */,
    .family = AF_INET,
};

static void expect_add(const char *ext, const char *lease, int ret)
{
	expect_string(__wrap_UPNP_AddPortMapping, extPort, ext);
	expect_string(__wrap_UPNP_AddPortMapping, inClient, "127.0.0.1");
	expect_string(__wrap_UPNP_AddPortMapping, desc, "homeexpose:web");
	expect_string(__wrap_UPNP_AddPortMapping, leaseDuration, lease);
	will_return(__wrap_UPNP_AddPortMapping, ret);
}

static void expect_entry(const char *ext, int ret, const char *client, const char *port,
			 const char *desc)
{
	expect_string(__wrap_UPNP_GetSpecificPortMappingEntry, extPort, ext);
	will_return(__wrap_UPNP_GetSpecificPortMappingEntry, ret);
	if (ret == 0) {
		will_return(__wrap_UPNP_GetSpecificPortMappingEntry, client);
		will_return(__wrap_UPNP_GetSpecificPortMappingEntry, port);
		will_return(__wrap_UPNP_GetSpecificPortMappingEntry, desc);
		will_return(__wrap_UPNP_GetSpecificPortMappingEntry, "500");
	}
}

static void test_success(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};

	expect_add("443", "600", 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "100.64.3.4");
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), 0);
	assert_int_equal(res.protocol, HE_PM_UPNP);
	assert_int_equal(res.ext_port, 443);
	assert_int_equal(res.lease, 600);
	assert_false(res.permanent);
	assert_string_equal(res.ext_addr, "100.64.3.4");
	assert_int_equal(res.ext_class, HE_ADDR_CGNAT);
	assert_non_null(strstr(res.note, "carrier-grade NAT"));
}

static void permanent_case(struct fix *fx, int code)
{
	struct he_pm_result res;
	struct he_error err = {0};
	json_t *sec;

	expect_add("443", "600", code);
	expect_add("443", "0", 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "11.77.0.2");
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), 0);
	assert_true(res.permanent);
	assert_int_equal(res.lease, 0);
	sec = he_state_section(fx->st, "portmap");
	assert_true(json_is_true(json_object_get(sec, "upnp_permanent_only")));
	/* remembered: the renewal asks for a permanent lease at once */
	expect_add("443", "0", 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "11.77.0.2");
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), 0);
	/* and close cleans it up */
	expect_string(__wrap_UPNP_DeletePortMapping, extPort, "443");
	expect_string(__wrap_UPNP_DeletePortMapping, proto, "TCP");
	will_return(__wrap_UPNP_DeletePortMapping, 0);
	assert_int_equal(he_portmap_unmap(fx->pm, &web, &err), 0);
}

static void test_725_permanent_only(void **s)
{
	permanent_case(*s, 725);
}

static void test_402_permanent_only(void **s)
{
	permanent_case(*s, 402);
}

static void test_718_ours_reused(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};

	expect_add("443", "600", 718);
	expect_entry("443", 0, "127.0.0.1", "8443", "homeexpose:web");
	expect_string(__wrap_UPNP_DeletePortMapping, extPort, "443");
	expect_string(__wrap_UPNP_DeletePortMapping, proto, "TCP");
	will_return(__wrap_UPNP_DeletePortMapping, 0);
	expect_add("443", "600", 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "11.77.0.2");
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), 0);
	assert_true(res.reused);
	assert_int_equal(res.ext_port, 443);
}

static void test_718_other_host(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};

	expect_add("443", "600", 718);
	expect_entry("443", 0, "192.168.1.20", "443", "Plex");
	expect_entry("444", 0, "192.168.1.21", "444", "other"); /* taken too */
	expect_entry("445", 714, NULL, NULL, NULL);             /* free */
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "192.168.1.20:443"));
	assert_non_null(strstr(err.msg, "Plex"));
	assert_non_null(strstr(err.msg, "e.g. 445"));
	/* a homeexpose entry of another host (its description, not our address) */
	expect_add("443", "600", 729);
	expect_entry("443", 0, "192.168.1.30", "8443", "homeexpose:web");
	expect_entry("444", 714, NULL, NULL, NULL);
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "192.168.1.30"));
}

static void test_718_to_other_host_refused(void **s)
{
	struct fix *fx = *s;
	struct he_pm_request r = web;
	struct he_pm_result res;
	struct he_error err = {0};

	/* miniupnpd in secure mode: 718 and no entry holds the port */
	r.to = "127.0.0.9";
	expect_string(__wrap_UPNP_AddPortMapping, extPort, "443");
	expect_string(__wrap_UPNP_AddPortMapping, inClient, "127.0.0.9");
	expect_string(__wrap_UPNP_AddPortMapping, desc, "homeexpose:web");
	expect_string(__wrap_UPNP_AddPortMapping, leaseDuration, "600");
	will_return(__wrap_UPNP_AddPortMapping, 718);
	expect_entry("443", 714, NULL, NULL, NULL);
	assert_int_equal(he_portmap_map(fx->pm, &r, &res, &err), -EACCES);
	assert_non_null(strstr(err.msg, "secure mode"));
	assert_non_null(strstr(err.msg, "127.0.0.9"));
}

static void test_729_any_port_igdv2(void **s)
{
	struct fix *fx = *s;
	struct he_pm_request r = web;
	struct he_pm_result res;
	struct he_error err = {0};

	r.allow_other_port = true;
	expect_add("443", "600", 729);
	expect_entry("443", 0, "192.168.1.20", "443", "Plex");
	expect_string(__wrap_UPNP_AddAnyPortMapping, extPort, "443");
	expect_string(__wrap_UPNP_AddAnyPortMapping, desc, "homeexpose:web");
	will_return(__wrap_UPNP_AddAnyPortMapping, "4431");
	will_return(__wrap_UPNP_AddAnyPortMapping, 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "11.77.0.2");
	assert_int_equal(he_portmap_map(fx->pm, &r, &res, &err), 0);
	assert_int_equal(res.ext_port, 4431);
}

static void test_718_igdv1_no_any(void **s)
{
	struct fix *fx = *s;
	struct he_pm_request r = web;
	struct he_pm_result res;
	struct he_error err = {0};

	/* IGDv1 has no AddAnyPortMapping: the conflict is reported */
	r.allow_other_port = true;
	expect_add("443", "600", 718);
	expect_entry("443", 0, "192.168.1.20", "443", "Plex");
	expect_entry("444", 714, NULL, NULL, NULL);
	assert_int_equal(he_portmap_map(fx->pm, &r, &res, &err), -EADDRINUSE);
}

static void test_606(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};

	expect_add("443", "600", 606);
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), -EACCES);
	assert_non_null(strstr(err.msg, "606"));
	assert_non_null(strstr(err.msg, "Permit independent port sharing"));
	/* nothing recorded */
	assert_int_equal(he_portmap_unmap(fx->pm, &web, &err), -ENOENT);
}

static void test_501_and_no_address(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};
	char ip[64];
	enum he_addr_class cls;

	/* what miniupnpd behind CGNAT answers */
	expect_add("443", "600", 501);
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "501"));
	assert_non_null(strstr(err.msg, "carrier-grade NAT"));
	will_return(__wrap_UPNP_GetExternalIPAddress, "");
	assert_int_equal(he_portmap_external_address(fx->pm, ip, sizeof(ip), &cls, &err),
			 -ENETDOWN);
	will_return(__wrap_UPNP_GetExternalIPAddress, "192.168.178.1");
	assert_int_equal(he_portmap_external_address(fx->pm, ip, sizeof(ip), &cls, &err), 0);
	assert_int_equal(cls, HE_ADDR_PRIVATE);
}

static void test_714_on_delete(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};
	struct he_pm_entry *v = NULL;
	size_t n = 9;

	expect_add("443", "600", 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "11.77.0.2");
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), 0);
	/* someone removed it in the router's web UI */
	expect_string(__wrap_UPNP_DeletePortMapping, extPort, "443");
	expect_string(__wrap_UPNP_DeletePortMapping, proto, "TCP");
	will_return(__wrap_UPNP_DeletePortMapping, 714);
	assert_int_equal(he_portmap_unmap(fx->pm, &web, &err), 0);
	assert_int_equal(he_portmap_list(fx->pm, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void test_other_delete_error(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};

	expect_add("443", "600", 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "11.77.0.2");
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), 0);
	expect_string(__wrap_UPNP_DeletePortMapping, extPort, "443");
	expect_string(__wrap_UPNP_DeletePortMapping, proto, "TCP");
	will_return(__wrap_UPNP_DeletePortMapping, 606);
	assert_int_equal(he_portmap_unmap(fx->pm, &web, &err), -EACCES);
}

static void test_lists(void **s)
{
	struct fix *fx = *s;
	struct he_pm_result res;
	struct he_error err = {0};
	struct he_pm_entry *v = NULL;
	size_t n = 0;

	assert_int_equal(he_portmap_list_router(fx->pm, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].ours);
	assert_string_equal(v[0].name, "web");
	assert_int_equal(v[0].lease_remaining, 3000);
	assert_false(v[1].ours);
	assert_int_equal(v[1].proto, HE_PROTO_UDP);
	assert_string_equal(v[1].client, "192.168.1.20");
	free(v);

	expect_add("443", "600", 0);
	will_return(__wrap_UPNP_GetExternalIPAddress, "11.77.0.2");
	assert_int_equal(he_portmap_map(fx->pm, &web, &res, &err), 0);
	expect_entry("443", 0, "127.0.0.1", "8443", "homeexpose:web");
	assert_int_equal(he_portmap_list(fx->pm, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_true(v[0].on_router);
	assert_int_equal(v[0].lease_remaining, 500); /* the router's count */
	assert_int_equal(v[0].ext_port, 443);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_success, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_725_permanent_only, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_402_permanent_only, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_718_ours_reused, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_718_other_host, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_718_to_other_host_refused, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_729_any_port_igdv2, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_718_igdv1_no_any, setup1, teardown),
	    cmocka_unit_test_setup_teardown(test_606, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_501_and_no_address, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_714_on_delete, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_other_delete_error, setup2, teardown),
	    cmocka_unit_test_setup_teardown(test_lists, setup2, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
