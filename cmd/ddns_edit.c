/* SPDX-License-Identifier: MIT */
/*
 * homeexpose ddns add / ddns import: new [ddns NAME] sections in the
 * configuration named by -c, their secrets in 0600 files beside it
 * (DIR/secrets/), then the checks of `config check` on the result.
 *
 *   ddns add NAME --provider P --hostname H [--KEY VALUE ...]
 *       KEY: the provider's keys (its table entry says which), families,
 *       ca-file. The secret comes from standard input, or from the terminal
 *       without echo; never from the command line (--password-file PATH
 *       names an existing file instead).
 *   ddns import FILE [--dry-run]
 *       a ddclient.conf or inadyn.conf (lib/ddns/import_*.c read them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "config/secret.h"
#include "core/file.h"
#include "ddns/ddns.h"
#include "ddns/dyndns2.h"
#include "ddns/import.h"

#define SECRET_MAX (64 * 1024)

static const char *config_path(const struct he_cli *cli)
{
	return cli->config_path ? cli->config_path : he_config_default_path();
}

/* `config check` on the result: diagnostics printed, exit code. */
static int check_result(struct he_cli *cli)
{
	struct he_diags d = {0};
	size_t nexp = 0, nprof = 0;
	int rc;

	he_cli_config_collect(cli, &d, &nexp, &nprof);
	if (!cli->json)
		he_cli_print_diags(cli, &d);
	rc = d.nerrors ? HE_EXIT_USAGE : HE_EXIT_OK;
	if (!cli->json && d.nerrors)
		fprintf(stderr, "%s: config check found %zu error%s (see above)\n", cli->cfg.path,
			d.nerrors, d.nerrors == 1 ? "" : "s");
	else if (!cli->json && cli->verbosity >= 0)
		printf("%s: config check ok\n", cli->cfg.path);
	he_diags_free(&d);
	return rc;
}

/* ---- ddns add ---- */

/* The new section alone through the configuration's parser and its provider's check: 0, or
 * HE_EXIT_USAGE after the messages (nothing written then). */
static int precheck(struct he_cli *cli, const struct he_ddns_new *r)
{
	static struct he_config cfg; /* large: not on the stack */
	struct he_diags d = {0};
	struct he_ddns_new probe = *r;
	char *text;
	int rc = HE_EXIT_OK;

	/* the secret is read later: a stand-in path for the file it will be */
	if (*probe.secret_key && !*probe.secret_path)
		snprintf(probe.secret_path, sizeof(probe.secret_path), "/secrets/stand-in");
	text = he_ddns_render(&probe, 1, "/secrets");
	if (!text)
		return HE_EXIT_FAIL;
	he_config_defaults(&cfg, config_path(cli));
	he_config_load_string(&cfg, "new section", text, &d);
	free(text);
	for (unsigned i = 0; i < cfg.nddns; i++) {
		const struct he_ddns_provider *p = he_ddns_provider_find(cfg.ddns[i].provider);
		struct he_error err = {0};

		if (p && p->check && p->check(&cfg.ddns[i], &err) < 0)
			he_diags_add(&d, HE_DIAG_ERROR, NULL, 0, "%s", err.msg);
	}
	if (d.nerrors) {
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].level == HE_DIAG_ERROR &&
			    (i == 0 || strcmp(d.v[i].msg, d.v[i - 1].msg)))
				he_errorf(cli, "%s", d.v[i].msg);
		he_errorf(cli, "nothing written");
		rc = HE_EXIT_USAGE;
	}
	he_diags_free(&d);
	return rc;
}

