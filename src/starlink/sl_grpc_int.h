/* sl_grpc internals shared by sl_grpc.c (calls, deadlines, delivery,
 * backoff) and sl_grpc_conn.c (socket, HTTP/2 session). Not a public API. */
#ifndef AUTONOMY_LINK_SL_GRPC_INT_H
#define AUTONOMY_LINK_SL_GRPC_INT_H

#include "starlink/sl_frame.h"
#include "starlink/sl_grpc.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <nghttp2/nghttp2.h>

struct event;

enum sl_grpc_state { SLG_IDLE, SLG_CONNECTING, SLG_CONNECTED, SLG_BACKOFF };

struct sl_call {
	struct sl_grpc *g;
	struct sl_call *prev, *next;    /* in g->calls (live) or g->done */
	int32_t stream_id;              /* 0 = not submitted yet */
	uint8_t *body;                  /* framed request */
	size_t body_len, body_off;
	char path[96];
	unsigned deadline_ms;
	uint64_t t0_us;
	uint64_t bytes_in_mark;         /* g->bytes_in when the request went out */
	struct event *timer;
	sl_grpc_cb cb;
	void *arg;
	/* response */
	int http_status;                /* 0 = no headers yet */
	int grpc_status;                /* -1 = none */
	char grpc_message[160];
	struct sl_frame_dec dec;
	const uint8_t *msg;
	size_t msg_len;
	bool have_msg;
	int fail;                       /* SL_GRPC_E_PROTOCOL once a bad header/frame was seen */
	char fail_msg[160];
	uint64_t bytes_out, bytes_in;   /* this stream's frames */
	struct sl_grpc_result res;      /* set when the call is done */
};

struct sl_grpc {
	struct event_base *base;
	struct sl_grpc_opts o;
	char host[64], ifname[16], authority[80];
	struct sockaddr_storage addr;
	socklen_t addrlen;
	enum sl_grpc_state state;
	int fd;
	nghttp2_session *sess;
	bool goaway;                    /* the dish sent GOAWAY: no new streams here */
	struct event *ev_conn, *ev_read, *ev_write, *ev_backoff, *ev_deliver;
	uint8_t *obuf;                  /* bytes nghttp2 produced that the socket did not take */
	size_t obuf_len, obuf_cap;
	struct sl_call *calls;          /* live calls, oldest first */
	struct sl_call *done, *done_tail;       /* finished, waiting for delivery */
	bool delivering, free_requested;
	unsigned backoff_ms;
	uint64_t backoff_until_us;
	/* stats */
	uint64_t connects, connect_failures, n_calls, n_ok, n_errors, n_deadlines;
	uint64_t bytes_out, bytes_in;
	char last_error[160];
	char conn_error[128];           /* why the last connect failed (for backoff errors) */
};

/* sl_grpc.c */
void slg_call_finish(struct sl_call *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void slg_fail_all(struct sl_grpc *g, bool submitted_only, int status, const char *msg);
void slg_submit_pending(struct sl_grpc *g);
struct sl_call *slg_call_of_stream(struct sl_grpc *g, int32_t stream_id);

/* sl_grpc_conn.c */
void slg_conn_start(struct sl_grpc *g);
/* Closes the socket and session; in-flight calls end with `status`. With
 * backoff, the next connect waits (a failure); without, it is immediate. */
void slg_conn_close(struct sl_grpc *g, bool backoff, int status, const char *why);
int slg_conn_submit(struct sl_grpc *g, struct sl_call *c);
void slg_conn_flush(struct sl_grpc *g);
void slg_conn_cancel(struct sl_grpc *g, struct sl_call *c);
void slg_backoff_enter(struct sl_grpc *g, const char *why);

#endif
