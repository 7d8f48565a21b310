/* apisec: the listener guard, API keys and their file, expiry warnings,
 * bans (apisec.h). */
#include "daemon/apisec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "ctl/ctl_proto.h"
#include "daemon/daemon.h"
#include "daemon/apifw.h"
#include "daemon/state.h"
#include "events/ev_emit.h"
#include "security/sec_guard.h"

#define KEYS_FILE "api_keys"
#define CHECK_EVERY_S 3600      /* expiry checks: the warnings are in days */

struct apisec {
	struct sec_guard g;
	struct event *timer;
	char keys_error[4400];           /* the file could not be read ("" = fine) */
	struct daemon *d;
};

struct sec_guard *apisec_guard(struct daemon *d)
{
	return d->apisec ? &d->apisec->g : NULL;
}

static void keys_path(struct daemon *d, char *buf, size_t size)
{
	state_path(d, true, KEYS_FILE, buf, size);
}

/* A file that does not parse is set aside (NAME.bad, for a look) and the
 * daemon runs with no keys: every request that needs one is refused, which
 * is the safe side, and the operator hears why. */
static void keys_load(struct apisec *a)
{
	char path[4096], err[160];
	size_t len = 0;
	keys_path(a->d, path, sizeof(path));
	a->keys_error[0] = '\0';
	char *text = fs_read_file(path, SEC_KEYS_FILE_MAX + 1, &len);
	if (!text) {
		if (errno != ENOENT)
			snprintf(a->keys_error, sizeof(a->keys_error), "%s: %s", path, strerror(errno));
		memset(&a->g.keys, 0, sizeof(a->g.keys));
	} else if (sec_keys_parse(&a->g.keys, text, len, err, sizeof(err)) < 0) {
		char bad[4110];
		snprintf(bad, sizeof(bad), "%s.bad", path);
		snprintf(a->keys_error, sizeof(a->keys_error), "%s: %s (moved to %s.bad)", path, err,
			 KEYS_FILE);
		if (rename(path, bad) < 0)
			log_errno(LOG_LVL_ERR, "cannot move %s aside", path);
	}
	free(text);
	if (a->keys_error[0])
		log_err("api keys: %s; requests that need a key are refused", a->keys_error);
}

static int keys_save(struct apisec *a, struct ctl_error *err)
{
	char buf[SEC_KEYS_FILE_MAX], path[4096];
	size_t len = sec_keys_format(&a->g.keys, buf, sizeof(buf));
	if (len >= sizeof(buf) || state_write_private(a->d, KEYS_FILE, buf, len) < 0) {
		keys_path(a->d, path, sizeof(path));
		ctl_error_set(err, CTL_E_FAILED, "cannot write %s: %s", path,
			      len >= sizeof(buf) ? "too large" : strerror(errno));
		return -1;
	}
	return 0;
}

