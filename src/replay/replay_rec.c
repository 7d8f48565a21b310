/* replay_rec: the extension keys a recording daemon writes (docs/replay.md
 * "Recording"; daemon/record.c writes them): on the header `recorded` and
 * per member `enabled`, `targets`, `link`; on a line `probe`, `link`, `eval`
 * and `manual`. Other readers ignore them, as the contract allows. */
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "engine/detect.h"
#include "engine/mstate.h"
#include "replay/replay_internal.h"

static const char *const links[] = {
	[DETECT_LINK_UP] = "up", [DETECT_LINK_NO_CARRIER] = "no_carrier",
	[DETECT_LINK_ADMIN_DOWN] = "admin_down", [DETECT_LINK_MISSING] = "missing",
	[DETECT_LINK_IFDOWN] = "ifdown",
};
static const char *const results[] = {
	[MSTATE_REPLY] = "reply", [MSTATE_LOST] = "lost", [MSTATE_LATE] = "late",
	[MSTATE_SEND_ERR] = "send_error",
};
static const char *const manuals[] = {
	[REPLAY_MANUAL_ONCE] = "once", [REPLAY_MANUAL_PIN] = "pin", [REPLAY_MANUAL_AUTO] = "auto",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int find(const char *const *names, size_t n, json_object *v)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *replay_link_name(int link)
{
	return link >= 0 && (size_t)link < N(links) ? links[link] : "?";
}

int replay_link_parse(const char *s)
{
	for (size_t i = 0; s && i < N(links); i++)
		if (strcmp(s, links[i]) == 0)
			return (int)i;
	return -1;
}

int replay_rec_member(struct replay_member_def *m, json_object *o, unsigned i, int line,
		      struct replay_error *err)
{
	json_object *v;
	double x;

	m->enabled = true;
	m->link = -1;
	if (json_object_object_get_ex(o, "enabled", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return replay_fail(err, line, "members[%u].enabled: must be true or false", i);
		m->enabled = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "targets", &v)) {
		if (!replay_num(v, &x) || x < 1 || x > 64 || x != floor(x))
			return replay_fail(err, line, "members[%u].targets: must be 1..64", i);
		m->targets = (unsigned)x;
	}
	if (json_object_object_get_ex(o, "link", &v) && (m->link = find(links, N(links), v)) < 0)
		return replay_fail(err, line, "members[%u].link: must be up, no_carrier, "
				   "admin_down, missing or ifdown", i);
	return 0;
}

static int parse_probe(struct replay_rec *r, json_object *o, int line, struct replay_error *err)
{
	json_object *v;
	double x;
	int k;

	if (!json_object_is_type(o, json_type_object))
		return replay_fail(err, line, "probe: must be an object");
	if (json_object_object_get_ex(o, "fire", &v) && json_object_get_boolean(v))
		r->has |= REPLAY_REC_FIRE;
	if (json_object_object_get_ex(o, "tick", &v) && json_object_get_boolean(v))
		r->has |= REPLAY_REC_TICK;
	if (json_object_object_get_ex(o, "load", &v)) {
		if (!replay_num(v, &x) || x < 0 || x > 100000)
			return replay_fail(err, line, "probe.load: must be a number from 0 to 100000");
		r->load = (int)x;
	}
	if (!json_object_object_get_ex(o, "result", &v))
		return 0;
	if ((k = find(results, N(results), v)) < 0)
		return replay_fail(err, line, "probe.result: must be reply, lost, late or send_error");
	r->result = (uint8_t)k;
	if (!json_object_object_get_ex(o, "sent", &v) || !replay_num(v, &x) || x < 0 ||
	    x > REPLAY_MAX_DURATION_S)
		return replay_fail(err, line, "probe.sent: must be a time in seconds");
	r->sent_us = (uint64_t)llround(x * 1e6);
	r->rtt_us = 0;
	if (json_object_object_get_ex(o, "rtt_us", &v)) {
		if (!replay_num(v, &x) || x < 0 || x > UINT32_MAX)
			return replay_fail(err, line, "probe.rtt_us: must be a number of µs");
		r->rtt_us = (uint32_t)x;
	}
	r->has |= REPLAY_REC_RESULT;
	return 0;
}

int replay_rec_change(struct replay_change *c, json_object *o, int line, struct replay_error *err)
{
	struct replay_rec *r = &c->rec;
	json_object *v;
	int k = -1;

	r->load = -1;
	if (json_object_object_get_ex(o, "probe", &v) && parse_probe(r, v, line, err) < 0)
		return -1;
	if (json_object_object_get_ex(o, "link", &v)) {
		if ((k = find(links, N(links), v)) < 0)
			return replay_fail(err, line, "link: must be up, no_carrier, admin_down, missing or ifdown");
		r->link = (uint8_t)k;
		r->has |= REPLAY_REC_LINK;
	}
	if (json_object_object_get_ex(o, "eval", &v) && json_object_get_boolean(v))
		r->has |= REPLAY_REC_EVAL;
	if (json_object_object_get_ex(o, "manual", &v)) {
		if ((k = find(manuals, N(manuals), v)) < 0)
			return replay_fail(err, line, "manual: must be once, pin or auto");
		r->manual = (uint8_t)k;
		r->has |= REPLAY_REC_MANUAL;
	}
	/* Only the operator's return to automatic selection names no member. */
	if (r->has && c->member < 0 &&
	    !(r->has == REPLAY_REC_MANUAL && r->manual == REPLAY_MANUAL_AUTO))
		return replay_fail(err, line, "member: missing");
	return 0;
}
