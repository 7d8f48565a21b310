/* autonomyctl monitor --continuous: a live view that works over ssh. On a
 * terminal it redraws the member table every second with the latest events
 * under it; into a pipe or file it appends event lines and a table every
 * 10 s. With --json every message is one JSON line, as it arrives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/monitor.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_format.h"

#define MON_RECENT 10
#define MON_PIPE_TABLE_MS 10000

struct mon {
	bool json, tty;
	json_object *recent[MON_RECENT];
	unsigned n_recent, head;
	uint64_t last_table_ms;
};

static void remember(struct mon *m, json_object *ev)
{
	if (m->n_recent == MON_RECENT)
		json_object_put(m->recent[m->head]);
	else
		m->n_recent++;
	m->recent[m->head] = json_object_get(ev);
	m->head = (m->head + 1) % MON_RECENT;
}

static void redraw(struct mon *m, json_object *snap)
{
	json_object *members = NULL;
	char buf[32];
	json_object_object_get_ex(snap, "members", &members);
	fputs("\033[H\033[2J", stdout);
	printf("autonomy monitor  %s  active: %s  (Ctrl-C to quit)\n\n",
	       clock_iso8601(clock_wall_ms() / 1000, buf, sizeof(buf)),
	       json_get_str(snap, "active", "-"));
	ctl_format("members", members, stdout);
	if (m->n_recent)
		printf("\nrecent events\n");
	for (unsigned k = m->n_recent; k > 0; k--)
		ctl_format_event(m->recent[(m->head + MON_RECENT - k) % MON_RECENT], stdout);
}

static int on_message(void *arg, json_object *msg, bool first)
{
	struct mon *m = arg;
	const char *ev = json_get_str(msg, "event", NULL);
	uint64_t now = clock_mono_ms();
	if (m->json) {
		printf("%s\n", json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
	} else if (first) {
		json_object *events = NULL;
		json_object_object_get_ex(msg, "events", &events);
		for (size_t i = 0; events && i < json_object_array_length(events); i++)
			remember(m, json_object_array_get_idx(events, i));
		if (m->tty)
			redraw(m, msg);
		else
			ctl_format("monitor", msg, stdout);
		m->last_table_ms = now;
	} else if (ev && strcmp(ev, "members") == 0) {
		if (m->tty) {
			redraw(m, msg);
		} else if (now - m->last_table_ms >= MON_PIPE_TABLE_MS) {
			json_object *members = NULL;
			json_object_object_get_ex(msg, "members", &members);
			printf("\n");
			ctl_format("members", members, stdout);
			m->last_table_ms = now;
		}
	} else {
		remember(m, msg);
		if (!m->tty)
			ctl_format_event(msg, stdout);
	}
	fflush(stdout);
	return 0;
}

int cli_monitor(const char *sock, json_object *args, bool json, int timeout_ms,
		struct ctl_error *err)
{
	struct mon m = { .json = json, .tty = isatty(STDOUT_FILENO) && !json };
	const char *term = getenv("TERM");
	if (!term || strcmp(term, "dumb") == 0)
		m.tty = false;
	int rc = ctl_client_stream(sock, "monitor", args, timeout_ms, on_message, &m, err);
	for (unsigned i = 0; i < m.n_recent; i++)
		json_object_put(m.recent[i]);
	return rc;
}
