/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/config (homeexpose.conf, secrets, exposure drop-ins). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/exposure.h"
#include "config/secret.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/he-test-config.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	unsetenv("HOMEEXPOSE_STATE_DIR");
	unsetenv("HOMEEXPOSE_RUNTIME_DIR");
	unsetenv("HOMEEXPOSE_CONFIG");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	/* the directory only holds files this test made */
	snprintf(cmd, sizeof(cmd), "%s", tmpdir);
	for (int i = 0; i < 2; i++) {
		char p[256];

		snprintf(p, sizeof(p), "%s/%s", cmd, i ? "exposures.d/web.conf" : "x");
		unlink(p);
	}
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Does d hold a diagnostic at line whose formatted text contains needle? */
static int has_diag(const struct he_diags *d, int line, const char *needle)
{
	char buf[1400];

	for (size_t i = 0; i < d->n; i++) {
		he_diag_format(&d->v[i], buf, sizeof(buf));
		if ((line < 0 || d->v[i].line == line) && strstr(buf, needle))
			return 1;
	}
	for (size_t i = 0; i < d->n; i++) {
		he_diag_format(&d->v[i], buf, sizeof(buf));
		print_message("  diag: %s\n", buf);
	}
	return 0;
}

static void test_defaults_follow_config_path(void **state)
{
	struct he_config cfg;

	(void)state;
	he_config_defaults(&cfg, "/srv/lab/etc/homeexpose.conf");
	assert_string_equal(cfg.exposures_dir, "/srv/lab/etc/exposures.d");
	assert_string_equal(cfg.services_dir, "/srv/lab/etc/services");
	assert_string_equal(cfg.router_protocols, "pcp natpmp upnp");
	assert_int_equal(cfg.lease, 3600);
	assert_int_equal(cfg.probe_timeout_ms, 250);
	assert_string_equal(cfg.firewall_backend, "auto");
}

static void test_good_config(void **state)
{
	struct he_config cfg;
	struct he_diags d = {0};
	const char *text = "# a comment\n"
			   "[general]\n"
			   "state-dir = /tmp/s\n"
			   "runtime-dir = /tmp/r\n"
			   "[router]\n"
			   "protocols = upnp, natpmp\n"
			   "lease = 600\n"
			   "gateway = 192.168.1.1\n"
			   "[firewall]\n"
			   "backend = nftables\n"
			   "[ddns home]\n"
			   "provider = dyndns2\n"
			   "preset = dyn\n"
			   "hostname = home.example.org\n"
			   "families = A AAAA\n"
			   "password-file = /etc/homeexpose/dyn.secret\n";

	(void)state;
	he_config_defaults(&cfg, "/x/homeexpose.conf");
	assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_string_equal(cfg.state_dir, "/tmp/s");
	assert_string_equal(cfg.router_protocols, "upnp, natpmp");
	assert_int_equal(cfg.lease, 600);
	assert_string_equal(cfg.firewall_backend, "nftables");
	assert_int_equal(cfg.nddns, 1);
	assert_string_equal(cfg.ddns[0].name, "home");
	assert_string_equal(cfg.ddns[0].hostname, "home.example.org");
	assert_int_equal(cfg.ddns[0].line, 11); /* the section header's line */
	he_diags_free(&d);
}

