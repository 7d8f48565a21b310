/* snmp_mib: AUTONOMY-MIB's objects from the views (snmp_mib.h). Generated
 * scalars first, then the table column by column, which is already the
 * lexicographic order a GETNEXT walk follows. */
#include "export/snmp_mib.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"

enum { COL_NAME = 2, COL_STATE, COL_SCORE, COL_LATENCY, COL_LOSS, COL_ACTIVE, COL_DEVICE,
       COL_END };

static struct snmp_mib_obj *next(struct snmp_mib_obj *out, size_t max, size_t *n,
				 const uint32_t *sub, size_t n_sub, enum snmp_mib_type t)
{
	if (*n >= max)
		return NULL;
	struct snmp_mib_obj *o = &out[(*n)++];
	memset(o, 0, sizeof(*o));
	memcpy(o->sub, sub, n_sub * sizeof(*sub));
	o->n_sub = n_sub;
	o->type = t;
	return o;
}

static void scalar_str(struct snmp_mib_obj *out, size_t max, size_t *n, uint32_t id,
		       const char *v)
{
	uint32_t sub[] = { 1, id, 0 };
	struct snmp_mib_obj *o = next(out, max, n, sub, 3, SMT_STR);
	if (o)
		snprintf(o->str, sizeof(o->str), "%s", v ? v : "");
}

static void scalar_num(struct snmp_mib_obj *out, size_t max, size_t *n, uint32_t id,
		       enum snmp_mib_type t, int64_t v)
{
	uint32_t sub[] = { 1, id, 0 };
	struct snmp_mib_obj *o = next(out, max, n, sub, 3, t);
	if (o)
		o->num = v;
}

static int state_code(const char *s)
{
	static const char *const names[] = { "up", "degraded", "down" };
	for (int i = 0; i < 3; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i + 1;
	return 4;
}

/* A figure clamped into an unsigned 32-bit gauge; unknown = 0. */
static int64_t gauge(double v, double scale)
{
	if (!isfinite(v) || v < 0)
		return 0;
	v = round(v * scale);
	return v > 4294967295.0 ? 4294967295LL : (int64_t)v;
}

static void cell(struct snmp_mib_obj *o, int col, json_object *m)
{
	switch (col) {
	case COL_NAME:
		o->type = SMT_STR;
		snprintf(o->str, sizeof(o->str), "%s", json_get_str(m, "name", ""));
		break;
	case COL_DEVICE:
		o->type = SMT_STR;
		snprintf(o->str, sizeof(o->str), "%s", json_get_str(m, "device", ""));
		break;
	case COL_STATE:
		o->num = state_code(json_get_str(m, "state", NULL));
		break;
	case COL_SCORE:
		o->num = (int64_t)json_get_num(m, "health_score", -1);
		break;
	case COL_LATENCY:
		o->type = SMT_GAUGE;
		o->num = gauge(json_get_num(m, "latency_ms", NAN), 1000);
		break;
	case COL_LOSS:
		o->type = SMT_GAUGE;
		o->num = gauge(json_get_num(m, "loss_pct", NAN), 100);
		break;
	case COL_ACTIVE:
		o->num = json_get_bool(m, "active", 0) ? 1 : 2;
		break;
	}
}

size_t snmp_mib_build(json_object *status, json_object *members, uint64_t failovers,
		      struct snmp_mib_obj *out, size_t max)
{
	size_t n = 0, rows = members ? json_object_array_length(members) : 0;
	scalar_str(out, max, &n, 1, json_get_str(status, "active_member", ""));
	scalar_num(out, max, &n, 2, SMT_COUNTER, (int64_t)(failovers & 0xffffffffu));
	scalar_num(out, max, &n, 3, SMT_TICKS,
		   (int64_t)fmod(json_get_num(status, "uptime_s", 0) * 100, 4294967296.0));
	scalar_num(out, max, &n, 4, SMT_INT, (int64_t)rows);
	scalar_str(out, max, &n, 5, json_get_str(status, "version", ""));
	for (int col = COL_NAME; col < COL_END; col++)
		for (size_t r = 0; r < rows; r++) {
			uint32_t sub[] = { 2, 1, (uint32_t)col, (uint32_t)(r + 1) };
			struct snmp_mib_obj *o = next(out, max, &n, sub, 4, SMT_INT);
			if (o)
				cell(o, col, json_object_array_get_idx(members, r));
		}
	return n;
}

int snmp_mib_cmp(const struct snmp_mib_obj *o, const uint32_t *sub, size_t n)
{
	for (size_t i = 0; i < o->n_sub && i < n; i++)
		if (o->sub[i] != sub[i])
			return o->sub[i] < sub[i] ? -1 : 1;
	return o->n_sub < n ? -1 : o->n_sub > n ? 1 : 0;
}

size_t snmp_mib_parse_oid(const char *s, uint32_t *arcs, size_t max)
{
	size_t n = 0;
	while (s && *s == '.') {
		char *end;
		if (s[1] < '0' || s[1] > '9' || n == max)
			return 0;
		errno = 0;
		unsigned long v = strtoul(s + 1, &end, 10);
		if (errno || v > 0xffffffffUL)
			return 0;
		arcs[n++] = (uint32_t)v;
		s = end;
	}
	return s && !*s && n >= 2 ? n : 0;
}
