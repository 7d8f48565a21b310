/* gpsd_client: gpsd's watch stream on the loop (see gpsd_client.h).
 *
 * One socket, one I/O event (write while connecting or sending WATCH, then
 * persistent read) and one timer whose meaning follows the state:
 * connecting = connect timeout, watching = silence check, backoff = when to
 * reconnect. The silence check does not re-arm per line: it fires every
 * stale_ms and compares with the time of the last report. */
#include "gps/gpsd_client.h"

#include "core/clock.h"
#include "core/log.h"
#include "gps/gpsd_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#define WATCH_CMD "?WATCH={\"enable\":true,\"json\":true};"
#define READS_PER_EVENT 8       /* then let other events run */

enum gc_state { GC_CONNECTING, GC_WATCHING, GC_BACKOFF };

struct gpsd_client {
	struct event_base *base;
	struct gpsd_client_opts o;      /* defaults applied; o.host points at host */
	char host[INET6_ADDRSTRLEN];
	struct sockaddr_storage addr;
	socklen_t addrlen;
	gpsd_fix_cb cb;
	void *arg;

	enum gc_state st;
	int fd;
	struct event *io, *timer;
	unsigned backoff_ms;            /* the next backoff */
	bool failing;                   /* failed since the last good connection */
	size_t sent;                    /* bytes of WATCH_CMD written */

	char buf[GPSD_LINE_MAX];
	size_t len;                     /* bytes in buf */
	bool discard;                   /* dropping an over-long line up to its newline */

	/* what this connection's gpsd said */
	uint64_t last_report_us;
	bool heard_devices;             /* a DEVICES report came */
	unsigned n_active;
	char active[GPSD_DEVICES_MAX][GPSD_PATH_MAX];
	int sky_used;
	uint64_t sky_us;
	char fix_device[GPSD_PATH_MAX]; /* the last TPV's */

	struct gps_fix last;
	bool have_last;
	struct gpsd_client_stats s;     /* state and device filled on read */
};

static void on_io(evutil_socket_t fd, short what, void *arg);
static void start_connect(struct gpsd_client *c);

/* ---- timer and socket ----------------------------------------------------- */

static void arm(struct gpsd_client *c, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	evtimer_add(c->timer, &tv);
}

static void wait_io(struct gpsd_client *c, short what)
{
	event_del(c->io);
	event_assign(c->io, c->base, c->fd, what, on_io, c);
	event_add(c->io, NULL);
}

static void close_fd(struct gpsd_client *c)
{
	if (c->fd >= 0) {
		event_del(c->io);
		close(c->fd);
		c->fd = -1;
	}
}

static void set_error(struct gpsd_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_error(struct gpsd_client *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->s.last_error, sizeof(c->s.last_error), fmt, ap);
	va_end(ap);
	c->s.errors++;
}

/* Gives up the connection: backoff, then a new one. The first failure after
 * a good connection is a warning; retries that keep failing are debug. */
static void fail(struct gpsd_client *c, const char *what)
{
	close_fd(c);
	log_msg(c->failing ? LOG_LVL_DEBUG : LOG_LVL_WARN, "gpsd %s:%d: %s; retrying in %u ms",
		c->host, c->o.port, what, c->backoff_ms);
	c->failing = true;
	c->st = GC_BACKOFF;
	arm(c, c->backoff_ms);
	c->backoff_ms = c->backoff_ms > c->o.backoff_max_ms / 2 ? c->o.backoff_max_ms
								 : c->backoff_ms * 2;
}

static void fail_errno(struct gpsd_client *c, const char *what, int err)
{
	set_error(c, "%s: %s", what, strerror(err));
	fail(c, c->s.last_error);
}

/* ---- reports -------------------------------------------------------------- */

static int active_index(const struct gpsd_client *c, const char *path)
{
	for (unsigned i = 0; i < c->n_active; i++)
		if (strcmp(c->active[i], path) == 0)
			return (int)i;
	return -1;
}

static void device_set(struct gpsd_client *c, const struct gpsd_device *d)
{
	int i = active_index(c, d->path);
	if (d->activated && i < 0 && c->n_active < GPSD_DEVICES_MAX)
		snprintf(c->active[c->n_active++], GPSD_PATH_MAX, "%s", d->path);
	else if (!d->activated && i >= 0)
		memmove(c->active[i], c->active[i + 1],
			(size_t)(--c->n_active - (unsigned)i) * GPSD_PATH_MAX);
}

