/* cell_trace: a trace's `cellular` object (docs/replay-format.md) into the
 * sample struct the modem source produces, so the assessor sees the same
 * input in the replay as in the daemon. Unknown keys are ignored; a key of
 * the wrong type is ignored. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cellular/cell_trace.h"
#include "core/jsonutil.h"

static void read_exact(json_object *o, struct cell_sample *s);

void cell_trace_sample(json_object *o, struct cell_sample *s)
{
	int reg, roam;

	cell_sample_init(s);
	snprintf(s->source, sizeof(s->source), "trace");
	if (!o)
		return;
	s->rsrp_dbm = json_typed_num(o, "rsrp_dbm");
	s->rsrq_db = json_typed_num(o, "rsrq_db");
	s->sinr_db = json_typed_num(o, "sinr_db");
	s->rssi_dbm = json_typed_num(o, "rssi_dbm");
	s->rscp_dbm = json_typed_num(o, "rscp_dbm");
	s->nr_rsrp_dbm = json_typed_num(o, "nr_rsrp_dbm");
	json_typed_str(o, "technology", s->tech_text, sizeof(s->tech_text));
	if (s->tech_text[0])
		s->tech = cell_tech_parse(s->tech_text);
	json_typed_str(o, "operator", s->operator_name, sizeof(s->operator_name));
	json_typed_str(o, "cell_id", s->cell_id, sizeof(s->cell_id));
	roam = json_typed_bool(o, "roaming");
	reg = json_typed_bool(o, "registered");
	if (roam >= 0)
		s->roaming = roam;
	if (reg == 1)
		s->reg = roam == 1 ? CELL_REG_ROAMING : CELL_REG_HOME;
	else if (reg == 0)
		s->reg = CELL_REG_SEARCHING;
	read_exact(o, s);
}

/* Extensions a recording daemon writes (other readers ignore them): the
 * sample's own enums and figures, so the assessor sees exactly what the
 * modem said. */
static void read_exact(json_object *o, struct cell_sample *s)
{
	double v;
	if (isfinite(v = json_typed_num(o, "tech_id")) && v >= 0 && v <= CELL_TECH_NR_SA)
		s->tech = (enum cell_tech)v;
	if (isfinite(v = json_typed_num(o, "reg_id")) && v >= 0 && v <= CELL_REG_IDLE)
		s->reg = (enum cell_reg)v;
	if (isfinite(v = json_typed_num(o, "state_id")) && v >= 0 && v <= CELL_MS_CONNECTED)
		s->state = (enum cell_modem_state)v;
	if (isfinite(v = json_typed_num(o, "csq")) && v >= 0 && v <= 31)
		s->csq = (int)v;
	json_typed_str(o, "state_reason", s->state_reason, sizeof(s->state_reason));
	json_typed_str(o, "operator_code", s->operator_code, sizeof(s->operator_code));
}

json_object *cell_trace_object(const struct cell_sample *s)
{
	json_object *o = json_object_new_object();
	json_add_exact(o, "rsrp_dbm", s->rsrp_dbm);
	json_add_exact(o, "rsrq_db", s->rsrq_db);
	json_add_exact(o, "sinr_db", s->sinr_db);
	json_add_exact(o, "rssi_dbm", s->rssi_dbm);
	json_add_exact(o, "rscp_dbm", s->rscp_dbm);
	json_add_exact(o, "nr_rsrp_dbm", s->nr_rsrp_dbm);
	json_add_str(o, "technology", s->tech_text);
	json_add_str(o, "operator", s->operator_name);
	json_add_str(o, "cell_id", s->cell_id);
	if (s->roaming >= 0)
		json_object_object_add(o, "roaming", json_object_new_boolean(s->roaming));
	if (s->reg != CELL_REG_UNKNOWN)
		json_object_object_add(o, "registered", json_object_new_boolean(
			s->reg == CELL_REG_HOME || s->reg == CELL_REG_ROAMING));
	json_object_object_add(o, "tech_id", json_object_new_int(s->tech));
	json_object_object_add(o, "reg_id", json_object_new_int(s->reg));
	json_object_object_add(o, "state_id", json_object_new_int(s->state));
	if (s->csq >= 0)
		json_object_object_add(o, "csq", json_object_new_int(s->csq));
	json_add_str(o, "state_reason", s->state_reason);
	json_add_str(o, "operator_code", s->operator_code);
	return o;
}
