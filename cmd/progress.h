/* SPDX-License-Identifier: MIT */
/*
 * progress.h - a progress line on stderr while a step waits.
 *
 * Owner: cmd/. A command wraps a step that may wait on the network:
 *
 *	struct he_progress *p = he_progress_start(cli, "asking the router");
 *	... the step ...
 *	he_progress_stop(p);
 *
 * Nothing is shown unless stderr is a terminal (TERM not "dumb") and the
 * step takes longer than HE_PROGRESS_DELAY_MS; not with -q. The line shows
 * the label and the seconds waited so far, and is erased when the step ends,
 * so the command's own output is unchanged.
 */
#ifndef HE_CMD_PROGRESS_H
#define HE_CMD_PROGRESS_H

#include "cli.h"

#define HE_PROGRESS_DELAY_MS 300

struct he_progress;

/* Start watching a step; NULL when nothing will be shown (fine for _stop). */
struct he_progress *he_progress_start(const struct he_cli *cli, const char *label);
/* End the step: erase the line if one was shown. Accepts NULL. */
void he_progress_stop(struct he_progress *p);

#endif