static void test_errors_have_file_and_line(void **state)
{
	struct he_config cfg;
	struct he_diags d = {0};
	const char *text = "[router]\n"                 /* 1 */
			   "protocls = pcp\n"           /* 2: typo */
			   "lease = soon\n"             /* 3 */
			   "protocols = pcp pcp\n"      /* 4 */
			   "[firewall]\n"               /* 5 */
			   "backend = iptables\n"       /* 6 */
			   "[routr]\n"                  /* 7 */
			   "lease = 5\n"                /* 8 */
			   "[ddns x]\n"                 /* 9 */
			   "provider = cloudflare\n"    /* 10 */
			   "token = abc\n"              /* 11: inline secret */
			   "hostname = a.example\n"     /* 12 */
			   "[general]\n"                /* 13 */
			   "state-dir = relative/dir\n" /* 14 */
			   "this line has no equals\n"; /* 15 */

	(void)state;
	he_config_defaults(&cfg, "/x/homeexpose.conf");
	assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), -EINVAL);
	assert_true(has_diag(&d, 2,
			     "t.conf:2: [router] unknown key 'protocls' (did you mean "
			     "'protocols'?)"));
	assert_true(has_diag(&d, 3, "'soon' is not a number"));
	assert_true(has_diag(&d, 4, "'pcp' listed twice"));
	assert_true(has_diag(&d, 6, "'iptables' is not one of: auto, nftables, ufw, firewalld"));
	/* at the header's own line, and once */
	assert_true(has_diag(&d, 7, "unknown section [routr] (did you mean [router]?)"));
	assert_false(has_diag(&d, 8, "routr"));
	assert_true(has_diag(&d, 11, "secrets are never written inline"));
	assert_true(has_diag(&d, 9, "provider cloudflare needs 'token-file'"));
	assert_true(has_diag(&d, 14, "not an absolute path"));
	assert_true(has_diag(&d, 15, "syntax error"));
	/* defaults survive bad values */
	assert_int_equal(cfg.lease, 3600);
	he_diags_free(&d);
}

static void test_load_file_and_env(void **state)
{
	struct he_config cfg;
	struct he_diags d = {0};
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/homeexpose.conf", tmpdir);
	write_file(path,
		   "[general]\nstate-dir = /nonexistent/state\n[agent]\nverify-interval = 1\n",
		   0644);
	assert_int_equal(he_config_load(&cfg, path, true, &d), -EINVAL);
	assert_true(has_diag(&d, 4,
			     "homeexpose.conf:4: [agent] verify-interval: 1 is out of "
			     "range (2-86400)"));
	he_diags_free(&d);

	write_file(path, "[general]\nstate-dir = /nonexistent/state\n", 0644);
	setenv("HOMEEXPOSE_RUNTIME_DIR", "/tmp/he-run", 1);
	assert_int_equal(he_config_load(&cfg, path, true, &d), 0);
	assert_true(cfg.file_exists);
	assert_string_equal(cfg.state_dir, "/nonexistent/state");
	assert_string_equal(cfg.runtime_dir, "/tmp/he-run");
	setenv("HOMEEXPOSE_STATE_DIR", "/tmp/he-state", 1);
	assert_int_equal(he_config_load(&cfg, path, true, &d), 0);
	assert_string_equal(cfg.state_dir, "/tmp/he-state");
	unsetenv("HOMEEXPOSE_STATE_DIR");
	unsetenv("HOMEEXPOSE_RUNTIME_DIR");
	unlink(path);

	/* an explicit file that does not exist is an error; the default one is not */
	assert_int_equal(he_config_load(&cfg, path, true, &d), -ENOENT);
	assert_true(has_diag(&d, -1, "configuration file does not exist"));
	he_diags_free(&d);
	assert_int_equal(he_config_load(&cfg, path, false, &d), 0);
	assert_false(cfg.file_exists);
	he_diags_free(&d);
}

/* A seam on free() (tests/unit/test_config.wrap): when the block holding
 * WATCH is freed, were its WATCH_LEN bytes all zero? */
void __real_free(void *p);
void __wrap_free(void *p);
static const char *watch;
static size_t watch_len;
static int watch_seen, watch_clean;

void __wrap_free(void *p)
{
	if (watch && p && (const char *)p <= watch && watch - (const char *)p <= 64) {
		watch_seen = 1;
		watch_clean = 1;
		for (size_t i = 0; i < watch_len; i++)
			watch_clean &= watch[i] == 0;
		watch = NULL;
	}
	__real_free(p);
}

