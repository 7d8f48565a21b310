/* tel_sl_int: a starlink member's dish in the daemon — the state of its
 * source, shared by tel_sl.c (the poll client's callbacks), tel_sl_view.c
 * (views, operator actions), sl_places.c (learnt places on disk) and
 * sl_kind.c (the kind's ops table). */
#ifndef AUTONOMY_STARLINK_TEL_SL_INT_H
#define AUTONOMY_STARLINK_TEL_SL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "ctl/ctl_proto.h"
#include "daemon/members.h"
#include "daemon/tel.h"
#include "starlink/sl_predict.h"
#include "starlink/sl_types.h"

struct sl_client;
struct ctl_conn;
struct daemon;

struct tel_sl {
	struct sl_client *c;
	struct sl_status st;
	bool have_st;
	uint64_t st_us;
	struct sl_device_info info;
	bool have_info;
	struct sl_diag diag;
	bool have_diag;
	struct sl_location loc;
	bool have_loc;
	uint64_t loc_us;
	uint64_t hist_current, hist_us;
	unsigned hist_n, hist_outages;
	uint64_t api_version;
	/* errors: logged when they change, not at every poll */
	char last_error[160];
	uint64_t errors;
	bool fast;
	char rec_place[32];             /* the place last written to a recording */
	/* an operator action waiting for the dish */
	struct ctl_conn *act_conn;
	char act_name[16];
};

extern const struct tel_kind tel_kind_starlink;

/* The member's dish source and its predictor. */
static inline struct tel_sl *tel_sl_of(const struct member_rt *m)
{
	return tel_source(m);
}

static inline struct sl_predict *sl_pred_of(const struct member_rt *m)
{
	return tel_member_part(&m->tm, &tel_kind_starlink);
}

/* tel_sl.c */
int tel_sl_start(struct member_rt *m);
void tel_sl_stop(struct member_rt *m);
/* Polls the dish fast while the predictor finds the link suspect. */
void tel_sl_suspect(struct member_rt *m);
/* tel_sl_view.c */
json_object *tel_sl_json(struct member_rt *m);
json_object *tel_sl_action(struct daemon *d, struct ctl_conn *c, const char *action,
			   json_object *args, struct ctl_error *err);
/* sl_places.c: the learnt obstruction places (the kind's shared loclearn)
 * in state_dir/locations.json. */
int sl_places_start(struct daemon *d);
void sl_places_stop(struct daemon *d);
void sl_places_health(struct daemon *d, json_object *telemetry);

#endif
