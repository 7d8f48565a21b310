/* cell_trace: a trace's `cellular` object (shared/spec/replay.md) into the
 * sample struct the modem source produces, so the assessor sees the same
 * input in the replay as in the daemon. Unknown keys are ignored; a key of
 * the wrong type is ignored. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cellular/cell_trace.h"
#include "core/jsonutil.h"

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
}
