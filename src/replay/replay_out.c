/* replay_out: the replay's JSON Lines (docs/replay-format.md "Output").
 * Written by hand rather than through json-c so that times are printed
 * exactly (integer µs -> "812.400") and the output is byte-identical for a
 * given trace and seed. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "replay/replay_hist.h"
#include "replay/replay_internal.h"

static void put_str(FILE *f, const char *s)
{
	json_fput_str(f, s);
}

/* Virtual seconds with millisecond precision, from integer µs. */
static void put_time(FILE *f, uint64_t now)
{
	uint64_t ms = (now - REPLAY_T0_US + 500) / 1000;

	fprintf(f, "{\"t\":%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
}

static void put_scores(FILE *f, const struct decision *x)
{
	fputs(",\"scores\":{", f);
	for (unsigned i = 0; i < x->n_scores; i++) {
		if (i)
			fputc(',', f);
		put_str(f, x->scores[i].name);
		if (x->scores[i].score < 0)
			fputs(":null", f);
		else
			fprintf(f, ":%d", x->scores[i].score);
	}
	fputc('}', f);
}

static void put_kv(FILE *f, const char *key, const char *val)
{
	fprintf(f, ",\"%s\":", key);
	put_str(f, val);
}

/* An engine decision: the first choice is `active`; a move is `switch`
 * (its engine type kept as "type"); a hold and an operator action that
 * moves nothing are events of their own. A pre-emptive move names its
 * precursor kind ("precursor"); a hold that keeps traffic from a round trip
 * says "flap_prevented":true. */
void replay_out_decision(struct replay_sim *s, const struct decision *x)
{
	FILE *f = s->out;
	bool moves = x->type != DECIDE_HOLD && strcmp(x->from, x->to) != 0;

	if (s->hist)
		replay_hist_decision(s->hist, x);
	put_time(f, s->now);
	if (moves && !x->from[0]) {
		fputs(",\"event\":\"active\"", f);
		put_kv(f, "member", x->to);
	} else if (moves) {
		fputs(",\"event\":\"switch\"", f);
		put_kv(f, "type", decide_type_name(x->type));
		put_kv(f, "from", x->from);
		put_kv(f, "to", x->to);
		s->res.switches++;
	} else {
		put_kv(f, "event", decide_type_name(x->type));
		put_kv(f, "member", x->to);
		s->res.holds += x->type == DECIDE_HOLD;
	}
	put_kv(f, "reason", x->reason);
	if (x->precursor[0])
		put_kv(f, "precursor", x->precursor);
	if (x->flap_prevented)
		fputs(",\"flap_prevented\":true", f);
	put_scores(f, x);
	fputs("}\n", f);
}

/* A baseline policy's move (from < 0: its first choice). */
void replay_out_switch(struct replay_sim *s, int from, int to, const char *reason)
{
	FILE *f = s->out;

	put_time(f, s->now);
	if (from < 0) {
		fputs(",\"event\":\"active\"", f);
		put_kv(f, "member", s->m[to].def->name);
	} else {
		fputs(",\"event\":\"switch\",\"type\":\"switch\"", f);
		put_kv(f, "from", s->m[from].def->name);
		put_kv(f, "to", s->m[to].def->name);
		s->res.switches++;
	}
	put_kv(f, "reason", reason);
	fputs("}\n", f);
}

/* A member's telemetry verdict gained or lost a flag (what the daemon logs
 * as a "telemetry" event): explains the moves that follow. */
void replay_out_telemetry(struct replay_sim *s, unsigned i, const char *what, const char *reason)
{
	FILE *f = s->out;

	if (s->hist)
		replay_hist_telemetry(s->hist, i, what, reason);
	put_time(f, s->now);
	fputs(",\"event\":\"telemetry\"", f);
	put_kv(f, "member", s->m[i].def->name);
	put_kv(f, "what", what);
	put_kv(f, "reason", reason);
	fputs("}\n", f);
}

void replay_out_summary(struct replay_sim *s)
{
	FILE *f = s->out;

	fputs("{\"summary\":{", f);
	fputs("\"policy\":", f);
	put_str(f, replay_policy_name(s->o.policy));
	fprintf(f, ",\"seed\":%" PRIu64 ",\"switches\":%" PRIu64 ",\"holds\":%" PRIu64
		",\"virtual_s\":%.15g,\"wall_ms\":%.0f,\"probes\":%" PRIu64 ",\"events\":%" PRIu64,
		s->o.seed, s->res.switches, s->res.holds, s->res.virtual_s, s->res.wall_ms,
		s->res.probes, s->res.events);
	fputs(",\"members\":{", f);
	for (unsigned i = 0; i < s->n; i++) {
		const struct replay_member *m = &s->m[i];
		if (i)
			fputc(',', f);
		put_str(f, m->def->name);
		fprintf(f, ":{\"probes\":%" PRIu64 ",\"downs\":%" PRIu64
			",\"telemetry_polls\":%" PRIu64 "}", m->probes, m->downs, m->polls);
	}
	fputc('}', f);
	if (s->res.has_store) {
		const struct replay_hist_result *h = &s->res.store;
		double days = s->res.virtual_s / 86400;
		fprintf(f, ",\"store\":{\"rows\":%" PRId64 ",\"work_bytes\":%" PRId64
			",\"syncs\":%" PRIu64 ",\"flash_bytes\":%" PRIu64 ",\"flash_syncs\":%" PRIu64
			",\"flash_bytes_per_day\":%.0f,\"ok\":%s}", h->rows, h->work_bytes, h->syncs,
			h->flash_bytes, h->flash_syncs, days > 0 ? (double)h->flash_bytes / days : 0,
			h->error ? "false" : "true");
	}
	fputs("}}\n", f);
}
