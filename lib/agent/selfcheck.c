/* SPDX-License-Identifier: MIT */
/*
 * selfcheck.c - the agent's periodic reachability self-check: the check
 * chain (reach/check.h) once shortly after the start and then every
 * [agent] check-interval.
 *
 * The chain blocks for up to a few seconds (router, reflector, hairpin and
 * UDP arrival timeouts), so it runs in a worker thread, never on the event
 * loop: renewals, announcements and control requests go on meanwhile. The
 * worker owns a copy of the configuration, reads the exposures itself and
 * touches nothing of the agent's; it posts its result back through an
 * eventfd, and only the loop's thread reads it (join, compare, log, keep).
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "core/portspec.h"

#define CHECK_FIRST_MS 1000 /* the first run, after the start's own passes */
#define CHECK_STOP_MS  1000 /* how long a stop waits for a running check */

struct he_agent_check_job {
	struct he_config cfg;
	struct he_check_result res;
	struct he_error err;
	int rc;
	int efd;
};

static void *worker(void *arg)
{
	struct he_agent_check_job *j = arg;
	const struct he_check_opts opts = {.pubip_sources = false};
	struct he_exposures ex = {0};
	struct he_diags d = {0};
	uint64_t one = 1;

	he_exposures_load(j->cfg.exposures_dir, &ex, &d);
	he_diags_free(&d);
	j->rc = he_check_run_chain(&j->cfg, &opts, ex.v, ex.n, &ex, &j->res, &j->err);
	he_exposures_free(&ex);
	if (write(j->efd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		j->rc = j->rc ? j->rc : -EIO; /* cannot happen with an eventfd below 2^64-1 */
	return NULL;
}

/* Log every exposure whose verdict or broken link differs from the last run's. */
static void log_changes(struct he_agent *a, const struct he_check_result *old,
			const struct he_check_result *now)
{
	for (size_t i = 0; i < now->n; i++) {
		const struct he_check_target *t, *ot;
		enum he_check_reach r, o;
		bool first = true;

		for (size_t k = 0; k < i && first; k++)
			first = strcmp(now->v[k].name, now->v[i].name) != 0;
		if (!first)
			continue;
		r = he_check_exposure_verdict(now, now->v[i].name, &t);
		o = old ? he_check_exposure_verdict(old, now->v[i].name, &ot) : HE_CHK_IRRELEVANT;
		if (r == o &&
		    (r != HE_CHK_UNREACHABLE || (t->broken == ot->broken && t->proto == ot->proto &&
						 t->ext == ot->ext && t->family == ot->family)))
			continue;
		if (r == HE_CHK_UNREACHABLE) {
			char port[16];

			if (t->ext != t->in)
				snprintf(port, sizeof(port), "%u:%u", t->ext, t->in);
			else
				snprintf(port, sizeof(port), "%u", t->ext);
			he_agent_log(a, HE_AGENT_LOG_WARNING, "check",
				     "self-check: %s is NOT reachable%s%s%s: broken link %s for "
				     "%s/%s %s: %s%s%s",
				     t->name, o != HE_CHK_IRRELEVANT ? " (was " : "",
				     o != HE_CHK_IRRELEVANT ? he_check_reach_name(o) : "",
				     o != HE_CHK_IRRELEVANT ? ")" : "",
				     he_check_step_name(t->broken), port, he_proto_name(t->proto),
				     he_family_label(t->family), t->l[t->broken].evidence,
				     *t->l[t->broken].fix ? "; fix: " : "", t->l[t->broken].fix);
			continue;
		}
		he_agent_log(a, r == HE_CHK_REACHABLE ? HE_AGENT_LOG_NOTICE : HE_AGENT_LOG_INFO,
			     "check", "self-check: %s is %s%s%s%s%s", now->v[i].name,
			     r == HE_CHK_REACHABLE ? "reachable from outside"
			     : now->reflector
				 ? "not proven reachable (see list)"
				 : "not proven reachable (no reflector or socks proxy configured)",
			     o == HE_CHK_UNREACHABLE && r == HE_CHK_REACHABLE ? " again" : "",
			     o != HE_CHK_IRRELEVANT ? " (was " : "",
			     o != HE_CHK_IRRELEVANT ? he_check_reach_name(o) : "",
			     o != HE_CHK_IRRELEVANT ? ")" : "");
	}
}

static void on_done(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	struct he_agent_check_job *j = a->check_job;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n) || !j)
		return;
	pthread_join(a->check_thread, NULL);
	a->check_job = NULL;
	if (j->rc < 0) {
		he_agent_log(a, HE_AGENT_LOG_ERR, "check", "self-check: %s", j->err.msg);
	} else {
		log_changes(a, a->check_have ? &a->check : NULL, &j->res);
		he_check_result_free(&a->check);
		a->check = j->res;
		a->check_have = true;
		a->m.check_runs++;
		a->m.check_last_run = a->check.finished;
	}
	free(j);
	if (!a->stopping)
		he_loop_timer_arm(a->t_check, (uint64_t)a->cfg.check_interval * 1000u);
	he_agent_metrics_flush(a);
}

void he_agent_check_start(struct he_agent *a)
{
	struct he_agent_check_job *j;
	int r;

	if (a->check_job || a->check_efd < 0)
		return; /* still running: its end arms the next one */
	j = calloc(1, sizeof(*j));
	if (!j) {
		he_loop_timer_arm(a->t_check, (uint64_t)a->cfg.check_interval * 1000u);
		return;
	}
	j->cfg = a->cfg;
	j->efd = a->check_efd;
	r = pthread_create(&a->check_thread, NULL, worker, j);
	if (r) {
		he_agent_log(a, HE_AGENT_LOG_ERR, "check", "self-check: cannot start a thread: %s",
			     strerror(r));
		free(j);
		he_loop_timer_arm(a->t_check, (uint64_t)a->cfg.check_interval * 1000u);
		return;
	}
	a->check_job = j;
}

int he_agent_check_setup(struct he_agent *a, struct he_error *err)
{
	a->check_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->check_efd < 0)
		return he_error_set(err, -errno, "eventfd: %s", strerror(errno));
	if (he_loop_add_fd(a->loop, a->check_efd, EPOLLIN, on_done, a, err) < 0)
		return err->code;
	return he_loop_timer_arm(a->t_check, CHECK_FIRST_MS);
}

void he_agent_check_stop(struct he_agent *a)
{
	if (a->check_job) {
		/*
		 * A run ends within its own timeouts (a few seconds), but a stop
		 * does not wait that long: after CHECK_STOP_MS the run is left to
		 * the process's exit. It only reads, so nothing is lost; its job
		 * and eventfd stay allocated so that it never writes to a reused fd.
		 */
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CHECK_STOP_MS / 1000;
		if (pthread_timedjoin_np(a->check_thread, NULL, &until) != 0) {
			pthread_detach(a->check_thread);
			he_agent_log(a, HE_AGENT_LOG_INFO, "check",
				     "self-check still running at stop: not waited for");
			a->check_job = NULL;
			a->check_efd = -1;
		} else {
			he_check_result_free(&a->check_job->res);
			free(a->check_job);
			a->check_job = NULL;
		}
	}
	if (a->check_efd >= 0)
		close(a->check_efd);
	a->check_efd = -1;
	he_check_result_free(&a->check);
	a->check_have = false;
}
