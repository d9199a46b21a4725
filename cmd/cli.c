/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/diag.h"
#include "config/schema.h"

bool he_cli_color(const struct he_cli *cli, FILE *f)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (cli->color != HE_COLOR_AUTO)
		return cli->color == HE_COLOR_ALWAYS;
	if ((no && *no) || cli->json || !isatty(fileno(f)))
		return false;
	return !term || strcmp(term, "dumb") != 0;
}

void he_cli_tone(const struct he_cli *cli, FILE *f, enum he_tone tone, const char *text)
{
	static const char *const sgr[] = {[HE_TONE_PLAIN] = "",
					  [HE_TONE_PASS] = "32",
					  [HE_TONE_FAIL] = "1;31",
					  [HE_TONE_WARN] = "33"};

	if (tone == HE_TONE_PLAIN || !he_cli_color(cli, f))
		fputs(text, f);
	else
		fprintf(f, "\033[%sm%s\033[0m", sgr[tone], text);
}

enum he_tone he_tone_of(const char *word)
{
	static const char *const pass[] = {"pass", "ok", "reachable", "yes", NULL};
	static const char *const fail[] = {"fail", "failed", "error", "not reachable", "no", NULL};
	static const char *const warn[] = {"warn", "warning", "unknown", NULL};

	for (int i = 0; pass[i]; i++)
		if (strcasecmp(word, pass[i]) == 0)
			return HE_TONE_PASS;
	for (int i = 0; fail[i]; i++)
		if (strcasecmp(word, fail[i]) == 0)
			return HE_TONE_FAIL;
	for (int i = 0; warn[i]; i++)
		if (strcasecmp(word, warn[i]) == 0)
			return HE_TONE_WARN;
	return HE_TONE_PLAIN;
}

/* Permission is the cause and root would have it: say so. */
static bool wants_root(const char *msg)
{
	return geteuid() != 0 && (strstr(msg, strerror(EACCES)) || strstr(msg, strerror(EPERM))) &&
	       !strstr(msg, "sudo");
}

/*
 * Under --json stdout holds exactly one JSON document: the command's, or,
 * when it failed before printing one, the error object he_cli_finish()
 * prints from the errors collected here (they go to stderr as well).
 */
static struct {
	json_t *errors; /* messages of he_errorf / he_usage_error under --json */
	bool printed;   /* he_json_print ran */
} json_out;

__attribute__((format(printf, 3, 0))) static void vmsg(const struct he_cli *cli, enum he_tone tone,
						       const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cli->json && tone == HE_TONE_PLAIN) {
		if (!json_out.errors)
			json_out.errors = json_array();
		json_array_append_new(
		    json_out.errors,
		    json_sprintf("%s%s", msg, wants_root(msg) ? "; run it as root (sudo)" : ""));
	}
	fprintf(stderr, "%s%s%s: ", cli->prog, cli->cmd ? " " : "", cli->cmd ? cli->cmd : "");
	if (tone == HE_TONE_WARN)
		he_cli_tone(cli, stderr, tone, "warning: ");
	fprintf(stderr, "%s%s\n", msg, wants_root(msg) ? "; run it as root (sudo)" : "");
}

void he_errorf(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, HE_TONE_PLAIN, fmt, ap);
	va_end(ap);
}

void he_warnf(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg(cli, HE_TONE_WARN, fmt, ap);
	va_end(ap);
}

void he_infof(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg(cli, HE_TONE_PLAIN, fmt, ap);
	va_end(ap);
}

int he_usage_error(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, HE_TONE_PLAIN, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n", cli->prog,
		cli->cmd ? " " : "", cli->cmd ? cli->cmd : "");
	return HE_EXIT_USAGE;
}

int he_unknown_subcommand(const struct he_cli *cli, const char *word, const char *const *names)
{
	const char *near = he_suggest(word, names);

	if (near)
		return he_usage_error(cli, "unknown subcommand '%s %s' (did you mean '%s'?)",
				      cli->cmd, word, near);
	return he_usage_error(cli, "unknown subcommand '%s %s'", cli->cmd, word);
}

int he_cli_common_opt(struct he_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'J':
		cli->json = true;
		return 1;
	case 'v':
		cli->verbosity++;
		return 1;
	case 'q':
		cli->verbosity = -1;
		return 1;
	case 'c':
		cli->config_path = arg;
		return 1;
	case HE_OPT_COLOR:
		if (!arg || !strcmp(arg, "always") || !strcmp(arg, "yes"))
			cli->color = HE_COLOR_ALWAYS;
		else if (!strcmp(arg, "never") || !strcmp(arg, "no"))
			cli->color = HE_COLOR_NEVER;
		else if (!strcmp(arg, "auto"))
			cli->color = HE_COLOR_AUTO;
		else
			exit(
			    he_usage_error(cli, "--color: '%s' is not auto, always or never", arg));
		return 1;
	default:
		return 0;
	}
}

