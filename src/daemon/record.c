/* record: the daemon's own replay trace (see record.h; the format is
 * docs/replay.md "Recording"). */
#include "daemon/record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "replay/replay.h"

#define FLUSH_MS 1000
#define FLUSH_BYTES (256 * 1024)
#define PATH_EVERY_US (5 * 1000000ULL)  /* a path summary per member this often */
#define DURATION_WIDTH 18

struct rec_member {
	char name[64];
	char json_name[80];             /* the name as a JSON string */
	bool fire_pending;              /* mstate_fire seen, its tick not yet */
	uint64_t fire_us;
	int load;                       /* last recorded load_pct, -1 none */
	/* outcomes since the last path line */
	unsigned n, lost;
	double rtt_sum, rtt_sq;
	uint64_t path_us;
};

struct recorder {
	int fd;
	char path[4096];
	uint64_t t0_us;                 /* monotonic µs of virtual 0 (a whole wall second) */
	char *buf;
	size_t len, cap;
	size_t written, max_bytes;
	off_t dur_off;                  /* where duration_s's digits are */
	uint64_t last_us;
	struct event *timer;
	struct rec_member m[REPLAY_MAX_MEMBERS];
	unsigned n;
	bool failed;
};

static struct rec_member *member_of(struct recorder *r, const char *name)
{
	for (unsigned i = 0; r && i < r->n; i++)
		if (strcmp(r->m[i].name, name) == 0)
			return &r->m[i];
	return NULL;
}

static void __attribute__((format(printf, 2, 3))) put(struct recorder *r, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(r->buf + r->len, r->cap - r->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < r->cap - r->len) {
			r->len += (size_t)n;
			return;
		}
		size_t cap = (r->cap ? r->cap * 2 : 65536) + (size_t)n;
		char *b = realloc(r->buf, cap);
		if (!b) {
			r->failed = true;
			return;
		}
		r->buf = b;
		r->cap = cap;
	}
}

/* Virtual seconds since the recording began, with µs. */
static void put_t(struct recorder *r, uint64_t us)
{
	uint64_t t = us > r->t0_us ? us - r->t0_us : 0;
	if (us > r->last_us)
		r->last_us = us;
	put(r, "{\"t\":%" PRIu64 ".%06" PRIu64, t / 1000000, t % 1000000);
}

static void flush(struct recorder *r);

/* Opens a member's line: {"t":..,"member":"x" (the caller closes it). */
static struct rec_member *line(struct member_rt *m, uint64_t now_us)
{
	struct recorder *r = m->d->rec;
	struct rec_member *x = member_of(r, m->name);
	if (!x || r->failed)
		return NULL;
	put_t(r, now_us);
	put(r, ",\"member\":%s", x->json_name);
	return x;
}

static void end_line(struct recorder *r)
{
	put(r, "}\n");
	if (r->len >= FLUSH_BYTES)
		flush(r);
}

/* ---- file ------------------------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The header's duration_s follows the last line written: rewritten in
 * place (a fixed-width field padded with blanks, still valid JSON). */
static void set_duration(struct recorder *r)
{
	char d[DURATION_WIDTH + 1];
	uint64_t t = r->last_us > r->t0_us ? r->last_us - r->t0_us : 0;
	if (t < 1000)
		t = 1000;
	snprintf(d, sizeof(d), "%-*.6f", DURATION_WIDTH, (double)t / 1e6);
	if (pwrite(r->fd, d, DURATION_WIDTH, r->dur_off) != DURATION_WIDTH)
		r->failed = true;
}

static void path_lines(struct recorder *r, uint64_t now)
{
	for (unsigned i = 0; i < r->n; i++) {
		struct rec_member *x = &r->m[i];
		if (!x->n || now < x->path_us + PATH_EVERY_US)
			continue;
		unsigned ok = x->n - x->lost;
		double mean = ok ? x->rtt_sum / ok : 0;
		double var = ok > 1 ? (x->rtt_sq - ok * mean * mean) / (ok - 1) : 0;
		put_t(r, now);
		put(r, ",\"member\":%s,\"path\":{", x->json_name);
		if (ok)
			put(r, "\"rtt_ms\":%.3f,\"jitter_ms\":%.3f,", mean, var > 0 ? sqrt(var) : 0);
		put(r, "\"loss\":%.4f}}\n", (double)x->lost / x->n);
		x->n = x->lost = 0;
		x->rtt_sum = x->rtt_sq = 0;
		x->path_us = now;
	}
}

