/* SPDX-License-Identifier: MIT */
/*
 * test_firewall.c - backend selection and ufw/firewalld delegation: the exact
 * argument vectors, through the he_spawn_run seam (no tool runs for real).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/spawn.h"
#include "firewall/fw_internal.h"

/* --- the fake tools ------------------------------------------------------ */

struct reply {
	const char *argv; /* joined with spaces */
	int exit_code;
	const char *out;
	const char *err;
};

static const struct reply *replies;
static char calls[8192]; /* every argv run, one per line */

int __wrap_he_spawn_run(const char *const argv[], int timeout_ms, struct he_spawn_result *res,
			struct he_error *err);
int __wrap_he_spawn_run(const char *const argv[], int timeout_ms, struct he_spawn_result *res,
			struct he_error *err)
{
	char line[1024] = "";

	for (size_t i = 0; argv[i]; i++) {
		strncat(line, i ? " " : "", sizeof(line) - strlen(line) - 1);
		strncat(line, argv[i], sizeof(line) - strlen(line) - 1);
	}
	strncat(calls, line, sizeof(calls) - strlen(calls) - 2);
	strcat(calls, "\n");
	memset(res, 0, sizeof(*res));
	for (const struct reply *r = replies; r && r->argv; r++) {
		if (strcmp(r->argv, line))
			continue;
		res->exit_code = r->exit_code;
		res->out = strdup(r->out ? r->out : "");
		res->err = strdup(r->err ? r->err : "");
		res->out_len = strlen(res->out);
		res->err_len = strlen(res->err);
		return 0;
	}
	if (!strncmp(line, "ufw ", 4) && strcmp(line, "ufw status") &&
	    strcmp(line, "ufw show added")) {
		/* a change command: succeeds */
		res->out = strdup("Rule added\n");
		res->err = strdup("");
		return 0;
	}
	if (!strncmp(line, "firewall-cmd --permanent --new", 30) ||
	    !strncmp(line, "firewall-cmd --permanent --service", 34) ||
	    !strncmp(line, "firewall-cmd --permanent --add", 30) ||
	    !strncmp(line, "firewall-cmd --permanent --remove", 33) ||
	    !strncmp(line, "firewall-cmd --permanent --delete", 33) ||
	    !strcmp(line, "firewall-cmd --reload")) {
		res->out = strdup("success\n");
		res->err = strdup("");
		return 0;
	}
	return he_error_set(err, -ENOENT, "cannot run %s: not installed", argv[0]);
}

/*
 * firewalld's state is read over D-Bus (firewalld_bus.c); here each query
 * answers what the reply table gives for the firewall-cmd line it stands for,
 * and is recorded in reads (not in calls: no program runs for a read).
 */
static char reads[2048];

int __wrap_he_fwd_query(enum he_fwd_q what, const char *svc, char **out, struct he_error *err);
int __wrap_he_fwd_query(enum he_fwd_q what, const char *svc, char **out, struct he_error *err)
{
	char line[256];

	switch (what) {
	case HE_FWD_SERVICES:
		snprintf(line, sizeof(line), "firewall-cmd --permanent --get-services");
		break;
	case HE_FWD_ENABLED:
		snprintf(line, sizeof(line), "firewall-cmd --list-services");
		break;
	case HE_FWD_PERMZONE:
		snprintf(line, sizeof(line), "firewall-cmd --permanent --list-services");
		break;
	case HE_FWD_PORTS:
		snprintf(line, sizeof(line), "firewall-cmd --permanent --service=%s --get-ports",
			 svc);
		break;
	}
	strncat(reads, line, sizeof(reads) - strlen(reads) - 2);
	strcat(reads, "\n");
	for (const struct reply *r = replies; r && r->argv; r++) {
		if (!strcmp(r->argv, line)) {
			*out = strdup(r->out ? r->out : "");
			return 0;
		}
	}
	return he_error_set(err, -ENOENT, "firewalld does not answer on D-Bus");
}

int __wrap_he_nft_list_ruleset(char **out, struct he_error *err);
int __wrap_he_nft_list_ruleset(char **out, struct he_error *err)
{
	*out = strdup("{\"nftables\": []}");
	return 0;
}

uid_t __wrap_geteuid(void);
uid_t __wrap_geteuid(void)
{
	return 0;
}

