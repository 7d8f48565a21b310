/* libFuzzer target for the replay trace parser (replay/replay_trace.c) and,
 * for short traces, the whole replay on what it parsed: any bytes must parse
 * or fail with a line number, and a parsed trace must replay without a crash
 * or a leak (a daemon's recording is played back). Seed corpus:
 * corpus/replay_trace/ (from tests/replay/traces, and a recording). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "replay/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parser's promises, and every telemetry patch merged into a state as
 * the replay does. */
static void check_and_merge(const struct replay_trace *tr)
{
	json_object *st[REPLAY_MAX_MEMBERS][REPLAY_TEL_N] = { { NULL } };

	if (tr->n_members == 0 || tr->n_members > REPLAY_MAX_MEMBERS || tr->duration_us == 0)
		__builtin_trap();
	for (size_t i = 0; i < tr->n_changes; i++) {
		const struct replay_change *c = &tr->changes[i];
		if (c->line < 2 || (i && c->t_us < tr->changes[i - 1].t_us))
			__builtin_trap();
		if (c->member < 0 && c->rec.has) {
			/* a recording's "manual":"auto" is the one other line without a member */
			if (c->rec.has != REPLAY_REC_MANUAL || c->rec.manual != REPLAY_MANUAL_AUTO)
				__builtin_trap();
			continue;
		}
		if (c->member < 0) {
			if (!(c->has & REPLAY_HAS_WALL) || c->tel_given || (c->has & ~REPLAY_HAS_WALL))
				__builtin_trap();
			continue;
		}
		if ((unsigned)c->member >= tr->n_members)
			__builtin_trap();
		for (unsigned k = 0; k < REPLAY_TEL_N; k++)
			if (c->tel_given & (1u << k))
				replay_tel_apply(&st[c->member][k], c->tel[k]);
	}
	for (unsigned m = 0; m < REPLAY_MAX_MEMBERS; m++)
		for (unsigned k = 0; k < REPLAY_TEL_N; k++)
			json_object_put(st[m][k]);
}

/* Short traces run through the simulation (autonomy or a baseline). */
static void run_short(const struct replay_trace *tr, size_t size)
{
	struct replay_opts o;
	char *buf = NULL;
	size_t len = 0;

	if (tr->duration_s > 20 || tr->n_changes > 64)
		return;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	replay_opts_default(&o);
	o.policy = (enum replay_policy)(size % 4);
	o.seed = size;
	int rc = replay_run(tr, &o, f, NULL);
	fclose(f);
	if (rc == 0 && (!buf || !strstr(buf, "{\"summary\":")))
		__builtin_trap();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_trace tr;
	struct replay_error err;

	if (replay_trace_parse(&tr, (const char *)data, size, &err) != 0) {
		if (err.msg[0] == '\0' || !memchr(err.msg, '\0', sizeof(err.msg)) || err.line < 0 ||
		    tr.n_changes || tr.changes || tr.n_members)
			__builtin_trap();
		return 0;
	}
	check_and_merge(&tr);
	run_short(&tr, size);
	replay_trace_free(&tr);
	return 0;
}
