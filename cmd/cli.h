/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what every subcommand shares: global options, exit codes, output.
 *
 * Owner: cmd/. Only cmd/ prints. Each subcommand is one file with
 * int cmd_NAME(struct he_cli *cli, int argc, char **argv).
 */
#ifndef HE_CMD_CLI_H
#define HE_CMD_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/jsonvocab.h"

enum {
	HE_EXIT_OK = 0,
	HE_EXIT_FAIL = 1,  /* the operation failed; the message says which link and why */
	HE_EXIT_USAGE = 2, /* usage or configuration error */
};

enum he_color { HE_COLOR_AUTO, HE_COLOR_ALWAYS, HE_COLOR_NEVER };

struct he_cli {
	const char *config_path; /* -c FILE, NULL for the default */
	bool json;
	enum he_color color; /* --color=auto|always|never */
	int verbosity;       /* -1 quiet, 0 normal, 1+ verbose */
	const char *prog;
	const char *cmd;       /* subcommand name */
	const char *via_socks; /* check --via-socks HOST:PORT (NULL: as configured) */
	struct he_config cfg;
	bool cfg_loaded;
	struct he_catalog catalog;
	bool catalog_loaded;
};

/* Options every subcommand accepts, for getopt_long tables. */
#define HE_COMMON_OPTS                                                                             \
	{"json", no_argument, NULL, 'J'}, {"verbose", no_argument, NULL, 'v'},                     \
	    {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},                   \
	    {"color", optional_argument, NULL, HE_OPT_COLOR},                                      \
	{                                                                                          \
		"config", required_argument, NULL, 'c'                                             \
	}
#define HE_OPT_COLOR    0x4300 /* beyond any command's own option values */
#define HE_COMMON_SHORT "c:vqh"

/* Handle a common option; returns 1 if it was one. */
int he_cli_common_opt(struct he_cli *cli, int opt, const char *arg);

/*
 * The option loop of a command whose own options are plain flags (entries
 * with val 0) besides the common ones: 0 to go on, -1 after printing --help,
 * or HE_EXIT_USAGE after a usage error.
 */
int he_cli_getopt(struct he_cli *cli, int argc, char **argv, const struct option *opts,
		  void (*usage)(void));

/* Print diagnostics as file:line: message on stderr (warnings not with -q). */
void he_cli_print_diags(const struct he_cli *cli, const struct he_diags *d);

/* Load the configuration once; on error print every diagnostic, return -1. */
int he_cli_config(struct he_cli *cli);
/* Load the catalog (shipped + local override); diagnostics are printed as warnings. */
int he_cli_catalog(struct he_cli *cli);

/* Tones of a verdict word on a terminal. */
enum he_tone { HE_TONE_PLAIN, HE_TONE_PASS, HE_TONE_FAIL, HE_TONE_WARN };

/*
 * Does output to f get colour? --color=always: yes; never: no; auto (the
 * default): when f is a terminal, TERM is not "dumb", NO_COLOR is unset or
 * empty, and the output is not --json.
 */
bool he_cli_color(const struct he_cli *cli, FILE *f);
/* Write text to f, coloured by tone when he_cli_color() says so. */
void he_cli_tone(const struct he_cli *cli, FILE *f, enum he_tone tone, const char *text);
/* The tone of a verdict word: pass/ok → PASS, fail/error → FAIL, warn/unknown → WARN. */
enum he_tone he_tone_of(const char *word);

/* Messages. */
/*
 * An error. When not root and the message says "Permission denied" or
 * "Operation not permitted", it ends with "; run it as root (sudo)".
 */
void he_errorf(const struct he_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void he_warnf(const struct he_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void he_infof(const struct he_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message plus "try --help"; returns HE_EXIT_USAGE. */
int he_usage_error(const struct he_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Usage error for an unknown WORD among NAMES (NULL-terminated):
 * "unknown subcommand 'ddns updte' (did you mean 'update'?)"; returns HE_EXIT_USAGE.
 */
int he_unknown_subcommand(const struct he_cli *cli, const char *word, const char *const *names);

/*
 * Print a JSON document (steals the reference) on stdout; an object gets
 * "schema_version" first.
 */
void he_json_print(json_t *doc);
/*
 * The end of a command: under --json, a command that failed (rc != 0)
 * without printing a document prints {"schema_version", "error": {"message",
 * "messages", "exit"}} on stdout. Returns rc.
 */
int he_cli_finish(const struct he_cli *cli, int rc);

/* Free what the CLI loaded. */
void he_cli_free(struct he_cli *cli);

int cmd_open(struct he_cli *cli, int argc, char **argv);
int cmd_close(struct he_cli *cli, int argc, char **argv);
int cmd_list(struct he_cli *cli, int argc, char **argv);
int cmd_check(struct he_cli *cli, int argc, char **argv);
int cmd_netcheck(struct he_cli *cli, int argc, char **argv);
int cmd_ddns(struct he_cli *cli, int argc, char **argv);
int cmd_services(struct he_cli *cli, int argc, char **argv);
int cmd_agent(struct he_cli *cli, int argc, char **argv);
int cmd_reflector(struct he_cli *cli, int argc, char **argv);
int cmd_config(struct he_cli *cli, int argc, char **argv);
/* `ddns add` and `ddns import` (ddns_edit.c), reached through cmd_ddns. */
int cmd_ddns_add(struct he_cli *cli, int argc, char **argv);
int cmd_ddns_import(struct he_cli *cli, int argc, char **argv);
/* What `config check` checks, into d (config.c); loads cli->cfg. */
void he_cli_config_collect(struct he_cli *cli, struct he_diags *d, size_t *nexp, size_t *nprof);
int cmd_firewall(struct he_cli *cli, int argc, char **argv);
int cmd_status(struct he_cli *cli, int argc, char **argv);

/*
 * The `ddns status` document (cmd/ddns.c): from the running agent, else the
 * state file; NULL after printing why (*exit_code set).
 */
json_t *he_cli_ddns_doc(struct he_cli *cli, const char *name, int *exit_code);

#endif
