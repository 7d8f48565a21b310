/* cell_kind: the modem as a telemetry kind (engine/tel_kind.h): the
 * assessor (cell_assess), the replay's `cellular` objects (cell_trace) and
 * the daemon's run-time source (tel_cell.c). */
#include "cellular/cell_kind.h"

#include <math.h>

#include "cellular/cell_assess.h"
#include "cellular/cell_trace.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "daemon/tel.h"

static void params(const struct tel_ctx *c, struct cell_assess_params *p)
{
	cell_assess_params_default(p);
	if (!c->cfg)
		return;
	const struct cfg_section *s = config_section(c->cfg, "cellular");
	p->roaming_detection = cfg_bool(s, "roaming_detection");
	p->prefer_roaming = cfg_bool(s, "prefer_roaming");
	p->roaming_penalty = (int)cfg_int(s, "roaming_penalty");
	p->stability = cfg_bool(s, "stability_analysis");
}

static void a_init(void *a, const struct tel_ctx *c)
{
	struct cell_assess_params p;
	params(c, &p);
	cell_assess_init(a, &p);
}

static void a_configure(void *a, const struct tel_ctx *c)
{
	struct cell_assess_params p;
	params(c, &p);
	cell_assess_configure(a, &p);
}

static void a_eval(void *a, uint64_t now_us, int64_t wall_s, struct tel_verdict *v)
{
	cell_assess_eval(a, now_us, v);
}

static void trace_feed(struct tel_member *t, void *a, const void *peer, unsigned poll,
		       json_object *seen, const struct tel_clock *c)
{
	struct cell_sample s;
	cell_trace_sample(seen, &s);
	if (seen)
		cell_assess_sample(a, &s, c->now_us);
}

static void signature(const struct member_rt *m, json_object *sig)
{
	/* the tools and their interval, and which modem the member names */
	const struct cfg_section *s = config_member(m->d->cfg, m->name);
	tel_sig_section(m->d->cfg, "cellular", sig);
	if (s) {
		json_object_object_add(sig, "modem", json_object_new_int64(
			cfg_is_set(s, "modem") ? cfg_int(s, "modem") : -1));
		const char *q = cfg_str(s, "qmi_device");
		json_object_object_add(sig, "qmi", json_object_new_string(q ? q : ""));
	}
}

/* The signal (RSRP, else what the modem's technology has) and SINR. */
static void history(const void *a, uint64_t now_us, uint64_t max_age_us,
		    const struct tel_hist_put *put)
{
	const struct cell_assess *c = a;
	if (!put->num || !c->have || !tel_fresh(c->last_us, now_us, max_age_us))
		return;
	put->num(put->arg, "cell_rsrp", cell_signal_dbm(&c->last, NULL));
	put->num(put->arg, "cell_sinr", isfinite(c->last.sinr_db) ? c->last.sinr_db :
		c->last.nr_sinr_db);
}

const struct tel_kind tel_kind_cellular = {
	.name = "cellular", .cls = "cellular", .units = "modems",
	.size = sizeof(struct cell_assess),
	.init = a_init, .configure = a_configure, .eval = a_eval, .history = history,
	.trace_key = "cellular",
	.polls = { { "cellular", "signal_check_interval", 15000 } },
	.n_polls = 1,
	.trace_feed = trace_feed,
	.src_size = sizeof(struct tel_cell),
	.start = tel_cell_start, .stop = tel_cell_stop, .signature = signature,
	.view_key = "cellular", .member_view = tel_cell_json, .answering = tel_cell_answering,
};