static void add_usage(void)
{
	size_t n;
	const struct he_ddns_provider *const *ps = he_ddns_providers(&n);

	printf("Usage: homeexpose [-c FILE] ddns add NAME --provider P --hostname H [--KEY VALUE "
	       "...]\n\n"
	       "Write a [ddns NAME] section into the configuration and its secret into a 0600\n"
	       "file in DIR/secrets/ (DIR: the configuration's directory), then check the\n"
	       "result as 'config check' does. The secret is read from standard input, or\n"
	       "from the terminal without echo; it is never taken from the command line.\n"
	       "P may also be a dyndns2 preset (--provider ovh = dyndns2 with preset ovh).\n"
	       "Besides the keys below: --families 'A AAAA', --ca-file PATH.\n\n"
	       "Providers and their keys (* required, secret: read as said above):\n");
	for (size_t i = 0; i < n; i++) {
		printf("  %s\n", ps[i]->name);
		for (const struct he_ddns_key *k = ps[i]->keys; k && k->name; k++)
			printf("      --%-16s %s%s%s\n", k->name,
			       (k->flags & HE_DDNS_KEY_REQUIRED) ? "* " : "",
			       (k->flags & HE_DDNS_KEY_SECRET) ? "(secret) " : "",
			       k->help ? k->help : "");
	}
}

