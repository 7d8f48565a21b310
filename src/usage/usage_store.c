/* usage_store: the members' usage as one JSON file, e.g.
 *
 *   { "format": "autonomy-usage", "version": 1, "saved_ts": 1711839600,
 *     "members": [ { "name": "wan", "device": "eth1", "reset_day": 1,
 *       "cycle_start_ts": ..., "next_reset_ts": ..., "rx_bytes": ..., ... } ] }
 *
 * One table names every persisted field: saving and loading both walk it.
 * A file is taken whole or not at all, so a half-valid file never mixes
 * with the running counts. Unknown keys are ignored (a newer daemon may add
 * some); a higher format version is refused rather than misread. */
#include "usage/usage.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "core/fsutil.h"

#define STORE_FORMAT "autonomy-usage"
#define STORE_VERSION 1
#define STORE_MAX_BYTES (1u << 20)
#define STORE_MAX_MEMBERS 1024
#define TS_MAX INT64_C(253402300799)    /* 9999-12-31T23:59:59Z */

enum fkind { F_STR, F_U64, F_I64, F_INT, F_UINT, F_BOOL };

struct field {
	const char *key;
	enum fkind kind;
	size_t off, size;
	int64_t min, max;               /* F_I64, F_INT, F_UINT */
};

#define FLD(key, kind, member, min, max) \
	{ key, kind, offsetof(struct usage_member, member), \
	  sizeof(((struct usage_member *)0)->member), min, max }