static int setup(void **state)
{
	calls[0] = '\0';
	reads[0] = '\0';
	replies = NULL;
	return 0;
}

static void desired(struct he_fw_desired *d, const char *const *specs)
{
	struct he_error err = {0};

	memset(d, 0, sizeof(*d));
	for (size_t i = 0; specs[i]; i++) {
		char name[64], proto[8] = "tcp";
		unsigned port = 0;

		assert_true(sscanf(specs[i], "%63[^:]:%u/%7s", name, &port, proto) >= 2);
		assert_int_equal(he_fw_desired_add(d, name, (uint16_t)port,
						   !strcmp(proto, "udp")    ? HE_PROTO_UDP
						   : !strcmp(proto, "both") ? HE_PROTO_BOTH
									    : HE_PROTO_TCP,
						   &err),
				 0);
	}
}

/* --- selection ----------------------------------------------------------- */

/* Issue 13: the backend is found from files, the ruleset and D-Bus: no tool runs. */
static void test_auto_runs_nothing(void **state)
{
	struct he_firewall *fw = NULL;
	struct he_error err = {0};

	replies = NULL;
	calls[0] = '\0';
	assert_int_equal(he_firewall_open("auto", &fw, &err), 0);
	assert_string_equal(calls, "");
	assert_non_null(strstr(he_firewall_why(fw), "auto: "));
	he_firewall_close(fw);
	assert_int_equal(he_firewall_open("none", &fw, &err), 0);
	assert_string_equal(he_firewall_why(fw), "[firewall] backend = none");
	he_firewall_close(fw);
	assert_string_equal(calls, "");
}

static void test_ufw_conf(void **state)
{
	char path[] = "/tmp/he_ufwconf_XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_true(write(fd, "# comment\nENABLED=yes\nLOGLEVEL=low\n", 35) == 35);
	close(fd);
	assert_int_equal(he_ufw_conf_enabled(path), 1);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(write(fd, "ENABLED=no\n", 11) == 11);
	close(fd);
	assert_int_equal(he_ufw_conf_enabled(path), 0);
	unlink(path);
	assert_int_equal(he_ufw_conf_enabled(path), -ENOENT);
}

static void test_options(void **state)
{
	struct he_fw_options o = {0};
	struct he_error err = {0};

	assert_int_equal(he_fw_options_integrate(&o, "inet filter input", &err), 0);
	assert_string_equal(o.integrate_family, "inet");
	assert_string_equal(o.integrate_table, "filter");
	assert_string_equal(o.integrate_chain, "input");
	assert_int_equal(he_fw_options_integrate(&o, "", &err), 0);
	assert_string_equal(o.integrate_family, "");
	assert_int_equal(he_fw_options_integrate(&o, "bridge filter input", &err), -EINVAL);
	assert_int_equal(he_fw_options_integrate(&o, "inet filter", &err), -EINVAL);
	assert_int_equal(he_fw_options_integrate(&o, "inet a b c", &err), -EINVAL);
	assert_int_equal(he_nft_name_ok("input"), 1);
	assert_int_equal(he_nft_name_ok("in put"), 0);
	assert_int_equal(he_nft_name_ok("x;flush"), 0);
	assert_int_equal(he_fw_families("ipv4"), HE_FW_IPV4);
	assert_int_equal(he_fw_families("ipv6"), HE_FW_IPV6);
	assert_int_equal(he_fw_families("both"), 0);
}

