/* sw_state: starwatch's persistent reboot records (sw_state.h). */
#include "starwatch/sw_state.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "core/fsutil.h"
#include "starwatch/sw_json.h"

#define DAY_S 86400
#define TIME_MAX (INT64_C(1) << 40)
#define FORMAT_VERSION 1

static int parse_reboots(json_object *arr, struct sw_state *st, char *err, size_t errsz)
{
	size_t n = json_object_array_length(arr);
	if (n > SW_STATE_MAX) {
		snprintf(err, errsz, "more than %d reboot records", SW_STATE_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		errno = 0;
		int64_t t = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
		if (errno || t < 0 || t > TIME_MAX) {
			snprintf(err, errsz, "reboot record %zu is not a time", i);
			return -1;
		}
		st->reboots[st->n++] = t;
	}
	return 0;
}

int sw_state_parse(const char *buf, size_t len, struct sw_state *st, char *err, size_t errsz)
{
	memset(st, 0, sizeof(*st));
	json_object *o = sw_json_parse_object(buf, len, err, errsz), *v, *r;
	if (!o)
		return -1;
	int rc = -1;
	if (json_object_object_length(o) != 2 || !json_object_object_get_ex(o, "version", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != FORMAT_VERSION)
		snprintf(err, errsz, "not a version %d state file", FORMAT_VERSION);
	else if (!json_object_object_get_ex(o, "reboots", &r) ||
		 !json_object_is_type(r, json_type_array))
		snprintf(err, errsz, "no reboot list");
	else
		rc = parse_reboots(r, st, err, errsz);
	json_object_put(o);
	if (rc < 0)
		memset(st, 0, sizeof(*st));
	return rc;
}

char *sw_state_format(const struct sw_state *st)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(FORMAT_VERSION));
	for (size_t i = 0; i < st->n; i++)
		json_object_array_add(a, json_object_new_int64(st->reboots[i]));
	json_object_object_add(o, "reboots", a);
	char *s = NULL;
	if (asprintf(&s, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0)
		s = NULL;
	json_object_put(o);
	return s;
}

static bool counts(int64_t t, int64_t now_s)
{
	return t > now_s || now_s - t < DAY_S;
}

size_t sw_state_count_day(const struct sw_state *st, int64_t now_s)
{
	size_t n = 0;
	for (size_t i = 0; i < st->n; i++)
		n += counts(st->reboots[i], now_s);
	return n;
}

void sw_state_add(struct sw_state *st, int64_t now_s)
{
	size_t k = 0;
	for (size_t i = 0; i < st->n; i++)
		if (counts(st->reboots[i], now_s))
			st->reboots[k++] = st->reboots[i];
	st->n = k;
	if (st->n == SW_STATE_MAX) {
		memmove(st->reboots, st->reboots + 1, (SW_STATE_MAX - 1) * sizeof(st->reboots[0]));
		st->n--;
	}
	st->reboots[st->n++] = now_s;
}

int sw_state_save(const char *path, const struct sw_state *st)
{
	char *s = sw_state_format(st);
	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	int rc = fs_mkdir_parents(path, 0755) < 0 ? -1 : fs_write_atomic(path, s, strlen(s), 0600);
	int e = errno;
	free(s);
	errno = e;
	return rc;
}

int sw_state_load(const char *path, int64_t now_s, struct sw_state *st, char *err, size_t errsz)
{
	size_t len = 0;
	memset(st, 0, sizeof(*st));
	char *buf = sw_file_read(path, SW_STATE_FILE_MAX, &len);
	if (!buf && errno == ENOENT)
		return 1;
	if (buf && sw_state_parse(buf, len, st, err, errsz) == 0) {
		free(buf);
		return 0;
	}
	if (!buf)
		snprintf(err, errsz, "%s", errno == EINVAL ? "not a regular file" : strerror(errno));
	free(buf);
	char bad[4200];
	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(path, bad) < 0 && errno != ENOENT)
		snprintf(err + strlen(err), errsz - strlen(err), " (cannot move it aside: %s)",
			 strerror(errno));
	/* Unknown history: assume today's reboots are used up. */
	for (st->n = 0; st->n < SW_STATE_MAX; st->n++)
		st->reboots[st->n] = now_s;
	sw_state_save(path, st);
	return -1;
}
