/* wifi_kind: the Wi-Fi client radio as a telemetry kind (engine/tel_kind.h):
 * the assessor (wifi_assess), the replay's `wifi` objects (wifi_trace) and
 * the daemon's run-time source (tel_wifi.c). */
#include "wifi/wifi_kind.h"

#include <math.h>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "daemon/tel.h"
#include "wifi/wifi_assess.h"
#include "wifi/wifi_trace.h"

static void params(const struct tel_ctx *c, struct wifi_assess_params *p)
{
	p->interference = c->cfg ? cfg_bool(config_section(c->cfg, "wifi"),
					    "interference_detection") : true;
}

static void a_init(void *a, const struct tel_ctx *c)
{
	struct wifi_assess_params p;
	params(c, &p);
	wifi_assess_init(a, &p);
}

static void a_configure(void *a, const struct tel_ctx *c)
{
	struct wifi_assess_params p;
	params(c, &p);
	wifi_assess_configure(a, &p);
}

static void a_eval(void *a, uint64_t now_us, int64_t wall_s, struct tel_verdict *v)
{
	wifi_assess_eval(a, now_us, v);
}

static void trace_feed(struct tel_member *t, void *a, const void *peer, unsigned poll,
		       json_object *seen, const struct tel_clock *c)
{
	struct wifi_sample s;
	struct wifi_scan_view v;
	if (poll == TEL_POLL_RECORDED && wifi_trace_scan(seen, &v)) {
		wifi_assess_scan(a, &v, c->now_us);
		return;
	}
	wifi_trace_sample(seen, &s);
	if (seen)
		wifi_assess_sample(a, &s, c->now_us);
}

static void signature(const struct member_rt *m, json_object *sig)
{
	tel_sig_section(m->d->cfg, "wifi", sig);
}

/* The signal in dBm (relative levels from /proc/net/wireless are not). */
static void history(const void *a, uint64_t now_us, uint64_t max_age_us,
		    const struct tel_hist_put *put)
{
	const struct wifi_assess *w = a;
	if (put->num && w->have && tel_fresh(w->last_us, now_us, max_age_us) &&
	    !w->last.relative_units)
		put->num(put->arg, "wifi_signal", isfinite(w->last.signal_avg_dbm) ?
			w->last.signal_avg_dbm : w->last.signal_dbm);
}

const struct tel_kind tel_kind_wifi = {
	.name = "wifi", .cls = "wifi", .units = "radios",
	.size = sizeof(struct wifi_assess),
	.init = a_init, .configure = a_configure, .eval = a_eval, .history = history,
	.trace_key = "wifi",
	.polls = { { "wifi", "rssi_check_interval", 10000 } },
	.n_polls = 1,
	.trace_feed = trace_feed,
	.src_size = sizeof(struct tel_wifi),
	.start = tel_wifi_start, .stop = tel_wifi_stop, .signature = signature,
	.view_key = "wifi", .member_view = tel_wifi_json, .answering = tel_wifi_answering,
};
