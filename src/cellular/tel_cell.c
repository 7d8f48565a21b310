/* tel_cell: a cellular member's modem — the run-time source (cellular/cell_src:
 * ModemManager, uqmi, qmicli or AT through gsmctl / mmcli, found at run time)
 * polled every signal_check_interval, feeding the assessor
 * (cellular/cell_assess), and the `cellular` view. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "cellular/cell_assess.h"
#include "cellular/cell_kind.h"
#include "cellular/cell_src.h"
#include "cellular/cell_trace.h"
#include "daemon/record.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "daemon/tel.h"
#include "events/ev_emit.h"

static struct cell_assess *assessor(const struct member_rt *m)
{
	return tel_member_part(&m->tm, &tel_kind_cellular);
}

static bool has_figures(const struct cell_sample *s)
{
	return s->state != CELL_MS_UNKNOWN || s->reg != CELL_REG_UNKNOWN ||
	       isfinite(cell_signal_dbm(s, NULL));
}

static void on_sample(void *arg, const struct cell_sample *s, const struct cell_src_info *info)
{
	struct member_rt *m = arg;
	struct tel_cell *t = tel_source(m);
	uint64_t now = clock_mono_us();

	t->polls++;
	snprintf(t->tool, sizeof(t->tool), "%s", info->tool ? info->tool : "");
	if (!info->ok || info->failed) {
		t->failures++;
		if (strcmp(t->error, info->error) != 0)
			ev_emit_tel_source(m->d->bus, m->name, "modem", info->error, NULL);
		snprintf(t->error, sizeof(t->error), "%s", info->error);
	} else if (t->error[0]) {
		ev_emit_tel_source(m->d->bus, m->name, "modem", NULL, t->tool);
		t->error[0] = 0;
	}
	/* A cycle where one command failed still carries what the others said. */
	if (!has_figures(s))
		return;
	t->s = *s;
	t->have = true;
	t->s_us = now;
	record_telemetry(m, "cellular", cell_trace_object(s), now);
	cell_assess_sample(assessor(m), s, now);
	tel_changed(m);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct member_rt *m = arg;
	cell_src_poll(((struct tel_cell *)tel_source(m))->src);
}

bool tel_cell_answering(const struct member_rt *m)
{
	const struct tel_cell *t = tel_source(m);
	return t && t->have && !t->error[0];
}

int tel_cell_start(struct member_rt *m)
{
	const struct cfg_section *c = config_section(m->d->cfg, "cellular");
	const struct cfg_section *s = config_member(m->d->cfg, m->name);
	struct tel_cell *t = tel_source(m);
	long long iv = cfg_duration_ms(c, "signal_check_interval");
	struct cell_src_opts o = {
		.member = m->name,
		.mmcli = cfg_str(c, "mmcli"), .uqmi = cfg_str(c, "uqmi"),
		.qmicli = cfg_str(c, "qmicli"), .gsmctl = cfg_str(c, "gsmctl"),
		.modem = s && cfg_is_set(s, "modem") ? (int)cfg_int(s, "modem") : -1,
		.qmi_device = s ? cfg_str(s, "qmi_device") : NULL,
		.timeout_ms = 5000,
	};
	/* A tool that answers more slowly than the polling interval would pile
	 * up: its timeout is at most the interval. */
	if (o.timeout_ms > iv)
		o.timeout_ms = (unsigned)iv;
	t->src = cell_src_new(m->d->base, &o, on_sample, m);
	t->timer = event_new(m->d->base, -1, EV_PERSIST, on_timer, m);
	if (!t->src || !t->timer) {
		log_errno(LOG_LVL_ERR, "member %s: modem source", m->name);
		return -1;
	}
	struct timeval tv = { (time_t)(iv / 1000), (suseconds_t)(iv % 1000 * 1000) };
	event_add(t->timer, &tv);
	cell_src_poll(t->src);
	return 0;
}

void tel_cell_stop(struct member_rt *m)
{
	struct tel_cell *t = tel_source(m);
	if (t->timer)
		event_free(t->timer);
	cell_src_free(t->src);
	memset(t, 0, sizeof(*t));
}

static void signal_into(json_object *o, const struct cell_sample *s)
{
	json_add_num(o, "rsrp_dbm", s->rsrp_dbm, 1);
	json_add_num(o, "rsrq_db", s->rsrq_db, 1);
	json_add_num(o, "sinr_db", s->sinr_db, 1);
	json_add_num(o, "rssi_dbm", s->rssi_dbm, 1);
	json_add_num(o, "nr_rsrp_dbm", s->nr_rsrp_dbm, 1);
	json_add_num(o, "nr_rsrq_db", s->nr_rsrq_db, 1);
	json_add_num(o, "nr_sinr_db", s->nr_sinr_db, 1);
	json_add_num(o, "rscp_dbm", s->rscp_dbm, 1);
	json_add_num(o, "ecio_db", s->ecio_db, 1);
	json_add_count(o, "csq", s->csq);
	json_add_count(o, "signal_pct", s->signal_pct);
}

json_object *tel_cell_json(struct member_rt *m)
{
	const struct tel_cell *t = tel_source(m);
	const struct cell_assess *a = assessor(m);
	if (!t)
		return NULL;
	json_object *o = json_object_new_object();
	const struct cell_sample *s = &t->s;
	json_add_str(o, "source", t->tool);
	json_add_str(o, "error", t->error);
	json_object_object_add(o, "polls", json_object_new_int64((int64_t)t->polls));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)t->failures));
	if (!t->have) {
		json_add_str(o, "state", t->src ? "not read yet" : "not polled (member disabled)");
		return o;
	}
	json_object_object_add(o, "age_s", json_num((double)(clock_mono_us() - t->s_us) / 1e6, 1));
	json_add_str(o, "state", cell_modem_state_name(s->state));
	json_add_str(o, "state_reason", s->state_reason);
	json_add_str(o, "registration", cell_reg_name(s->reg));
	json_object_object_add(o, "roaming", s->roaming < 0 && s->reg != CELL_REG_ROAMING ? NULL :
			       json_object_new_boolean(s->roaming == 1 || s->reg == CELL_REG_ROAMING));
	json_add_str(o, "technology", cell_tech_name(s->tech));
	json_add_str(o, "technology_text", s->tech_text);
	json_add_str(o, "operator", s->operator_name);
	json_add_str(o, "operator_code", s->operator_code);
	signal_into(o, s);
	json_add_str(o, "cell_id", s->cell_id);
	json_add_str(o, "tac", s->tac);
	json_add_count(o, "pci", s->pci);
	json_add_count(o, "earfcn", s->earfcn);
	json_add_count(o, "band", s->band);
	json_object *tr = json_object_new_object();
	json_add_str(tr, "metric", a->metric);
	json_add_num(tr, "slope_db_per_min", a->slope_db_min, 1);
	json_add_num(tr, "stdev_db", a->stdev_db, 1);
	json_object_object_add(tr, "cell_changes_10min", json_object_new_int((int)a->cell_changes));
	json_object_object_add(tr, "registration_drops_10min", json_object_new_int((int)a->reg_drops));
	json_add_count(tr, "stability", a->stability);
	json_object_object_add(o, "trend", tr);
	return o;
}
