/* sl_predict: what the Starlink dish knows before the packets do, turned into
 * a telemetry verdict (telemetry.h) for its member. Pure: fed decoded dish
 * answers (sl_types.h) with the monotonic and the wall time, evaluated at a
 * time; the daemon (gRPC client) and the replay (trace `starlink` objects)
 * run the same code. docs/starlink.md is the reference; keep the two in step.
 *
 * Pre-emptive moves (verdict.predicted; only with predictive_enabled):
 *   - dish reports an outage now (status.outage present): "dish outage:
 *     OBSTRUCTED"; the probes would see it within a second, the dish says it
 *     first when polled fast;
 *   - planned: a scheduled software-update reboot, from reboot_lead before
 *     software_update_stats.reboot_scheduled_utc_time (or from
 *     seconds_until_swupdate_reboot_possible when the dish is reboot-ready
 *     without a time), a stow requested, a thermal shutdown alert. The flag
 *     holds through the outage and until the dish has been connected for
 *     recover_s after it (a reboot is seen as uptime going back, an outage
 *     BOOTING, or the dish not answering past the scheduled time); an
 *     announced reboot that has not happened 15 minutes after its time is
 *     dropped ("did not happen");
 *   - obstruction building: currently_obstructed together with a drop-rate
 *     ramp (>= 3 of the last 15 s of history with drops, or the status drop
 *     rate above 1 % for 4 s of polls, either standing out against the
 *     dish's own normal drops: sl_drops.h) or a rising fraction_obstructed (+1 point within
 *     5 min) — or, where obstruction outages recur (loclearn),
 *     currently_obstructed or a drop ramp alone. It clears once the dish has
 *     been unobstructed, without drops, for 10 s. Strength (telemetry.h):
 *     a ramp 1, with a rising fraction 2; obstructed with a rising fraction
 *     but no ramp 0.5 (the engine acts on it only when the probes agree);
 *     where outages recur 1, plus 1 for each of ramp-and-obstructed and
 *     rising. The outage is expected within 2 minutes.
 * Precursor kinds: "planned" (strength 4; until the reboot time + 2 min,
 * else 5 min), "obstruction", "outage" (the dish reports one: 8, 30 s).
 * Penalties (score points, with reasons): SNR persistently low 15, thermal
 * throttling 10, motors stuck 10, mast not near vertical 5, obstruction
 * (fraction >= 5 %: 1 + 0.3 per point over 5, max 10; currently obstructed +10),
 * recent drop rate from history or status (0.5 per % over 2 %, max 15), the
 * dish no longer answering after it did (10). (Recurring outages here cost
 * no points: a standing penalty would keep traffic on the backup — often
 * metered — between them; they make the predictor leave earlier instead.)
 * Exclusion (last resort only, no fail-back until resolved): disablement
 * codes other than OKAY (no active account, blocked area, data overage
 * sandbox, ...).
 * Not believed: pop_ping_latency_ms of 0 while pings are not all dropped, on
 * three polls in a row (the late-2024 firmware bug): latency_bogus.
 */
#ifndef AUTONOMY_ENGINE_SL_PREDICT_H
#define AUTONOMY_ENGINE_SL_PREDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "starlink/loclearn.h"
#include "starlink/sl_drops.h"
#include "engine/telemetry.h"
#include "starlink/sl_types.h"

struct sl_predict_params {
	bool predictive;                /* starlink.predictive_enabled */
	uint32_t reboot_lead_s;         /* starlink.reboot_lead (60) */
	uint32_t recover_s;             /* connected this long after a planned outage (30) */
	struct loclearn *learn;         /* NULL = no location learning */
};

enum sl_plan {
	SL_PLAN_NONE,
	SL_PLAN_ANNOUNCED,      /* a reboot is scheduled, not yet within the lead */
	SL_PLAN_LEAVING,        /* within the lead (or stow/thermal): traffic should be away */
	SL_PLAN_OUTAGE,         /* the planned outage is happening */
	SL_PLAN_RECOVERING,     /* connected again, not yet for recover_s */
};

