/* sl_types: what the Starlink dish reports, as plain C values. The gRPC
 * client (protobuf, src/starlink/sl_pb.c) and the replay (trace JSON,
 * src/starlink/sl_json.c) both produce these structs, so the predictive engine
 * (src/starlink/sl_predict.c) sees the same input from a real dish and from a
 * trace. Field meanings and numbers: docs/starlink-api.md.
 *
 * proto3 semantics: a field the dish did not send has its default (0, false,
 * ""), so an absent pop_ping_drop_rate is 0 and an absent `outage` means
 * connected. Floats that may be NaN on the wire (the obstruction interval)
 * are kept as NaN; consumers use isfinite(). No pointers: a struct can be
 * copied and compared as a value. */
#ifndef AUTONOMY_LINK_SL_TYPES_H
#define AUTONOMY_LINK_SL_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* DishOutage.Cause */
enum sl_cause {
	SL_CAUSE_UNKNOWN = 0, SL_CAUSE_BOOTING = 1, SL_CAUSE_STOWED = 2,
	SL_CAUSE_THERMAL_SHUTDOWN = 3, SL_CAUSE_NO_SCHEDULE = 4, SL_CAUSE_NO_SATS = 5,
	SL_CAUSE_OBSTRUCTED = 6, SL_CAUSE_NO_DOWNLINK = 7, SL_CAUSE_NO_PINGS = 8,
	SL_CAUSE_ACTUATOR_ACTIVITY = 9, SL_CAUSE_CABLE_TEST = 10, SL_CAUSE_SLEEPING = 11,
	SL_CAUSE_SKY_SEARCH = 13, SL_CAUSE_INHIBIT_RF = 14,
};

/* SoftwareUpdateState */
enum sl_swu_state {
	SL_SWU_UNKNOWN = 0, SL_SWU_IDLE = 1, SL_SWU_FETCHING = 2, SL_SWU_PRE_CHECK = 3,
	SL_SWU_WRITING = 4, SL_SWU_POST_CHECK = 5, SL_SWU_REBOOT_REQUIRED = 6,
	SL_SWU_DISABLED = 7, SL_SWU_FAULTED = 8,
};

/* UtDisablementCode; 0 = not reported (treated as OKAY). */
enum sl_disablement {
	SL_DIS_UNKNOWN = 0, SL_DIS_OKAY = 1, SL_DIS_NO_ACTIVE_ACCOUNT = 2,
	SL_DIS_TOO_FAR_FROM_SERVICE_ADDRESS = 3, SL_DIS_IN_OCEAN = 4, SL_DIS_BLOCKED_COUNTRY = 6,
	SL_DIS_DATA_OVERAGE_SANDBOX_POLICY = 7, SL_DIS_CELL_IS_DISABLED = 8,
	SL_DIS_ROAM_RESTRICTED = 10, SL_DIS_UNKNOWN_LOCATION = 11, SL_DIS_ACCOUNT_DISABLED = 12,
	SL_DIS_UNSUPPORTED_VERSION = 13, SL_DIS_MOVING_TOO_FAST_FOR_POLICY = 14,
	SL_DIS_UNDER_AVIATION_FLYOVER_LIMITS = 15, SL_DIS_BLOCKED_AREA = 16,
};

enum sl_mobility { SL_MOB_STATIONARY = 0, SL_MOB_NOMADIC = 1, SL_MOB_MOBILE = 2 };

/* DishAlerts: bit n is the alert with field number n. */
#define SL_ALERT(n) (1u << (n))
enum sl_alert_field {
	SL_AL_MOTORS_STUCK = 1, SL_AL_THERMAL_SHUTDOWN = 2, SL_AL_THERMAL_THROTTLE = 3,
	SL_AL_UNEXPECTED_LOCATION = 4, SL_AL_MAST_NOT_NEAR_VERTICAL = 5,
	SL_AL_SLOW_ETHERNET_SPEEDS = 6, SL_AL_ROAMING = 7, SL_AL_INSTALL_PENDING = 8,
	SL_AL_IS_HEATING = 9, SL_AL_POWER_SUPPLY_THERMAL_THROTTLE = 10,
	SL_AL_IS_POWER_SAVE_IDLE = 11, SL_AL_DBF_TELEM_STALE = 14, SL_AL_LOW_MOTOR_CURRENT = 16,
	SL_AL_LOWER_SIGNAL_THAN_PREDICTED = 17, SL_AL_SLOW_ETHERNET_SPEEDS_100 = 18,
	SL_AL_OBSTRUCTION_MAP_RESET = 19, SL_AL_DISH_WATER_DETECTED = 20,
	SL_AL_ROUTER_WATER_DETECTED = 21, SL_AL_UPSU_ROUTER_PORT_SLOW = 22,
	SL_AL_NO_ETHERNET_LINK = 23,
};

struct sl_device_info {
	char id[64];
	char hardware_version[48];
	char software_version[96];
	char country_code[8];
	int32_t utc_offset_s;
	int32_t bootcount;
	int64_t generation_number;
};

struct sl_outage {
	enum sl_cause cause;
	int64_t start_ns;       /* GPS-epoch ns as the dish sends it (0 = not given) */
	uint64_t duration_ns;
	bool did_switch;
};

