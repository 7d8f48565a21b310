/* hist_args: periods and durations as operators type them. */
#include "history/hist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPAN_S (3650LL * 86400)

int64_t hist_duration_parse(const char *s)
{
	static const struct { char unit; int64_t mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
	};
	char *end;
	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return -1;
	int64_t mult = 1;
	if (*end) {
		size_t i = 0;
		while (i < sizeof(units) / sizeof(units[0]) && units[i].unit != *end)
			i++;
		if (i == sizeof(units) / sizeof(units[0]) || end[1])
			return -1;
		mult = units[i].mult;
	}
	if (v > MAX_SPAN_S / mult)
		return -1;
	return v * mult;
}

int hist_period_parse(const char *s, struct hist_period *p, char *err, size_t errsz)
{
	static const struct { const char *name; int64_t span; } named[] = {
		{ "daily", 86400 }, { "weekly", 7 * 86400 }, { "monthly", 30 * 86400 }, { "all", 0 },
	};
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; s && i < sizeof(named) / sizeof(named[0]); i++) {
		if (strcmp(s, named[i].name) == 0) {
			snprintf(p->name, sizeof(p->name), "%s", named[i].name);
			p->span_s = named[i].span;
			return 0;
		}
	}
	int64_t d = hist_duration_parse(s);
	if (d <= 0 || strlen(s) >= sizeof(p->name)) {
		snprintf(err, errsz, "period '%s': use daily, weekly, monthly, all or a duration "
			 "such as 36h or 90d", s ? s : "");
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", s);
	p->span_s = d;
	return 0;
}
