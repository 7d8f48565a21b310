/* cfg_alerts: quiet hours and ntfy priorities (cfg_alerts.h). */
#include "config/cfg_alerts.h"

#include <string.h>

/* "HH:MM" at *p (exactly two digits each), advancing *p. */
static int hhmm(const char **p)
{
	const char *s = *p;
	for (int i = 0; i < 5; i++)
		if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*p = s + 5;
	return h * 60 + m;
}

int cfg_quiet_parse(const char *s, int *start, int *end)
{
	if (!s)
		return -1;
	int a = hhmm(&s);
	if (a < 0 || *s++ != '-')
		return -1;
	int b = hhmm(&s);
	if (b < 0 || *s || a == b)
		return -1;
	*start = a;
	*end = b;
	return 0;
}

bool cfg_quiet_contains(int start, int end, int m)
{
	return start < end ? m >= start && m < end : m >= start || m < end;
}

static const char *const levels[4] = { "info", "warning", "critical", "emergency" };
static const char *const prio_names[] = { "min", "low", "default", "high", "urgent", "max" };

static int prio_of(const char *v, size_t n)
{
	if (n == 1 && v[0] >= '1' && v[0] <= '5')
		return v[0] - '0';
	for (int i = 0; i < 6; i++)
		if (strlen(prio_names[i]) == n && strncmp(v, prio_names[i], n) == 0)
			return i < 5 ? i + 1 : 5;
	return -1;
}

int cfg_ntfy_priority_parse(const char *s, int prio[4])
{
	int out[4];
	memcpy(out, prio, sizeof(out));
	if (!s)
		return -1;
	while (*s) {
		s += strspn(s, " ,");
		if (!*s)
			break;
		size_t n = strcspn(s, " ,");
		const char *eq = memchr(s, '=', n);
		if (!eq)
			return -1;
		int lvl = -1;
		for (int i = 0; i < 4; i++)
			if (strlen(levels[i]) == (size_t)(eq - s) && strncmp(s, levels[i], (size_t)(eq - s)) == 0)
				lvl = i;
		int p = prio_of(eq + 1, n - (size_t)(eq + 1 - s));
		if (lvl < 0 || p < 0)
			return -1;
		out[lvl] = p;
		s += n;
	}
	memcpy(prio, out, sizeof(out));
	return 0;
}