static const struct he_ddns_key *key_of(const struct he_ddns_provider *p, const char *name)
{
	for (const struct he_ddns_key *k = p->keys; k && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

/* The secret from stdin (all of it) or the terminal (one line, no echo). NULL on error. */
static char *read_secret(const struct he_cli *cli, const char *name, const char *key)
{
	char *buf = calloc(1, SECRET_MAX + 1);
	size_t n = 0;

	if (!buf)
		return NULL;
	if (isatty(STDIN_FILENO)) {
		struct termios old, quiet;
		bool restore = tcgetattr(STDIN_FILENO, &old) == 0;

		fprintf(stderr, "%s for [ddns %s] (%s): ", key, name, key);
		fflush(stderr);
		if (restore) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
		if (!fgets(buf, SECRET_MAX, stdin))
			buf[0] = '\0';
		if (restore)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
		n = strlen(buf);
	} else {
		size_t r;

		while (n < SECRET_MAX && (r = fread(buf + n, 1, SECRET_MAX - n, stdin)) > 0)
			n += r;
		buf[n] = '\0';
		if (strlen(buf) != n) {
			he_errorf(cli, "the secret holds a NUL byte");
			explicit_bzero(buf, SECRET_MAX + 1); /* bytes past the NUL too */
			free(buf);
			return NULL;
		}
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (!n) {
		he_errorf(cli, "no secret given (standard input was empty)");
		he_str_wipe_free(buf);
		return NULL;
	}
	return buf;
}

/* Put --KEY VALUE into r; 0, or an exit code after the message. */
static int add_key(struct he_cli *cli, const struct he_ddns_provider *p, struct he_ddns_new *r,
		   const char *key, const char *val)
{
	const struct he_ddns_key *k = key_of(p, key);
	struct {
		const char *key;
		char *dst;
		size_t size;
	} fields[] = {
	    {"preset", r->preset, sizeof(r->preset)},
	    {"server", r->server, sizeof(r->server)},
	    {"username", r->username, sizeof(r->username)},
	    {"zone", r->zone, sizeof(r->zone)},
	    {"families", r->families, sizeof(r->families)},
	    {"ca-file", r->ca_file, sizeof(r->ca_file)},
	};

	if (k && (k->flags & HE_DDNS_KEY_SECRET)) {
		snprintf(r->secret_path, sizeof(r->secret_path), "%s", val);
		return 0;
	}
	if (!k && strcmp(key, "families") && strcmp(key, "ca-file")) {
		if (!strcmp(key, "password") || !strcmp(key, "token") || !strcmp(key, "secret") ||
		    !strcmp(key, "key"))
			return he_usage_error(
			    cli,
			    "secrets never go on the command line: give it on "
			    "standard input (or --%s-file PATH for a file you wrote)",
			    key);
		return he_usage_error(cli, "provider %s takes no --%s (see 'ddns add --help')",
				      p->name, key);
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(fields[i].key, key)) {
			if ((size_t)snprintf(fields[i].dst, fields[i].size, "%s", val) >=
			    fields[i].size)
				return he_usage_error(cli, "--%s: too long", key);
			return 0;
		}
	return he_usage_error(cli, "--%s cannot be set by 'ddns add' yet: edit the file", key);
}

struct add_args {
	const char *name, *provider, *hostname;
	const char *keys[32], *vals[32];
	size_t n;
};

/* Parse add's arguments (--KEY VALUE or --KEY=VALUE); 0, -1 after --help, or an exit code. */
static int add_parse(struct he_cli *cli, int argc, char **argv, struct add_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		char key[64];
		size_t kl;

		if (strncmp(arg, "--", 2) || !arg[2]) {
			if (a->name)
				return he_usage_error(cli, "unexpected argument '%s'", arg);
			a->name = arg;
			continue;
		}
		kl = strcspn(arg + 2, "=");
		if (kl >= sizeof(key))
			return he_usage_error(cli, "unknown option '%s'", arg);
		memcpy(key, arg + 2, kl);
		key[kl] = '\0';
		if (!strcmp(key, "help")) {
			add_usage();
			return -1;
		}
		if (!strcmp(key, "json") || !strcmp(key, "quiet") || !strcmp(key, "verbose")) {
			he_cli_common_opt(cli, key[0] == 'j' ? 'J' : key[0], NULL);
			continue;
		}
		if (arg[2 + kl] == '=')
			val = arg + 3 + kl;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return he_usage_error(cli, "--%s needs a value", key);
		if (!strcmp(key, "provider"))
			a->provider = val;
		else if (!strcmp(key, "hostname"))
			a->hostname = val;
		else if (!strcmp(key, "config"))
			cli->config_path = val;
		else if (a->n < sizeof(a->keys) / sizeof(a->keys[0])) {
			/* key points into argv: keep the option's name there */
			a->keys[a->n] = arg + 2;
			a->vals[a->n++] = val;
		}
	}
	return 0;
}

int cmd_ddns_add(struct he_cli *cli, int argc, char **argv)
{
	struct add_args a = {0};
	struct he_ddns_new r = {0};
	const struct he_ddns_provider *p;
	const struct he_dyndns2_preset *pre = NULL;
	struct he_error err = {0};
	char dir[PATH_MAX], file[PATH_MAX];
	int rc = add_parse(cli, argc, argv, &a);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (!a.name || !a.provider || !a.hostname)
		return he_usage_error(cli, "ddns add needs NAME, --provider and --hostname");
	p = he_ddns_provider_find(a.provider);
	if (!p && (pre = he_dyndns2_preset(a.provider)) != NULL)
		p = he_ddns_provider_find("dyndns2");
	if (!p)
		return he_usage_error(cli, "unknown provider '%s' (see 'ddns add --help')",
				      a.provider);
	snprintf(r.name, sizeof(r.name), "%s", a.name);
	snprintf(r.provider, sizeof(r.provider), "%s", p->name);
	if (pre)
		snprintf(r.preset, sizeof(r.preset), "%s", pre->name);
	if ((size_t)snprintf(r.hostname, sizeof(r.hostname), "%s", a.hostname) >=
	    sizeof(r.hostname))
		return he_usage_error(cli, "--hostname: too long");
	snprintf(r.secret_key, sizeof(r.secret_key), "%s", p->secret_key ? p->secret_key : "");
	for (size_t i = 0; i < a.n; i++) {
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)strcspn(a.keys[i], "="), a.keys[i]);
		rc = add_key(cli, p, &r, key, a.vals[i]);
		if (rc)
			return rc;
	}
	for (const struct he_ddns_key *k = p->keys; k && k->name; k++) {
		const char *have = !strcmp(k->name, "server")     ? r.server
				   : !strcmp(k->name, "zone")     ? r.zone
				   : !strcmp(k->name, "username") ? r.username
				   : !strcmp(k->name, "preset")   ? r.preset
								  : "set";

		if ((k->flags & HE_DDNS_KEY_REQUIRED) && !(k->flags & HE_DDNS_KEY_SECRET) && !*have)
			return he_usage_error(cli, "provider %s needs --%s", p->name, k->name);
	}
	rc = precheck(cli, &r);
	if (rc)
		return rc;
	if (*r.secret_key && !*r.secret_path) {
		r.secret = read_secret(cli, r.name, r.secret_key);
		if (!r.secret)
			return HE_EXIT_USAGE;
	}
	rc = he_ddns_conf_append(config_path(cli), &r, 1, &err);
	he_ddns_secrets_dir(config_path(cli), dir, sizeof(dir));
	if (r.secret)
		he_ddns_secret_file(&r, dir, file, sizeof(file));
	else
		snprintf(file, sizeof(file), "%s", r.secret_path);
	he_str_wipe_free(r.secret);
	if (rc < 0) {
		he_errorf(cli, "%s", err.msg);
		return rc == -EEXIST || rc == -EINVAL ? HE_EXIT_USAGE : HE_EXIT_FAIL;
	}
	if (cli->json)
		he_json_print(json_pack("{s:s, s:s, s:s, s:s?}", "added", r.name, "config",
					config_path(cli), "provider", r.provider, "secret_file",
					*file ? file : NULL));
	else if (cli->verbosity >= 0)
		printf("added [ddns %s] to %s%s%s\n", r.name, config_path(cli),
		       *file ? ", secret in " : "", file);
	return check_result(cli);
}

