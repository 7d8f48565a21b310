/* sw_alert: starwatch's own minimal way to raise an emergency, independent
 * of the daemon it watches: syslog (LOG_ALERT) and its log always, and an
 * HTTP POST of a small JSON document to `starwatch.alert_url` and, when the
 * Slack channel is enabled, to `slack.webhook_url`.
 *
 * The POST is made by the system's HTTP client (curl, else OpenWrt's
 * uclient-fetch, else wget) run with argv and a deadline: starwatch links
 * only libc and json-c, and webhook endpoints are HTTPS, which needs a TLS
 * library that the router's client already has. With curl the URL and the
 * body go on stdin (`curl -K -`), so a URL holding a token never shows in
 * the process list; the others take it as an argument. Three attempts, 30 s
 * apart. */
#ifndef AUTONOMY_SW_ALERT_H
#define AUTONOMY_SW_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "starwatch/sw_loop.h"
#include "starwatch/sw_proc.h"

#define SW_ALERT_CHANNELS 2
#define SW_ALERT_ATTEMPTS 3
#define SW_ALERT_RETRY_MS 30000
#define SW_ALERT_TIMEOUT_MS 15000

struct sw_alert;

struct sw_alert_ch {
	struct sw_alert *owner;
	const char *name;       /* "alert_url", "slack" */
	char *url;              /* NULL: not configured */
	bool pending, running;
	int attempts;
	unsigned sent_gen;      /* the emergency the running attempt carries */
};

struct sw_alert {
	struct sw_loop *loop;
	struct sw_procs *procs;
	struct sw_alert_ch ch[SW_ALERT_CHANNELS];
	char *body;
	unsigned gen;           /* emergencies raised so far */
	struct sw_timer retry;
	char host[64];
};

int sw_alert_init(struct sw_alert *a, struct sw_loop *l, struct sw_procs *ps);
/* (Re)configures the channels; NULL or "" leaves one off. */
void sw_alert_set_urls(struct sw_alert *a, const char *alert_url, const char *slack_url);
/* Raises an emergency now: logged at once, posted in the background. */
void sw_alert_emergency(struct sw_alert *a, const char *event, const char *msg);
void sw_alert_free(struct sw_alert *a);

/* Pure helpers (unit-tested). The body is one JSON object with "text" (for
 * Slack) and the fields a generic webhook wants. */
char *sw_alert_body(const char *host, const char *event, const char *msg, int64_t now_s);
/* curl's config-file syntax for a POST of body to url (quoted, escaped). */
char *sw_alert_curl_config(const char *url, const char *body);

#endif