/* he_secret_free wipes the whole secret, also past a NUL byte in it. */
static void test_secret_free_wipes_all(void **state)
{
	static const char text[] = "abc\0defghijk\n";
	char path[256];
	struct he_error err = {0};
	char *s = NULL;
	size_t len = 0;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/x", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(he_secret_read(path, &s, &len, &err), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(s + 4, "defghijk", 8);
	watch = s;
	watch_len = len;
	watch_seen = watch_clean = 0;
	he_secret_free(s);
	assert_true(watch_seen);
	assert_true(watch_clean);
}

static void test_secret_permissions(void **state)
{
	char path[256];
	struct he_error err = {0};
	char *s = NULL;
	size_t len = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/x", tmpdir);
	write_file(path, "hunter2\n", 0644);
	assert_int_equal(he_secret_check(path, &err), -EPERM);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "readable by group or others"));
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_int_equal(he_secret_read(path, &s, &len, &err), -EPERM);
	assert_null(s);

	write_file(path, "hunter2\n", 0640);
	assert_int_equal(he_secret_check(path, &err), -EPERM);

	write_file(path, "hunter2\n", 0600);
	assert_int_equal(he_secret_check(path, &err), 0);
	assert_int_equal(he_secret_read(path, &s, &len, &err), 0);
	assert_string_equal(s, "hunter2");
	assert_int_equal(len, 7);
	he_secret_free(s);

	write_file(path, "", 0600);
	assert_int_equal(he_secret_read(path, &s, &len, &err), -ENODATA);

	/* config check reports it with the config file and the record */
	struct he_config cfg;
	struct he_diags d = {0};
	char text[512];

	write_file(path, "hunter2\n", 0604);
	snprintf(text, sizeof(text),
		 "[ddns home]\nprovider = duckdns\nhostname = h.duckdns.org\ntoken-file = %s\n",
		 path);
	he_config_defaults(&cfg, "/x/homeexpose.conf");
	assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), 0);
	he_config_check_secrets(&cfg, &d);
	assert_int_equal(d.nerrors, 1);
	/* at the key's own line, not the section's */
	assert_true(has_diag(&d, 4, "t.conf:4: [ddns home]: secret file"));
	assert_true(has_diag(&d, 4, "readable by group or others"));
	he_diags_free(&d);

	/* systemd credentials */
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(he_secret_check("credential:dyn", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "LoadCredential"));
	write_file(path, "tok\n", 0600);
	setenv("CREDENTIALS_DIRECTORY", tmpdir, 1);
	assert_int_equal(he_secret_read("credential:x", &s, &len, &err), 0);
	assert_string_equal(s, "tok");
	he_secret_free(s);
	assert_int_equal(he_secret_check("credential:../x", &err), -EINVAL);
	/* the config names it; checked only where the credentials are */
	snprintf(text, sizeof(text),
		 "[ddns home]\nprovider = duckdns\nhostname = h.duckdns.org\ntoken-file = "
		 "credential:x\n");
	assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), 0);
	he_config_check_secrets(&cfg, &d);
	assert_int_equal(d.nerrors, 0);
	he_diags_free(&d);
	unsetenv("CREDENTIALS_DIRECTORY");
	he_config_check_secrets(&cfg, &d);
	assert_int_equal(d.nerrors, 0);
	assert_true(has_diag(&d, 4, "can only be checked inside the service"));
	he_diags_free(&d);
	assert_int_equal(
	    he_config_load_string(&cfg, "t.conf", "[reflector]\nkey-file = credential:a/b\n", &d),
	    -EINVAL);
	he_diags_free(&d);
	unlink(path);
}