static void test_named_backends(void **state)
{
	struct he_firewall *fw = NULL;
	struct he_error err = {0};

	assert_int_equal(he_firewall_open("iptables", &fw, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nftables, ufw, firewalld or none"));
	assert_null(fw);
	replies = NULL;
	if (access("/etc/ufw/ufw.conf", F_OK) < 0) { /* ufw not installed */
		assert_int_equal(he_firewall_open("ufw", &fw, &err), -ENOENT);
		assert_non_null(strstr(err.msg, "ufw is not installed"));
	}
	assert_int_equal(he_firewall_open("none", &fw, &err), 0);
	assert_string_equal(he_firewall_backend(fw), "none");
	he_firewall_close(fw);
	he_firewall_close(NULL);
}

/* --- ufw ----------------------------------------------------------------- */

static const char ufw_added[] = "Added user rules (see 'ufw status' for running firewall):\n"
				"ufw allow 22/tcp\n"
				"ufw allow 443/tcp comment 'homeexpose:old'\n"
				"ufw allow 8443/tcp comment 'homeexpose:web'\n"
				"ufw allow 9000/tcp\n"
				"ufw allow from 10.0.0.0/8 to any port 5000 proto tcp\n";

/* The same rules as ufw keeps them in /etc/ufw/user.rules and user6.rules. */
static const char ufw_rules[] =
    "*filter\n"
    "### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in\n"
    "-A ufw-user-input -p tcp --dport 22 -j ACCEPT\n"
    "### tuple ### allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in comment=686f6d656578706f73653a6f6c64\n"
    "### tuple ### allow tcp 8443 0.0.0.0/0 any 0.0.0.0/0 in "
    "comment=686f6d656578706f73653a776562\n"
    "### tuple ### allow tcp 9000 0.0.0.0/0 any 0.0.0.0/0 in\n"
    "### tuple ### allow tcp 5000 0.0.0.0/0 any 10.0.0.0/8 in\n";
static const char ufw_rules6[] =
    "### tuple ### allow tcp 22 ::/0 any ::/0 in\n"
    "### tuple ### allow tcp 443 ::/0 any ::/0 in comment=686f6d656578706f73653a6f6c64\n";

static char ufw_tmp[64];

/* A private ufw directory: ufw.conf ENABLED=yes and user.rules holding RULES. */
static const char *ufw_dir_with(const char *rules, const char *rules6)
{
	char path[128];
	FILE *f;

	snprintf(ufw_tmp, sizeof(ufw_tmp), "/tmp/he_ufw_XXXXXX");
	assert_non_null(mkdtemp(ufw_tmp));
	snprintf(path, sizeof(path), "%s/ufw.conf", ufw_tmp);
	assert_non_null(f = fopen(path, "w"));
	fputs("ENABLED=yes\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/user.rules", ufw_tmp);
	assert_non_null(f = fopen(path, "w"));
	fputs(rules, f);
	fclose(f);
	if (rules6) {
		snprintf(path, sizeof(path), "%s/user6.rules", ufw_tmp);
		assert_non_null(f = fopen(path, "w"));
		fputs(rules6, f);
		fclose(f);
	}
	return ufw_tmp;
}

static void ufw_dir_done(void)
{
	char cmd[128];
	const char *const names[] = {"ufw.conf", "user.rules", "user6.rules"};

	for (size_t i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd), "%s/%s", ufw_tmp, names[i]);
		unlink(cmd);
	}
	rmdir(ufw_tmp);
}

static int open_ufw(const char *dir, struct he_firewall **fw, struct he_error *err)
{
	struct he_fw_options o = {.backend = "ufw", .ufw_dir = dir};

	return he_firewall_open_opts(&o, fw, err);
}

static void test_ufw_tuples(void **state)
{
	struct he_fw_text t = {0};
	char *text;
	const char *p = ufw_rules;

	while (*p) {
		he_ufw_tuple_to_added(p, &t);
		p = strchr(p, '\n') + 1;
	}
	for (p = ufw_rules6; *p; p = strchr(p, '\n') + 1)
		he_ufw_tuple_to_added(p, &t);
	text = he_fw_text_take(&t);
	assert_string_equal(text, "ufw allow 22/tcp\n"
				  "ufw allow 443/tcp comment 'homeexpose:old'\n"
				  "ufw allow 8443/tcp comment 'homeexpose:web'\n"
				  "ufw allow 9000/tcp\n"
				  "ufw other\n");
	free(text);
}

static void test_ufw_parse(void **state)
{
	struct he_ufw_rule *r = NULL;
	size_t n = 0;

	assert_int_equal(he_ufw_parse_added(ufw_added, &r, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].port, 22);
	assert_int_equal(r[0].ours, 0);
	assert_int_equal(r[1].port, 443);
	assert_int_equal(r[1].ours, 1);
	assert_string_equal(r[1].comment, "homeexpose:old");
	assert_int_equal(r[3].port, 9000);
	free(r);
}

