/* sw_alert: emergencies through syslog and a webhook POST (sw_alert.h). */
#include "starwatch/sw_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "core/clock.h"
#include "core/log.h"

#define TIMEOUT_S "10"

static void send_pending(struct sw_alert *a);

static void on_retry(void *arg)
{
	send_pending(arg);
}

int sw_alert_init(struct sw_alert *a, struct sw_loop *l, struct sw_procs *ps)
{
	memset(a, 0, sizeof(*a));
	a->loop = l;
	a->procs = ps;
	a->ch[0].name = "alert_url";
	a->ch[1].name = "slack";
	a->ch[0].owner = a->ch[1].owner = a;
	if (gethostname(a->host, sizeof(a->host) - 1) < 0)
		snprintf(a->host, sizeof(a->host), "router");
	return sw_timer_register(l, &a->retry, on_retry, a);
}

void sw_alert_set_urls(struct sw_alert *a, const char *alert_url, const char *slack_url)
{
	const char *u[SW_ALERT_CHANNELS] = { alert_url, slack_url };
	for (int i = 0; i < SW_ALERT_CHANNELS; i++) {
		free(a->ch[i].url);
		a->ch[i].url = u[i] && *u[i] ? strdup(u[i]) : NULL;
		if (!a->ch[i].url)
			a->ch[i].pending = false;
	}
}

char *sw_alert_body(const char *host, const char *event, const char *msg, int64_t now_s)
{
	char iso[32], text[512];
	json_object *o = json_object_new_object();
	snprintf(text, sizeof(text), "EMERGENCY on %s: %s", host, msg);
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "source", json_object_new_string("starwatch"));
	json_object_object_add(o, "host", json_object_new_string(host));
	json_object_object_add(o, "level", json_object_new_string("emergency"));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "time", json_object_new_string(
				       clock_iso8601(now_s, iso, sizeof(iso))));
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* A double-quoted value in curl's config syntax. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default: fputc(*s, f);
		}
	}
	fputs("\"\n", f);
}

char *sw_alert_curl_config(const char *url, const char *body)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("silent\nshow-error\nfail\nmax-time = " TIMEOUT_S "\noutput = \"/dev/null\"\n", f);
	fputs("header = \"Content-Type: application/json\"\nurl = ", f);
	put_quoted(f, url);
	fputs("data-binary = ", f);
	put_quoted(f, body);
	fclose(f);
	return buf;
}

static void on_done(void *arg, int status, bool timed_out, const char *out);

/* Which client, and its argv; stdin gets the curl config when that is it. */
static pid_t post(struct sw_alert *a, struct sw_alert_ch *c)
{
	char path[256];
	if (sw_proc_find("curl", path, sizeof(path))) {
		char *cfg = sw_alert_curl_config(c->url, a->body);
		char *argv[] = { path, "-K", "-", NULL };
		pid_t pid = cfg ? sw_proc_spawn(a->procs, argv, cfg, SW_ALERT_TIMEOUT_MS, on_done,
						c) : -1;
		free(cfg);
		return pid;
	}
	char data[4200];
	snprintf(data, sizeof(data), "--post-data=%s", a->body);
	if (sw_proc_find("uclient-fetch", path, sizeof(path))) {
		char *argv[] = { path, "-q", "-T", TIMEOUT_S, "-O", "/dev/null", data, c->url, NULL };
		return sw_proc_spawn(a->procs, argv, NULL, SW_ALERT_TIMEOUT_MS, on_done, c);
	}
	if (sw_proc_find("wget", path, sizeof(path))) {
		char *argv[] = { path, "-q", "-T", TIMEOUT_S, "-O", "/dev/null",
				 "--header=Content-Type: application/json", data, c->url, NULL };
		return sw_proc_spawn(a->procs, argv, NULL, SW_ALERT_TIMEOUT_MS, on_done, c);
	}
	log_err("emergency: no HTTP client (curl, uclient-fetch, wget) to reach %s", c->name);
	c->pending = false;
	return -1;
}

static void on_done(void *arg, int status, bool timed_out, const char *out)
{
	struct sw_alert_ch *c = arg;
	struct sw_alert *a = c->owner;
	char how[48];
	c->running = false;
	if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_notice("emergency delivered through %s", c->name);
		/* A newer emergency came while this one was on its way. */
		c->pending = c->sent_gen != a->gen;
		if (c->pending)
			send_pending(a);
		return;
	}
	log_warn("emergency through %s failed (attempt %d of %d): %s%s%.200s", c->name,
		 c->attempts, SW_ALERT_ATTEMPTS, sw_proc_status_text(status, timed_out, how,
								      sizeof(how)),
		 out[0] ? ": " : "", out);
	if (c->attempts >= SW_ALERT_ATTEMPTS)
		c->pending = false;
	else
		sw_timer_in(a->loop, &a->retry, SW_ALERT_RETRY_MS);
}

static void send_pending(struct sw_alert *a)
{
	for (int i = 0; i < SW_ALERT_CHANNELS; i++) {
		struct sw_alert_ch *c = &a->ch[i];
		if (!c->pending || c->running || !c->url || !a->body)
			continue;
		c->attempts++;
		c->sent_gen = a->gen;
		if (post(a, c) >= 0) {
			c->running = true;
		} else if (c->pending && c->attempts < SW_ALERT_ATTEMPTS) {
			sw_timer_in(a->loop, &a->retry, SW_ALERT_RETRY_MS);
		} else {
			c->pending = false;
		}
	}
}

void sw_alert_emergency(struct sw_alert *a, const char *event, const char *msg)
{
	/* syslog directly as well: in the foreground core/log writes to stderr
	 * only, and an emergency must reach the system log in any mode. */
	syslog(LOG_DAEMON | LOG_ALERT, "EMERGENCY: %s", msg);
	log_err("EMERGENCY: %s", msg);
	free(a->body);
	a->body = sw_alert_body(a->host, event, msg, clock_wall_ms() / 1000);
	a->gen++;
	for (int i = 0; i < SW_ALERT_CHANNELS; i++) {
		a->ch[i].pending = a->ch[i].url != NULL;
		a->ch[i].attempts = 0;
	}
	send_pending(a);
}

void sw_alert_free(struct sw_alert *a)
{
	for (int i = 0; i < SW_ALERT_CHANNELS; i++)
		free(a->ch[i].url);
	free(a->body);
	a->ch[0].url = a->ch[1].url = NULL;
	a->body = NULL;
}
