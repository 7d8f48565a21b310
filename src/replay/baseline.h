/* baseline: the decision rules of two widely deployed failover systems,
 * re-implemented from their documented defaults, so that the replay can run
 * them on the same simulated network as autonomy's engine and compare.
 * Pure state machines on monotonic µs, like the rest of src/engine.
 *
 * mwan3 (OpenWrt, net/mwan3/files/usr/sbin/mwan3track): one check every
 * `interval` pings the track IPs in turn (`ping -c count -W timeout`) until
 * `reliability` of them answered; a failed check lowers a score that starts
 * at down+up, and at `down` failed checks in a row the interface goes
 * offline (score 0); `up` good checks in a row bring it online again, and a
 * single failed check during recovery starts the count over. An ifdown
 * (no carrier) takes it offline at once; an ifup brings it online at once
 * (`initial_state online`). Traffic uses the online member of the lowest
 * metric. Two parameter sets: the shipped /etc/config/mwan3 (interval 5 s,
 * timeout 2 s, down 3, up 8, two track IPs, reliability 1) and mwan3track's
 * built-in defaults (interval 10 s, timeout 4 s, down 5, up 5).
 *
 * pfSense (dpinger gateway monitoring, pfSense's defaults): a probe every
 * 500 ms; a probe unanswered after the loss interval (2 s) is lost; loss and
 * mean latency over the time period (60 s) are checked every alert interval
 * (1 s); the gateway is down (alarm) while loss >= 20 % or latency >= 500 ms.
 * A default gateway group ("member down" trigger) uses the lowest tier that
 * is not down and returns as soon as the alarm clears.
 */
#ifndef AUTONOMY_ENGINE_BASELINE_H
#define AUTONOMY_ENGINE_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

/* ---- mwan3track ---------------------------------------------------------- */

struct baseline_mwan3_params {
	uint32_t interval_ms;   /* between checks (5000 shipped; 10000 built in) */
	uint32_t timeout_ms;    /* ping -W (2000; 4000) */
	unsigned down;          /* failed checks in a row -> offline (3; 5) */
	unsigned up;            /* good checks in a row -> online (8; 5) */
	unsigned n_track_ips;   /* track_ip list (2 in the shipped config) */
	unsigned reliability;   /* track IPs that must answer (1) */
};

struct baseline_mwan3 {
	struct baseline_mwan3_params p;
	bool online;
	unsigned score;         /* mwan3track's: down+up while fully online */
	unsigned target;        /* next track IP in this check */
	unsigned host_up;       /* track IPs that answered in this check */
	uint32_t gen;           /* bumped on restart: older pings are ignored */
	uint64_t due_us;        /* next ping; UINT64_MAX while one is in flight */
	unsigned failed;        /* failed checks in a row (for reasons) */
	uint64_t checks;
};

void baseline_mwan3_params_shipped(struct baseline_mwan3_params *p);
void baseline_mwan3_params_builtin(struct baseline_mwan3_params *p);
void baseline_mwan3_init(struct baseline_mwan3 *t, const struct baseline_mwan3_params *p,
			 uint64_t now_us);
/* Due: returns the track IP to ping now (its result is expected within
 * timeout_ms, tagged with t->gen). */
unsigned baseline_mwan3_fire(struct baseline_mwan3 *t, uint64_t now_us);
/* The ping's result; true when online/offline changed. */
bool baseline_mwan3_result(struct baseline_mwan3 *t, uint32_t gen, bool ok, uint64_t now_us);
/* ifup / ifdown (carrier); true when online/offline changed. */
bool baseline_mwan3_link(struct baseline_mwan3 *t, bool up, uint64_t now_us);

/* ---- dpinger (pfSense) ---------------------------------------------------- */

#define BASELINE_DPINGER_CAP 512

struct baseline_dpinger_params {
	uint32_t send_interval_ms;      /* -s 500 */
	uint32_t loss_interval_ms;      /* -l 2000 */
	uint32_t time_period_ms;        /* -t 60000 */
	uint32_t alert_interval_ms;     /* -A 1000 */
	uint32_t latency_high_ms;       /* 500 */
	unsigned loss_high_pct;         /* 20 */
};

struct baseline_dpinger_sample {
	uint64_t sent_us;
	uint64_t rtt_us;                /* UINT64_MAX = never answered */
};

struct baseline_dpinger {
	struct baseline_dpinger_params p;
	struct baseline_dpinger_sample ring[BASELINE_DPINGER_CAP];
	unsigned head, count;
	bool alarm;
	uint64_t send_us, check_us;     /* next probe, next alarm check */
	double loss_pct, latency_ms;    /* as of the last check */
	uint64_t sent;
};

void baseline_dpinger_params_default(struct baseline_dpinger_params *p);
void baseline_dpinger_init(struct baseline_dpinger *t, const struct baseline_dpinger_params *p,
			   uint64_t now_us);
uint64_t baseline_dpinger_due_us(const struct baseline_dpinger *t);
/* A probe sent now; lost or answered after rtt_us (the caller's network). */
void baseline_dpinger_send(struct baseline_dpinger *t, bool lost, uint64_t rtt_us,
			   uint64_t now_us);
/* The alarm check; true when the alarm was raised or cleared. */
bool baseline_dpinger_check(struct baseline_dpinger *t, uint64_t now_us);

#endif