static void test_exposure_roundtrip(void **state)
{
	struct he_exposure e, *f;
	struct he_exposures l = {0};
	struct he_diags d = {0};
	struct he_error err = {0};
	char dir[256];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/exposures.d", tmpdir);
	he_exposure_init(&e, "web");
	assert_int_equal(he_portlist_parse(&e.ports, "8443:8080/tcp 10000/udp", &err), 0);
	snprintf(e.service, sizeof(e.service), "jitsi");
	e.lease = 120;
	snprintf(e.family, sizeof(e.family), "ipv4");
	assert_int_equal(he_exposure_save(dir, &e, &err), 0);

	assert_int_equal(he_exposures_load(dir, &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 1);
	f = he_exposures_find(&l, "web");
	assert_non_null(f);
	assert_int_equal(f->ports.n, 2);
	assert_int_equal(f->ports.v[0].ext, 8443);
	assert_int_equal(f->ports.v[0].in, 8080);
	assert_int_equal(f->ports.v[1].proto, HE_PROTO_UDP);
	assert_string_equal(f->service, "jitsi");
	assert_int_equal(f->lease, 120);
	assert_string_equal(f->family, "ipv4");
	assert_true(f->router);
	he_exposures_free(&l);

	assert_int_equal(he_exposure_remove(dir, "web", &err), 0);
	assert_int_equal(he_exposure_remove(dir, "web", &err), -ENOENT);
	assert_int_equal(he_exposure_remove(dir, "../etc", &err), -EINVAL);
	rmdir(dir);
}

static void test_exposure_errors(void **state)
{
	struct he_exposure e;
	struct he_diags d = {0};

	(void)state;
	he_exposure_init(&e, "x");
	assert_int_equal(he_exposure_parse(&e, "x.conf",
					   "[exposure]\nports = 0\nrouter = maybe\n"
					   "colour = red\n[other]\na = b\n",
					   &d),
			 -EINVAL);
	assert_true(has_diag(&d, 2, "x.conf:2: [exposure] ports: '0': the port 0 is not a valid"));
	assert_true(has_diag(&d, 3, "'maybe' is not a boolean"));
	assert_true(has_diag(&d, 4, "unknown key 'colour'"));
	assert_true(has_diag(&d, 5, "unknown section [other]")); /* at its header */
	he_diags_free(&d);
	assert_int_equal(he_exposure_parse(&e, "z.conf",
					   "router = no\n[exposure]\nports = 80\nports = 81\n"
					   "[x]\na = 1\nb = 2\n",
					   &d),
			 -EINVAL);
	assert_true(has_diag(&d, 1, "'router' is outside any section"));
	assert_true(has_diag(&d, 4, "[exposure] ports: given twice (first at line 3)"));
	assert_true(has_diag(&d, 5, "unknown section [x]"));
	assert_int_equal(d.nerrors, 3);
	he_diags_free(&d);
	assert_int_equal(he_exposure_parse(&e, "y.conf", "[exposure]\nrouter = no\n", &d), -EINVAL);
	assert_true(has_diag(&d, -1, "y.conf: [exposure] 'ports' is required"));
	he_diags_free(&d);

	assert_true(he_exposure_name_valid("nextcloud"));
	assert_true(he_exposure_name_valid("port-8443"));
	assert_false(he_exposure_name_valid("-x"));
	assert_false(he_exposure_name_valid("a/b"));
	assert_false(he_exposure_name_valid(""));
	assert_false(he_exposure_name_valid(".hidden"));
}

/* Never-expose ports in a hand-written drop-in: an error at its file:line
 * unless force = yes; the engine's check says the same. */
static void test_exposure_never_expose(void **state)
{
	struct he_exposure e;
	struct he_diags d = {0};
	struct he_error err = {0};

	(void)state;
	he_exposure_init(&e, "smb");
	assert_int_equal(he_exposure_parse(&e, "smb.conf",
					   "[exposure]\n# hand-written\nports = 445/tcp 23/tcp "
					   "3389/tcp\n",
					   &d),
			 -EINVAL);
	assert_true(has_diag(&d, 3, "smb.conf:3: [exposure] port 445/tcp"));
	assert_true(has_diag(&d, 3, "port 23/tcp"));
	assert_true(has_diag(&d, 3, "port 3389/tcp"));
	assert_true(has_diag(&d, 3, "force = yes"));
	he_diags_free(&d);
	snprintf(e.file, sizeof(e.file), "/etc/homeexpose/exposures.d/smb.conf");
	assert_int_equal(he_exposure_check_danger(&e, &err), -EPERM);
	assert_non_null(strstr(err.msg, "/etc/homeexpose/exposures.d/smb.conf:3: port 445/tcp"));
	/* a mapping 8445:445 still exposes SMB */
	he_exposure_init(&e, "smb2");
	assert_int_equal(
	    he_exposure_parse(&e, "smb2.conf", "[exposure]\nports = 8445:445/tcp\n", &d), -EINVAL);
	he_diags_free(&d);
	/* force = yes: accepted, and the check passes */
	he_exposure_init(&e, "smb");
	assert_int_equal(
	    he_exposure_parse(&e, "smb.conf", "[exposure]\nports = 445/tcp\nforce = yes\n", &d), 0);
	assert_int_equal(he_exposure_check_danger(&e, &err), 0);
	he_diags_free(&d);
}

/* A NUL byte in a drop-in is an error, not the end of the file. */
static void test_exposure_nul_byte(void **state)
{
	static const char text[] = "[exposure]\nports = 80\0/tcp 443/tcp\n";
	struct he_exposures l = {0};
	struct he_diags d = {0};
	char dir[256], path[300];
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/nul.d", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/web.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(he_exposures_load(dir, &l, &d), 0);
	assert_int_equal(l.n, 0);
	assert_true(has_diag(&d, -1, "NUL byte"));
	he_exposures_free(&l);
	he_diags_free(&d);
	unlink(path);
	rmdir(dir);
}

static void test_long_line(void **state)
{
	struct he_config cfg;
	struct he_diags d = {0};
	char text[3000];

	(void)state;
	memset(text, 'a', sizeof(text));
	memcpy(text, "[general]\nlog-level = ", 22);
	text[2990] = '\n';
	memcpy(text + 2991, "[x]\n", 5);
	he_config_defaults(&cfg, "/x/homeexpose.conf");
	assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), -EINVAL);
	assert_true(has_diag(&d, 2, "line longer than"));
	he_diags_free(&d);
}

