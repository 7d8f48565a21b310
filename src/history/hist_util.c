/* hist_util: the query window and small JSON helpers shared by the
 * history commands. */
#include "history/hist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "history/hist_int.h"
#include "store/store.h"

#include <sqlite3.h>

/* The newest instant the store has rows for (0 when empty). */
static int64_t newest(struct store *s)
{
	return store_int_query(s, "SELECT max(t) FROM ("
			       "SELECT max(k >> 6) * 60 + 60 AS t FROM samples UNION ALL "
			       "SELECT max(k >> 6) * 3600 + 3600 FROM samples_hourly UNION ALL "
			       "SELECT max(ts) / 1000 + 1 FROM events UNION ALL "
			       "SELECT max(ts) / 1000 + 1 FROM decisions)", NULL);
}

static int64_t oldest(struct store *s)
{
	return store_int_query(s, "SELECT min(t) FROM ("
			       "SELECT min(k >> 6) * 60 AS t FROM samples UNION ALL "
			       "SELECT min(k >> 6) * 3600 FROM samples_hourly UNION ALL "
			       "SELECT min(ts) / 1000 FROM events UNION ALL "
			       "SELECT min(ts) / 1000 FROM decisions)", NULL);
}

void hist_q_init(struct hist_q *q, struct store *s, const struct hist_period *p, int64_t now,
		 bool latest_anchor)
{
	memset(q, 0, sizeof(*q));
	q->s = s;
	q->period = *p;
	/* The end is exclusive and in whole seconds: what happened during the
	 * current second belongs in. */
	q->to = now + 1;
	if (latest_anchor) {
		int64_t n = newest(s);
		if (n > 0)
			q->to = n;
	}
	if (p->span_s > 0) {
		q->from = q->to - p->span_s;
	} else {
		int64_t o = oldest(s);
		q->from = o > 0 && o < q->to ? o : q->to;
	}
	time_t t = (time_t)q->to;
	struct tm tm;
	localtime_r(&t, &tm);
	q->tz_off_s = (int)tm.tm_gmtoff;
	q->failover_warning = 5;
	q->failover_critical = 10;
}

void hist_q_previous(const struct hist_q *q, struct hist_q *prev)
{
	*prev = *q;
	prev->to = q->from;
	prev->from = q->from - (q->to - q->from);
}

void hist_add_time(json_object *o, const char *key, int64_t unix_s)
{
	char buf[32], k[64];
	json_object_object_add(o, key, json_object_new_string(clock_iso8601(unix_s, buf,
									  sizeof(buf))));
	snprintf(k, sizeof(k), "%s_ts", key);
	json_object_object_add(o, k, json_object_new_int64(unix_s));
}

json_object *hist_period_json(const struct hist_q *q)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(q->period.name));
	hist_add_time(o, "from", q->from);
	hist_add_time(o, "to", q->to);
	json_object_object_add(o, "seconds", json_object_new_int64(q->to - q->from));
	json_object_object_add(o, "tz_offset_s", json_object_new_int(q->tz_off_s));
	return o;
}

void hist_add_num(json_object *o, const char *key, double v, int decimals)
{
	json_object_object_add(o, key, isfinite(v) ? json_num(v, decimals) : NULL);
}

int64_t hist_local_day(const struct hist_q *q, int64_t unix_s)
{
	int64_t t = unix_s + q->tz_off_s;
	return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

int hist_local_hour(const struct hist_q *q, int64_t unix_s)
{
	int64_t t = (unix_s + q->tz_off_s) % 86400;
	return (int)((t < 0 ? t + 86400 : t) / 3600);
}

void hist_bind_rows(struct sqlite3_stmt *st, const struct hist_q *q)
{
	/* A row belongs to the period when it starts in it. */
	sqlite3_bind_int64(st, 1, (q->from / 60 + (q->from % 60 != 0)) << 6);
	sqlite3_bind_int64(st, 2, (q->to / 60 + (q->to % 60 != 0)) << 6);
	sqlite3_bind_int64(st, 3, (q->from / 3600 + (q->from % 3600 != 0)) << 6);
	sqlite3_bind_int64(st, 4, (q->to / 3600 + (q->to % 3600 != 0)) << 6);
}

void hist_bind_range_ms(struct sqlite3_stmt *st, const struct hist_q *q)
{
	sqlite3_bind_int64(st, 1, q->from * 1000);
	sqlite3_bind_int64(st, 2, q->to * 1000);
}

void hist_names_load(const struct hist_q *q, struct hist_names *n)
{
	sqlite3_stmt *st;
	memset(n, 0, sizeof(*n));
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT mid, name FROM members", -1, &st, NULL))
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int mid = sqlite3_column_int(st, 0);
		if (mid > 0 && mid < HIST_MAX_MEMBERS)
			snprintf(n->name[mid], sizeof(n->name[mid]), "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
}
