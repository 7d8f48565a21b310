/* replay_trace: the trace parser (format in docs/replay-format.md). Strict
 * where a mistake would silently change the simulation (types, ranges, time
 * order, unknown members), lenient where the format says so (unknown keys are
 * ignored). Any bad line stops the parse with "line N: what is wrong". */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "replay/replay_internal.h"

#define TRACE_FORMAT "autonomy-trace/1"
#define TRACE_MAX_BYTES (1024UL * 1024 * 1024)

static const char *const tel_names[REPLAY_TEL_N] = {
	[REPLAY_TEL_STARLINK] = "starlink", [REPLAY_TEL_CELLULAR] = "cellular",
	[REPLAY_TEL_WIFI] = "wifi", [REPLAY_TEL_GPS] = "gps",
};

static const char *const classes[] = { "starlink", "cellular", "wifi", "lan", "other" };

const char *replay_tel_name(enum replay_tel k)
{
	return (unsigned)k < REPLAY_TEL_N ? tel_names[k] : "?";
}

int replay_fail(struct replay_error *e, int line, const char *fmt, ...)
{
	va_list ap;

	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A finite JSON number (integer or not). */
bool replay_num(json_object *o, double *v)
{
	if (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int))
		return false;
	*v = json_object_get_double(o);
	return isfinite(*v);
}

static bool get_range(json_object *o, double lo, double hi, double *v)
{
	return replay_num(o, v) && *v >= lo && *v <= hi;
}

/* One line as a JSON object, or NULL with err set. */
static json_object *parse_json(json_tokener *tok, const char *s, size_t n, int line,
			       struct replay_error *err)
{
	if (memchr(s, '\0', n)) {
		replay_fail(err, line, "contains a NUL byte");
		return NULL;
	}
	json_tokener_reset(tok);
	json_object *o = json_tokener_parse_ex(tok, s, (int)n);
	enum json_tokener_error je = json_tokener_get_error(tok);
	if (je == json_tokener_continue) {
		replay_fail(err, line, "not JSON: incomplete");
	} else if (je != json_tokener_success) {
		replay_fail(err, line, "not JSON: %s", json_tokener_error_desc(je));
	} else if (json_tokener_get_parse_end(tok) != n) {
		replay_fail(err, line, "not JSON: trailing characters after the object");
	} else if (!json_object_is_type(o, json_type_object)) {
		replay_fail(err, line, "expected a JSON object");
	} else {
		return o;
	}
	json_object_put(o);
	return NULL;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= REPLAY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int parse_member_def(struct replay_trace *tr, json_object *o, unsigned i, int line,
			    struct replay_error *err)
{
	struct replay_member_def *m = &tr->members[i];
	json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return replay_fail(err, line, "members[%u]: expected an object", i);
	if (!json_object_object_get_ex(o, "name", &v) || !json_object_is_type(v, json_type_string) ||
	    !name_ok(json_object_get_string(v)))
		return replay_fail(err, line, "members[%u].name: must be a string of 1..%d printable bytes",
			    i, REPLAY_NAME_MAX - 1);
	snprintf(m->name, sizeof(m->name), "%s", json_object_get_string(v));
	for (unsigned k = 0; k < i; k++)
		if (strcmp(tr->members[k].name, m->name) == 0)
			return replay_fail(err, line, "members[%u].name: \"%s\" appears twice", i, m->name);
	snprintf(m->cls, sizeof(m->cls), "other");
	if (json_object_object_get_ex(o, "class", &v)) {
		const char *c = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
		size_t k = 0;
		while (k < sizeof(classes) / sizeof(classes[0]) && strcmp(c, classes[k]))
			k++;
		if (k == sizeof(classes) / sizeof(classes[0]))
			return replay_fail(err, line, "members[%u].class: must be one of starlink, cellular, "
				    "wifi, lan, other", i);
		snprintf(m->cls, sizeof(m->cls), "%s", classes[k]);
	}
	m->priority = (int)i + 1;
	if (json_object_object_get_ex(o, "priority", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < -1000000 ||
		    json_object_get_int64(v) > 1000000)
			return replay_fail(err, line, "members[%u].priority: must be an integer", i);
		m->priority = (int)json_object_get_int64(v);
	}
	if (json_object_object_get_ex(o, "metered", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return replay_fail(err, line, "members[%u].metered: must be true or false", i);
		m->metered = json_object_get_boolean(v);
	}
	/* Extension (other readers ignore it): a monthly data cap, in MB. */
	if (json_object_object_get_ex(o, "data_limit_mb", &v) &&
	    !get_range(v, 0, 1e9, &m->data_limit_mb))
		return replay_fail(err, line, "members[%u].data_limit_mb: must be a number from 0 to 1e9", i);
	return replay_rec_member(m, o, i, line, err);
}

static int parse_header(struct replay_trace *tr, json_object *o, int line,
			struct replay_error *err)
{
	json_object *v;
	double d;

