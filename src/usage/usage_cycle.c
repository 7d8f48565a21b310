/* usage cycles in local time. Every boundary is computed from a calendar
 * date (never "start + 30 days" or "+ 86400 s"), so a DST change inside a
 * cycle can neither skip nor repeat a reset: the cycle is one local day
 * shorter or longer by an hour, as it should be. */
#include "usage/usage.h"

#include <time.h>

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int mon)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return mon == 1 && leap(y) ? 29 : days[mon];
}

/* The reset day within a month: 31 in April is the 30th, in February the
 * 28th or 29th. Out-of-range days are clamped to 1..31 first. */
static int reset_mday(int y, int mon, int reset_day)
{
	int d = reset_day < 1 ? 1 : reset_day > 31 ? 31 : reset_day;
	int last = month_days(y, mon);
	return d > last ? last : d;
}

/* A date as one increasing number, for comparing local dates. */
static long date_key(int y, int mon, int mday) { return (long)y * 10000 + mon * 100 + mday; }

static long local_key(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return date_key(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday);
}

/* The first second of local date y-mon-mday: a binary search below its
 * noon (noon exists on every date in every zone), so a zone that skips or
 * repeats midnight gets the date's real first second. */
static int64_t day_start(int y, int mon, int mday)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon, .tm_mday = mday,
			 .tm_hour = 12, .tm_isdst = -1 };
	time_t hi = mktime(&tm), lo = hi - 36 * 3600;
	long key = date_key(y, mon, mday);
	/* Invariant: lo is before the date, hi on (or after) it. */
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;
		if (local_key(mid) >= key)
			hi = mid;
		else
			lo = mid;
	}
	return (int64_t)hi;
}

/* The year and month whose reset day started the cycle containing now. */
static void cycle_month(int64_t now, int reset_day, int *y, int *mon)
{
	time_t t = (time_t)now;
	struct tm tm;
	tzset();        /* follow a changed TZ (glibc's localtime_r does not) */
	localtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*mon = tm.tm_mon;
	if (tm.tm_mday < reset_mday(*y, *mon, reset_day)) {
		if (--*mon < 0) {
			*mon = 11;
			--*y;
		}
	}
}

int64_t usage_cycle_start(int64_t now, int reset_day)
{
	int y, mon;
	cycle_month(now, reset_day, &y, &mon);
	return day_start(y, mon, reset_mday(y, mon, reset_day));
}

int64_t usage_next_reset(int64_t now, int reset_day)
{
	int y, mon;
	cycle_month(now, reset_day, &y, &mon);
	if (++mon > 11) {
		mon = 0;
		++y;
	}
	return day_start(y, mon, reset_mday(y, mon, reset_day));
}