struct sl_status {
	struct sl_device_info info;
	uint64_t uptime_s;
	float seconds_to_first_nonempty_slot;   /* < 0: unknown */
	float pop_ping_drop_rate;               /* 0..1 */
	float pop_ping_latency_ms;              /* 0 on some late-2024 firmware: see sl_predict */
	float downlink_bps, uplink_bps;
	bool stow_requested;
	float boresight_azimuth_deg, boresight_elevation_deg;
	/* obstruction_stats */
	float fraction_obstructed;
	float obstruction_valid_s;
	bool currently_obstructed;
	float avg_prolonged_obstruction_duration_s;
	float avg_prolonged_obstruction_interval_s;     /* NaN when none */
	bool avg_prolonged_obstruction_valid;
	float time_obstructed;
	uint32_t patches_valid;
	uint32_t alerts;                        /* SL_ALERT(SL_AL_*) bits */
	bool has_outage;                        /* false = connected */
	struct sl_outage outage;
	/* gps_stats */
	bool gps_valid;
	uint32_t gps_sats;
	bool gps_no_sats_after_ttff, gps_inhibit;
	int32_t eth_speed_mbps;
	enum sl_mobility mobility_class;
	bool is_snr_above_noise_floor;
	bool is_snr_persistently_low;
	/* ready_states: bit 0 cady, 1 scp, 2 l1l2, 3 xphy, 4 aap, 5 rf */
	uint8_t ready_states;
	bool has_ready_states;
	enum sl_swu_state software_update_state;
	enum sl_disablement disablement_code;
	/* software_update_stats */
	enum sl_swu_state swu_state;
	float swu_progress;
	bool swu_requires_reboot;
	int64_t reboot_scheduled_utc;           /* Unix s; 0 = none scheduled */
	bool swupdate_reboot_ready;
	int32_t seconds_until_swupdate_reboot_possible;
	/* alignment_stats */
	float tilt_angle_deg;
	float desired_azimuth_deg, desired_elevation_deg;
	int32_t dl_restricted_reason, ul_restricted_reason;
};

/* get_history: the dish's 1 Hz ring buffers. Only the newest samples are kept
 * here (in time order, oldest first), which is what the engine uses. */
#define SL_HIST_MAX 900
#define SL_HIST_OUTAGES 32
struct sl_history {
	uint64_t current;       /* samples written since the dish booted */
	unsigned ring_len;      /* the dish's ring length (array length on the wire) */
	unsigned n;             /* valid samples below: min(ring_len, current, SL_HIST_MAX) */
	float drop[SL_HIST_MAX];        /* pop_ping_drop_rate, oldest first */
	float latency_ms[SL_HIST_MAX];  /* pop_ping_latency_ms, same order */
	unsigned n_outages;             /* the newest SL_HIST_OUTAGES outages, oldest first */
	struct sl_outage outages[SL_HIST_OUTAGES];
};

enum sl_pos_source { SL_POS_AUTO = 0, SL_POS_GPS = 4, SL_POS_STARLINK = 5 };

struct sl_location {
	double lat, lon, alt_m;
	int source;             /* enum sl_pos_source, or another value the dish sent */
	double sigma_m;         /* 0 = not given */
	double h_speed_mps, v_speed_mps;
};

/* get_diagnostics (the official enterprise API). */
#define SL_DIAG_AL(n) (1u << (n))       /* bit n = Alerts field n (own numbering) */
struct sl_diag {
	char id[64], hardware_version[48], software_version[96];
	int32_t utc_offset_s;
	uint32_t alerts;
	enum sl_disablement disablement_code;
	int hardware_self_test;         /* 0 no result, 1 passed, 2 failed */
	bool loc_enabled, loc_uncertainty_valid;
	double lat, lon, alt_m, uncertainty_m, gps_time_s;
	bool stowed;
};

/* The call a response answers (its oneof case). */
enum sl_call {
	SL_CALL_NONE, SL_CALL_STATUS, SL_CALL_HISTORY, SL_CALL_DEVICE_INFO,
	SL_CALL_LOCATION, SL_CALL_DIAGNOSTICS, SL_CALL_REBOOT, SL_CALL_STOW, SL_CALL_UNSTOW,
};

/* Names as the dish spells them ("OBSTRUCTED", "REBOOT_REQUIRED", "OKAY",
 * "thermal_throttle"); "UNKNOWN"/NULL for values without a name. */
const char *sl_cause_name(int cause);
const char *sl_swu_state_name(int st);
const char *sl_disablement_name(int code);
const char *sl_mobility_name(int m);
const char *sl_alert_name(unsigned field);      /* NULL for an unused number */
const char *sl_call_name(enum sl_call c);
/* Reverse lookups for JSON input: -1 when the name is unknown. */
int sl_cause_parse(const char *s);
int sl_swu_state_parse(const char *s);
int sl_disablement_parse(const char *s);
int sl_mobility_parse(const char *s);
int sl_alert_parse(const char *snake_or_camel);

/* GPS-epoch ns (as in DishOutage) to Unix seconds, with the 18 leap seconds
 * GPS time is ahead of UTC by since 2017. */
double sl_gps_ns_to_unix(int64_t gps_ns);

#endif