static void test_ufw_apply_argv(void **state)
{
	static const char *const want[] = {"web:8443", "cloud:8443", "dns:53/udp", "adm:9000",
					   NULL};
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	char *text = NULL;

	desired(&d, want);
	assert_int_equal(open_ufw(ufw_dir_with(ufw_rules, ufw_rules6), &fw, &err), 0);
	/* dry run: the exact commands, nothing run but the reads */
	calls[0] = '\0';
	assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
	assert_string_equal(text, "ufw allow 8443/tcp comment homeexpose:cloud,web\n"
				  "ufw allow 53/udp comment homeexpose:dns\n"
				  "ufw delete allow 443/tcp\n");
	assert_string_equal(calls, ""); /* the reads are ufw's files */
	free(text);
	/* for real: the same argv in order; 9000 is the admin's own rule, left alone */
	calls[0] = '\0';
	assert_int_equal(he_firewall_apply(fw, &d, 0, NULL, &err), 0);
	assert_string_equal(calls, "ufw allow 8443/tcp comment homeexpose:cloud,web\n"
				   "ufw allow 53/udp comment homeexpose:dns\n"
				   "ufw delete allow 443/tcp\n");
	he_fw_desired_free(&d);
	he_firewall_close(fw);
	ufw_dir_done();
}

/* Issue 14: a port range is one ufw rule FIRST:LAST, read back from ufw's tuples. */
static void test_ufw_range(void **state)
{
	static const char *const want[] = {"mosh:60000/udp", "mosh:60001/udp", "mosh:60002/udp",
					   "web:8443", NULL};
	/* mosh as three single-port rules (an older homeexpose), web in place */
	static const char *const old_rules =
	    "### tuple ### allow udp 60000 0.0.0.0/0 any 0.0.0.0/0 in "
	    "comment=686f6d656578706f73653a6d6f7368\n"
	    "### tuple ### allow udp 60001 0.0.0.0/0 any 0.0.0.0/0 in "
	    "comment=686f6d656578706f73653a6d6f7368\n"
	    "### tuple ### allow tcp 8443 0.0.0.0/0 any 0.0.0.0/0 in "
	    "comment=686f6d656578706f73653a776562\n";
	static const char *const range_rules =
	    "### tuple ### allow udp 60000:60002 0.0.0.0/0 any 0.0.0.0/0 in "
	    "comment=686f6d656578706f73653a6d6f7368\n"
	    "### tuple ### allow tcp 8443 0.0.0.0/0 any 0.0.0.0/0 in "
	    "comment=686f6d656578706f73653a776562\n";
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	struct he_fw_report rep;
	struct he_ufw_rule *r = NULL;
	size_t n = 0;
	char *text = NULL;

	assert_int_equal(he_ufw_parse_added("ufw allow 60000:60002/udp comment 'homeexpose:mosh'\n"
					    "ufw allow 5:3/udp\nufw allow 1:70000/udp\n",
					    &r, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].port, 60000);
	assert_int_equal(r[0].last, 60002);
	assert_int_equal(r[0].ours, 1);
	free(r);
	desired(&d, want);
	/* the per-port rules become one range rule; web is left as it is */
	assert_int_equal(open_ufw(ufw_dir_with(old_rules, NULL), &fw, &err), 0);
	assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
	assert_int_equal(rep.in_sync, 0);
	assert_int_equal(rep.n_missing, 1); /* 60002 */
	he_fw_report_free(&rep);
	assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
	assert_string_equal(text, "ufw allow 60000:60002/udp comment homeexpose:mosh\n"
				  "ufw delete allow 60000/udp\n"
				  "ufw delete allow 60001/udp\n");
	free(text);
	he_firewall_close(fw);
	ufw_dir_done();
	/* the range rule in place: nothing to do, in sync */
	assert_int_equal(open_ufw(ufw_dir_with(range_rules, NULL), &fw, &err), 0);
	calls[0] = '\0';
	assert_int_equal(he_firewall_apply(fw, &d, 0, NULL, &err), 0);
	assert_string_equal(calls, "");
	assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
	assert_int_equal(rep.in_sync, 1);
	he_fw_report_free(&rep);
	he_fw_desired_free(&d);
	/* one port of the range no longer wanted: the rule goes, the rest is one range again */
	{
		static const char *const less[] = {"mosh:60000/udp", "mosh:60001/udp", "web:8443",
						   NULL};

		desired(&d, less);
		assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
		assert_int_equal(rep.n_extra, 1);
		assert_int_equal(rep.extra[0].port, 60002);
		he_fw_report_free(&rep);
		assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
		assert_string_equal(text, "ufw allow 60000:60001/udp comment homeexpose:mosh\n"
					  "ufw delete allow 60000:60002/udp\n");
		free(text);
		he_fw_desired_free(&d);
	}
	he_firewall_close(fw);
	ufw_dir_done();
}

