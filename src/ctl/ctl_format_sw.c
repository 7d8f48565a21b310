/* ctl_format_sw: starwatch's view (health's "starwatch" object, or the
 * status file itself when autonomyd does not answer) for a person. */
#include <string.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "ctl/ctl_format.h"

static void put_age(json_object *sw, const char *key, FILE *out)
{
	json_object *v;
	if (!json_object_object_get_ex(sw, key, &v) || !v) {
		fputs("never", out);
		return;
	}
	char d[32];
	double age = (double)(clock_wall_ms() / 1000) - json_object_get_double(v);
	ctl_format_duration(age, d, sizeof(d));
	fprintf(out, "%s ago", d);
}

static void put_failsafe(json_object *sw, FILE *out)
{
	json_object *f = NULL;
	json_object_object_get_ex(sw, "failsafe_route", &f);
	fputs("               fail-safe route: ", out);
	if (!f || !json_get_bool(f, "enabled", 0))
		fputs("off\n", out);
	else if (!json_get_bool(f, "active", 0))
		fputs("on, not in use\n", out);
	else
		fprintf(out, "ACTIVE via %s%s%s (member %s)\n",
			json_has(f, "gateway") ? json_get_str(f, "gateway", "") : "",
			json_has(f, "gateway") ? " dev " : "dev ", json_get_str(f, "device", "?"),
			json_get_str(f, "member", "?"));
}

void ctl_format_starwatch(json_object *sw, FILE *out)
{
	if (!sw) {
		fputs("  starwatch    not running\n", out);
		return;
	}
	if (json_has(sw, "error")) {
		fprintf(out, "  starwatch    status unreadable: %s\n", json_get_str(sw, "error", ""));
		return;
	}
	if (!json_get_bool(sw, "running", 0)) {
		fputs("  starwatch    not running (its last status is stale); last check ", out);
		put_age(sw, "last_check_ts", out);
		fputc('\n', out);
		return;
	}
	fprintf(out, "  starwatch    watching (pid %d): autonomyd %s, last check ",
		(int)json_get_num(sw, "pid", 0), json_get_str(sw, "daemon", "?"));
	put_age(sw, "last_check_ts", out);
	fprintf(out, ", %d restart(s), %d in the window\n", (int)json_get_num(sw, "restarts", 0),
		(int)json_get_num(sw, "restarts_in_window", 0));
	if (json_get_bool(sw, "held_down", 0))
		fprintf(out, "               HELD DOWN (no more restarts): %s\n",
			json_get_str(sw, "reason", "?"));
	else if (json_has(sw, "reason"))
		fprintf(out, "               last recovery: %s (%s)\n", json_get_str(sw, "reason", ""),
			json_get_str(sw, "step", "?"));
	put_failsafe(sw, out);
}