int he_cli_getopt(struct he_cli *cli, int argc, char **argv, const struct option *opts,
		  void (*usage)(void))
{
	int opt;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		if (opt == 'h') {
			usage();
			return -1;
		}
		if (opt == 0)
			continue; /* a flag of this command, parsed for the usage check */
		return he_usage_error(cli, "bad option");
	}
	return 0;
}

void he_cli_print_diags(const struct he_cli *cli, const struct he_diags *d)
{
	char line[1400];

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].level == HE_DIAG_WARNING && cli->verbosity < 0)
			continue;
		const char *w;

		he_diag_format(&d->v[i], line, sizeof(line));
		w = d->v[i].level == HE_DIAG_WARNING ? strstr(line, "warning: ") : NULL;
		if (w) { /* "file:line: " then the level in its colour */
			fprintf(stderr, "%.*s", (int)(w - line), line);
			he_cli_tone(cli, stderr, HE_TONE_WARN, "warning: ");
			w += strlen("warning: ");
		}
		fprintf(stderr, "%s%s\n", w ? w : line,
			wants_root(line) ? "; run it as root (sudo)" : "");
	}
}

int he_cli_config(struct he_cli *cli)
{
	struct he_diags d = {0};
	int r;

	if (cli->cfg_loaded)
		return 0;
	r = he_config_load(&cli->cfg, cli->config_path, cli->config_path != NULL, &d);
	he_cli_print_diags(cli, &d);
	he_diags_free(&d);
	if (r < 0) {
		he_errorf(cli, "configuration has errors; run '%s config check'", cli->prog);
		return -1;
	}
	cli->cfg_loaded = true;
	return 0;
}

int he_cli_catalog(struct he_cli *cli)
{
	struct he_diags d = {0};
	const char *dirs[3];
	size_t n = 0;
	char srcdir[PATH_MAX];

	if (cli->catalog_loaded)
		return 0;
	if (he_cli_config(cli) < 0)
		return -1;
	dirs[n++] = cli->cfg.catalog_dir;
	/* Run from a source tree (not installed): use the profiles beside the binary. */
	if (access(cli->cfg.catalog_dir, F_OK) != 0) {
		char exe[PATH_MAX];
		ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (len > 0) {
			char *slash;

			exe[len] = '\0';
			slash = strrchr(exe, '/');
			if (slash) {
				*slash = '\0';
				snprintf(exe + strlen(exe), sizeof(exe) - strlen(exe),
					 "/../config/services");
				if (realpath(exe, srcdir))
					dirs[0] = srcdir;
			}
		}
	}
	dirs[n++] = cli->cfg.services_dir;
	he_catalog_load(dirs, n, &cli->catalog, &d);
	for (size_t i = 0; i < d.n; i++)
		d.v[i].level = HE_DIAG_WARNING; /* a bad local profile must not stop everything */
	he_cli_print_diags(cli, &d);
	he_diags_free(&d);
	cli->catalog_loaded = true;
	return 0;
}

void he_json_print(json_t *doc)
{
	char *s;

	/* every document says which vocabulary it speaks (docs/json.md), first */
	if (json_is_object(doc) && !json_object_get(doc, "schema_version")) {
		json_t *v = json_pack("{s:i}", "schema_version", HE_JSON_SCHEMA_VERSION);

		if (v && json_object_update(v, doc) == 0) {
			json_decref(doc);
			doc = v;
		} else {
			json_decref(v);
		}
	}
	s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(doc);
	json_out.printed = true;
}

int he_cli_finish(const struct he_cli *cli, int rc)
{
	size_t n = json_array_size(json_out.errors);

	if (cli->json && rc != HE_EXIT_OK && !json_out.printed) {
		const char *last = n ? json_string_value(json_array_get(json_out.errors, n - 1))
				     : "failed (see the messages on stderr)";

		he_json_print(json_pack("{s:{s:s, s:O, s:i}}", "error", "message", last, "messages",
					n ? json_out.errors : json_array(), "exit", rc));
	}
	json_decref(json_out.errors);
	json_out.errors = NULL;
	return rc;
}

void he_cli_free(struct he_cli *cli)
{
	he_catalog_free(&cli->catalog);
}