static void test_ufw_in_sync_runs_nothing(void **state)
{
	static const char *const want[] = {"web:8443", NULL};
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	struct he_fw_report rep;

	desired(&d, want);
	assert_int_equal(
	    open_ufw(ufw_dir_with("### tuple ### allow tcp 8443 0.0.0.0/0 any "
				  "0.0.0.0/0 in comment=686f6d656578706f73653a776562\n",
				  NULL),
		     &fw, &err),
	    0);
	calls[0] = '\0';
	assert_int_equal(he_firewall_apply(fw, &d, 0, NULL, &err), 0);
	assert_string_equal(calls, "");
	assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
	assert_int_equal(rep.in_sync, 1);
	assert_int_equal(rep.present, 1);
	assert_int_equal(rep.n_missing, 0);
	assert_string_equal(calls, ""); /* verify runs nothing either */
	he_fw_report_free(&rep);
	he_fw_desired_free(&d);
	he_firewall_close(fw);
	ufw_dir_done();
}

static void test_ufw_failure_rolls_back(void **state)
{
	static const struct reply r[] = {
	    {"ufw allow 2000/tcp comment homeexpose:b", 1, "", "ERROR: Could not update\n"},
	    {NULL}};
	static const char *const want[] = {"a:1000", "b:2000", NULL};
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};

	replies = r;
	desired(&d, want);
	assert_int_equal(open_ufw(ufw_dir_with("", NULL), &fw, &err), 0);
	calls[0] = '\0';
	assert_int_equal(he_firewall_apply(fw, &d, 0, NULL, &err), -EIO);
	assert_non_null(strstr(err.msg, "Could not update"));
	assert_string_equal(calls, "ufw allow 1000/tcp comment homeexpose:a\n"
				   "ufw allow 2000/tcp comment homeexpose:b\n"
				   "ufw delete allow 1000/tcp\n");
	he_fw_desired_free(&d);
	he_firewall_close(fw);
	ufw_dir_done();
}

static void test_ufw_not_root(void **state)
{
	static const char *const want[] = {"a:1000", NULL};
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	uid_t euid = geteuid();
	int rc;

	desired(&d, want);
	assert_int_equal(open_ufw(ufw_dir_with("", NULL), &fw, &err), 0);
	/* as root, become nobody for the call (the saved uid brings root back) */
	if (euid == 0)
		assert_int_equal(seteuid(65534), 0);
	rc = he_firewall_apply(fw, &d, 0, NULL, &err);
	if (euid == 0)
		assert_int_equal(seteuid(0), 0);
	assert_int_equal(rc, -EPERM);
	assert_non_null(strstr(err.msg, "root or CAP_NET_ADMIN"));
	assert_string_equal(calls, "");
	he_fw_desired_free(&d);
	he_firewall_close(fw);
	ufw_dir_done();
}

/* --- firewalld ------------------------------------------------------------ */