static void on_tpv(struct gpsd_client *c, struct gpsd_report *r, uint64_t now)
{
	struct gps_fix *f = &r->fix;
	f->mono_us = now;
	if (c->sky_used >= 0 && now - c->sky_us <= (uint64_t)GPSD_SKY_KEEP_MS * 1000)
		f->satellites = c->sky_used;
	c->s.tpv++;
	c->s.mode = f->mode;
	snprintf(c->fix_device, sizeof(c->fix_device), "%s", r->device);
	snprintf(c->s.device, sizeof(c->s.device), "%s", r->device);
	/* the stream works: the next failure starts a fresh backoff */
	c->backoff_ms = c->o.backoff_min_ms;
	if (c->failing)
		log_info("gpsd %s:%d: reporting again", c->host, c->o.port);
	c->failing = false;
	if (f->valid) {
		c->last = *f;
		c->have_last = true;
	}
	c->cb(c->arg, f);
}

static void on_report(struct gpsd_client *c, struct gpsd_report *r, uint64_t now)
{
	c->s.reports++;
	c->last_report_us = now;
	switch (r->cls) {
	case GPSD_CLASS_TPV:
		on_tpv(c, r, now);
		break;
	case GPSD_CLASS_SKY:
		c->sky_used = r->sat_used;
		c->sky_us = now;
		break;
	case GPSD_CLASS_VERSION:
		snprintf(c->s.version, sizeof(c->s.version), "%s", r->release);
		break;
	case GPSD_CLASS_DEVICES:
		c->heard_devices = true;
		c->n_active = 0;
		for (unsigned i = 0; i < r->n_devices && i < GPSD_DEVICES_MAX; i++)
			device_set(c, &r->devices[i]);
		break;
	case GPSD_CLASS_DEVICE:
		device_set(c, &r->devices[0]);
		break;
	case GPSD_CLASS_ERROR:
		set_error(c, "gpsd: %s", r->message);
		break;
	case GPSD_CLASS_WATCH:
	case GPSD_CLASS_OTHER:
		break;
	}
}

static void on_line(struct gpsd_client *c, const char *line, size_t n)
{
	while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
		n--;
	if (n == 0)
		return;
	struct gpsd_report r;
	char err[96];
	if (gpsd_parse(line, n, &r, err, sizeof(err)) < 0) {
		set_error(c, "bad report: %s", err);
		return;
	}
	on_report(c, &r, clock_mono_us());
}

/* Hands every complete line in buf to on_line and keeps the rest. A full
 * buffer without a newline is dropped, and so is the rest of that line. */
static void split_lines(struct gpsd_client *c)
{
	size_t start = 0;
	char *nl;
	while ((nl = memchr(c->buf + start, '\n', c->len - start))) {
		size_t end = (size_t)(nl - c->buf);
		if (!c->discard)
			on_line(c, c->buf + start, end - start);
		c->discard = false;
		start = end + 1;
	}
	c->len -= start;
	memmove(c->buf, c->buf + start, c->len);
	if (c->len == sizeof(c->buf)) {
		if (!c->discard)
			set_error(c, "report over %d bytes dropped", GPSD_LINE_MAX);
		c->discard = true;
		c->len = 0;
	}
}

/* ---- states --------------------------------------------------------------- */

static void on_readable(struct gpsd_client *c)
{
	for (int i = 0; i < READS_PER_EVENT && c->fd >= 0; i++) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n == 0) {
			set_error(c, "gpsd closed the connection");
			fail(c, c->s.last_error);
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				fail_errno(c, "read", errno);
			return;
		}
		c->len += (size_t)n;
		split_lines(c);
	}
}

static void send_watch(struct gpsd_client *c)
{
	const size_t len = sizeof(WATCH_CMD) - 1;
	static const char cmd[] = WATCH_CMD;
	ssize_t n = send(c->fd, &cmd[c->sent], len - c->sent, MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		fail_errno(c, "send", errno);
		return;
	}
	if (n > 0)
		c->sent += (size_t)n;
	wait_io(c, c->sent < len ? EV_WRITE : EV_READ | EV_PERSIST);
}

static void on_connected(struct gpsd_client *c)
{
	int err = 0;
	socklen_t elen = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (err) {
		fail_errno(c, "connect", err);
		return;
	}
	c->st = GC_WATCHING;
	c->s.connects++;
	c->sent = 0;
	c->len = 0;
	c->discard = false;
	c->heard_devices = false;
	c->n_active = 0;
	c->sky_used = -1;
	c->last_report_us = clock_mono_us();
	log_info("gpsd %s:%d: connected, watching", c->host, c->o.port);
	arm(c, c->o.stale_ms);
	send_watch(c);
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct gpsd_client *c = arg;
	if (c->st == GC_CONNECTING)
		on_connected(c);
	else if (what & EV_WRITE)
		send_watch(c);
	else
		on_readable(c);
}

/* Silence: expected while gpsd has no device, else the end of this
 * connection. */
