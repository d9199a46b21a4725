/* SPDX-License-Identifier: MIT */
/*
 * test_gena.c - UPnP eventing: the NOTIFY parser over requests recorded from
 * Debian's miniupnpd 2.3.1 in the lab (tests/fixtures/gena), every malformed
 * and truncated case, the SUBSCRIBE reply headers, and the SSDP NOTIFY
 * (ssdp:alive / ssdp:byebye) parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers */
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portmap/gena.h"
#include "portmap/ssdp.h"

#define FIXDIR "tests/fixtures/gena"

static size_t load_fixture(const char *name, char *buf, size_t len)
{
	char path[512];
	const char *dir = getenv("HE_FIXTURES_GENA");
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : FIXDIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, len, f);
	fclose(f);
	return n;
}

static void test_recorded_initial(void **s)
{
	char buf[HE_GENA_NOTIFY_MAX];
	size_t n = load_fixture("miniupnpd_notify_initial.http", buf, sizeof(buf));
	struct he_gena_notify no;

	assert_int_equal(he_gena_parse_notify(buf, n, &no), 0);
	assert_string_equal(no.path, "/x");
	assert_string_equal(no.sid, "uuid:00cfb2a5-d576-4553-bea6-a05ed52f705e");
	assert_int_equal(no.seq, 0);
	assert_true(no.has_ext_addr);
	assert_string_equal(no.ext_addr, "11.77.0.2");
	assert_int_equal(no.total, n);
}

static void test_recorded_change(void **s)
{
	char buf[HE_GENA_NOTIFY_MAX];
	size_t n = load_fixture("miniupnpd_notify_wan_change.http", buf, sizeof(buf));
	struct he_gena_notify no;

	assert_int_equal(he_gena_parse_notify(buf, n, &no), 0);
	assert_int_equal(no.seq, 1);
	assert_string_equal(no.ext_addr, "11.77.0.3");
	/* every shorter prefix is incomplete, never accepted, never a crash */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(he_gena_parse_notify(buf, i, &no), -EAGAIN);
	/* a byte more: one request per connection */
	buf[n] = 'x';
	assert_int_equal(he_gena_parse_notify(buf, n + 1, &no), -EBADMSG);
}

/* A NOTIFY with headers h (CRLF-separated, without the blank line) and body b. */
static int parse(const char *h, const char *b, struct he_gena_notify *no)
{
	static char buf[HE_GENA_NOTIFY_MAX * 2];
	int n = snprintf(buf, sizeof(buf), "%s\r\nContent-Length: %zu\r\n\r\n%s", h, strlen(b), b);

	return he_gena_parse_notify(buf, (size_t)n, no);
}

#define HDR        "NOTIFY /cb HTTP/1.1\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: uuid:1\r\nSEQ: 7"
#define PSET       "<e:propertyset xmlns:e=\"urn:schemas-upnp-org:event-1-0\">"
#define PROP(n, v) "<e:property><" n ">" v "</" n "></e:property>"

static void test_valid_variants(void **s)
{
	struct he_gena_notify no;

	/* no address in this event (e.g. only PortMappingNumberOfEntries) */
	assert_int_equal(
	    parse(HDR, PSET PROP("PortMappingNumberOfEntries", "1") "</e:propertyset>", &no), 0);
	assert_false(no.has_ext_addr);
	assert_int_equal(no.seq, 7);
	/* an XML declaration, whitespace, another prefix, an empty address (WAN down) */
	assert_int_equal(parse(HDR,
			       "<?xml version=\"1.0\"?>\n<s:propertyset xmlns:s=\"x\">\n "
			       "<s:property> <ExternalIPAddress></ExternalIPAddress> "
			       "</s:property>\n</s:propertyset>\n",
			       &no),
			 0);
	assert_true(no.has_ext_addr);
	assert_string_equal(no.ext_addr, "");
	/* no prefix at all */
	assert_int_equal(parse(HDR,
			       "<propertyset><property><ExternalIPAddress> 1.2.3.4 "
			       "</ExternalIPAddress></property></propertyset>",
			       &no),
			 0);
	assert_string_equal(no.ext_addr, "1.2.3.4");
	/* an empty element */
	assert_int_equal(
	    parse(HDR, PSET "<e:property><ExternalIPAddress/></e:property></e:propertyset>", &no),
	    0);
	assert_true(no.has_ext_addr);
}

