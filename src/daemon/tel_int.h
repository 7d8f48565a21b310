/* tel_int: state of the daemon's telemetry sources, shared by tel*.c only. */
#ifndef AUTONOMY_DAEMON_TEL_INT_H
#define AUTONOMY_DAEMON_TEL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cellular/cell_types.h"
#include "starlink/sl_types.h"
#include "wifi/wifi_types.h"

struct event;
struct sl_client;
struct cell_src;
struct wifi_src;
struct ctl_conn;
struct member_rt;

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
	/* an operator action waiting for the dish */
	struct ctl_conn *act_conn;
	char act_name[16];
};

struct tel_cell {
	struct cell_src *src;
	struct event *timer;
	struct cell_sample s;
	bool have;
	uint64_t s_us, polls, failures;
	char tool[16];
	char error[160];
};

struct tel_wifi {
	struct wifi_src *src;
	struct event *poll_timer, *scan_timer;
	struct wifi_sample s;
	bool have;
	uint64_t s_us, polls, failures, scans;
	char source[16];
	char error[160];
	unsigned scan_seen, neighbours;
	double strongest_dbm, busy_pct;
	int suggest_channel, scan_channel;
	uint64_t scan_us;
};

struct mtel {
	struct member_rt *m;
	struct tel_sl sl;
	struct tel_cell cell;
	struct tel_wifi wifi;
	struct event *timer;            /* when the verdict changes with time alone */
	char sig[512];                  /* what the sources talk to (reload) */
};

#endif
