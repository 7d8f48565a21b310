/* libFuzzer target for notify_journal: the bytes are the alert outbox's
 * journal as read back at start (a file that may be torn by a power cut or
 * damaged). Each line is parsed; oracles: an accepted record survives
 * format → parse unchanged, an accepted message's fields are in range, and
 * the whole file loads through ob_open without losing a counted line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify/notify_journal.h"
#include "notify/notify_outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *line, size_t len)
{
	struct nj_rec r, back;
	size_t n;
	if (nj_parse(line, len, &r) < 0)
		return;
	if (r.kind == NJ_ADD && (!r.msg || r.msg->id == 0 || r.msg->sev >= EV_SEV_N ||
				 r.msg->action >= NA_N || !r.channels || r.channels >> NCH_N))
		abort();
	char *out = nj_format(&r, &n);
	if (!out || n < 2 || out[n - 1] != '\n' || nj_parse(out, n - 1, &back) < 0 ||
	    back.kind != r.kind || back.channels != r.channels || back.id != r.id ||
	    back.channel != r.channel || strcmp(back.key, r.key) || strcmp(back.title, r.title))
		abort();
	if (r.kind == NJ_ADD) {
		if (back.msg->id != r.msg->id || strcmp(back.msg->title, r.msg->title) ||
		    strcmp(back.msg->text, r.msg->text) || back.msg->action != r.msg->action)
			abort();
		notify_msg_unref(back.msg);
		notify_msg_unref(r.msg);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	for (size_t off = 0; off < size;) {
		const char *nl = memchr(s + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - s - off) : size - off;
		check_line(s + off, len);
		off += len + 1;
	}
	/* The same bytes as a journal file. */
	char path[] = "/dev/shm/fuzz-notify-journal-XXXXXX";      /* fsync is free on tmpfs */
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	struct notify_outbox o;
	char err[200] = "";
	if (ob_open(&o, path, 1800000000000LL, 1000000, err, sizeof(err)) == 0) {
		unsigned total = 0;
		for (int ch = 0; ch < NCH_N; ch++)
			for (struct ob_entry *e = o.head[ch]; e; e = e->next)
				total++;
		if (total != o.total || o.n_inc > OB_INCIDENTS)
			abort();
	}
	ob_close(&o);
	unlink(path);
	return 0;
}
