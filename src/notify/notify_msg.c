/* notify_msg: alerts as values and as JSON (notify_msg.h). */
#include "notify/notify_msg.h"

#include <stdlib.h>
#include <string.h>

static const char *const action_names[NA_N] = {
	"open", "update", "resolve", "alert", "digest", "test",
};

const char *notify_action_name(enum notify_action a)
{
	return a < NA_N ? action_names[a] : "?";
}

int notify_action_parse(const char *s)
{
	for (int i = 0; s && i < NA_N; i++)
		if (strcmp(s, action_names[i]) == 0)
			return i;
	return -1;
}

struct notify_msg *notify_msg_new(void)
{
	struct notify_msg *m = calloc(1, sizeof(*m));
	if (m)
		m->refs = 1;
	return m;
}

struct notify_msg *notify_msg_ref(struct notify_msg *m)
{
	if (m)
		m->refs++;
	return m;
}

void notify_msg_unref(struct notify_msg *m)
{
	if (!m || --m->refs > 0)
		return;
	free(m->text);
	json_object_put(m->events);
	free(m);
}

void notify_key_slug(const char *key, char *out, size_t size)
{
	size_t i = 0;
	for (; key[i] && i + 1 < size; i++) {
		char c = key[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '-';
		out[i] = ok ? c : '-';
	}
	if (size)
		out[i] = '\0';
}

json_object *notify_msg_json(const struct notify_msg *m)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64((int64_t)m->id));
	json_object_object_add(o, "ts", json_object_new_int64(m->wall_ms));
	json_object_object_add(o, "severity", json_object_new_string(ev_severity_name(m->sev)));
	json_object_object_add(o, "incident_severity",
			       json_object_new_string(ev_severity_name(m->inc_sev)));
	json_object_object_add(o, "action", json_object_new_string(notify_action_name(m->action)));
	if (m->opened_now)
		json_object_object_add(o, "opened_now", json_object_new_boolean(1));
	if (m->quiet)
		json_object_object_add(o, "quiet", json_object_new_boolean(1));
	json_object_object_add(o, "key", json_object_new_string(m->key));
	json_object_object_add(o, "opened", json_object_new_int64(m->opened_ms));
	json_object_object_add(o, "update", json_object_new_int64(m->update));
	json_object_object_add(o, "member", m->member[0] ? json_object_new_string(m->member) : NULL);
	json_object_object_add(o, "title", json_object_new_string(m->title));
	json_object_object_add(o, "text", json_object_new_string(m->text ? m->text : ""));
	json_object_object_add(o, "events", m->events ? json_object_get(m->events) :
			       json_object_new_array());
	json_object_object_add(o, "more", json_object_new_int64(m->more));
	return o;
}

/* ---- strict reading ---- */

static json_object *field(json_object *o, const char *k, json_type t)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static bool get_int(json_object *o, const char *k, int64_t lo, int64_t hi, int64_t *out)
{
	json_object *v = field(o, k, json_type_int);
	if (!v)
		return false;
	int64_t x = json_object_get_int64(v);
	if (x < lo || x > hi)
		return false;
	*out = x;
	return true;
}

static bool get_str(json_object *o, const char *k, char *out, size_t size, bool may_be_null)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, k, &v))
		return false;
	if (!v && may_be_null) {
		out[0] = '\0';
		return true;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) >= size)
		return false;
	memcpy(out, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
	return strlen(out) == (size_t)json_object_get_string_len(v);      /* no NUL inside */
}

static bool get_bool_opt(json_object *o, const char *k, bool *out)
{
	json_object *v = NULL;
	*out = false;
	if (!json_object_object_get_ex(o, k, &v))
		return true;
	if (!json_object_is_type(v, json_type_boolean))
		return false;
	*out = json_object_get_boolean(v);
	return true;
}

static bool get_sev(json_object *o, const char *k, enum ev_severity *out)
{
	json_object *v = field(o, k, json_type_string);
	int s = v ? ev_severity_parse(json_object_get_string(v)) : -1;
	if (s < 0)
		return false;
	*out = (enum ev_severity)s;
	return true;
}

/* Events as the bus made them: objects; at most NOTIFY_MSG_EVENTS. */
static bool events_ok(json_object *a)
{
	size_t n = json_object_array_length(a);
	if (n > NOTIFY_MSG_EVENTS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_object))
			return false;
	return true;
}

struct notify_msg *notify_msg_parse(json_object *o)
{
	int64_t id, ts, opened, update, more;
	json_object *act = field(o, "action", json_type_string);
	json_object *text = field(o, "text", json_type_string);
	json_object *events = field(o, "events", json_type_array);
	struct notify_msg *m = notify_msg_new();
	int a = act ? notify_action_parse(json_object_get_string(act)) : -1;
	if (!m || !json_object_is_type(o, json_type_object) || a < 0 || !text || !events ||
	    json_object_get_string_len(text) >= NOTIFY_TEXT_MAX || !events_ok(events) ||
	    !get_int(o, "id", 1, INT64_MAX, &id) || !get_int(o, "ts", 0, INT64_MAX, &ts) ||
	    !get_int(o, "opened", 0, INT64_MAX, &opened) ||
	    !get_int(o, "update", 0, 1000000, &update) || !get_int(o, "more", 0, 1000000, &more) ||
	    !get_sev(o, "severity", &m->sev) || !get_sev(o, "incident_severity", &m->inc_sev) ||
	    !get_bool_opt(o, "opened_now", &m->opened_now) || !get_bool_opt(o, "quiet", &m->quiet) ||
	    !get_str(o, "key", m->key, sizeof(m->key), false) ||
	    !get_str(o, "member", m->member, sizeof(m->member), true) ||
	    !get_str(o, "title", m->title, sizeof(m->title), false)) {
		notify_msg_unref(m);
		return NULL;
	}
	m->action = (enum notify_action)a;
	m->id = (uint64_t)id;
	m->wall_ms = ts;
	m->opened_ms = opened;
	m->update = (unsigned)update;
	m->more = (unsigned)more;
	m->text = strdup(json_object_get_string(text));
	m->events = json_object_get(events);
	if (!m->text) {
		notify_msg_unref(m);
		return NULL;
	}
	return m;
}
