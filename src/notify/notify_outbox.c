/* notify_outbox: the persistent per-channel queues (notify_outbox.h). */
#include "notify/notify_outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"

#define OB_FILE_MAX (32u << 20)
/* A wall clock before this was not set yet (a router without an RTC boots
 * in 1970): such an entry's age starts at load. 2020-01-01. */
#define OB_SANE_WALL_MS 1577836800000LL

static void set_io_error(struct notify_outbox *o, const char *what)
{
	snprintf(o->io_error, sizeof(o->io_error), "%s: %s", what, strerror(errno));
}

static void append(struct notify_outbox *o, const struct nj_rec *r)
{
	size_t len = 0;
	char *line = nj_format(r, &len);
	if (!line)
		return;
	if (o->fd >= 0) {
		ssize_t n = write(o->fd, line, len);
		if (n == (ssize_t)len) {
			o->file_bytes += len;
			o->bytes_written += len;
		} else {
			set_io_error(o, "journal write");
		}
	}
	free(line);
}

static void push(struct notify_outbox *o, struct ob_entry *e)
{
	struct ob_entry **p = &o->head[e->ch];
	while (*p && (*p)->msg->id <= e->msg->id)
		p = &(*p)->next;
	e->next = *p;
	*p = e;
	o->count[e->ch]++;
	o->total++;
}

static void queue(struct notify_outbox *o, struct notify_msg *m, unsigned mask, uint64_t born)
{
	for (int ch = 0; ch < NCH_N; ch++) {
		if (!(mask & (1u << ch)))
			continue;
		struct ob_entry *e = calloc(1, sizeof(*e));
		if (!e)
			continue;
		e->msg = notify_msg_ref(m);
		e->ch = ch;
		e->born_mono = born;
		push(o, e);
	}
}

static struct ob_incident *inc_find(struct notify_outbox *o, const char *key)
{
	for (unsigned i = 0; i < o->n_inc; i++)
		if (strcmp(o->inc[i].key, key) == 0)
			return &o->inc[i];
	return NULL;
}

static void inc_set(struct notify_outbox *o, const struct nj_rec *r)
{
	struct ob_incident *i = inc_find(o, r->key);
	if (r->kind == NJ_CLOSE) {
		if (i)
			*i = o->inc[--o->n_inc];
		return;
	}
	if (!i && o->n_inc < OB_INCIDENTS)
		i = &o->inc[o->n_inc++];
	if (!i)
		return;
	snprintf(i->key, sizeof(i->key), "%s", r->key);
	snprintf(i->title, sizeof(i->title), "%s", r->title);
	i->opened_ms = r->opened_ms;
	i->sev = r->sev;
}

/* ---- loading ---- */

struct pending {
	struct notify_msg *msg;
	unsigned mask;
};

struct load {
	struct pending *v;
	size_t n, cap;
};

static struct pending *pending_of(struct load *l, uint64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].msg->id == id)
			return &l->v[i];
	return NULL;
}

static void replay(struct notify_outbox *o, struct load *l, const struct nj_rec *r)
{
	struct pending *p;
	switch (r->kind) {
	case NJ_ADD:
		if ((p = pending_of(l, r->msg->id))) {          /* the later one wins */
			notify_msg_unref(p->msg);
			*p = (struct pending){ r->msg, r->channels };
		} else if (l->n < l->cap || (l->v = realloc(l->v, (l->cap = l->cap * 2 + 16) *
							     sizeof(*l->v)))) {
			l->v[l->n++] = (struct pending){ r->msg, r->channels };
		} else {
			notify_msg_unref(r->msg);
		}
		if (r->msg->id >= o->next_id)
			o->next_id = r->msg->id + 1;
		break;
	case NJ_DONE:
		if ((p = pending_of(l, r->id)))
			p->mask &= ~(1u << r->channel);
		break;
	case NJ_OPEN:
	case NJ_CLOSE:
		inc_set(o, r);
		break;
	}
}

static void load_text(struct notify_outbox *o, struct load *l, const char *text, size_t len)
{
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		if (!nl) {                      /* torn: the write that was cut short */
			o->bad_lines++;
			break;
		}
		struct nj_rec r;
		if (nj_parse(text + off, (size_t)(nl - text - off), &r) == 0)
			replay(o, l, &r);
		else
			o->bad_lines++;
		off = (size_t)(nl - text) + 1;
	}
}

