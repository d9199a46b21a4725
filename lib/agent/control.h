/* SPDX-License-Identifier: MIT */
/*
 * control.h - the agent's control socket: RUNTIME_DIR/agent.sock, a Unix
 * stream socket, mode 0666. Anyone may ask the read-only commands (status,
 * list, ddns-status); the ones that change something (reload) are answered
 * only for root and the agent's own uid, judged by SO_PEERCRED, never by
 * anything the client says. One request per connection (ctlproto.h).
 *
 * Owner: lib/agent. The server only moves bytes and checks credentials; the
 * agent answers through a handler.
 */
#ifndef HE_AGENT_CONTROL_H
#define HE_AGENT_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "agent/ctlproto.h"
#include "core/error.h"

struct he_ctl_server;
struct he_ctl_conn;

/*
 * Answer req: return the reply's data (a new JSON object, stolen) and set
 * *ok; on failure set *ok = false and write the reason to msg.
 */
typedef json_t *(*he_ctl_handler)(void *ctx, const struct he_ctl_request *req, bool *ok, char *msg,
				  size_t len);

/*
 * Create RUNTIME_DIR (0755) and listen on RUNTIME_DIR/agent.sock (a stale
 * socket of a dead agent is replaced; one of a live agent is -EADDRINUSE).
 */
int he_ctl_server_open(const char *runtime_dir, he_ctl_handler h, void *ctx,
		       struct he_ctl_server **out, struct he_error *err);
int he_ctl_server_fd(const struct he_ctl_server *s);
const char *he_ctl_server_path(const struct he_ctl_server *s);
/* Remove the socket file and close. Accepts NULL. */
void he_ctl_server_close(struct he_ctl_server *s);

/* Accept one pending connection (with its peer's credentials); NULL (errno set) if none. */
struct he_ctl_conn *he_ctl_accept(struct he_ctl_server *s);
int he_ctl_conn_fd(const struct he_ctl_conn *c);
enum { HE_CTL_MORE = 0, HE_CTL_DONE = 1, HE_CTL_WRITE = 2 };

/*
 * The connection is readable: read, and once a whole line is in, answer it.
 * Returns HE_CTL_DONE when the connection is finished (close it), HE_CTL_MORE
 * to wait for more input, HE_CTL_WRITE when the reply did not fit in the
 * socket at once: wait until it is writable and call he_ctl_conn_flush().
 * Nothing here blocks on a slow reader.
 */
int he_ctl_conn_handle(struct he_ctl_server *s, struct he_ctl_conn *c);
/* Send more of a pending reply: HE_CTL_DONE (all sent, or the peer is gone) or HE_CTL_MORE. */
int he_ctl_conn_flush(struct he_ctl_conn *c);
void he_ctl_conn_close(struct he_ctl_conn *c);

#endif
