/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/diag.h"

__attribute__((format(printf, 3, 0))) static void vmsg(const struct he_cli *cli, const char *level,
						       const char *fmt, va_list ap)
{
	fprintf(stderr, "%s%s%s: %s", cli->prog, cli->cmd ? " " : "", cli->cmd ? cli->cmd : "",
		level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void he_errorf(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, "", fmt, ap);
	va_end(ap);
}

void he_warnf(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg(cli, "warning: ", fmt, ap);
	va_end(ap);
}

void he_infof(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg(cli, "", fmt, ap);
	va_end(ap);
}

int he_usage_error(const struct he_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, "", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n", cli->prog,
		cli->cmd ? " " : "", cli->cmd ? cli->cmd : "");
	return HE_EXIT_USAGE;
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
		he_diag_format(&d->v[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
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
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s) {
		puts(s);
		free(s);
	}
	json_decref(doc);
}

void he_cli_free(struct he_cli *cli)
{
	he_catalog_free(&cli->catalog);
}
