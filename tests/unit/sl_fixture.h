/* sl_fixture: what the Starlink codec tests share: loading the fixtures
 * (tests/data/starlink/, made by make_bin.py from the get_* captures there)
 * and field-by-field, NaN-aware comparison of decoded structs, so that a
 * difference names the field. Header-only: each test_*.c is one binary. */
#ifndef AUTONOMY_TESTS_SL_FIXTURE_H
#define AUTONOMY_TESTS_SL_FIXTURE_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "starlink/sl_pb.h"

#define SL_FIX_DIR SOURCE_DIR "/tests/data/starlink/"
#define SL_CAP_DIR TEST_DATA "/starlink/"     /* the captures (get_*) */

static inline uint8_t *sl_fix_load(const char *dir, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s%s", dir, name);
	char *b = fs_read_file(path, 1 << 24, len);
	if (!b) {
		print_error("cannot read %s\n", path);
		fail();
	}
	return (uint8_t *)b;
}

/* Decodes tests/data/starlink/<name>.bin into a heap reply; asserts it decodes. */
static inline struct sl_reply *sl_fix_decode(const char *name)
{
	char file[256], err[200];
	size_t len;
	snprintf(file, sizeof(file), "%s.bin", name);
	uint8_t *b = sl_fix_load(SL_FIX_DIR, file, &len);
	struct sl_reply *r = malloc(sizeof(*r));
	assert_non_null(r);
	if (sl_pb_decode(b, len, r, err, sizeof(err)) != 0) {
		print_error("%s: %s\n", file, err);
		fail();
	}
	free(b);
	return r;
}

static inline bool sl_fix_same(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

#define SL_CMP_NUM(what, a, b, f) do {                                              \
		if (!sl_fix_same((double)(a)->f, (double)(b)->f)) {                 \
			print_error("%s: %s: %.17g != %.17g\n", what, #f,            \
				    (double)(a)->f, (double)(b)->f);                 \
			fail();                                                      \
		}                                                                    \
	} while (0)
#define SL_CMP_STR(what, a, b, f) do {                                              \
		if (strcmp((a)->f, (b)->f) != 0) {                                   \
			print_error("%s: %s: '%s' != '%s'\n", what, #f, (a)->f, (b)->f); \
			fail();                                                      \
		}                                                                    \
	} while (0)

static inline void sl_fix_cmp_info(const char *w, const struct sl_device_info *a,
				   const struct sl_device_info *b)
{
	SL_CMP_STR(w, a, b, id);
	SL_CMP_STR(w, a, b, hardware_version);
	SL_CMP_STR(w, a, b, software_version);
	SL_CMP_STR(w, a, b, country_code);
	SL_CMP_NUM(w, a, b, utc_offset_s);
	SL_CMP_NUM(w, a, b, bootcount);
	SL_CMP_NUM(w, a, b, generation_number);
}

static inline void sl_fix_cmp_outage(const char *w, const struct sl_outage *a,
				     const struct sl_outage *b)
{
	SL_CMP_NUM(w, a, b, cause);
	SL_CMP_NUM(w, a, b, start_ns);
	SL_CMP_NUM(w, a, b, duration_ns);
	SL_CMP_NUM(w, a, b, did_switch);
}

static inline void sl_fix_cmp_status(const char *w, const struct sl_status *a,
				     const struct sl_status *b)
{
	sl_fix_cmp_info(w, &a->info, &b->info);
#define N(f) SL_CMP_NUM(w, a, b, f)
	N(uptime_s); N(seconds_to_first_nonempty_slot); N(pop_ping_drop_rate);
	N(pop_ping_latency_ms); N(downlink_bps); N(uplink_bps); N(stow_requested);
	N(boresight_azimuth_deg); N(boresight_elevation_deg); N(fraction_obstructed);
	N(obstruction_valid_s); N(currently_obstructed); N(avg_prolonged_obstruction_duration_s);
	N(avg_prolonged_obstruction_interval_s); N(avg_prolonged_obstruction_valid);
	N(time_obstructed); N(patches_valid); N(alerts); N(has_outage);
	N(gps_valid); N(gps_sats); N(gps_no_sats_after_ttff); N(gps_inhibit); N(eth_speed_mbps);
	N(mobility_class); N(is_snr_above_noise_floor); N(is_snr_persistently_low);
	N(ready_states); N(has_ready_states); N(software_update_state); N(disablement_code);
	N(swu_state); N(swu_progress); N(swu_requires_reboot); N(reboot_scheduled_utc);
	N(swupdate_reboot_ready); N(seconds_until_swupdate_reboot_possible);
	N(tilt_angle_deg); N(desired_azimuth_deg); N(desired_elevation_deg);
	N(dl_restricted_reason); N(ul_restricted_reason);
#undef N
	sl_fix_cmp_outage(w, &a->outage, &b->outage);
}

static inline void sl_fix_cmp_history(const char *w, const struct sl_history *a,
				      const struct sl_history *b)
{
	SL_CMP_NUM(w, a, b, current);
	SL_CMP_NUM(w, a, b, ring_len);
	SL_CMP_NUM(w, a, b, n);
	SL_CMP_NUM(w, a, b, n_outages);
	for (unsigned i = 0; i < a->n && i < SL_HIST_MAX; i++) {
		SL_CMP_NUM(w, a, b, drop[i]);
		SL_CMP_NUM(w, a, b, latency_ms[i]);
	}
	for (unsigned i = 0; i < a->n_outages && i < SL_HIST_OUTAGES; i++)
		sl_fix_cmp_outage(w, &a->outages[i], &b->outages[i]);
}

static inline void sl_fix_cmp_reply(const char *w, const struct sl_reply *a, const struct sl_reply *b)
{
	SL_CMP_NUM(w, a, b, call);
	SL_CMP_NUM(w, a, b, id);
	SL_CMP_NUM(w, a, b, api_version);
	SL_CMP_NUM(w, a, b, status_code);
	SL_CMP_STR(w, a, b, status_message);
	sl_fix_cmp_status(w, &a->status, &b->status);
	sl_fix_cmp_history(w, &a->history, &b->history);
	sl_fix_cmp_info(w, &a->device_info, &b->device_info);
#define N(f) SL_CMP_NUM(w, a, b, f)
	N(location.lat); N(location.lon); N(location.alt_m); N(location.source);
	N(location.sigma_m); N(location.h_speed_mps); N(location.v_speed_mps);
	N(diag.utc_offset_s); N(diag.alerts); N(diag.disablement_code);
	N(diag.hardware_self_test); N(diag.loc_enabled); N(diag.loc_uncertainty_valid);
	N(diag.lat); N(diag.lon); N(diag.alt_m); N(diag.uncertainty_m); N(diag.gps_time_s);
	N(diag.stowed);
#undef N
	SL_CMP_STR(w, a, b, diag.id);
	SL_CMP_STR(w, a, b, diag.hardware_version);
	SL_CMP_STR(w, a, b, diag.software_version);
}

#endif