enum sl_plan_kind { SL_PK_NONE, SL_PK_REBOOT, SL_PK_STOW, SL_PK_THERMAL };

#define SL_OBS_RING 16

struct sl_predict {
	struct sl_predict_params p;
	bool have;                      /* a status has been seen */
	struct sl_status st;            /* the latest */
	uint64_t st_us;
	int64_t st_wall;
	uint64_t polls;
	/* reachability of the API */
	unsigned fails;                 /* calls failed in a row */
	bool ever_ok;
	uint64_t last_ok_us, first_fail_us;
	char fail_text[80];
	/* the late-2024 latency bug */
	unsigned zero_latency;
	bool latency_bogus;
	/* planned outage */
	enum sl_plan plan;
	enum sl_plan_kind plan_kind;
	bool by_operator;               /* autonomyctl starlink reboot|stow */
	int64_t reboot_at;              /* Unix s of the scheduled reboot, 0 = none */
	uint64_t uptime_before;         /* the dish's uptime when the plan started */
	uint64_t plan_us, recover_us;
	/* obstruction */
	struct { uint64_t t_us; float frac; } obs[SL_OBS_RING];
	unsigned obs_head, obs_n;
	bool obstruct_flag;
	uint64_t unobstructed_since_us;
	/* from get_history */
	bool have_hist;
	uint64_t hist_us;
	unsigned hist_drops15;          /* samples with drops among the newest 15 */
	double hist_drop60;             /* mean drop rate over the newest 60 s */
	unsigned hist_zero_latency;     /* newest 60 s: samples with latency 0 and drop < 1 */
	bool hist_ramp;                 /* the newest 15 s stand out (sl_drops.h) */
	uint64_t drops_since_us;        /* status drop rate standing out since, 0 = no */
	struct sl_drops drops;
	double obstruct_strength;       /* evidence behind obstruct_flag */
	/* place, for loclearn */
	char place[LOCLEARN_KEY_MAX];
	int64_t observed_to_s;
	struct loclearn_verdict here;
};

void sl_predict_params_default(struct sl_predict_params *p);
void sl_predict_init(struct sl_predict *p, const struct sl_predict_params *pp);
/* New parameters (a reload) without forgetting what was seen. */
void sl_predict_configure(struct sl_predict *p, const struct sl_predict_params *pp);
/* Where the dish is now (gps_cell_id of the best position, or "here" when
 * nothing knows a position); NULL keeps the place. */
void sl_predict_place(struct sl_predict *p, const char *key);

void sl_predict_status(struct sl_predict *p, const struct sl_status *st, uint64_t now_us,
		       int64_t wall_s);
void sl_predict_history(struct sl_predict *p, const struct sl_history *h, uint64_t now_us,
			int64_t wall_s);
/* A call to the dish failed (deadline, refused, gRPC error). */
void sl_predict_error(struct sl_predict *p, const char *what, uint64_t now_us);

void sl_predict_eval(struct sl_predict *p, uint64_t now_us, int64_t wall_s,
		     struct tel_verdict *out);
/* When the verdict can change without new input (a reboot's lead time is
 * reached, a recovery time ends): monotonic µs, UINT64_MAX for never. */
uint64_t sl_predict_next_us(const struct sl_predict *p, uint64_t now_us, int64_t wall_s);
/* The link looks suspect: poll the dish fast (obstruction building, a plan
 * in progress, drops, an outage). */
bool sl_predict_suspect(const struct sl_predict *p);
/* The operator asked the dish to reboot or stow (autonomyctl starlink ...):
 * a planned outage starting now, so traffic moves before the dish goes. */
void sl_predict_operator(struct sl_predict *p, enum sl_plan_kind k, uint64_t now_us,
			 int64_t wall_s);
const char *sl_plan_name(enum sl_plan s);
const char *sl_plan_kind_name(enum sl_plan_kind k);

#endif