static void check_expiry(struct apisec *a)
{
	int64_t now = clock_wall_ms() / 1000, validity = a->g.c.key_validity_s;
	char day[32];
	for (size_t i = 0; i < a->g.keys.n; i++) {
		struct sec_key *k = &a->g.keys.v[i];
		int64_t exp = sec_key_expires(k, validity);
		clock_iso8601(exp, day, sizeof(day));
		switch (sec_key_notice(k, now, validity, (int64_t)APISEC_WARN_DAYS * 86400)) {
		case SEC_NOTICE_SOON:
			ev_emit_api_key(a->d->bus, k->name, k->id, day,
					(long long)((exp - now + 86399) / 86400));
			break;
		case SEC_NOTICE_EXPIRED:
			ev_emit_api_key(a->d->bus, k->name, k->id, day, -1);
			break;
		case SEC_NOTICE_NONE:
			break;
		}
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	check_expiry(arg);
}

/* Intrusion detection banned a source: an event, and the firewall drops it. */
static void on_ban(void *arg, const struct sec_addr *addr, unsigned failures, uint64_t ban_ms)
{
	struct apisec *a = arg;
	char ab[SEC_ADDR_STR];
	ev_emit_source_banned(a->d->bus, sec_addr_str(addr, ab, sizeof(ab)),
			      (long long)(ban_ms / 1000), failures);
	apifw_ban(a->d, addr, ban_ms);
}

static void configure(struct apisec *a, bool first)
{
	struct sec_guard_cfg c;
	char why[160];
	if (sec_guard_cfg_from(a->d->cfg, &c, why, sizeof(why)) < 0)
		log_err("%s", why);     /* the config check refuses this; keep what parsed */
	if (first)
		sec_guard_init(&a->g, &c);
	else
		sec_guard_configure(&a->g, &c);
	a->g.on_ban = on_ban;
	a->g.ban_arg = a;
}

int apisec_start(struct daemon *d)
{
	struct apisec *a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	a->d = d;
	d->apisec = a;
	configure(a, true);
	keys_load(a);
	struct timeval tv = { CHECK_EVERY_S, 0 };
	a->timer = event_new(d->base, -1, EV_PERSIST, on_timer, a);
	if (!a->timer || event_add(a->timer, &tv) < 0)
		return -1;
	check_expiry(a);
	return apifw_start(d);
}

void apisec_reload(struct daemon *d)
{
	if (!d->apisec)
		return;
	configure(d->apisec, false);
	check_expiry(d->apisec);
	apifw_reload(d);
}

void apisec_stop(struct daemon *d)
{
	struct apisec *a = d->apisec;
	if (!a)
		return;
	apifw_stop(d);
	if (a->timer)
		event_free(a->timer);
	free(a);
	d->apisec = NULL;
}

static json_object *key_json(const struct sec_key *k, int64_t validity, int64_t now)
{
	json_object *o = json_object_new_object();
	int64_t exp = sec_key_expires(k, validity);
	json_object_object_add(o, "id", json_object_new_string(k->id));
	json_object_object_add(o, "name", json_object_new_string(k->name));
	view_add_time(o, "created", k->created);
	view_add_time(o, "expires", exp);
	view_add_time(o, "revoked", k->revoked);
	json_object_object_add(o, "state", json_object_new_string(
		k->revoked ? "revoked" : now >= exp ? "expired" :
		now >= exp - (int64_t)APISEC_WARN_DAYS * 86400 ? "expiring" : "valid"));
	json_object_object_add(o, "days_left", k->revoked ? NULL :
			       json_object_new_int64((exp - now) / 86400));
	json_object_object_add(o, "uses", json_object_new_int64((int64_t)k->uses));
	view_add_time(o, "last_used", k->last_used);
	return o;
}

json_object *apisec_key_create(struct daemon *d, json_object *args, struct ctl_error *err)
{
	struct apisec *a = d->apisec;
	json_object *v;
	uint8_t rnd[SEC_KEY_RANDOM];
	char key[SEC_KEY_TEXT_LEN + 1], why[128];
	const char *name = json_object_object_get_ex(args, "name", &v) ?
			   json_object_get_string(v) : "default";
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		ctl_error_set(err, CTL_E_FAILED, "no random bytes: %s", strerror(errno));
		return NULL;
	}
	struct sec_keys before = a->g.keys;
	int64_t now = clock_wall_ms() / 1000;
	struct sec_key *k = sec_keys_add(&a->g.keys, name, now, rnd, key, why, sizeof(why));
	explicit_bzero(rnd, sizeof(rnd));
	if (!k) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "%s", why);
		return NULL;
	}
	json_object *o = key_json(k, a->g.c.key_validity_s, now);
	if (keys_save(a, err) < 0) {
		a->g.keys = before;     /* a key that is not on disk would not survive */
		json_object_put(o);
		explicit_bzero(key, sizeof(key));
		return NULL;
	}
	json_object_object_add(o, "key", json_object_new_string(key));
	explicit_bzero(key, sizeof(key));
	log_notice("api key %s (%s) created", k->name, k->id);
	return o;
}

json_object *apisec_key_list(struct daemon *d, json_object *args, struct ctl_error *err)
{
	struct apisec *a = d->apisec;
	int64_t now = clock_wall_ms() / 1000;
	json_object *o = json_object_new_object(), *keys = json_object_new_array();
	for (size_t i = 0; i < a->g.keys.n; i++)
		json_object_array_add(keys, key_json(&a->g.keys.v[i], a->g.c.key_validity_s, now));
	json_object_object_add(o, "keys", keys);
	json_object_object_add(o, "api_key_required", json_object_new_boolean(a->g.c.key_required));
	json_object_object_add(o, "rotation_days",
			       json_object_new_int64(a->g.c.key_validity_s / 86400));
	/* Not "error": a reply with that key reads as failed to rpcd's callers. */
	if (a->keys_error[0])
		json_object_object_add(o, "keys_file_error", json_object_new_string(a->keys_error));
	return o;
}

json_object *apisec_key_revoke(struct daemon *d, json_object *args, struct ctl_error *err)
{
	struct apisec *a = d->apisec;
	json_object *v;
	const char *id = json_object_object_get_ex(args, "id", &v) ? json_object_get_string(v) :
			 NULL;
	struct sec_key *k = id ? sec_keys_find(&a->g.keys, id) : NULL;
	if (!k) {
		ctl_error_set(err, CTL_E_BAD_ARGS, id ? "no key '%s' (an id, or the name of one key "
			      "in force; see 'security key list')" : "which key? (its id)", id);
		return NULL;
	}
	if (k->revoked) {
		ctl_error_set(err, CTL_E_FAILED, "key %s was revoked already", k->id);
		return NULL;
	}
	int64_t now = clock_wall_ms() / 1000;
	k->revoked = now > k->created ? now : k->created;
	if (keys_save(a, err) < 0) {
		k->revoked = 0;
		return NULL;
	}
	log_notice("api key %s (%s) revoked", k->name, k->id);
	return key_json(k, a->g.c.key_validity_s, now);
}

json_object *apisec_view(struct daemon *d)
{
	struct apisec *a = d->apisec;
	if (!a)
		return NULL;
	int64_t now = clock_wall_ms() / 1000;
	json_object *o = sec_guard_view(&a->g, clock_mono_ms(), now);
	json_object_object_add(o, "keys", json_object_new_int((int)a->g.keys.n));
	json_object_object_add(o, "keys_error", a->keys_error[0] ?
			       json_object_new_string(a->keys_error) : NULL);
	json_object_object_add(o, "firewall", apifw_view(d));
	return o;
}
