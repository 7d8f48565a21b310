#include "starlink/loclearn.h"

#include <stdio.h>
#include <string.h>

#define WINDOW_S (2 * 3600)
#define MIN_N 3
#define MIN_RATE_H 1.5
/* A gap longer than this between observations is time away (a restart, the
 * dish unreachable): it is not counted as time spent here. */
#define MAX_STEP_S 900

void loclearn_init(struct loclearn *l)
{
	memset(l, 0, sizeof(*l));
}

const struct loclearn_cell *loclearn_find(const struct loclearn *l, const char *key)
{
	for (unsigned i = 0; i < l->n; i++)
		if (strcmp(l->c[i].key, key) == 0)
			return &l->c[i];
	return NULL;
}

/* The cell for key, created when missing; a full table forgets the place
 * visited least recently. */
static struct loclearn_cell *cell(struct loclearn *l, const char *key, int64_t now_s)
{
	struct loclearn_cell *c = (struct loclearn_cell *)loclearn_find(l, key);
	if (c)
		return c;
	unsigned k = l->n;
	if (l->n < LOCLEARN_CELLS) {
		l->n++;
	} else {
		k = 0;
		for (unsigned i = 1; i < l->n; i++)
			if (l->c[i].last_s < l->c[k].last_s)
				k = i;
	}
	c = &l->c[k];
	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->first_s = c->last_s = now_s;
	l->dirty = true;
	return c;
}

void loclearn_observe(struct loclearn *l, const char *key, int64_t from_s, int64_t to_s)
{
	if (!key || !key[0] || to_s < from_s)
		return;
	struct loclearn_cell *c = cell(l, key, to_s);
	int64_t step = to_s - from_s;
	if (step <= MAX_STEP_S)
		c->observed_s += (uint64_t)step;
	c->last_s = to_s;
	l->dirty = true;
}

bool loclearn_outage(struct loclearn *l, const char *key, int64_t start_s)
{
	if (!key || !key[0] || start_s <= l->last_outage_s)
		return false;
	struct loclearn_cell *c = cell(l, key, start_s);
	l->last_outage_s = start_s;
	c->times[c->head] = start_s;
	c->head = (c->head + 1) % LOCLEARN_OUTAGES;
	if (c->n_times < LOCLEARN_OUTAGES)
		c->n_times++;
	c->outages++;
	if (start_s > c->last_s)
		c->last_s = start_s;
	l->dirty = true;
	return true;
}

void loclearn_judge(const struct loclearn *l, const char *key, int64_t now_s,
		    struct loclearn_verdict *out)
{
	const struct loclearn_cell *c = key ? loclearn_find(l, key) : NULL;
	memset(out, 0, sizeof(*out));
	out->window_s = WINDOW_S;
	if (!c)
		return;
	for (unsigned i = 0; i < c->n_times; i++)
		if (c->times[i] <= now_s && now_s - c->times[i] < WINDOW_S)
			out->recent++;
	/* Observed time inside the window: what was spent here, at most the
	 * window and at most the time since the place was first seen. */
	double obs = (double)c->observed_s;
	if (obs > WINDOW_S)
		obs = WINDOW_S;
	if (now_s - c->first_s < obs)
		obs = (double)(now_s - c->first_s);
	if (obs < 600)
		obs = 600;      /* ten minutes before a rate means anything */
	out->per_hour = out->recent / (obs / 3600.0);
	out->recurring = out->recent >= MIN_N && out->per_hour >= MIN_RATE_H;
}

/* ---- persistence -------------------------------------------------------------- */

json_object *loclearn_to_json(const struct loclearn *l)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object_object_add(o, "format", json_object_new_string("autonomy-locations/1"));
	json_object_object_add(o, "last_outage_ts", json_object_new_int64(l->last_outage_s));
	for (unsigned i = 0; i < l->n; i++) {
		const struct loclearn_cell *c = &l->c[i];
		json_object *e = json_object_new_object(), *t = json_object_new_array();
		json_object_object_add(e, "key", json_object_new_string(c->key));
		json_object_object_add(e, "first_ts", json_object_new_int64(c->first_s));
		json_object_object_add(e, "last_ts", json_object_new_int64(c->last_s));
		json_object_object_add(e, "observed_s", json_object_new_int64((int64_t)c->observed_s));
		json_object_object_add(e, "outages", json_object_new_int64(c->outages));
		/* oldest first */
		for (unsigned k = 0; k < c->n_times; k++) {
			unsigned j = (c->head + LOCLEARN_OUTAGES - c->n_times + k) % LOCLEARN_OUTAGES;
			json_object_array_add(t, json_object_new_int64(c->times[j]));
		}
		json_object_object_add(e, "recent_ts", t);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "places", a);
	return o;
}

static int64_t num(json_object *o, const char *k, bool *ok)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int)) {
		*ok = false;
		return 0;
	}
	return json_object_get_int64(v);
}

static bool place_from_json(struct loclearn_cell *c, json_object *e)
{
	json_object *k, *t;
	bool ok = true;
	memset(c, 0, sizeof(*c));
	if (!json_object_object_get_ex(e, "key", &k) || !json_object_is_type(k, json_type_string) ||
	    !json_object_get_string_len(k) ||
	    json_object_get_string_len(k) >= LOCLEARN_KEY_MAX)
		return false;
	snprintf(c->key, sizeof(c->key), "%s", json_object_get_string(k));
	c->first_s = num(e, "first_ts", &ok);
	c->last_s = num(e, "last_ts", &ok);
	int64_t obs = num(e, "observed_s", &ok), n = num(e, "outages", &ok);
	if (!ok || obs < 0 || n < 0 || n > UINT32_MAX)
		return false;
	c->observed_s = (uint64_t)obs;
	c->outages = (uint32_t)n;
	if (json_object_object_get_ex(e, "recent_ts", &t) && json_object_is_type(t, json_type_array)) {
		size_t len = json_object_array_length(t);
		size_t from = len > LOCLEARN_OUTAGES ? len - LOCLEARN_OUTAGES : 0;
		for (size_t i = from; i < len; i++) {
			json_object *x = json_object_array_get_idx(t, i);
			if (!json_object_is_type(x, json_type_int))
				continue;
			c->times[c->head] = json_object_get_int64(x);
			c->head = (c->head + 1) % LOCLEARN_OUTAGES;
			c->n_times++;
		}
	}
	return true;
}

int loclearn_from_json(struct loclearn *l, json_object *o)
{
	json_object *f, *a;
	loclearn_init(l);
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "format", &f) ||
	    strcmp(json_object_get_string(f), "autonomy-locations/1") != 0 ||
	    !json_object_object_get_ex(o, "places", &a) || !json_object_is_type(a, json_type_array))
		return -1;
	bool ok = true;
	l->last_outage_s = num(o, "last_outage_ts", &ok);
	for (size_t i = 0; i < json_object_array_length(a) && l->n < LOCLEARN_CELLS; i++)
		if (place_from_json(&l->c[l->n], json_object_array_get_idx(a, i)))
			l->n++;
	return 0;
}
