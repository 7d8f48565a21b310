/* gps_drive: runs one gpsd_client on a libevent loop and prints JSON lines
 * for tests/integration/run-gps.sh:
 *   {"ev":"fix","t_ms":..,"valid":..,"mode":..,"lat":..,"lon":..,"alt":..,
 *    "acc":..,"speed":..,"time":..,"sats":..}                 every TPV
 *   {"ev":"state","t_ms":..,"state":..,"connects":..,...}      when the
 *    client's state, connection count, stale count or device count change
 *   {"ev":"end",...,"max_lag_ms":..}                           at exit
 * A 50 ms timer measures how late the loop runs (max_lag_ms): a client that
 * blocked or spun would show here.
 *
 * usage: gps_drive HOST PORT [--stale MS] [--backoff MIN MAX]
 *                  [--connect-timeout MS] [--duration S]
 * Exits 0 after --duration seconds or on SIGTERM/SIGINT, 2 on bad usage. */
#include "core/clock.h"
#include "core/log.h"
#include "gps/gpsd_client.h"

#include <json-c/json.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#define TICK_MS 50

struct drive {
	struct event_base *base;
	struct gpsd_client *c;
	uint64_t t0_ms, next_tick_ms, max_lag_ms;
	struct gpsd_client_stats last;
	bool have_last;
};

static uint64_t t_ms(const struct drive *d)
{
	return clock_mono_ms() - d->t0_ms;
}

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static json_object *num_or_null(double v)
{
	return isnan(v) ? NULL : json_object_new_double(v);
}

static void emit(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

static void on_fix(void *arg, const struct gps_fix *f)
{
	struct drive *d = arg;
	json_object *o = json_object_new_object();
	put(o, "ev", json_object_new_string("fix"));
	put(o, "t_ms", json_object_new_int64((int64_t)t_ms(d)));
	put(o, "valid", json_object_new_boolean(f->valid));
	put(o, "mode", json_object_new_int(f->mode));
	put(o, "lat", num_or_null(f->lat));
	put(o, "lon", num_or_null(f->lon));
	put(o, "alt", num_or_null(f->alt_m));
	put(o, "acc", num_or_null(f->accuracy_m));
	put(o, "speed", num_or_null(f->speed_mps));
	put(o, "time", json_object_new_int64(f->time_s));
	put(o, "sats", json_object_new_int(f->satellites));
	emit(o);
}

static void emit_stats(struct drive *d, const char *ev, const struct gpsd_client_stats *st)
{
	json_object *o = json_object_new_object();
	put(o, "ev", json_object_new_string(ev));
	put(o, "t_ms", json_object_new_int64((int64_t)t_ms(d)));
	put(o, "state", json_object_new_string(st->state));
	put(o, "connects", json_object_new_int64((int64_t)st->connects));
	put(o, "reports", json_object_new_int64((int64_t)st->reports));
	put(o, "tpv", json_object_new_int64((int64_t)st->tpv));
	put(o, "errors", json_object_new_int64((int64_t)st->errors));
	put(o, "stale", json_object_new_int64((int64_t)st->stale));
	put(o, "mode", json_object_new_int(st->mode));
	put(o, "devices", json_object_new_int((int)st->devices));
	put(o, "version", json_object_new_string(st->version));
	put(o, "device", json_object_new_string(st->device));
	put(o, "last_error", json_object_new_string(st->last_error));
	put(o, "has_last", json_object_new_boolean(gpsd_client_last(d->c) != NULL));
	if (strcmp(ev, "end") == 0)
		put(o, "max_lag_ms", json_object_new_int64((int64_t)d->max_lag_ms));
	emit(o);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct drive *d = arg;
	uint64_t now = clock_mono_ms();
	if (now > d->next_tick_ms && now - d->next_tick_ms > d->max_lag_ms)
		d->max_lag_ms = now - d->next_tick_ms;
	d->next_tick_ms = now + TICK_MS;
	struct gpsd_client_stats st;
	gpsd_client_stats(d->c, &st);
	if (!d->have_last || strcmp(st.state, d->last.state) != 0 ||
	    st.connects != d->last.connects || st.stale != d->last.stale ||
	    st.devices != d->last.devices)
		emit_stats(d, "state", &st);
	d->last = st;
	d->have_last = true;
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static int usage(void)
{
	fprintf(stderr, "usage: gps_drive HOST PORT [--stale MS] [--backoff MIN MAX] "
			"[--connect-timeout MS] [--duration S]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	struct gpsd_client_opts o = { .host = argv[1], .port = atoi(argv[2]) };
	unsigned duration_s = 0;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--stale") == 0 && i + 1 < argc)
			o.stale_ms = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--backoff") == 0 && i + 2 < argc) {
			o.backoff_min_ms = (unsigned)atoi(argv[++i]);
			o.backoff_max_ms = (unsigned)atoi(argv[++i]);
		} else if (strcmp(argv[i], "--connect-timeout") == 0 && i + 1 < argc)
			o.connect_timeout_ms = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
			duration_s = (unsigned)atoi(argv[++i]);
		else
			return usage();
	}
	signal(SIGPIPE, SIG_IGN);
	log_open("gps_drive", true, LOG_LVL_DEBUG);     /* the client's log on stderr */
	struct drive d = { .base = event_base_new(), .t0_ms = clock_mono_ms() };
	d.c = gpsd_client_new(d.base, &o, on_fix, &d);
	if (!d.c) {
		perror("gpsd_client_new");
		return 2;
	}
	struct timeval tick = { 0, TICK_MS * 1000 };
	struct event *t = event_new(d.base, -1, EV_PERSIST, on_tick, &d);
	struct event *s1 = evsignal_new(d.base, SIGTERM, on_stop, d.base);
	struct event *s2 = evsignal_new(d.base, SIGINT, on_stop, d.base);
	struct event *end = evtimer_new(d.base, on_stop, d.base);
	d.next_tick_ms = clock_mono_ms() + TICK_MS;
	event_add(t, &tick);
	event_add(s1, NULL);
	event_add(s2, NULL);
	if (duration_s) {
		struct timeval tv = { duration_s, 0 };
		evtimer_add(end, &tv);
	}
	event_base_dispatch(d.base);

	struct gpsd_client_stats st;
	gpsd_client_stats(d.c, &st);
	emit_stats(&d, "end", &st);
	gpsd_client_free(d.c);
	event_free(t);
	event_free(s1);
	event_free(s2);
	event_free(end);
	event_base_free(d.base);
	return 0;
}
