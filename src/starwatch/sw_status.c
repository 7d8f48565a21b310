/* sw_status: starwatch's status file (sw_status.h). */
#include "starwatch/sw_status.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "starwatch/sw_json.h"

#define ST struct sw_status
#define DAY_S 86400
static const struct sw_jfield fields[] = {
	SW_JF_INT(ST, pid, SW_JF_U32, 1, 0x7fffffff),
	SW_JF_INT(ST, updated, SW_JF_I64, 0, INT64_C(1) << 40),
	SW_JF_INT(ST, updated_mono_ms, SW_JF_U64, 0, INT64_C(1) << 52),
	SW_JF_INT(ST, check_interval_s, SW_JF_U32, 1, DAY_S),
	SW_JF_INT(ST, last_check, SW_JF_I64, 0, INT64_C(1) << 40),
	SW_JF_INT(ST, last_ok, SW_JF_I64, 0, INT64_C(1) << 40),
	SW_JF_TEXT(ST, daemon),
	SW_JF_INT(ST, restarts, SW_JF_U32, 0, 0x7fffffff),
	SW_JF_INT(ST, restarts_in_window, SW_JF_U32, 0, 0x7fffffff),
	SW_JF_FLAG(ST, held_down),
	SW_JF_TEXT(ST, step),
	SW_JF_TEXT(ST, reason),
	SW_JF_FLAG(ST, failsafe_enabled),
	SW_JF_FLAG(ST, failsafe_active),
	SW_JF_TEXT(ST, failsafe_member),
	SW_JF_TEXT(ST, failsafe_device),
	SW_JF_TEXT(ST, failsafe_gateway),
};
#undef ST
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))
#define FORMAT_VERSION 1

int sw_status_path(const char *control_socket, char *out, size_t size)
{
	const char *slash = strrchr(control_socket, '/');
	size_t dir = slash ? (size_t)(slash - control_socket) : 0;
	int n = snprintf(out, size, "%.*s/%s", (int)dir, control_socket, SW_STATUS_NAME);
	if (!slash || n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

char *sw_status_format(const struct sw_status *st)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(FORMAT_VERSION));
	sw_jfields_write(o, fields, N_FIELDS, st);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s);
	char *out = malloc(n + 2);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\n';
		out[n + 1] = '\0';
	}
	json_object_put(o);
	return out;
}

int sw_status_parse(const char *buf, size_t len, struct sw_status *st, char *err, size_t errsz)
{
	memset(st, 0, sizeof(*st));
	json_object *o = sw_json_parse_object(buf, len, err, errsz);
	if (!o)
		return -1;
	json_object *v;
	int rc = -1;
	if (!json_object_object_get_ex(o, "version", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != FORMAT_VERSION) {
		snprintf(err, errsz, "not a version %d status file", FORMAT_VERSION);
	} else {
		json_object_object_del(o, "version");
		rc = sw_jfields_read(o, fields, N_FIELDS, st, err, errsz);
	}
	json_object_put(o);
	if (rc < 0)
		memset(st, 0, sizeof(*st));
	return rc;
}

int sw_status_read(const char *path, struct sw_status *st, char *err, size_t errsz)
{
	size_t len = 0;
	char *buf = sw_file_read(path, SW_STATUS_MAX, &len);
	if (!buf) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errsz, "%s", errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	int rc = sw_status_parse(buf, len, st, err, errsz);
	free(buf);
	return rc;
}

static void add_time(json_object *o, const char *k, int64_t unix_s)
{
	char iso[32], kts[32];
	snprintf(kts, sizeof(kts), "%s_ts", k);
	json_object_object_add(o, k, unix_s ? json_object_new_string(
				       clock_iso8601(unix_s, iso, sizeof(iso))) : NULL);
	json_object_object_add(o, kts, unix_s ? json_object_new_int64(unix_s) : NULL);
}

static bool writer_alive(const struct sw_status *st)
{
	if (kill((pid_t)st->pid, 0) < 0 && errno != EPERM)
		return false;
	/* Three missed writes (and some slack for a busy machine): stale. */
	uint64_t limit = 3ull * st->check_interval_s * 1000 + 10000;
	uint64_t now = clock_mono_ms();
	return now < st->updated_mono_ms || now - st->updated_mono_ms <= limit;
}

static json_object *failsafe_json(const struct sw_status *st)
{
	json_object *f = json_object_new_object();
	json_object_object_add(f, "enabled", json_object_new_boolean(st->failsafe_enabled));
	json_object_object_add(f, "active", json_object_new_boolean(st->failsafe_active));
	json_object_object_add(f, "member", st->failsafe_active ?
			       json_object_new_string(st->failsafe_member) : NULL);
	json_object_object_add(f, "device", st->failsafe_active ?
			       json_object_new_string(st->failsafe_device) : NULL);
	json_object_object_add(f, "gateway", st->failsafe_active && st->failsafe_gateway[0] ?
			       json_object_new_string(st->failsafe_gateway) : NULL);
	return f;
}

json_object *sw_status_view(const char *control_socket)
{
	char path[512], err[96];
	struct sw_status st;
	if (sw_status_path(control_socket, path, sizeof(path)) < 0)
		return NULL;
	int rc = sw_status_read(path, &st, err, sizeof(err));
	if (rc == 1)
		return NULL;
	json_object *o = json_object_new_object();
	if (rc < 0) {
		char msg[sizeof(path) + sizeof(err) + 4];
		snprintf(msg, sizeof(msg), "%s: %s", path, err);
		json_object_object_add(o, "running", json_object_new_boolean(0));
		json_object_object_add(o, "error", json_object_new_string(msg));
		return o;
	}
	json_object_object_add(o, "running", json_object_new_boolean(writer_alive(&st)));
	json_object_object_add(o, "pid", json_object_new_int64(st.pid));
	add_time(o, "updated", st.updated);
	add_time(o, "last_check", st.last_check);
	add_time(o, "last_ok", st.last_ok);
	json_object_object_add(o, "check_interval_s", json_object_new_int64(st.check_interval_s));
	json_object_object_add(o, "daemon", json_object_new_string(st.daemon));
	json_object_object_add(o, "restarts", json_object_new_int64(st.restarts));
	json_object_object_add(o, "restarts_in_window",
			       json_object_new_int64(st.restarts_in_window));
	json_object_object_add(o, "held_down", json_object_new_boolean(st.held_down));
	json_object_object_add(o, "step", st.step[0] ? json_object_new_string(st.step) : NULL);
	json_object_object_add(o, "reason", st.reason[0] ? json_object_new_string(st.reason) : NULL);
	json_object_object_add(o, "failsafe_route", failsafe_json(&st));
	return o;
}