/* How many diagnostics mention needle? */
static size_t count_diag(const struct he_diags *d, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, needle))
			n++;
	return n;
}

static void test_comments_after_values(void **state)
{
	struct he_config cfg;
	struct he_diags d = {0};
	const char *text = "[router]   # the router\n"
			   "  lease = 600    # seconds\n"
			   "\tprotocols = upnp ; only UPnP\n"
			   "gateway =        # empty: the default\n"
			   "[publicip]\n"
			   "http-urls = https://example.org/#frag\n"
			   "ca-file =\n"
			   "[ddns home]\n"
			   "provider = duckdns\n"
			   "hostname = h.duckdns.org\n"
			   "token-file = /etc/t   # a comment\n"
			   "refresh-days = 25    # send the unchanged address again\n"
			   "verify-server =      # ADDR[:PORT]\n";

	(void)state;
	he_config_defaults(&cfg, "/x/homeexpose.conf");
	assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg.lease, 600);
	assert_string_equal(cfg.router_protocols, "upnp");
	assert_string_equal(cfg.gateway, "auto");
	/* a '#' not after white space is part of the value */
	assert_string_equal(cfg.http_urls, "https://example.org/#frag");
	assert_string_equal(cfg.publicip_ca_file, "");
	assert_string_equal(cfg.ddns[0].token_file, "/etc/t");
	assert_int_equal(cfg.ddns[0].refresh_days, 25);
	assert_string_equal(cfg.ddns[0].verify_server, "");
	he_diags_free(&d);
}

