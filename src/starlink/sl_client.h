/* sl_client: one Starlink dish, polled on the event loop through sl_grpc
 * and decoded with sl_pb. The schedule (sl_sched.h): get_status every
 * status interval (every 2 s while the daemon says the link is suspect),
 * get_history every history interval (how the daemon sees the drops between
 * status polls), get_device_info after each (re)connect and hourly,
 * get_diagnostics after connect and every diag interval (Unimplemented:
 * paused 24 h, reported once), get_location every location interval
 * (PermissionDenied: reported once, then asked hourly and silently).
 *
 * Every decoded answer goes to on_reply; every failed call to on_error,
 * once per call. Nothing blocks; sl_client_free cancels everything (no
 * callback after it returns, and it may be called from a callback). */
#ifndef AUTONOMY_LINK_SL_CLIENT_H
#define AUTONOMY_LINK_SL_CLIENT_H

#include "starlink/sl_grpc.h"
#include "starlink/sl_sched.h"
#include "starlink/sl_types.h"

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct sl_client;
struct sl_reply;

#define SL_CLIENT_PATH "/SpaceX.API.Device.Device/Handle"

struct sl_client_opts {
	const char *host;               /* numeric; NULL = 192.168.100.1 */
	uint16_t port;                  /* 0 = 9200 */
	const char *ifname;             /* SO_BINDTODEVICE (the Starlink uplink); NULL = none */
	unsigned call_timeout_ms;       /* starlink.api_timeout_ms; 0 = 2000 */
	/* 0 = default; SL_SCHED_OFF = never */
	uint32_t status_interval_ms;    /* health_check_interval; 30 s */
	uint32_t history_interval_ms;   /* obstruction_check_interval; 60 s */
	uint32_t location_interval_ms;  /* gps_update_interval; 300 s */
	uint32_t diag_interval_ms;      /* 10 min */
	uint32_t device_info_interval_ms; /* 1 h */
	uint32_t fast_interval_ms;      /* status while suspect; 2 s */
	unsigned backoff_min_ms, backoff_max_ms;        /* transport; 0 = 1 s, 60 s */
};

struct sl_client_cbs {
	/* r is valid during the callback only (the client reuses it) */
	void (*on_reply)(void *arg, const struct sl_reply *r);
	/* status: a gRPC code (1..16) or SL_GRPC_E_*; decode errors are
	 * SL_GRPC_E_PROTOCOL with the decoder's message */
	void (*on_error)(void *arg, enum sl_call call, int status, const char *message);
	void (*on_location_denied)(void *arg);
	void *arg;
};

/* status 0 = done; text is "" or the error */
typedef void (*sl_action_cb)(void *arg, int status, const char *text);

struct sl_call_stats {
	uint64_t count, ok, errors;
	uint64_t last_ok_us;            /* clock_mono_us of the last good answer; 0 = never */
	uint64_t last_latency_us;
	uint64_t last_bytes_out, last_bytes_in;  /* HTTP/2 frames of the last call */
	uint64_t bytes_out, bytes_in;            /* all calls of this kind */
	char last_error[160];
};

struct sl_client_stats {
	struct sl_call_stats call[SL_CALL_UNSTOW + 1];  /* by enum sl_call */
	bool reachable;                 /* the last call got an answer from the dish */
	bool fast;
	bool location_denied;
	bool diag_unimplemented;
	uint32_t status_interval_ms;    /* in force now */
	struct sl_grpc_stats grpc;
};

/* NULL with errno (EINVAL for bad options). Polling starts at once. */
struct sl_client *sl_client_new(struct event_base *base, const struct sl_client_opts *o,
				const struct sl_client_cbs *cbs);
void sl_client_free(struct sl_client *c);

/* The daemon thinks the link is suspect: status every fast interval. */
void sl_client_set_fast(struct sl_client *c, bool fast);

/* SL_CALL_REBOOT, SL_CALL_STOW or SL_CALL_UNSTOW. One at a time: -1 with
 * errno EBUSY while one runs, EINVAL for another call. One callback follows
 * a 0 return, from the loop. */
int sl_client_action(struct sl_client *c, enum sl_call call, sl_action_cb cb, void *arg);

void sl_client_stats(const struct sl_client *c, struct sl_client_stats *st);

#endif
