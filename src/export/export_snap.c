/* export_snap: the daemon's views as the exporters read them — cached for a
 * moment, since an SNMP walk asks once per object — and dotted-path lookups
 * into them, which is all the metrics table needs. */
#include "export/export_int.h"

#include <math.h>
#include <string.h>

#include "core/clock.h"

json_object *export_path(json_object *o, const char *path)
{
	char key[64];
	while (o && path && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path = dot ? dot + 1 : NULL;
	}
	return o;
}

double export_path_num(json_object *o, const char *path)
{
	json_object *v = export_path(o, path);
	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_int:
	case json_type_double:
		return json_object_get_double(v);
	case json_type_boolean:
		return json_object_get_boolean(v) ? 1 : 0;
	default:
		return NAN;
	}
}

void export_snap_free(struct export_snap *s)
{
	json_object_put(s->status);
	json_object_put(s->members);
	json_object_put(s->health);
	memset(s, 0, sizeof(*s));
}

const struct export_snap *export_snapshot(struct export_ctx *x)
{
	uint64_t now = clock_mono_us();
	if (x->snap.members && now - x->snap.at_us < x->snap_max_age_us)
		return &x->snap;
	export_snap_free(&x->snap);
	const struct export_host *h = x->host;
	x->snap.status = h->status(h->arg);
	x->snap.members = h->members(h->arg);
	x->snap.health = h->health(h->arg);
	x->snap.at_us = now;
	return &x->snap;
}