static void test_refused(void **s)
{
	struct he_gena_notify no;
	const char *body = PSET PROP("ExternalIPAddress", "1.2.3.4") "</e:propertyset>";

	/* the headers */
	assert_int_equal(
	    parse("GET /cb HTTP/1.1\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: uuid:1", body,
		  &no),
	    -EBADMSG);
	assert_int_equal(
	    parse("NOTIFY /cb HTTP/1.1\r\nNTS: upnp:propchange\r\nSID: uuid:1", body, &no),
	    -EBADMSG);
	assert_int_equal(
	    parse("NOTIFY /cb HTTP/1.1\r\nNT: upnp:event\r\nNTS: ssdp:alive\r\nSID: uuid:1", body,
		  &no),
	    -EBADMSG);
	assert_int_equal(
	    parse("NOTIFY /cb HTTP/1.1\r\nNT: upnp:event\r\nNTS: upnp:propchange", body, &no),
	    -EBADMSG);
	assert_int_equal(parse(HDR "\r\nSID: uuid:2", body, &no), -EBADMSG);
	assert_int_equal(parse(HDR "\r\nTransfer-Encoding: chunked", body, &no), -EBADMSG);
	assert_int_equal(parse(HDR "\r\n folded", body, &no), -EBADMSG);
	assert_int_equal(parse("NOTIFY /cb HTTP/1.1\r\nNT: upnp:event\r\nNTS: "
			       "upnp:propchange\r\nSID: uuid:1\r\nSEQ: x",
			       body, &no),
			 -EBADMSG);
	assert_int_equal(
	    parse("NOTIFY /cb HTTP/2\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: uuid:1",
		  body, &no),
	    -EBADMSG);
	assert_int_equal(he_gena_parse_notify(HDR "\n\n", strlen(HDR "\n\n"), &no), -EAGAIN);
	/* the body */
	assert_int_equal(
	    parse(HDR, PSET PROP("ExternalIPAddress", "1.2.3.400") "</e:propertyset>", &no),
	    -EBADMSG);
	assert_int_equal(parse(HDR, PSET PROP("ExternalIPAddress", "::1") "</e:propertyset>", &no),
			 -EBADMSG);
	assert_int_equal(parse(HDR,
			       PSET PROP("ExternalIPAddress", "1.2.3.4")
				   PROP("ExternalIPAddress", "1.2.3.5") "</e:propertyset>",
			       &no),
			 -EBADMSG);
	assert_int_equal(parse(HDR, "<e:propertyset>" PROP("ExternalIPAddress", "1.2.3.4"), &no),
			 -EBADMSG);
	assert_int_equal(
	    parse(HDR, "<e:other>" PROP("ExternalIPAddress", "1.2.3.4") "</e:other>", &no),
	    -EBADMSG);
	assert_int_equal(parse(HDR, PSET "<f:property><A>1</A></f:property></e:propertyset>", &no),
			 -EBADMSG);
	assert_int_equal(parse(HDR, PSET "<e:property><A>1</B></e:property></e:propertyset>", &no),
			 -EBADMSG);
	assert_int_equal(
	    parse(HDR, PSET "<e:property><A>1<C/></A></e:property></e:propertyset>", &no),
	    -EBADMSG);
	assert_int_equal(parse(HDR, PSET "</e:propertyset>trailing", &no), -EBADMSG);
	assert_int_equal(parse(HDR, "", &no), -EBADMSG);
}

