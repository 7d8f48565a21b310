/* cell_src: the run loop of a cellular source (contract in cell_src.h). A
 * cycle walks the chosen tool's plan (cell_src_plan.c), one child at a
 * time, each command's output parsed into a scratch copy of the sample and
 * kept only if the command worked. Before a tool is chosen, the cycle tries
 * the candidates in order and keeps the first one any command of which
 * worked. The callback is delivered from a zero timer, so it never runs
 * inside cell_src_poll and the source may be freed or polled from it. */
#include "cellular/cell_src_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#define DEFAULT_TIMEOUT_MS 5000u
#define MAX_OUTPUT (64u * 1024)
#define REDETECT_AFTER 3        /* cycles in a row with every command failed */
#define QUOTE_MAX 60

static void advance(struct cell_src *c);

static void copy_opt(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* The configured path wins; otherwise the tool on PATH, if any. */
static void resolve(struct cell_src *c, int tool, const char *configured)
{
	if (configured && *configured)
		copy_opt(c->path[tool], sizeof(c->path[tool]), configured);
	else if (proc_which(cell_tool_names[tool], c->path[tool], sizeof(c->path[tool])) < 0)
		c->path[tool][0] = '\0';
}

static void forget_tool(struct cell_src *c)
{
	c->tool = CT_NONE;
	c->modem = c->modem_opt;
	memset(&c->id, 0, sizeof(c->id));
	c->id.bearer = -1;
	c->vendor = -1;
	c->vendor_bad = 0;
	c->setup_done = c->signal_off = c->mm_at_bad = c->creg_only = false;
	c->signal_strikes = 0;
	c->failed_cycles = 0;
}

/* ---- the end of a cycle ---------------------------------------------------- */

static void on_done_ev(evutil_socket_t fd, short what, void *arg)
{
	struct cell_src *c = arg;
	/* copies: the callback may poll again (reusing c) or free c */
	struct cell_sample s = c->sample;
	struct cell_src_info info = c->info;
	cell_src_cb cb = c->cb;
	void *cb_arg = c->arg;
	(void)fd, (void)what;
	c->running = false;
	cb(cb_arg, &s, &info);
}

static void finish(struct cell_src *c)
{
	c->info.took_us = clock_mono_us() - c->t0;
	c->info.tool = c->tool == CT_NONE ? "none" : cell_tool_names[c->tool];
	if (c->tool == CT_NONE) {
		c->info.ok = false;
		c->info.failed = c->info.commands;
		snprintf(c->info.error, sizeof(c->info.error), "no tool works: %.144s",
			 c->detect_err[0] ? c->detect_err : "none found");
	} else {
		c->info.ok = c->ok_cmds > 0;
		c->info.failed = c->failed_cmds;
		if (c->ok_cmds)
			c->failed_cycles = 0;
		else if (++c->failed_cycles >= REDETECT_AFTER) {
			log_notice("cellular %s: every %s command failed %d cycles in a row (%s); "
				   "detecting the tool again", c->member, cell_tool_names[c->tool],
				   REDETECT_AFTER, c->info.error);
			forget_tool(c);
		}
	}
	static const struct timeval now = { 0, 0 };
	event_add(c->ev_done, &now);
}

/* ---- detection ---------------------------------------------------------------- */

static void note_candidate(struct cell_src *c, int tool, const char *why)
{
	size_t used = strlen(c->detect_err);
	snprintf(c->detect_err + used, sizeof(c->detect_err) - used, "%s%s: %s",
		 used ? "; " : "", cell_tool_names[tool], why);
}

/* The next candidate that could run, as the tool of this cycle; false when
 * none is left. */
static bool next_candidate(struct cell_src *c)
{
	while (++c->cand < CT_N) {
		if (!c->path[c->cand][0]) {
			note_candidate(c, c->cand, "not found");
			continue;
		}
		if ((c->cand == CT_UQMI || c->cand == CT_QMICLI) && !c->qmi_device[0]) {
			note_candidate(c, c->cand, "no qmi_device");
			continue;
		}
		c->tool = c->cand;
		c->step = 0;
		c->ok_cmds = c->failed_cmds = 0;
		c->info.error[0] = '\0';
		cell_sample_init(&c->sample);
		return true;
	}
	return false;
}

static void chose(struct cell_src *c)
{
	c->detecting = false;
	c->failed_cycles = 0;
	if (c->tool == CT_MMCLI)
		log_info("cellular %s: using mmcli, modem %d (%s %s)", c->member, c->modem,
			 c->id.manufacturer[0] ? c->id.manufacturer : "?", c->id.model);
	else if (c->tool == CT_GSMCTL)
		log_info("cellular %s: using gsmctl (AT), vendor %s", c->member,
			 cell_vendor_name(c->vendor));
	else
		log_info("cellular %s: using %s on %s", c->member, cell_tool_names[c->tool],
			 c->qmi_device);
}

/* The tool's plan is done for this cycle. */
static bool tool_done(struct cell_src *c)
{
	if (!c->detecting)
		return false;
	if (c->ok_cmds) {
		chose(c);
		return false;
	}
	note_candidate(c, c->tool, c->info.error[0] ? c->info.error : "no answer");
	forget_tool(c);
	return next_candidate(c);
}

/* ---- one command ---------------------------------------------------------------- */

/* "mmcli -m 0 --signal-get -J" (the tool's name, not its path). */
static void label(const struct cell_cmd *cmd, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < cmd->argc && o + 1 < size; i++) {
		int n = snprintf(buf + o, size - o, "%s%s", i ? " " : "", cmd->args[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* The first non-blank line of len bytes, printable ASCII (other bytes
 * as '?'), cut short for a message. */
static void first_line(const char *text, size_t len, char *buf, size_t size)
{
	size_t i = 0, o = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
		i++;
	for (; i < len && text[i] != '\n' && o + 1 < size && o < QUOTE_MAX; i++)
		buf[o++] = (unsigned char)text[i] < 0x20 || (unsigned char)text[i] >= 0x7f ? '?' : text[i];
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
}

/* Why a finished child did not give output to parse; NULL if it did. */
static const char *proc_failure(const struct cell_src *c, const struct proc_result *r,
				char *buf, size_t size)
{
	char line[QUOTE_MAX + 1];
	switch (r->end) {
	case PROC_SPAWN_FAILED:
		snprintf(buf, size, "cannot run: %s", strerror(r->err));
		return buf;
	case PROC_TIMEOUT:
		snprintf(buf, size, "timed out after %u ms", c->timeout_ms);
		return buf;
	case PROC_SIGNALED:
		snprintf(buf, size, "killed by signal %d", r->status);
		return buf;
	case PROC_EXITED:
		break;
	}
	if (r->status != 0) {
		if (r->errout && r->errout[0])
			first_line(r->errout, strlen(r->errout), line, sizeof(line));
		else
			first_line(r->out ? r->out : "", r->out ? r->out_len : 0, line, sizeof(line));
		snprintf(buf, size, "exit %d%s%s", r->status, line[0] ? ": " : "", line);
		return buf;
	}
	first_line(r->out ? r->out : "", r->out ? r->out_len : 0, line, sizeof(line));
	if (!line[0]) {
		snprintf(buf, size, "printed nothing");
		return buf;
	}
	return NULL;
}

static void record(struct cell_src *c, const char *why)
{
	if (!why) {
		c->ok_cmds++;
		return;
	}
	char what[96];
	label(&c->cmd, what, sizeof(what));
	if (c->cmd.optional) {
		log_debug("cellular %s: %s: %s", c->member, what, why);
		return;
	}
	c->failed_cmds++;
	if (!c->info.error[0])
		snprintf(c->info.error, sizeof(c->info.error), "%s: %s", what, why);
}

static void on_proc(void *arg, const struct proc_result *r)
{
	struct cell_src *c = arg;
	char buf[128], line[QUOTE_MAX + 1];
	c->child = NULL;
	const char *why = proc_failure(c, r, buf, sizeof(buf));
	if (!why) {
		struct cell_sample tmp = c->sample;
		why = c->cmd.parse(c, r->out, r->out_len, &tmp);
		if (!why)
			c->sample = tmp;
		else if (!strcmp(why, "unrecognised output")) {
			first_line(r->out, r->out_len, line, sizeof(line));
			snprintf(buf, sizeof(buf), "unrecognised output '%s'", line);
			why = buf;
		}
	}
	record(c, why);
	cell_plan_done(c, why == NULL);
	/* a gate's failure ends the tool's plan (no step follows -1); so does
	 * any timeout: a tool that hung once would hang the next command too,
	 * and a cycle must not cost a timeout per command */
	if ((why && c->cmd.gate) || r->end == PROC_TIMEOUT)
		c->step = -1;
	advance(c);
}

/* 0: a child runs; -1: it could not start (recorded as a failure). */
static int start(struct cell_src *c)
{
	struct proc_opts po = { .timeout_ms = c->timeout_ms, .max_output = MAX_OUTPUT };
	char *argv[CELL_ARGS + 1];
	memcpy(argv, c->cmd.argv, sizeof(argv));
	argv[0] = c->path[c->tool];
	c->info.commands++;
	c->child = proc_spawn(c->base, argv, &po, on_proc, c);
	if (c->child)
		return 0;
	char buf[96];
	snprintf(buf, sizeof(buf), "cannot start: %s", strerror(errno));
	record(c, buf);
	cell_plan_done(c, false);
	if (c->cmd.gate)
		c->step = -1;
	return -1;
}

static void advance(struct cell_src *c)
{
	for (;;) {
		if (c->tool != CT_NONE && c->step >= 0 && cell_plan_next(c)) {
			if (start(c) == 0)
				return;
			continue;
		}
		if (c->tool != CT_NONE && tool_done(c))
			continue;       /* the next candidate */
		if (c->tool == CT_NONE && c->detecting && next_candidate(c))
			continue;
		finish(c);
		return;
	}
}

/* ---- API ------------------------------------------------------------------------ */

struct cell_src *cell_src_new(struct event_base *base, const struct cell_src_opts *o,
			      cell_src_cb cb, void *arg)
{
	if (!base || !o || !cb || !o->member || !*o->member) {
		errno = EINVAL;
		return NULL;
	}
	struct cell_src *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ev_done = evtimer_new(base, on_done_ev, c);
	if (!c->ev_done) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->base = base;
	c->cb = cb;
	c->arg = arg;
	copy_opt(c->member, sizeof(c->member), o->member);
	copy_opt(c->qmi_device, sizeof(c->qmi_device), o->qmi_device);
	c->modem_opt = o->modem < 0 ? -1 : o->modem;
	c->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	resolve(c, CT_MMCLI, o->mmcli);
	resolve(c, CT_UQMI, o->uqmi);
	resolve(c, CT_QMICLI, o->qmicli);
	resolve(c, CT_GSMCTL, o->gsmctl);
	forget_tool(c);
	return c;
}

int cell_src_poll(struct cell_src *c)
{
	if (c->running)
		return 1;
	c->running = true;
	c->t0 = clock_mono_us();
	memset(&c->info, 0, sizeof(c->info));
	c->detect_err[0] = '\0';
	c->ok_cmds = c->failed_cmds = 0;
	c->step = 0;
	c->signal_empty = false;
	cell_sample_init(&c->sample);
	c->detecting = c->tool == CT_NONE;
	c->cand = -1;
	advance(c);
	return 0;
}

void cell_src_free(struct cell_src *c)
{
	if (!c)
		return;
	if (c->child)
		proc_cancel(c->child);
	event_free(c->ev_done);
	free(c);
}

const char *cell_src_tool(const struct cell_src *c)
{
	return c->tool == CT_NONE || c->detecting ? NULL : cell_tool_names[c->tool];
}
