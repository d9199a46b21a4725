/* SPDX-License-Identifier: MIT */
/*
 * homeexpose reflector --listen ADDR:PORT [--key-file F] [--rate N]: the
 * outside probe server (lib/reach/reflector_server.h), for a VPS or a
 * friend's host. Runs until SIGINT/SIGTERM; one log line per request on
 * stderr (the journal under systemd).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config/secret.h"
#include "reach/reflector_server.h"

static volatile sig_atomic_t stop_flag, reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

static void usage(void)
{
	printf("Usage: homeexpose reflector --listen ADDR:PORT [--key-file FILE] [--rate N]\n"
	       "                            [--allow-private] [--cert FILE --key FILE]\n"
	       "\n"
	       "The outside probe server, for a VPS or a friend's host: on request it probes\n"
	       "the caller's own address (never another) so that 'homeexpose check' can see a\n"
	       "service from outside. HTTP: POST /v1/probe, GET /v1/ip.\n"
	       "\n"
	       "  --listen ADDR:PORT  where to listen: 0.0.0.0:7700, [::]:7700 or :7700 (both)\n"
	       "  --key-file FILE     shared key callers must sign requests with (secret file,\n"
	       "                      or credential:NAME)\n"
	       "  --rate N            requests a minute per source address or IPv6 /64\n"
	       "                      (default 10, burst 5)\n"
	       "  --allow-private     also probe callers from loopback, private (RFC 1918,\n"
	       "                      ULA), CGNAT and other non-global addresses (labs only:\n"
	       "                      behind a same-host proxy it would probe this host)\n"
	       "  --cert FILE         HTTPS: PEM certificate (chain); reread on SIGHUP\n"
	       "  --key FILE          HTTPS: its PEM private key\n");
}

static void log_line(void *ctx, const char *line)
{
	const struct he_cli *cli = ctx;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	if (cli->verbosity < 0)
		return;
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
	fprintf(stderr, "%s reflector: %s\n", ts, line);
}

int cmd_reflector(struct he_cli *cli, int argc, char **argv)
{
	enum { OPT_LISTEN = 256, OPT_KEY, OPT_RATE, OPT_PRIVATE, OPT_CERT, OPT_TLSKEY };
	static const struct option opts[] = {HE_COMMON_OPTS,
					     {"listen", required_argument, NULL, OPT_LISTEN},
					     {"key-file", required_argument, NULL, OPT_KEY},
					     {"rate", required_argument, NULL, OPT_RATE},
					     {"allow-private", no_argument, NULL, OPT_PRIVATE},
					     {"cert", required_argument, NULL, OPT_CERT},
					     {"key", required_argument, NULL, OPT_TLSKEY},
					     {NULL, 0, NULL, 0}};
	struct he_reflector_opts o = {.log = log_line, .log_ctx = cli};
	const char *key_file = NULL;
	struct sockaddr_storage sa;
	socklen_t salen;
	struct sigaction act;
	struct he_error err = {0};
	char *key = NULL, *end;
	size_t keylen = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			usage();
			return HE_EXIT_OK;
		case OPT_LISTEN:
			o.listen = optarg;
			break;
		case OPT_KEY:
			key_file = optarg;
			break;
		case OPT_PRIVATE:
			o.allow_private = true;
			break;
		case OPT_CERT:
			o.cert = optarg;
			break;
		case OPT_TLSKEY:
			o.key_file = optarg;
			break;
		case OPT_RATE: {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*end || errno || v < 1 || v > 100000)
				return he_usage_error(cli,
						      "--rate: '%s' is not 1-100000 requests "
						      "a minute",
						      optarg);
			o.rate_per_min = (unsigned)v;
			break;
		}
		default:
			return he_usage_error(cli, "bad option");
		}
	}
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (!o.listen)
		return he_usage_error(cli, "--listen ADDR:PORT is required");
	if (!o.cert != !o.key_file)
		return he_usage_error(cli, "--cert and --key go together (HTTPS)");
	if (he_reflector_parse_listen(o.listen, &sa, &salen, &err) < 0)
		return he_usage_error(cli, "%s", err.msg);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	if (key_file) {
		if (he_secret_read(key_file, &key, &keylen, &err) < 0) {
			he_errorf(cli, "--key-file: %s", err.msg);
			return HE_EXIT_USAGE;
		}
		if (keylen < 16) {
			he_secret_free(key);
			he_errorf(cli,
				  "--key-file: the key is %zu bytes; use at least 16 (e.g. "
				  "head -c 32 /dev/urandom | base64 > FILE)",
				  keylen);
			return HE_EXIT_USAGE;
		}
		o.key = key;
		o.keylen = keylen;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGHUP, &act, NULL);
	o.reload = &reload_flag;
	signal(SIGPIPE, SIG_IGN);
	rc = he_reflector_serve(&o, &stop_flag, &err);
	he_secret_free(key);
	if (rc < 0) {
		he_errorf(cli, "reflector: %s", err.msg);
		return HE_EXIT_FAIL;
	}
	return HE_EXIT_OK;
}