static void check_stale(struct gpsd_client *c)
{
	uint64_t quiet_ms = (clock_mono_us() - c->last_report_us) / 1000;
	if (c->heard_devices && c->n_active == 0) {
		arm(c, c->o.stale_ms);
		return;
	}
	if (quiet_ms < c->o.stale_ms) {
		arm(c, c->o.stale_ms - (unsigned)quiet_ms);
		return;
	}
	c->s.stale++;
	set_error(c, "gpsd silent for %llu ms", (unsigned long long)quiet_ms);
	fail(c, c->s.last_error);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct gpsd_client *c = arg;
	switch (c->st) {
	case GC_CONNECTING:
		set_error(c, "connect timed out after %u ms", c->o.connect_timeout_ms);
		fail(c, c->s.last_error);
		break;
	case GC_WATCHING:
		check_stale(c);
		break;
	case GC_BACKOFF:
		start_connect(c);
		break;
	}
}

/* Keepalive: a quiet connection to a gpsd behind a dead path ends in ~1 min. */
static void keepalive(int fd)
{
	int on = 1, idle = 30, intvl = 10, cnt = 3;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void start_connect(struct gpsd_client *c)
{
	c->st = GC_CONNECTING;
	c->fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail_errno(c, "socket", errno);
		return;
	}
	keepalive(c->fd);
	if (connect(c->fd, (struct sockaddr *)&c->addr, c->addrlen) < 0 && errno != EINPROGRESS) {
		fail_errno(c, "connect", errno);
		return;
	}
	/* done or not, the result is read in on_connected via SO_ERROR */
	wait_io(c, EV_WRITE);
	arm(c, c->o.connect_timeout_ms);
}

/* ---- API ------------------------------------------------------------------ */

static int parse_addr(struct gpsd_client *c, const char *host, int port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&c->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&c->addr;
	if (!host || port < 1 || port > 65535 || strlen(host) >= sizeof(c->host))
		return -1;
	memset(&c->addr, 0, sizeof(c->addr));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		c->addrlen = sizeof(*in4);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		c->addrlen = sizeof(*in6);
	} else {
		return -1;
	}
	snprintf(c->host, sizeof(c->host), "%s", host);
	return 0;
}

static unsigned or_default(unsigned v, unsigned dflt)
{
	return v ? v : dflt;
}

struct gpsd_client *gpsd_client_new(struct event_base *base, const struct gpsd_client_opts *opts,
				    gpsd_fix_cb cb, void *arg)
{
	struct gpsd_client *c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	if (!base || !opts || !cb || parse_addr(c, opts->host, opts->port) < 0) {
		free(c);
		errno = EINVAL;
		return NULL;
	}
	c->base = base;
	c->o = *opts;
	c->o.host = c->host;
	c->o.connect_timeout_ms = or_default(opts->connect_timeout_ms, 3000);
	c->o.backoff_min_ms = or_default(opts->backoff_min_ms, 1000);
	c->o.backoff_max_ms = or_default(opts->backoff_max_ms, 60000);
	if (c->o.backoff_max_ms < c->o.backoff_min_ms)
		c->o.backoff_max_ms = c->o.backoff_min_ms;
	c->o.stale_ms = or_default(opts->stale_ms, 10000);
	c->backoff_ms = c->o.backoff_min_ms;
	c->cb = cb;
	c->arg = arg;
	c->fd = -1;
	c->s.mode = -1;
	c->sky_used = -1;
	c->io = event_new(base, -1, 0, on_io, c);
	c->timer = evtimer_new(base, on_timer, c);
	if (!c->io || !c->timer) {
		gpsd_client_free(c);
		errno = ENOMEM;
		return NULL;
	}
	start_connect(c);
	return c;
}

void gpsd_client_free(struct gpsd_client *c)
{
	if (!c)
		return;
	if (c->io)
		close_fd(c);
	if (c->io)
		event_free(c->io);
	if (c->timer)
		event_free(c->timer);
	free(c);
}

void gpsd_client_stats(const struct gpsd_client *c, struct gpsd_client_stats *st)
{
	static const char *const names[] = {
		[GC_CONNECTING] = "connecting", [GC_WATCHING] = "watching", [GC_BACKOFF] = "backoff",
	};
	*st = c->s;
	st->state = names[c->st];
	st->devices = c->st == GC_WATCHING ? c->n_active : 0;
	/* the device reporting fixes if gpsd still has it, else its first one */
	if (!st->devices)
		st->device[0] = '\0';
	else if (active_index(c, c->s.device) < 0)
		snprintf(st->device, sizeof(st->device), "%s", c->active[0]);
}

const struct gps_fix *gpsd_client_last(const struct gpsd_client *c)
{
	return c->have_last ? &c->last : NULL;
}

const char *gpsd_client_fix_device(const struct gpsd_client *c)
{
	return c->fix_device;
}