static void flush(struct recorder *r)
{
	if (r->fd < 0)
		return;
	if (!r->failed && r->written + r->len > r->max_bytes) {
		log_warn("recording %s stopped: it reached its bound of %zu bytes", r->path,
			 r->max_bytes);
		r->len = 0;
		r->failed = true;
	}
	if (!r->failed && r->len && write_all(r->fd, r->buf, r->len) < 0) {
		log_errno(LOG_LVL_WARN, "recording %s stopped: write", r->path);
		r->failed = true;
	}
	if (!r->failed)
		r->written += r->len;
	r->len = 0;
	set_duration(r);
	if (r->failed) {
		close(r->fd);
		r->fd = -1;
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct recorder *r = arg;
	if (r->fd < 0)
		return;
	path_lines(r, clock_mono_us());
	flush(r);
}

/* ---- header -------------------------------------------------------------------------------- */

static const char *trace_class(const char *cls)
{
	static const char *const known[] = { "starlink", "cellular", "wifi", "lan" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(cls, known[i]) == 0)
			return known[i];
	return "other";
}

static void member_def(struct recorder *r, const struct member_rt *m, bool first)
{
	const struct cfg_section *s = config_member(m->d->cfg, m->name);
	struct rec_member *x = &r->m[r->n++];
	json_object *o = json_object_new_string(m->name);
	snprintf(x->name, sizeof(x->name), "%s", m->name);
	snprintf(x->json_name, sizeof(x->json_name), "%s", json_object_to_json_string(o));
	json_object_put(o);
	x->load = -1;
	put(r, "%s{\"name\":%s,\"class\":\"%s\",\"priority\":%d,\"metered\":%s,"
	    "\"targets\":%zu,\"enabled\":%s,\"link\":\"%s\"", first ? "" : ",", x->json_name,
	    trace_class(m->cls), m->priority, m->metered ? "true" : "false", m->n_targets,
	    m->enabled ? "true" : "false", replay_link_name(m->ms.det.link));
	if (s && cfg_int(s, "data_limit_mb") > 0)
		put(r, ",\"data_limit_mb\":%lld", cfg_int(s, "data_limit_mb"));
	put(r, "}");
}

static int header(struct recorder *r, struct daemon *d, int64_t wall_s)
{
	char when[32];
	json_object *cfg = json_object_new_string(d->config_path);
	put(r, "{\"format\":\"autonomy-trace/1\",\"duration_s\":");
	r->dur_off = (off_t)r->len;
	put(r, "%-*s,\"members\":[", DURATION_WIDTH, "0.001");
	for (size_t i = 0; i < d->n_members && r->n < REPLAY_MAX_MEMBERS; i++)
		member_def(r, d->members[i], i == 0);
	put(r, "],\"recorded\":{\"by\":\"autonomyd %s\",\"config\":%s,\"started\":\"%s\"}}\n",
	    AUTONOMY_VERSION, json_object_to_json_string(cfg),
	    clock_iso8601(wall_s, when, sizeof(when)));
	json_object_put(cfg);
	if (d->n_members > REPLAY_MAX_MEMBERS)
		log_warn("recording: only the first %d members fit a trace", REPLAY_MAX_MEMBERS);
	put(r, "{\"t\":0,\"wall\":%" PRId64 "}\n", wall_s);
	return r->failed ? -1 : 0;
}

int record_start(struct daemon *d, const char *path, size_t max_bytes)
{
	struct recorder *r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->max_bytes = max_bytes;
	r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (r->fd < 0) {
		log_errno(LOG_LVL_ERR, "recording: %s", path);
		free(r);
		return -1;
	}
	/* Virtual 0 is a whole wall second, so `wall` (whole seconds) maps
	 * virtual time onto the wall clock exactly. */
	int64_t wall_ms = clock_wall_ms();
	uint64_t now = clock_mono_us();
	r->t0_us = now - (uint64_t)(wall_ms % 1000) * 1000;
	r->last_us = now;
	r->timer = event_new(d->base, -1, EV_PERSIST, on_timer, r);
	struct timeval tv = { 0, FLUSH_MS * 1000 };
	if (!r->timer || event_add(r->timer, &tv) < 0 || header(r, d, wall_ms / 1000) < 0) {
		log_err("recording: cannot start");
		if (r->timer)
			event_free(r->timer);
		close(r->fd);
		free(r->buf);
		free(r);
		return -1;
	}
	d->rec = r;
	flush(r);
	log_notice("recording a replay trace into %s (at most %zu MB)", path, max_bytes >> 20);
	return 0;
}

void record_stop(struct daemon *d, const char *why)
{
	struct recorder *r = d->rec;
	if (!r)
		return;
	/* The trace lasts until now: what the engine decides by time alone
	 * (a hold that matures) after the last input is still in it. */
	r->last_us = clock_mono_us();
	flush(r);
	if (r->fd >= 0) {
		close(r->fd);
		log_notice("recording %s ended%s%s (%zu bytes)", r->path, why ? ": " : "",
			   why ? why : "", r->written);
	}
	event_free(r->timer);
	free(r->buf);
	free(r);
	d->rec = NULL;
}

/* ---- lines ------------------------------------------------------------------------------------ */

/* The fire and the tick of one timer run are one line, unless an outcome
 * came in between (a send that failed at once): then the fire goes first. */
static void put_fire(struct member_rt *m, struct rec_member *x)
{
	if (!x->fire_pending)
		return;
	x->fire_pending = false;
	if (!line(m, x->fire_us))
		return;
	put(m->d->rec, ",\"probe\":{\"fire\":true}");
	end_line(m->d->rec);
}

void record_fire(struct member_rt *m, uint64_t now_us)
{
	struct rec_member *x = m->d->rec ? member_of(m->d->rec, m->name) : NULL;
	if (!x)
		return;
	put_fire(m, x);
	x->fire_pending = true;
	x->fire_us = now_us;
}

void record_tick(struct member_rt *m, uint64_t now_us)
{
	struct rec_member *x = m->d->rec ? member_of(m->d->rec, m->name) : NULL;
	bool fire = x && x->fire_pending && x->fire_us == now_us;
	if (!x)
		return;
	if (!fire)
		put_fire(m, x);
	x->fire_pending = false;
	if (!line(m, now_us))
		return;
	put(m->d->rec, ",\"probe\":{%s\"tick\":true", fire ? "\"fire\":true," : "");
	if ((int)m->ms.load_pct != x->load) {
		x->load = (int)m->ms.load_pct;
		put(m->d->rec, ",\"load\":%d", x->load);
	}
	put(m->d->rec, "}");
	end_line(m->d->rec);
}

void record_outcome(struct member_rt *m, enum mstate_outcome o, uint64_t sent_us,
		    uint32_t rtt_us, uint64_t now_us)
{
	static const char *const names[] = {
		[MSTATE_REPLY] = "reply", [MSTATE_LOST] = "lost", [MSTATE_LATE] = "late",
		[MSTATE_SEND_ERR] = "send_error",
	};
	struct recorder *r = m->d->rec;
	struct rec_member *x = r ? member_of(r, m->name) : NULL;
	if (!x)
		return;
	put_fire(m, x);
	uint64_t sent = sent_us > r->t0_us ? sent_us - r->t0_us : 0;
	if (!line(m, now_us))
		return;
	put(r, ",\"probe\":{\"result\":\"%s\",\"sent\":%" PRIu64 ".%06" PRIu64 ",\"rtt_us\":%u}",
	    names[o], sent / 1000000, sent % 1000000, rtt_us);
	end_line(r);
	if (o == MSTATE_LATE)
		return;                 /* its loss was counted already */
	x->n++;
	if (o != MSTATE_REPLY) {
		x->lost++;
	} else {
		x->rtt_sum += rtt_us / 1e3;
		x->rtt_sq += (rtt_us / 1e3) * (rtt_us / 1e3);
	}
}

void record_link(struct member_rt *m, enum detect_link l, uint64_t now_us)
{
	if (!m->d->rec || !line(m, now_us))
		return;
	put(m->d->rec, ",\"link\":\"%s\",\"carrier\":%s", replay_link_name(l),
	    l == DETECT_LINK_UP ? "true" : "false");
	end_line(m->d->rec);
}

void record_telemetry(struct member_rt *m, const char *key, json_object *obj, uint64_t now_us)
{
	if (m->d->rec && obj && line(m, now_us)) {
		put(m->d->rec, ",\"%s\":%s", key,
		    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
		end_line(m->d->rec);
	}
	json_object_put(obj);
}

void record_usage(struct member_rt *m, double used_mb, uint64_t now_us)
{
	if (!m->d->rec || !line(m, now_us))
		return;
	put(m->d->rec, ",\"usage_mb\":%.6f", used_mb);
	end_line(m->d->rec);
}

void record_eval(struct member_rt *m, uint64_t now_us)
{
	if (!m->d->rec || !line(m, now_us))
		return;
	put(m->d->rec, ",\"eval\":true");
	end_line(m->d->rec);
}

void record_manual(struct daemon *d, const char *member, bool pin, uint64_t now_us)
{
	struct recorder *r = d->rec;
	struct rec_member *x = member ? member_of(r, member) : NULL;
	if (!r || r->failed || (member && !x))
		return;
	put_t(r, now_us);
	if (x)
		put(r, ",\"member\":%s,\"manual\":\"%s\"", x->json_name, pin ? "pin" : "once");
	else
		put(r, ",\"manual\":\"auto\"");
	end_line(r);
}
