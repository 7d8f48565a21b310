/* sec_guard: who may use the daemon's network-facing listeners (today the
 * Prometheus /metrics endpoint, src/export/export_http.c), decided for every
 * request in one place. In order:
 *
 *   banned source (intrusion_detection)                     403
 *   the router itself (allow_loopback) is trusted: no allow-list, no key
 *   not in security.ip_whitelist                            403 + "authentication failed"
 *   over its token bucket (rate_limiting)                   429 + Retry-After
 *   everyone together over 10 x the per-source rate (ddos)  503 + Retry-After
 *   no / unknown / revoked / expired key (api_key_required) 401 + "authentication failed"
 *
 * Refusals of the allow-list and of keys count towards a ban: intrusion_
 * failures of them within 10 minutes ban the source for intrusion_ban (the
 * on_ban callback adds it to the firewall's set and raises an event). Log
 * lines are "authentication failed: ..." (what operators grep for), at most
 * three a minute per source with a count of those held back. Pure but for
 * the log: callers pass the time. */
#ifndef AUTONOMY_SECURITY_SEC_GUARD_H
#define AUTONOMY_SECURITY_SEC_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "security/sec_acl.h"
#include "security/sec_keys.h"
#include "security/sec_track.h"

struct config;

#define SEC_IDS_WINDOW_MS 600000        /* the window intrusion_failures count in */
#define SEC_RECENT_MAX 32

struct sec_guard_cfg {
	bool allow_loopback;
	struct sec_acl acl;
	bool rate_limiting;
	double rate, burst;             /* per source, requests/s and bucket size */
	bool ddos;
	bool key_required;
	int64_t key_validity_s;         /* api_key_rotation_days */
	bool ids;
	unsigned ids_failures;
	uint64_t ban_ms;
};

/* A refusal, for `security audit` and the report. */
struct sec_refusal {
	int64_t wall_s;
	struct sec_addr addr;
	int status;
	char reason[64];
};

struct sec_guard_stats {
	uint64_t requests, allowed, refused_acl, refused_banned, refused_rate, refused_flood,
		 refused_key, bans, log_suppressed;
};

typedef void (*sec_ban_fn)(void *arg, const struct sec_addr *a, unsigned failures,
			   uint64_t ban_ms);

struct sec_guard {
	struct sec_guard_cfg c;
	struct sec_keys keys;
	struct sec_track track;
	struct sec_src global;          /* the ddos bucket: every source together */
	struct sec_guard_stats st;
	struct sec_refusal recent[SEC_RECENT_MAX];
	size_t n_recent, recent_head;
	sec_ban_fn on_ban;
	void *ban_arg;
};

struct sec_request {
	const struct sockaddr *peer;
	const char *listener;           /* "0.0.0.0:9612", for the log */
	const char *path;
	const char *authorization;      /* the Authorization header, or NULL */
	const char *api_key;            /* the X-API-Key header, or NULL */
};

struct sec_verdict {
	int status;                     /* 0: serve it; else the HTTP status to answer */
	double retry_after_s;           /* 429, 503 */
	char reason[96];                /* why, for the answer's body */
};

/* The settings of the security and network_security sections. -1 with why
 * when ip_whitelist holds more networks than the guard keeps (64). */
int sec_guard_cfg_from(const struct config *cfg, struct sec_guard_cfg *out, char *why,
		       size_t why_size);
void sec_guard_init(struct sec_guard *g, const struct sec_guard_cfg *c);
/* New settings: per-source state and keys stay. */
void sec_guard_configure(struct sec_guard *g, const struct sec_guard_cfg *c);
void sec_guard_admit(struct sec_guard *g, const struct sec_request *r, uint64_t now_ms,
		     int64_t wall_s, struct sec_verdict *v);
/* Sources banned now, for the firewall after it rebuilt its table: up to
 * max addresses and each one's remaining ban. Returns the count. */
size_t sec_guard_bans(struct sec_guard *g, uint64_t now_ms, struct sec_addr *out,
		      uint64_t *left_ms, size_t max);
/* Counters, recent refusals, bans, the settings in force (for `health` and
 * `security audit`). */
json_object *sec_guard_view(const struct sec_guard *g, uint64_t now_ms, int64_t wall_s);

#endif
