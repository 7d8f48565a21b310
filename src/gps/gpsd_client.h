/* gpsd_client: a gpsd watcher on the libevent loop. Never blocks.
 *
 * It connects (non-blocking, with a timeout), sends
 * ?WATCH={"enable":true,"json":true}; and reads gpsd's newline-delimited
 * JSON reports (gpsd_parse.h). A line longer than GPSD_LINE_MAX is dropped
 * up to its newline and reading resumes there (counted as an error). TCP
 * keepalive notices a dead peer on a quiet connection.
 *
 * Reconnects, after backoff_min doubling to backoff_max (reset by the first
 * TPV of a connection, so a gpsd that accepts but never reports is retried
 * ever more slowly), when gpsd closes the connection, on a read error, a
 * failed or timed-out connect, or when it has said nothing parseable for
 * stale_ms. A receiver reports at least once a second, so silence means a
 * hung gpsd, a dead path, or a receiver that stopped talking (gpsd 3.22
 * tells watchers nothing when its source goes quiet or away; a fresh WATCH
 * makes it re-open its devices and report the truth).
 * Exception: when gpsd has said it has no active device (DEVICES empty, or
 * its last device deactivated) silence is expected: the client stays
 * connected, reports no fix and waits for a DEVICE activation.
 *
 * Satellites: gpsd sends them in SKY; each TPV gets the uSat of the last SKY
 * of the connection if that is at most GPSD_SKY_KEEP_MS old (SiRF chips
 * send satellites every 5 s).
 *
 * The fix callback runs on the loop for every TPV, valid or not, with the
 * fix stamped (mono_us). It may call gpsd_client_stats/last, not free. */
#ifndef AUTONOMY_LINK_GPSD_CLIENT_H
#define AUTONOMY_LINK_GPSD_CLIENT_H

#include <stdint.h>

#include "engine/gps_types.h"

#define GPSD_LINE_MAX 16384     /* gpsd's largest reports (SKY) are ~10 KB */
#define GPSD_SKY_KEEP_MS 30000

struct event_base;
struct gpsd_client;

/* 0 in a field: the default (connect_timeout 3000 ms, backoff 1000..60000
 * ms, stale 10000 ms). host is numeric IPv4 or IPv6 ("127.0.0.1", "::1"). */
struct gpsd_client_opts {
	const char *host;
	int port;
	unsigned connect_timeout_ms, backoff_min_ms, backoff_max_ms, stale_ms;
};

typedef void (*gpsd_fix_cb)(void *arg, const struct gps_fix *fix);

/* Starts connecting at once. NULL with errno EINVAL for a host that is not
 * numeric or a port outside 1..65535, ENOMEM. */
struct gpsd_client *gpsd_client_new(struct event_base *base, const struct gpsd_client_opts *opts,
				    gpsd_fix_cb cb, void *arg);
void gpsd_client_free(struct gpsd_client *c);

struct gpsd_client_stats {
	const char *state;      /* "connecting" "watching" "backoff" */
	uint64_t connects;      /* connections established */
	uint64_t reports;       /* lines parsed as gpsd reports */
	uint64_t tpv;           /* TPV reports (valid or not) */
	uint64_t errors;        /* connect/read failures, bad or over-long lines, gpsd ERRORs */
	uint64_t stale;         /* connections given up for silence */
	int mode;               /* of the last TPV: 0..3, -1 none yet */
	unsigned devices;       /* devices gpsd has active (0: idle, silence is fine) */
	char version[32];       /* gpsd release, "" until VERSION */
	char device[64];        /* the active device fixes come from (else gpsd's
				 * first one), "" when gpsd has none */
	char last_error[128];   /* "" none */
};
void gpsd_client_stats(const struct gpsd_client *c, struct gpsd_client_stats *st);

/* The last valid fix (a position) from any of gpsd's devices, NULL until
 * there is one. It is kept over reconnects: judge it by its mono_us
 * (gps_select does). */
const struct gps_fix *gpsd_client_last(const struct gpsd_client *c);

/* The device path of the last TPV ("" if gpsd did not say): in the fix
 * callback, the device that sent this fix (e.g. to tag a modem's NMEA port,
 * read by the same gpsd, as GPS_SRC_MODEM). */
const char *gpsd_client_fix_device(const struct gpsd_client *c);

#endif
