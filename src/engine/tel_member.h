/* tel_member: one member's link telemetry as the engine uses it — the
 * assessor of its class (Starlink, cellular, Wi-Fi) and its data usage —
 * combined into one verdict that becomes health penalties (mstate) and the
 * decision engine's predicted / excluded / link-down inputs. The daemon and
 * the replay both keep one per member, so telemetry moves traffic the same
 * way in both. Pure. */
#ifndef AUTONOMY_ENGINE_TEL_MEMBER_H
#define AUTONOMY_ENGINE_TEL_MEMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/cell_assess.h"
#include "engine/decide.h"
#include "engine/mstate.h"
#include "engine/sl_predict.h"
#include "engine/telemetry.h"
#include "engine/wifi_assess.h"

enum tel_class { TEL_OTHER, TEL_STARLINK, TEL_CELLULAR, TEL_WIFI };

/* Telemetry penalties together never take more than this from a score, so
 * telemetry alone can make a member degraded but not down: only an explicit
 * verdict (predicted, link down) moves traffic at once. */
#define TEL_PENALTY_CAP 40

struct tel_params {
	struct sl_predict_params sl;
	struct cell_assess_params cell;
	struct wifi_assess_params wifi;
	bool data_limit;                /* bandwidth.data_limit_enabled */
	int data_last_resort_pct;       /* bandwidth.data_last_resort_pct */
};

struct tel_member {
	enum tel_class cls;
	struct sl_predict sl;
	struct cell_assess cell;
	struct wifi_assess wifi;
	struct tel_params p;
	/* data usage against the member's cap, set by the caller */
	double usage_pct;               /* NAN: no cap or not known */
	char usage_text[64];            /* "19.1 of 20 GB" */
	struct tel_verdict v;           /* the last evaluation */
	struct health_penalty pen[TEL_PEN_MAX];
	unsigned n_pen;
	/* The probes show trouble too (tel_member_apply): a prediction then
	 * counts double (decide.h "Precursors"), and its reason says so. */
	bool path_agrees;
	char predict_text[TEL_REASON_MAX + 72];
};

struct config;
void tel_params_default(struct tel_params *p);
/* Defaults, then starlink.predictive_enabled / reboot_lead, cellular
 * roaming_detection / prefer_roaming / roaming_penalty / stability_analysis,
 * wifi.interference_detection, bandwidth.data_limit_enabled /
 * data_last_resort_pct. learn stays NULL (the caller owns the table). */
void tel_params_from_config(const struct config *cfg, struct tel_params *p);
enum tel_class tel_class_of(const char *cls);

void tel_member_init(struct tel_member *t, enum tel_class cls, const struct tel_params *p);
void tel_member_configure(struct tel_member *t, const struct tel_params *p);
void tel_member_usage(struct tel_member *t, double pct, const char *text);
/* Evaluates the class's assessor and the usage rule into t->v. */
const struct tel_verdict *tel_member_eval(struct tel_member *t, uint64_t now_us, int64_t wall_s);
uint64_t tel_member_next_us(const struct tel_member *t, uint64_t now_us, int64_t wall_s);
/* The last verdict into the engine: penalties (capped) into mstate, which is
 * re-scored; returns true when the member's state changed. Also notes
 * whether the probes agree with a prediction: loss over the short window
 * of 10 % or more and 5 points above the long window's, or the median RTT
 * risen by max(20 ms, half the baseline) — the health score's own
 * latency-rise threshold. */
bool tel_member_apply(struct tel_member *t, struct mstate *ms, uint64_t now_us);
/* ... and flags into a decision input (reasons point into t): a prediction
 * with its kind, strength (doubled when the probes agree) and horizon. */
void tel_member_input(const struct tel_member *t, struct decide_input *in);

#endif
