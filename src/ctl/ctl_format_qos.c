/* ctl_format_qos: the shaper in `status` and `members` (human output). */
#include "ctl/ctl_format_int.h"

#include <stdbool.h>

#include "core/jsonutil.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static void put_queues(json_object *dev, FILE *out)
{
	json_object *qs = get(dev, "queues");
	size_t n = qs && json_object_is_type(qs, json_type_array) ? json_object_array_length(qs) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *q = json_object_array_get_idx(qs, i), *c = get(q, "classes");
		char classes[64] = "";
		size_t len = 0, nc = c ? json_object_array_length(c) : 0;
		for (size_t k = 0; k < nc && len < sizeof(classes); k++)
			len += (size_t)snprintf(classes + len, sizeof(classes) - len, "%s%s",
						k ? "+" : "",
						json_object_get_string(json_object_array_get_idx(c, k)));
		fprintf(out, "    queue %d %-18s %7.2f..%-7.2f Mbit/s %12.0f bytes %6.0f drops\n",
			(int)json_get_num(q, "queue", 0), classes, json_get_num(q, "rate_mbps", 0),
			json_get_num(q, "ceil_mbps", 0), json_get_num(q, "bytes", 0),
			json_get_num(q, "drops", 0));
	}
}

void ctl_format_shaper(json_object *sh, FILE *out)
{
	if (!sh)
		return;
	fprintf(out, "  shaper       %s: %s\n", json_get_str(sh, "state", "-"),
		json_get_str(sh, "reason", ""));
	json_object *up = get(sh, "upload"), *ad = get(sh, "adaptive");
	if (!up || !json_get_bool(up, "installed", 0))
		return;
	fprintf(out, "    %s on %s, %.2f Mbit/s (limit %.2f), %s, %d queue%s\n",
		json_get_str(up, "kind", "-"), json_get_str(up, "device", "-"),
		json_get_num(sh, "rate_mbps", 0), json_get_num(sh, "limit_mbps", 0),
		json_get_bool(sh, "qos", 0) ? json_get_str(sh, "sharing", "-") : "no priorities",
		(int)json_get_num(sh, "tiers", 0), json_get_num(sh, "tiers", 0) == 1 ? "" : "s");
	if (ad && json_get_bool(ad, "enabled", 0))
		fprintf(out, "    adaptive: %.2f Mbit/s now, delay +%.1f ms over %.1f ms (target "
			"%d ms)%s, %d cuts, %d raises\n", json_get_num(ad, "upload_mbps", 0),
			json_get_num(ad, "delay_ms", 0), json_get_num(ad, "baseline_ms", 0),
			(int)json_get_num(ad, "target_ms", 0),
			json_get_bool(ad, "bloat", 0) ? ", queue building" : "",
			(int)json_get_num(ad, "cuts", 0), (int)json_get_num(ad, "raises", 0));
	put_queues(up, out);
	json_object *down = get(sh, "download");
	size_t n = down ? json_object_array_length(down) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *dv = json_object_array_get_idx(down, i);
		fprintf(out, "    download on %s: %s\n", json_get_str(dv, "device", "-"),
			json_get_bool(dv, "installed", 0) ? json_get_str(dv, "kind", "-") :
			json_get_str(dv, "error", "not installed"));
	}
}

/* members: each member's shaping limits, and which one is shaped now. */
void ctl_format_member_shaping(json_object *members, FILE *out)
{
	size_t n = json_object_is_type(members, json_type_array) ?
		   json_object_array_length(members) : 0;
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(members, i), *s = get(m, "shaping");
		if (!s || (json_get_num(s, "upload_mbps", 0) <= 0 &&
			   json_get_num(s, "download_mbps", 0) <= 0))
			continue;
		if (!header)
			fprintf(out, "\nshaping (Mbit/s):\n");
		header = true;
		fprintf(out, "  %-14s up %.1f, down %.1f%s", json_get_str(m, "name", "-"),
			json_get_num(s, "upload_mbps", 0), json_get_num(s, "download_mbps", 0),
			json_get_bool(s, "shaped", 0) ? ", shaped now" : "");
		if (json_get_bool(s, "shaped", 0))
			fprintf(out, " at %.2f", json_get_num(s, "rate_mbps", 0));
		fprintf(out, "\n");
	}
}