static const struct field fields[] = {
	FLD("name", F_STR, name, 0, 0),
	FLD("device", F_STR, device, 0, 0),
	FLD("reset_day", F_INT, reset_day, 1, 31),
	FLD("cycle_start_ts", F_I64, cycle_start, 0, TS_MAX),
	FLD("next_reset_ts", F_I64, next_reset, 0, TS_MAX),
	FLD("rx_bytes", F_U64, rx_bytes, 0, 0),
	FLD("tx_bytes", F_U64, tx_bytes, 0, 0),
	FLD("prev_total_bytes", F_U64, prev_total, 0, 0),
	FLD("prev_start_ts", F_I64, prev_start, 0, TS_MAX),
	FLD("last_rx", F_U64, last_rx, 0, 0),
	FLD("last_tx", F_U64, last_tx, 0, 0),
	FLD("last_valid", F_BOOL, last_valid, 0, 0),
	FLD("ifindex", F_INT, ifindex, 0, INT32_MAX),
	FLD("boot_id", F_STR, boot_id, 0, 0),
	FLD("alerted_pct", F_UINT, alerted_pct, 0, 100000),
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static void errf(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t size, const char *fmt, ...)
{
	if (!err || !size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

/* ---- saving ---- */

static json_object *field_json(const struct field *f, const void *p)
{
	switch (f->kind) {
	case F_STR: return json_object_new_string(p);
	case F_U64: return json_object_new_uint64(*(const uint64_t *)p);
	case F_I64: return json_object_new_int64(*(const int64_t *)p);
	case F_INT: return json_object_new_int64(*(const int *)p);
	case F_UINT: return json_object_new_int64(*(const unsigned *)p);
	case F_BOOL: return json_object_new_boolean(*(const bool *)p);
	}
	return NULL;
}

static json_object *member_json(const struct usage_member *u)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < N_FIELDS; i++)
		json_object_object_add(o, fields[i].key,
				       field_json(&fields[i], (const char *)u + fields[i].off));
	/* For a human reading the file; loading uses the _ts values. */
	char iso[32];
	if (u->cycle_start) {
		clock_iso8601(u->cycle_start, iso, sizeof(iso));
		json_object_object_add(o, "cycle_start", json_object_new_string(iso));
	}
	return o;
}

/* The text plus a newline, into place atomically; 1 or -1. */
static int write_text(const char *path, const char *txt, char *err, size_t errsize)
{
	size_t len = strlen(txt);
	char *buf = malloc(len + 1);
	if (!buf) {
		errf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	memcpy(buf, txt, len);
	buf[len] = '\n';
	int r = 1;
	if (fs_mkdir_parents(path, 0755) < 0 || fs_write_atomic(path, buf, len + 1, 0644) < 0) {
		errf(err, errsize, "%s: %s", path, strerror(errno));
		r = -1;
	}
	free(buf);
	return r;
}

int usage_store_save(const char *path, struct usage_member *members, unsigned n,
		     char *err, size_t errsize)
{
	bool dirty = false;
	for (unsigned i = 0; i < n; i++)
		dirty |= members[i].dirty;
	if (!dirty)
		return 0;
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	json_object_object_add(root, "format", json_object_new_string(STORE_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(STORE_VERSION));
	json_object_object_add(root, "saved_ts", json_object_new_int64((int64_t)time(NULL)));
	for (unsigned i = 0; i < n; i++)
		json_object_array_add(arr, member_json(&members[i]));
	json_object_object_add(root, "members", arr);
	const char *txt = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
		JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = write_text(path, txt, err, errsize);
	json_object_put(root);
	if (r == 1)
		for (unsigned i = 0; i < n; i++)
			members[i].dirty = false;
	return r;
}

/* ---- loading ---- */

static int field_parse(const struct field *f, json_object *v, void *p)
{
	enum json_type t = json_object_get_type(v);
	if (f->kind == F_STR) {
		const char *s = t == json_type_string ? json_object_get_string(v) : NULL;
		size_t len = s ? (size_t)json_object_get_string_len(v) : 0;
		if (!s || len >= f->size || strlen(s) != len)
			return -1;
		memcpy(p, s, len + 1);
		return 0;
	}
	if (f->kind == F_BOOL) {
		if (t != json_type_boolean)
			return -1;
		*(bool *)p = json_object_get_boolean(v);
		return 0;
	}
	if (t != json_type_int || json_object_get_int64(v) < 0)
		return -1;
	if (f->kind == F_U64) {
		*(uint64_t *)p = json_object_get_uint64(v);
		return 0;
	}
	int64_t x = json_object_get_int64(v);
	if (x < f->min || x > f->max)
		return -1;
	if (f->kind == F_I64)
		*(int64_t *)p = x;
	else if (f->kind == F_INT)
		*(int *)p = (int)x;
	else
		*(unsigned *)p = (unsigned)x;
	return 0;
}

static int member_parse(json_object *o, struct usage_member *u, char *err, size_t errsize)
{
	if (!json_object_is_type(o, json_type_object)) {
		errf(err, errsize, "a member entry is not an object");
		return -1;
	}
	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i < N_FIELDS; i++) {
		json_object *v;
		if (!json_object_object_get_ex(o, fields[i].key, &v) ||
		    field_parse(&fields[i], v, (char *)u + fields[i].off) < 0) {
			errf(err, errsize, "member \"%.64s\": %s missing or invalid", u->name,
			     fields[i].key);
			return -1;
		}
	}
	if (!u->name[0] || (u->cycle_start && u->next_reset <= u->cycle_start)) {
		errf(err, errsize, "member \"%s\": no name, or its cycle ends before it starts",
		     u->name);
		return -1;
	}
	return 0;
}

static json_object *parse_root(const char *buf, size_t len, char *err, size_t errsize)
{
	json_tokener *tok = len <= STORE_MAX_BYTES ? json_tokener_new() : NULL;
	if (!tok) {
		errf(err, errsize, len > STORE_MAX_BYTES ? "too large" : "out of memory");
		return NULL;
	}
	json_object *root = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (root && end < len && buf[end] && strchr(" \t\r\n", buf[end]))
		end++;
	if (!root || je != json_tokener_success || end != len) {
		errf(err, errsize, "not JSON (%s)", je == json_tokener_success ?
		     (root ? "data after the document" : "empty") : json_tokener_error_desc(je));
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* The members array of a usage file of our format and version. */
static json_object *members_of(json_object *root, char *err, size_t errsize)
{
	json_object *v = NULL, *arr = NULL;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "format", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), STORE_FORMAT) != 0) {
		errf(err, errsize, "not an autonomy usage file (no \"format\": \"%s\")", STORE_FORMAT);
		return NULL;
	}
	if (!json_object_object_get_ex(root, "version", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != STORE_VERSION) {
		errf(err, errsize, "format version %s, this daemon reads %d",
		     v ? json_object_to_json_string(v) : "missing", STORE_VERSION);
		return NULL;
	}
	if (!json_object_object_get_ex(root, "members", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > STORE_MAX_MEMBERS) {
		errf(err, errsize, "\"members\" missing, not an array or over %d entries",
		     STORE_MAX_MEMBERS);
		return NULL;
	}
	return arr;
}

static void restore(struct usage_member *u, const struct usage_member *s)
{
	bool same_dev = strcmp(u->device, s->device) == 0;
	uint64_t cap = u->cap_bytes;
	char dev[sizeof(u->device)];
	memcpy(dev, u->device, sizeof(dev));
	*u = *s;
	memcpy(u->device, dev, sizeof(dev));
	u->cap_bytes = cap;
	u->dirty = false;
	if (!same_dev) {
		/* Counts belong to the member; the baseline to the old device. */
		u->last_valid = false;
		u->dirty = true;
	}
}

int usage_store_parse(const char *buf, size_t len, struct usage_member *members, unsigned n,
		      char *err, size_t errsize)
{
	json_object *root = parse_root(buf, len, err, errsize);
	json_object *arr = root ? members_of(root, err, errsize) : NULL;
	if (!arr) {
		json_object_put(root);
		return -1;
	}
	size_t cnt = json_object_array_length(arr);
	struct usage_member *st = calloc(cnt ? cnt : 1, sizeof(*st));
	int r = st ? 0 : -1;
	if (!st)
		errf(err, errsize, "out of memory");
	for (size_t i = 0; r == 0 && i < cnt; i++) {
		r = member_parse(json_object_array_get_idx(arr, i), &st[i], err, errsize);
		for (size_t j = 0; r == 0 && j < i; j++) {
			if (strcmp(st[j].name, st[i].name) == 0) {
				errf(err, errsize, "member \"%s\" twice", st[i].name);
				r = -1;
			}
		}
	}
	/* All valid: only now touch the running members. */
	for (unsigned m = 0; r == 0 && m < n; m++)
		for (size_t i = 0; i < cnt; i++)
			if (strcmp(members[m].name, st[i].name) == 0)
				restore(&members[m], &st[i]);
	free(st);
	json_object_put(root);
	return r;
}

/* Moves a bad file out of the way (so the next save does not overwrite it)
 * and says so. */
static void set_aside(const char *path, const char *why, char *err, size_t errsize)
{
	char bad[4096];
	if (snprintf(bad, sizeof(bad), "%s.bad", path) >= (int)sizeof(bad)) {
		errf(err, errsize, "%s: %s; usage starts fresh", path, why);
	} else if (rename(path, bad) < 0) {
		errf(err, errsize, "%s: %s; usage starts fresh (renaming to %s failed: %s)",
		     path, why, bad, strerror(errno));
	} else {
		errf(err, errsize, "%s: %s; kept as %s, usage starts fresh", path, why, bad);
	}
}

int usage_store_load(const char *path, struct usage_member *members, unsigned n,
		     char *err, size_t errsize)
{
	size_t len;
	char *buf = fs_read_file(path, STORE_MAX_BYTES, &len);
	if (!buf && errno == ENOENT)
		return 0;                       /* first start: nothing to restore */
	if (!buf && errno != EFBIG) {
		errf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	char why[256];
	int r = -1;
	if (!buf)
		snprintf(why, sizeof(why), "larger than %u bytes", STORE_MAX_BYTES);
	else
		r = usage_store_parse(buf, len, members, n, why, sizeof(why));
	free(buf);
	if (r < 0)
		set_aside(path, why, err, errsize);
	return r;
}