	if (!json_object_object_get_ex(o, "format", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), TRACE_FORMAT) != 0)
		return replay_fail(err, line, "format: expected \"%s\" (is line 1 the header?)", TRACE_FORMAT);
	if (!json_object_object_get_ex(o, "duration_s", &v) || !replay_num(v, &d) || d <= 0 ||
	    d > REPLAY_MAX_DURATION_S)
		return replay_fail(err, line, "duration_s: must be a number > 0 and at most %.0f",
			    REPLAY_MAX_DURATION_S);
	tr->duration_s = d;
	tr->duration_us = (uint64_t)llround(d * 1e6);
	if (!json_object_object_get_ex(o, "members", &v) || !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) == 0 || json_object_array_length(v) > REPLAY_MAX_MEMBERS)
		return replay_fail(err, line, "members: must be an array of 1..%d members",
			    REPLAY_MAX_MEMBERS);
	/* Extension: written by a recording daemon (its engine's inputs). */
	tr->recorded = json_object_object_get_ex(o, "recorded", &v);
	json_object *cf;
	if (tr->recorded && json_object_object_get_ex(v, "config", &cf) &&
	    json_object_is_type(cf, json_type_string))
		snprintf(tr->recorded_config, sizeof(tr->recorded_config), "%s",
			 json_object_get_string(cf));
	json_object_object_get_ex(o, "members", &v);
	tr->n_members = (unsigned)json_object_array_length(v);
	for (unsigned i = 0; i < tr->n_members; i++)
		if (parse_member_def(tr, json_object_array_get_idx(v, i), i, line, err) < 0)
			return -1;
	return 0;
}

static int parse_path(struct replay_change *c, json_object *o, int line,
		      struct replay_error *err)
{
	static const struct { const char *key; unsigned bit; double hi; } keys[] = {
		{ "rtt_ms", REPLAY_HAS_RTT, 600000 },
		{ "jitter_ms", REPLAY_HAS_JITTER, 600000 },
		{ "loss", REPLAY_HAS_LOSS, 1 },
	};
	double *dst[] = { &c->path.rtt_ms, &c->path.jitter_ms, &c->path.loss };
	json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return replay_fail(err, line, "path: must be an object like {\"rtt_ms\":30,\"loss\":0}");
	for (unsigned k = 0; k < 3; k++) {
		if (!json_object_object_get_ex(o, keys[k].key, &v))
			continue;
		if (!get_range(v, 0, keys[k].hi, dst[k]))
			return replay_fail(err, line, "path.%s: must be a number from 0 to %g", keys[k].key,
				    keys[k].hi);
		c->has |= keys[k].bit;
	}
	return 0;
}

/* Telemetry: an object (kept as the patch) or null (clears the state). */
static int parse_tel(struct replay_change *c, json_object *o, int line,
		     struct replay_error *err)
{
	for (unsigned k = 0; k < REPLAY_TEL_N; k++) {
		json_object *v;
		if (!json_object_object_get_ex(o, tel_names[k], &v))
			continue;
		if (v && !json_object_is_type(v, json_type_object))
			return replay_fail(err, line, "%s: must be an object or null", tel_names[k]);
		c->tel_given |= 1u << k;
		c->tel[k] = json_object_get(v);
	}
	return 0;
}

