/* ctl_format_flows: the sticky-flow lines of `status` and `decisions`. */
#include <stdbool.h>

#include "core/jsonutil.h"
#include "ctl/ctl_format_int.h"

/* "flows: 2 kept on wan, 3 flushed" under a decision that moved traffic. */
void ctl_format_flows(json_object *dc, FILE *out)
{
	json_object *f = NULL;
	if (!json_object_object_get_ex(dc, "flows", &f) || !f)
		return;
	fprintf(out, "%21s flows: ", "");
	if (json_has(f, "kept"))
		fprintf(out, "%d kept on %s", (int)json_get_num(f, "kept", 0),
			json_get_str(dc, "from", "?"));
	else
		fprintf(out, "kept not counted yet");
	if (json_has(f, "flushed"))
		fprintf(out, ", %d flushed (it failed)", (int)json_get_num(f, "flushed", 0));
	if (!json_get_bool(f, "sticky", 0))
		fprintf(out, " (not sticky: a switch moves them too)");
	fputc('\n', out);
}

/* status: "flows  sticky (inet autonomy, mask 0x3f000000): wan 2, lte 0". */
void ctl_format_sticky(json_object *status, FILE *out)
{
	json_object *route = NULL, *f = NULL, *members = NULL;
	if (!json_object_object_get_ex(status, "route", &route) || !route ||
	    !json_object_object_get_ex(route, "flows", &f) || !f)
		return;
	if (json_get_bool(f, "sticky", 0))
		fprintf(out, "  flows        sticky (%s, mask %s)", json_get_str(f, "table", "?"),
			json_get_str(f, "mask", "?"));
	else if (json_has(f, "error"))
		fprintf(out, "  flows        not sticky: %s", json_get_str(f, "error", ""));
	else if (json_has(f, "mask"))
		fprintf(out, "  flows        not sticky (%s)", json_get_bool(route, "read_only", 0) ?
			"observe mode" : json_get_str(f, "pending", "table not verified"));
	else
		fprintf(out, "  flows        not sticky (main.sticky_flows is off)");
	bool first = true;
	if (json_object_object_get_ex(f, "members", &members) && members) {
		json_object_object_foreach(members, name, m) {
			if (!json_has(m, "flows"))
				continue;
			fprintf(out, "%s%s %d", first ? ": " : ", ", name, (int)json_get_num(m, "flows", 0));
			first = false;
		}
	}
	fputc('\n', out);
}