/* ---- ddns import ---- */

static void import_usage(void)
{
	printf("Usage: homeexpose [-c FILE] ddns import FILE [--dry-run] [--json]\n\n"
	       "Carry a ddclient.conf or an inadyn.conf over: one [ddns NAME] section per host\n"
	       "(NAME: the hostname), written into the configuration with the secrets moved\n"
	       "to 0600 files in DIR/secrets/ (DIR: the configuration's directory). Lists\n"
	       "what could not be carried over and why. A host that already has a section is\n"
	       "left alone, so a second run adds nothing. --dry-run shows the sections (never\n"
	       "the secrets) and writes nothing.\n");
}

static json_t *import_json(const struct he_ddns_import *im, const char *dir, bool written)
{
	json_t *recs = json_array(), *skips = json_array();
	char file[PATH_MAX];

	for (size_t i = 0; i < im->n; i++) {
		const struct he_ddns_new *r = &im->rec[i];

		if (r->secret)
			he_ddns_secret_file(r, dir, file, sizeof(file));
		else
			snprintf(file, sizeof(file), "%s", r->secret_path);
		json_array_append_new(recs,
				      json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:i}", "name",
						r->name, "provider", r->provider, "preset",
						*r->preset ? r->preset : NULL, "hostname",
						r->hostname, "families", r->families, "secret_file",
						*file ? file : NULL, "line", r->line));
	}
	for (size_t i = 0; i < im->nskip; i++)
		json_array_append_new(skips,
				      json_pack("{s:i, s:s, s:s, s:b}", "line", im->skip[i].line,
						"what", im->skip[i].what, "why", im->skip[i].why,
						"record_dropped", im->skip[i].dropped_record));
	return json_pack("{s:s, s:o, s:o, s:b}", "format", im->format, "records", recs,
			 "not_carried_over", skips, "written", written);
}