static int find_member(const struct replay_trace *tr, const char *name)
{
	for (unsigned i = 0; i < tr->n_members; i++)
		if (strcmp(tr->members[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int parse_when_who(const struct replay_trace *tr, struct replay_change *c, json_object *o,
			  int line, double *prev_t, struct replay_error *err)
{
	json_object *v;
	double t;

	if (!json_object_object_get_ex(o, "t", &v) || !get_range(v, 0, REPLAY_MAX_DURATION_S, &t))
		return replay_fail(err, line, "t: must be a number of seconds from 0 to %.0f",
			    REPLAY_MAX_DURATION_S);
	if (t < *prev_t)
		return replay_fail(err, line, "t: %g is before the previous line's %g", t, *prev_t);
	*prev_t = t;
	c->t_us = (uint64_t)llround(t * 1e6);
	c->member = -1;
	if (json_object_object_get_ex(o, "member", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return replay_fail(err, line, "member: must be a string");
		c->member = find_member(tr, json_object_get_string(v));
		if (c->member < 0)
			return replay_fail(err, line, "member: \"%.40s\" is not in the header",
				    json_object_get_string(v));
	}
	return 0;
}

static int parse_change(struct replay_trace *tr, struct replay_change *c, json_object *o,
			int line, double *prev_t, struct replay_error *err)
{
	json_object *v;

	memset(c, 0, sizeof(*c));
	c->line = line;
	if (parse_when_who(tr, c, o, line, prev_t, err) < 0)
		return -1;
	if (json_object_object_get_ex(o, "wall", &v)) {
		if (!json_object_is_type(v, json_type_int))
			return replay_fail(err, line, "wall: must be an integer (Unix seconds)");
		c->wall = json_object_get_int64(v);
		c->has |= REPLAY_HAS_WALL;
	}
	if (json_object_object_get_ex(o, "path", &v) && parse_path(c, v, line, err) < 0)
		return -1;
	/* Extension: the member's data used this cycle (what the kernel's
	 * counters would say), for data-cap rules. */
	if (json_object_object_get_ex(o, "usage_mb", &v)) {
		if (!get_range(v, 0, 1e12, &c->usage_mb))
			return replay_fail(err, line, "usage_mb: must be a number from 0 to 1e12");
		c->has |= REPLAY_HAS_USAGE;
	}
	if (json_object_object_get_ex(o, "carrier", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return replay_fail(err, line, "carrier: must be true or false");
		c->carrier = json_object_get_boolean(v);
		c->has |= REPLAY_HAS_CARRIER;
	}
	if (parse_tel(c, o, line, err) < 0 || replay_rec_change(c, o, line, err) < 0)
		return -1;
	bool member_keys = (c->has & ~REPLAY_HAS_WALL) || c->tel_given;
	if (c->member < 0 && c->rec.has)
		return 0;       /* the operator's "manual":"auto" */
	if (c->member < 0 && (member_keys || !(c->has & REPLAY_HAS_WALL)))
		return replay_fail(err, line, "member: missing (only a wall line may leave it out)");
	return 0;
}

static void change_free(struct replay_change *c)
{
	for (unsigned k = 0; k < REPLAY_TEL_N; k++)
		json_object_put(c->tel[k]);
	memset(c->tel, 0, sizeof(c->tel));
}

static struct replay_change *change_slot(struct replay_trace *tr)
{
	if (tr->n_changes == tr->cap) {
		size_t cap = tr->cap ? tr->cap * 2 : 64;
		struct replay_change *n = realloc(tr->changes, cap * sizeof(*n));
		if (!n)
			return NULL;
		tr->changes = n;
		tr->cap = cap;
	}
	return &tr->changes[tr->n_changes];
}

/* One physical line (without its newline). */
static int parse_line(struct replay_trace *tr, json_tokener *tok, const char *s, size_t n,
		      int line, double *prev_t, struct replay_error *err)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	size_t lead = 0;
	while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
		lead++;
	if (lead == n)      /* blank lines between changes are allowed */
		return tr->n_members ? 0 : replay_fail(err, line, "expected the header, found an empty line");
	json_object *o = parse_json(tok, s + lead, n - lead, line, err);
	if (!o)
		return -1;
	int rc;
	if (tr->n_members == 0) {
		rc = parse_header(tr, o, line, err);
	} else {
		struct replay_change *c = change_slot(tr);
		rc = c ? parse_change(tr, c, o, line, prev_t, err) : replay_fail(err, line, "out of memory");
		if (c && rc == 0)
			tr->n_changes++;
		else if (c)
			change_free(c);
	}
	json_object_put(o);
	return rc;
}

int replay_trace_parse(struct replay_trace *tr, const char *buf, size_t len,
		       struct replay_error *err)
{
	json_tokener *tok = json_tokener_new();
	double prev_t = 0;
	int line = 0, rc = 0;

	memset(tr, 0, sizeof(*tr));
	memset(err, 0, sizeof(*err));
	if (!tok)
		return replay_fail(err, 0, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT
#ifdef JSON_TOKENER_VALIDATE_UTF8
			       | JSON_TOKENER_VALIDATE_UTF8
#endif
			       );
	for (size_t pos = 0; pos < len && rc == 0;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		rc = parse_line(tr, tok, buf + pos, end - pos, ++line, &prev_t, err);
		pos = end + 1;
	}
	json_tokener_free(tok);
	if (rc == 0 && tr->n_members == 0)
		rc = replay_fail(err, line ? line : 1, "no header line (an empty trace)");
	if (rc < 0)
		replay_trace_free(tr);
	return rc;
}

int replay_trace_load(struct replay_trace *tr, const char *path, struct replay_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	memset(tr, 0, sizeof(*tr));
	if (!f)
		return replay_fail(err, 0, "cannot open: %s", strerror(errno));
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			char *n = cap <= TRACE_MAX_BYTES ? realloc(buf, cap) : NULL;
			if (!n) {
				free(buf);
				fclose(f);
				return replay_fail(err, 0, "too large or out of memory");
			}
			buf = n;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	int rc = bad ? replay_fail(err, 0, "read error") : replay_trace_parse(tr, buf, len, err);
	free(buf);
	return rc;
}

void replay_trace_free(struct replay_trace *tr)
{
	for (size_t i = 0; i < tr->n_changes; i++)
		change_free(&tr->changes[i]);
	free(tr->changes);
	memset(tr, 0, sizeof(*tr));
}
