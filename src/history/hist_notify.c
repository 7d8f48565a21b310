/* hist_notify: `notifications [--history]` — the events at warning and
 * above whose level is enabled (alerts.*_enabled), newest first. The alert
 * channels (email, Slack, ...) add their delivery state here later. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <stdio.h>

#include <sqlite3.h>

#include "events/ev.h"
#include "store/store.h"

static json_object *row_json(sqlite3_stmt *st)
{
	json_object *o = json_object_new_object();
	const unsigned char *member = sqlite3_column_text(st, 4), *fields = sqlite3_column_text(st, 6);
	int sev = sqlite3_column_int(st, 1), kind = sqlite3_column_int(st, 2);
	hist_add_time(o, "time", sqlite3_column_int64(st, 0) / 1000);
	json_object_object_add(o, "severity", json_object_new_string(
		ev_severity_name(sev >= 0 && sev < EV_SEV_N ? (enum ev_severity)sev : EV_INFO)));
	json_object_object_add(o, "kind", json_object_new_string(
		ev_kind_name(kind >= 0 && kind < EV_KIND_N ? (enum ev_kind)kind : EV_K_SYSTEM)));
	json_object_object_add(o, "event", json_object_new_string(
		(const char *)sqlite3_column_text(st, 3)));
	json_object_object_add(o, "member", member ? json_object_new_string((const char *)member) :
			       NULL);
	json_object_object_add(o, "text", json_object_new_string(
		(const char *)sqlite3_column_text(st, 5)));
	json_object *f = fields ? json_tokener_parse((const char *)fields) : NULL;
	json_object_object_add(o, "fields", f ? f : json_object_new_object());
	return o;
}

json_object *hist_notifications(const struct hist_q *q, int limit)
{
	sqlite3_stmt *st;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int64_t by[EV_SEV_N] = { 0 };
	json_object_object_add(o, "period", hist_period_json(q));
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT severity, count(*) FROM events WHERE "
			       "notify = 1 AND ts >= ?1 AND ts < ?2 GROUP BY severity", -1, &st,
			       NULL) != SQLITE_OK)
		goto fail;
	hist_bind_range_ms(st, q);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int s = sqlite3_column_int(st, 0);
		if (s >= 0 && s < EV_SEV_N)
			by[s] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT ts, severity, kind, ifnull(type,''), member, "
			       "ifnull(text,''), fields FROM events WHERE notify = 1 AND ts >= ?1 AND "
			       "ts < ?2 ORDER BY id DESC LIMIT ?3", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	hist_bind_range_ms(st, q);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_array_add(a, row_json(st));
	sqlite3_finalize(st);
	json_object *c = json_object_new_object();
	int64_t total = 0;
	for (int s = EV_WARNING; s < EV_SEV_N; s++) {
		json_object_object_add(c, ev_severity_name((enum ev_severity)s),
				       json_object_new_int64(by[s]));
		total += by[s];
	}
	json_object_object_add(o, "count", json_object_new_int64(total));
	json_object_object_add(o, "by_severity", c);
	json_object_object_add(o, "shown", json_object_new_int((int)json_object_array_length(a)));
	json_object_object_add(o, "notifications", a);
	return o;
fail:
	json_object_put(o);
	json_object_put(a);
	return NULL;
}