static void test_firewalld_apply_argv(void **state)
{
	static const struct reply r[] = {
	    {"firewall-cmd --state", 0, "running\n", NULL},
	    {"firewall-cmd --permanent --get-services", 0,
	     "http https homeexpose-old homeexpose-web ssh\n", NULL},
	    {"firewall-cmd --list-services", 0, "ssh homeexpose-old homeexpose-web\n", NULL},
	    {"firewall-cmd --permanent --list-services", 0, "ssh homeexpose-old homeexpose-web\n",
	     NULL},
	    {"firewall-cmd --permanent --service=homeexpose-web --get-ports", 0,
	     "8443/tcp 8080/tcp\n", NULL},
	    {NULL}};
	static const char *const want[] = {"web:8443", "cloud:8443", "cloud:3478/both", NULL};
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	char *text = NULL;
	replies = r;
	desired(&d, want);
	assert_int_equal(he_firewall_open("firewalld", &fw, &err), 0);
	assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
	assert_string_equal(
	    text, "firewall-cmd --permanent --service=homeexpose-web --remove-port=8080/tcp\n"
		  "firewall-cmd --permanent --new-service=homeexpose-cloud\n"
		  "firewall-cmd --permanent --service=homeexpose-cloud "
		  "--set-description=homeexpose:cloud\n"
		  "firewall-cmd --permanent --service=homeexpose-cloud "
		  "--add-port=3478/tcp\n"
		  "firewall-cmd --permanent --service=homeexpose-cloud "
		  "--add-port=8443/tcp\n"
		  "firewall-cmd --permanent --service=homeexpose-cloud "
		  "--add-port=3478/udp\n"
		  "firewall-cmd --permanent --add-service=homeexpose-cloud\n"
		  "firewall-cmd --permanent --remove-service=homeexpose-old\n"
		  "firewall-cmd --permanent --delete-service=homeexpose-old\n"
		  "firewall-cmd --reload\n");
	free(text);
	calls[0] = '\0';
	assert_int_equal(he_firewall_apply(fw, &d, 0, NULL, &err), 0);
	assert_non_null(strstr(calls, "firewall-cmd --permanent --new-service=homeexpose-cloud\n"
				      "firewall-cmd --permanent --service=homeexpose-cloud "
				      "--set-description=homeexpose:cloud\n"));
	assert_non_null(strstr(calls, "firewall-cmd --reload\n"));
	he_fw_desired_free(&d);
	he_firewall_close(fw);
}

static void test_firewalld_in_sync(void **state)
{
	static const struct reply r[] = {
	    {"firewall-cmd --state", 0, "running\n", NULL},
	    {"firewall-cmd --permanent --get-services", 0, "homeexpose-web ssh\n", NULL},
	    {"firewall-cmd --list-services", 0, "ssh homeexpose-web\n", NULL},
	    {"firewall-cmd --permanent --list-services", 0, "ssh homeexpose-web\n", NULL},
	    {"firewall-cmd --permanent --service=homeexpose-web --get-ports", 0, "8443/tcp\n",
	     NULL},
	    {NULL}};
	static const struct reply lost[] = {
	    {"firewall-cmd --state", 0, "running\n", NULL},
	    {"firewall-cmd --permanent --get-services", 0, "homeexpose-web ssh\n", NULL},
	    {"firewall-cmd --list-services", 0, "ssh\n", NULL}, /* runtime lost it */
	    {"firewall-cmd --permanent --list-services", 0, "ssh homeexpose-web\n", NULL},
	    {"firewall-cmd --permanent --service=homeexpose-web --get-ports", 0, "8443/tcp\n",
	     NULL},
	    {NULL}};
	static const char *const want[] = {"web:8443", NULL};
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	struct he_fw_report rep;
	char *text = NULL;

	replies = r;
	desired(&d, want);
	assert_int_equal(he_firewall_open("firewalld", &fw, &err), 0);
	assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
	assert_int_equal(rep.in_sync, 1);
	assert_int_equal(rep.present, 1);
	he_fw_report_free(&rep);
	/* issue 13: reading runs no program (firewall-cmd only changes things) */
	assert_string_equal(calls, "");
	assert_non_null(strstr(reads, "firewall-cmd --permanent --service=homeexpose-web "
				      "--get-ports"));
	replies = lost;
	assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
	assert_int_equal(rep.in_sync, 0);
	assert_int_equal(rep.n_missing, 1);
	assert_int_equal(rep.missing[0].port, 8443);
	he_fw_report_free(&rep);
	assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
	assert_string_equal(text, "firewall-cmd --reload\n");
	free(text);
	he_fw_desired_free(&d);
	he_firewall_close(fw);
}