/* Leave out hosts the configuration already has, and what would pass its limit. */
static int drop_existing(struct he_ddns_import *im, const char *conf_text)
{
	size_t have = 0, o = 0;

	for (const char *l = conf_text; l && (l = strstr(l, "[ddns ")); l++)
		have++;
	for (size_t i = 0; i < im->n; i++) {
		struct he_ddns_new *r = &im->rec[i];
		const char *why = NULL;
		char what[96];

		if (he_ddns_conf_has(conf_text, r->name))
			why = "the configuration already has this section; left alone";
		else if (have + o >= HE_DDNS_MAX)
			why = "the configuration holds at most 16 [ddns] sections";
		if (!why) {
			im->rec[o++] = *r;
			continue;
		}
		snprintf(what, sizeof(what), "[ddns %.80s]", r->name);
		if (he_ddns_import_skip(im, r->line, true, what, "%s", why) < 0)
			return -ENOMEM;
		he_str_wipe_free(r->secret);
	}
	im->n = o;
	return 0;
}

static int import_run(struct he_cli *cli, const char *file, bool dry)
{
	struct he_ddns_import im = {0};
	struct he_error err = {0};
	char *text = NULL, *conf = NULL, *render = NULL, dir[PATH_MAX];
	const char *path = config_path(cli);
	int rc = he_read_text(file, HE_DDNS_IMPORT_TEXT_MAX, &text);
	bool written = false, already;
	size_t before;

	if (rc < 0) {
		he_errorf(cli, "cannot read %s: %s", file, strerror(-rc));
		return HE_EXIT_USAGE;
	}
	rc = he_ddns_import_text(text, strlen(text), &im, &err);
	he_str_wipe_free(text);
	if (rc < 0) {
		he_errorf(cli, "%s: %s", file, err.msg);
		return HE_EXIT_USAGE;
	}
	rc = he_read_text(path, 1024 * 1024, &conf);
	if (rc == -ENOENT)
		rc = (conf = strdup("")) ? 0 : -ENOMEM;
	before = im.n;
	if (rc < 0 || drop_existing(&im, conf) < 0) {
		he_errorf(cli, "cannot read %s: %s", path, strerror(rc < 0 ? -rc : ENOMEM));
		rc = HE_EXIT_FAIL;
		goto out;
	}
	already = before > im.n;
	he_ddns_secrets_dir(path, dir, sizeof(dir));
	if (!dry && im.n) {
		if (he_ddns_conf_append(path, im.rec, im.n, &err) < 0) {
			he_errorf(cli, "%s", err.msg);
			rc = HE_EXIT_FAIL;
			goto out;
		}
		written = true;
	}
	if (cli->json) {
		he_json_print(import_json(&im, dir, written));
	} else {
		printf("%s (%s): %zu record%s%s\n", file, im.format, im.n, im.n == 1 ? "" : "s",
		       !im.n ? ""
		       : dry ? ", not written (--dry-run):"
			     : ":");
		render = he_ddns_render(im.rec, im.n, dir);
		if (render && *render)
			printf("\n%s\n", render);
		if (written)
			printf("written to %s%s%s\n", path, im.n ? ", secrets in " : "",
			       im.n ? dir : "");
		if (im.nskip)
			printf("not carried over:\n");
		for (size_t i = 0; i < im.nskip; i++)
			printf("  %s:%d: %s: %s\n", file, im.skip[i].line, im.skip[i].what,
			       im.skip[i].why);
	}
	rc = written ? check_result(cli) : HE_EXIT_OK;
	if (!im.n && !already) { /* nothing there to carry over: the import failed */
		if (!cli->json)
			fprintf(stderr, "%s: nothing to import\n", file);
		rc = HE_EXIT_FAIL;
	}
out:
	free(render);
	free(conf);
	he_ddns_import_free(&im);
	return rc;
}

int cmd_ddns_import(struct he_cli *cli, int argc, char **argv)
{
	int dry = 0;
	const struct option opts[] = {
	    HE_COMMON_OPTS, {"dry-run", no_argument, &dry, 1}, {NULL, 0, NULL, 0}};
	int rc = he_cli_getopt(cli, argc, argv, opts, import_usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (argc - optind != 1)
		return he_usage_error(cli, "ddns import needs one FILE (a ddclient.conf or an "
					   "inadyn.conf)");
	return import_run(cli, argv[optind], dry);
}