/* Everything still live, as the journal's new contents. */
static char *snapshot(struct notify_outbox *o, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	for (unsigned i = 0; i < o->n_inc; i++) {
		struct nj_rec r = { .kind = NJ_OPEN, .opened_ms = o->inc[i].opened_ms,
				    .sev = o->inc[i].sev };
		snprintf(r.key, sizeof(r.key), "%s", o->inc[i].key);
		snprintf(r.title, sizeof(r.title), "%s", o->inc[i].title);
		size_t k;
		char *line = nj_format(&r, &k);
		if (line)
			fwrite(line, 1, k, f);
		free(line);
	}
	/* Messages by id, each once with the channels it still waits for. */
	for (uint64_t last = 0;;) {
		struct notify_msg *next = NULL;
		unsigned mask = 0;
		for (int ch = 0; ch < NCH_N; ch++)
			for (struct ob_entry *e = o->head[ch]; e; e = e->next)
				if (e->msg->id > last && (!next || e->msg->id <= next->id)) {
					mask = next && e->msg->id == next->id ? mask : 0;
					next = e->msg;
					mask |= 1u << ch;
				}
		if (!next)
			break;
		struct nj_rec r = { .kind = NJ_ADD, .channels = mask, .msg = next };
		size_t k;
		char *line = nj_format(&r, &k);
		if (line)
			fwrite(line, 1, k, f);
		free(line);
		last = next->id;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static int rewrite(struct notify_outbox *o)
{
	size_t len = 0;
	char *text = snapshot(o, &len);
	int rc = text && fs_write_atomic(o->path, text, len, 0600) == 0 ? 0 : -1;
	if (rc == 0) {
		o->file_bytes = o->live_bytes = len;
		o->bytes_written += len;
	} else {
		set_io_error(o, "journal rewrite");
	}
	free(text);
	if (o->fd >= 0)
		close(o->fd);
	o->fd = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (o->fd < 0)
		set_io_error(o, "journal open");
	return rc;
}

int ob_open(struct notify_outbox *o, const char *path, int64_t now_wall, uint64_t now_mono,
	    char *err, size_t err_size)
{
	struct load l = { 0 };
	size_t len = 0;
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->next_id = 1;
	snprintf(o->path, sizeof(o->path), "%s", path);
	char *text = fs_read_file(path, OB_FILE_MAX, &len);
	if (!text && errno != ENOENT) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		set_io_error(o, "journal read");
	}
	if (text)
		load_text(o, &l, text, len);
	free(text);
	for (size_t i = 0; i < l.n; i++) {
		struct notify_msg *m = l.v[i].msg;
		int64_t w = m->wall_ms;
		uint64_t age = w >= OB_SANE_WALL_MS && w <= now_wall ? (uint64_t)(now_wall - w) : 0;
		if (l.v[i].mask)
			queue(o, m, l.v[i].mask, now_mono > age ? now_mono - age : 0);
		notify_msg_unref(m);
	}
	free(l.v);
	if (fs_mkdir_parents(path, 0750) < 0 || rewrite(o) < 0) {
		if (!err[0])
			snprintf(err, err_size, "%s", o->io_error);
		return -1;
	}
	return 0;
}

void ob_close(struct notify_outbox *o)
{
	for (int ch = 0; ch < NCH_N; ch++)
		while (o->head[ch]) {
			struct ob_entry *e = o->head[ch];
			o->head[ch] = e->next;
			notify_msg_unref(e->msg);
			free(e);
		}
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	o->total = 0;
}

int ob_add(struct notify_outbox *o, struct notify_msg *m, unsigned mask, uint64_t now_mono)
{
	if (!mask)
		return -1;
	m->id = o->next_id++;
	struct nj_rec r = { .kind = NJ_ADD, .channels = mask, .msg = m };
	append(o, &r);
	queue(o, m, mask, now_mono);
	return 0;
}

static void maybe_shrink(struct notify_outbox *o)
{
	if (o->fd < 0)
		return;
	if (!o->total && !o->n_inc) {
		if (ftruncate(o->fd, 0) == 0)
			o->file_bytes = 0;
		else
			set_io_error(o, "journal truncate");
	} else if (o->file_bytes > OB_COMPACT_BYTES + 2 * o->live_bytes) {
		rewrite(o);
	}
}

void ob_done(struct notify_outbox *o, struct ob_entry *e)
{
	struct nj_rec r = { .kind = NJ_DONE, .id = e->msg->id, .channel = e->ch };
	struct ob_entry **p = &o->head[e->ch];
	while (*p && *p != e)
		p = &(*p)->next;
	if (*p) {
		*p = e->next;
		o->count[e->ch]--;
		o->total--;
	}
	append(o, &r);
	notify_msg_unref(e->msg);
	free(e);
	maybe_shrink(o);
}

void ob_incident(struct notify_outbox *o, const char *key, int64_t opened_ms,
		 enum ev_severity sev, const char *title)
{
	struct nj_rec r = { .kind = title ? NJ_OPEN : NJ_CLOSE, .opened_ms = opened_ms, .sev = sev };
	snprintf(r.key, sizeof(r.key), "%s", key);
	snprintf(r.title, sizeof(r.title), "%s", title ? title : "");
	if (!title && !inc_find(o, key))
		return;
	inc_set(o, &r);
	append(o, &r);
	if (!title)
		maybe_shrink(o);
}