/* Issue 14: a port range is one firewalld port entry FIRST-LAST. */
static void test_firewalld_range(void **state)
{
	static const struct reply r[] = {
	    {"firewall-cmd --state", 0, "running\n", NULL},
	    {"firewall-cmd --permanent --get-services", 0, "homeexpose-mosh ssh\n", NULL},
	    {"firewall-cmd --list-services", 0, "ssh homeexpose-mosh\n", NULL},
	    {"firewall-cmd --permanent --list-services", 0, "ssh homeexpose-mosh\n", NULL},
	    {"firewall-cmd --permanent --service=homeexpose-mosh --get-ports", 0,
	     "60000/udp 60001/udp\n", NULL},
	    {NULL}};
	static const struct reply in_place[] = {
	    {"firewall-cmd --state", 0, "running\n", NULL},
	    {"firewall-cmd --permanent --get-services", 0, "homeexpose-mosh ssh\n", NULL},
	    {"firewall-cmd --list-services", 0, "ssh homeexpose-mosh\n", NULL},
	    {"firewall-cmd --permanent --list-services", 0, "ssh homeexpose-mosh\n", NULL},
	    {"firewall-cmd --permanent --service=homeexpose-mosh --get-ports", 0,
	     "60000-60002/udp\n", NULL},
	    {NULL}};
	static const char *const want[] = {"mosh:60000/udp", "mosh:60001/udp", "mosh:60002/udp",
					   NULL};
	struct he_fw_desired d;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	struct he_fw_report rep;
	char *text = NULL;

	replies = r;
	desired(&d, want);
	assert_int_equal(he_firewall_open("firewalld", &fw, &err), 0);
	assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
	assert_string_equal(
	    text, "firewall-cmd --permanent --service=homeexpose-mosh --remove-port=60000/udp\n"
		  "firewall-cmd --permanent --service=homeexpose-mosh --remove-port=60001/udp\n"
		  "firewall-cmd --permanent --service=homeexpose-mosh "
		  "--add-port=60000-60002/udp\n"
		  "firewall-cmd --reload\n");
	free(text);
	assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
	assert_int_equal(rep.in_sync, 0);
	assert_int_equal(rep.n_missing, 1); /* 60002: the others are open, one by one */
	assert_int_equal(rep.missing[0].port, 60002);
	he_fw_report_free(&rep);
	replies = in_place;
	assert_int_equal(he_firewall_apply(fw, &d, HE_FW_DRY_RUN, &text, &err), 0);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(he_firewall_verify(fw, &d, &rep, &err), 0);
	assert_int_equal(rep.in_sync, 1);
	he_fw_report_free(&rep);
	he_fw_desired_free(&d);
	he_firewall_close(fw);
}

static void test_firewalld_parse_ports(void **state)
{
	struct he_fw_ports p;

	assert_int_equal(
	    he_firewalld_parse_ports("8443/tcp 53/udp junk 70000/tcp 1/sctp 5-3/udp 9-70000/udp "
				     "60000-60002/udp\n",
				     &p, "x"),
	    0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[2].port, 60000);
	assert_int_equal(p.v[2].last, 60002);
	assert_int_equal(p.v[1].port, 53);
	assert_int_equal(p.v[1].proto, HE_PROTO_UDP);
	he_fw_ports_free(&p);
}

static void test_text_quoting(void **state)
{
	static const char *const argv[] = {"ufw", "allow", "it's", "a b", "", NULL};
	struct he_fw_text t = {0};
	char *s;

	he_fw_text_argv(&t, argv);
	s = he_fw_text_take(&t);
	assert_string_equal(s, "ufw allow 'it'\\''s' 'a b' ''\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_auto_runs_nothing, setup),
	    cmocka_unit_test_setup(test_ufw_conf, setup),
	    cmocka_unit_test_setup(test_options, setup),
	    cmocka_unit_test_setup(test_named_backends, setup),
	    cmocka_unit_test_setup(test_ufw_tuples, setup),
	    cmocka_unit_test_setup(test_ufw_parse, setup),
	    cmocka_unit_test_setup(test_ufw_apply_argv, setup),
	    cmocka_unit_test_setup(test_ufw_range, setup),
	    cmocka_unit_test_setup(test_ufw_in_sync_runs_nothing, setup),
	    cmocka_unit_test_setup(test_ufw_failure_rolls_back, setup),
	    cmocka_unit_test_setup(test_ufw_not_root, setup),
	    cmocka_unit_test_setup(test_firewalld_apply_argv, setup),
	    cmocka_unit_test_setup(test_firewalld_in_sync, setup),
	    cmocka_unit_test_setup(test_firewalld_range, setup),
	    cmocka_unit_test_setup(test_firewalld_parse_ports, setup),
	    cmocka_unit_test_setup(test_text_quoting, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