static void test_check_catches(void **state)
{
	struct he_config cfg;
	struct he_diags d = {0};
	const char *text = "log-level = debug\n"         /* 1: outside any section */
			   "[router]\n"                  /* 2 */
			   "lease = 600\n"               /* 3 */
			   "lease = 700\n"               /* 4: twice */
			   "[bogus]\n"                   /* 5: once, here */
			   "a = 1\n"                     /* 6 */
			   "b = 2\n"                     /* 7 */
			   "[ddns bad/name]\n"           /* 8 */
			   "provider = duckdns\n"        /* 9 */
			   "[ddns home]\n"               /* 10 */
			   "provider = dyndns2\n"        /* 11 */
			   "preset = dyn\n"              /* 12 */
			   "hostname = h.example.org\n"  /* 13 */
			   "password-file = secrets/x\n" /* 14: not absolute */
			   "[ddns cf]\n"                 /* 15 */
			   "provider = cloudflare\n"     /* 16 */
			   "hostname = h.example.org\n"  /* 17 */
			   "token-file = relative\n"     /* 18 */
			   "[bogus2]\n";                 /* 19: no keys, still reported */

	(void)state;
	he_config_defaults(&cfg, "/x/homeexpose.conf");
	assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), -EINVAL);
	assert_true(has_diag(&d, 1, "'log-level' is outside any section"));
	assert_true(has_diag(&d, 4, "[router] lease: given twice (first at line 3)"));
	assert_int_equal(cfg.lease, 600);
	assert_true(has_diag(&d, 5, "unknown section [bogus]"));
	assert_int_equal(count_diag(&d, "bogus]"), 1);
	assert_true(has_diag(&d, 8, "record name 'bad/name'"));
	assert_int_equal(count_diag(&d, "bad/name"), 1);
	assert_true(has_diag(&d, 14, "not an absolute path"));
	assert_true(has_diag(&d, 18, "not an absolute path"));
	/* no second, false error: the key was given, its value refused */
	assert_int_equal(count_diag(&d, "needs 'password-file'"), 0);
	assert_int_equal(count_diag(&d, "needs 'token-file'"), 0);
	assert_true(has_diag(&d, 19, "unknown section [bogus2]"));
	assert_int_equal(d.nerrors, 7);
	he_diags_free(&d);

	/* a byte-order mark before the first section changes nothing */
	he_config_defaults(&cfg, "/x/homeexpose.conf");
	assert_int_equal(
	    he_config_load_string(&cfg, "t.conf", "\xEF\xBB\xBF[router]\nlease = 900\n", &d), 0);
	assert_int_equal(cfg.lease, 900);
	he_diags_free(&d);
}

static void test_config_is_a_directory(void **state)
{
	struct he_config cfg;
	struct he_diags d = {0};

	(void)state;
	assert_int_equal(he_config_load(&cfg, tmpdir, true, &d), -EISDIR);
	assert_true(has_diag(&d, -1, "is a directory"));
	assert_true(has_diag(&d, -1, "homeexpose.conf"));
	he_diags_free(&d);
}

static void test_secret_empty_and_symlink(void **state)
{
	char path[256], link[256];
	struct he_error err = {0};

	(void)state;
	snprintf(path, sizeof(path), "%s/x", tmpdir);
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	write_file(path, "", 0600);
	assert_int_equal(he_secret_check(path, &err), -ENODATA);
	assert_non_null(strstr(err.msg, "is empty"));
	write_file(path, "pw\n", 0600);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(he_secret_check(link, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "is a symbolic link"));
	assert_non_null(strstr(err.msg, "Name the file itself"));
	assert_non_null(strstr(err.msg, path)); /* the file to name instead */
	unlink(link);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_follow_config_path),
	    cmocka_unit_test(test_good_config),
	    cmocka_unit_test(test_errors_have_file_and_line),
	    cmocka_unit_test(test_load_file_and_env),
	    cmocka_unit_test(test_secret_permissions),
	    cmocka_unit_test(test_exposure_roundtrip),
	    cmocka_unit_test(test_exposure_errors),
	    cmocka_unit_test(test_exposure_never_expose),
	    cmocka_unit_test_setup_teardown(test_secret_free_wipes_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exposure_nul_byte, setup, teardown),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_comments_after_values),
	    cmocka_unit_test(test_check_catches),
	    cmocka_unit_test(test_config_is_a_directory),
	    cmocka_unit_test(test_secret_empty_and_symlink),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