static void test_size_limit(void **s)
{
	static char big[HE_GENA_NOTIFY_MAX + 100];
	struct he_gena_notify no;
	int n =
	    snprintf(big, sizeof(big), HDR "\r\nContent-Length: %d\r\n\r\n", HE_GENA_NOTIFY_MAX);

	assert_int_equal(he_gena_parse_notify(big, (size_t)n, &no), -EMSGSIZE);
	memset(big, 'a', sizeof(big));
	assert_int_equal(he_gena_parse_notify(big, HE_GENA_NOTIFY_MAX, &no), -EMSGSIZE);
}

static void test_sub_headers(void **s)
{
	struct he_gena_sub sub = {0};

	he_gena_sub_header("SID: uuid:92bff1d7-44f2\r\n", 25, &sub);
	he_gena_sub_header("Timeout: Second-1800\r\n", 22, &sub);
	assert_string_equal(sub.sid, "uuid:92bff1d7-44f2");
	assert_int_equal(sub.timeout, 1800);
	he_gena_sub_header("TIMEOUT: infinite\r\n", 19, &sub);
	assert_int_equal(sub.timeout, 0);
	he_gena_sub_header("TIMEOUT: Second-99999999999\r\n", 29, &sub);
	assert_int_equal(sub.timeout, 604800);
	he_gena_sub_header("SID: has space\r\n", 16, &sub); /* refused: the old one stays */
	assert_string_equal(sub.sid, "uuid:92bff1d7-44f2");
}

static void test_ssdp_notify(void **s)
{
	/* as miniupnpd 2.3.1 sends them (SendSSDPNotify / SendSSDPbyebye) */
	const char alive[] =
	    "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
	    "CACHE-CONTROL: max-age=120\r\n"
	    "LOCATION: http://192.168.77.1:5000/rootDesc.xml\r\n"
	    "SERVER: Debian UPnP/1.1 MiniUPnPd/2.3.1\r\n"
	    "NT: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
	    "USN: uuid:x::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
	    "NTS: ssdp:alive\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
	    "01-NLS: 1764465555\r\nBOOTID.UPNP.ORG: 1764465555\r\n"
	    "CONFIGID.UPNP.ORG: 1337\r\n\r\n";
	const char bye[] = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
			   "NT: urn:schemas-upnp-org:service:WANIPConnection:1\r\n"
			   "USN: uuid:x::urn:schemas-upnp-org:service:WANIPConnection:1\r\n"
			   "NTS: ssdp:byebye\r\nBOOTID.UPNP.ORG: 7\r\n\r\n";
	const char other[] = "NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n";
	struct he_ssdp_notify n;

	assert_int_equal(he_ssdp_parse_notify(alive, strlen(alive), &n), 0);
	assert_true(n.alive);
	assert_true(n.igd);
	assert_int_equal(n.bootid, 1764465555);
	assert_int_equal(he_ssdp_parse_notify(bye, strlen(bye), &n), 0);
	assert_false(n.alive);
	assert_true(n.igd);
	assert_int_equal(n.bootid, 7);
	assert_int_equal(he_ssdp_parse_notify(other, strlen(other), &n), 0);
	assert_false(n.igd);
	assert_int_equal(n.bootid, -1);
	assert_int_equal(he_ssdp_parse_notify("M-SEARCH * HTTP/1.1\r\n\r\n", 23, &n), -EBADMSG);
	assert_int_equal(
	    he_ssdp_parse_notify("NOTIFY * HTTP/1.1\r\nNT: a\r\nNTS: ssdp:update\r\n\r\n", 44, &n),
	    -EBADMSG);
	assert_int_equal(he_ssdp_parse_notify("NOTIFY * HTTP/1.1\r\nNT: a\r\nNTS: ssdp:alive\r\n"
					      "BOOTID.UPNP.ORG: -1\r\n\r\n",
					      63, &n),
			 -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recorded_initial), cmocka_unit_test(test_recorded_change),
	    cmocka_unit_test(test_valid_variants),   cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_size_limit),       cmocka_unit_test(test_sub_headers),
	    cmocka_unit_test(test_ssdp_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
