/* sw_query: asks the daemon for its loop counter over the control socket
 * (`{"cmd":"ping"}`), without blocking starwatch's loop: a non-blocking
 * connect, one request, one reply line, a deadline. The server must run as
 * root or as starwatch's own user (SO_PEERCRED), so a socket planted by
 * someone else cannot fake progress. */
#ifndef AUTONOMY_SW_QUERY_H
#define AUTONOMY_SW_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "starwatch/sw_loop.h"

#define SW_QUERY_REPLY_MAX 2048

struct sw_answer {
	bool answered;          /* a well-formed reply came back */
	bool has_counter;       /* it carried data.loop_ticks */
	uint64_t counter;
	uint32_t pid;           /* data.pid, else the peer's pid */
	char why[96];           /* !answered: what went wrong */
};

typedef void (*sw_query_cb)(void *arg, const struct sw_answer *a);

struct sw_query {
	struct sw_loop *loop;
	int fd;
	bool running;
	uint32_t peer_pid;
	size_t len;
	char buf[SW_QUERY_REPLY_MAX];
	struct sw_timer deadline;
	sw_query_cb cb;
	void *arg;
};

int sw_query_init(struct sw_query *q, struct sw_loop *l, sw_query_cb cb, void *arg);
/* Starts one exchange; cb runs exactly once (possibly before this returns,
 * when the connect fails at once). */
void sw_query_start(struct sw_query *q, const char *sock_path, uint64_t timeout_ms);
void sw_query_cancel(struct sw_query *q);

/* Parses one reply line (pure; fuzzed). Fills a; returns 0 if it is a
 * well-formed reply, -1 otherwise. */
int sw_query_parse_reply(const char *line, size_t len, struct sw_answer *a);

#endif
