/* Unit tests for the alert channels (src/notify/ch_*.c): the requests each
 * builds from a message and a config, in the shapes the services document,
 * and how each judges what comes back. The same requests go to the real
 * servers of tests/integration/test_alerts.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "notify/notify_chan.h"
#include "notify/notify_hmac.h"

static const char CONF[] =
	"config autonomy 'alerts'\n"
	"	option ca_file '/etc/autonomy/ca.pem'\n"
	"config autonomy 'email'\n"
	"	option enabled '1'\n"
	"	option smtp_server 'smtp.example.net'\n"
	"	option username 'alerts@example.net'\n"
	"	option password 'pw-secret'\n"
	"	option recipients 'ops@example.net,admin@example.net'\n"
	"config autonomy 'slack'\n"
	"	option enabled '1'\n"
	"	option webhook_url 'https://hooks.slack.com/services/T0/B0/TOKEN123'\n"
	"	option channel '#net'\n"
	"config autonomy 'pagerduty'\n"
	"	option enabled '1'\n"
	"	option api_key 'ROUTINGKEY42'\n"
	"	option service_id 'PSVC1'\n"
	"config autonomy 'webhook'\n"
	"	option enabled '1'\n"
	"	option url 'https://hooks.example.net/hook/abc'\n"
	"	option secret 'whsecret'\n"
	"config autonomy 'ntfy'\n"
	"	option enabled '1'\n"
	"	option server 'https://ntfy.example.net'\n"
	"	option topic 'router_alerts'\n"
	"	option token 'tk_abcdef'\n"
	"	option priority 'warning=4 critical=urgent'\n"
	"config autonomy 'pushover'\n"
	"	option enabled '1'\n"
	"	option token 'apptoken'\n"
	"	option user 'userkey'\n"
	"config member 'wan'\n"
	"	option device 'eth0'\n";

struct fx {
	struct config *cfg;
	struct notify_msg *m;
	struct notify_req rq;
	char why[200];
};

static int setup(void **state)
{
	static struct fx f;
	struct cfg_diags d = { 0 };
	memset(&f, 0, sizeof(f));
	f.cfg = config_load_buf("test", CONF, sizeof(CONF) - 1, &d);
	cfg_diags_free(&d);
	assert_non_null(f.cfg);
	f.m = notify_msg_new();
	f.m->id = 7;
	f.m->wall_ms = 1800000000000LL;
	f.m->opened_ms = 1799999999000LL;
	f.m->action = NA_OPEN;
	f.m->sev = EV_CRITICAL;
	f.m->inc_sev = EV_CRITICAL;
	snprintf(f.m->key, sizeof(f.m->key), "wan:health");
	snprintf(f.m->member, sizeof(f.m->member), "wan");
	snprintf(f.m->title, sizeof(f.m->title), "wan down, traffic moved to sat <&>");
	f.m->text = strdup("05:13:29  CRITICAL   wan: down\nscores: wan 0, sat 92\n");
	f.m->events = json_object_new_array();
	json_object_array_add(f.m->events, json_tokener_parse("{\"event\":\"state\"}"));
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	notify_req_free(&f->rq);
	notify_msg_unref(f->m);
	config_free(f->cfg);
	return 0;
}

static int build(struct fx *f, int ch)
{
	struct notify_chan_ctx c = { .cfg = f->cfg, .hostname = "router1",
				     .s = config_section(f->cfg, notify_chan_name(ch)) };
	notify_req_free(&f->rq);
	assert_true(notify_chans[ch]->enabled(&c));
	return notify_chans[ch]->build(&c, f->m, &f->rq, f->why, sizeof(f->why));
}

static json_object *body_json(struct fx *f)
{
	json_object *o = json_tokener_parse(f->rq.body);
	assert_non_null(o);
	return o;
}

static const char *jstr(json_object *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return json_object_get_string(o);
}

static bool has_header(const struct notify_req *r, const char *h)
{
	for (unsigned i = 0; i < r->n_headers; i++)
		if (strcmp(r->headers[i], h) == 0)
			return true;
	return false;
}

static void test_slack(void **state)
{
	struct fx *f = *state;
	assert_int_equal(build(f, NCH_SLACK), 0);
	assert_string_equal(f->rq.url, "https://hooks.slack.com/services/T0/B0/TOKEN123");
	assert_string_equal(f->rq.ca_file, "/etc/autonomy/ca.pem");   /* alerts.ca_file */
	assert_true(has_header(&f->rq, "Content-Type: application/json"));
	json_object *o = body_json(f);
	assert_string_equal(jstr(o, "text"),
			    "*[router1] wan down, traffic moved to sat &lt;&amp;&gt;* (CRITICAL)");
	assert_string_equal(jstr(o, "channel"), "#net");
	assert_string_equal(jstr(o, "username"), "autonomy Bot");
	json_object *att = json_object_array_get_idx(json_object_object_get(o, "attachments"), 0);
	assert_non_null(strstr(jstr(att, "text"), "scores: wan 0, sat 92"));
	json_object_put(o);
	/* the token never shows in an error */
	char err[200] = "Failed to connect to hooks.slack.com: /services/T0/B0/TOKEN123 refused";
	notify_scrub(&f->rq, err);
	assert_null(strstr(err, "TOKEN123"));
	assert_non_null(strstr(err, "hooks.slack.com"));
}

static void test_pagerduty(void **state)
{
	struct fx *f = *state;
	assert_int_equal(build(f, NCH_PAGERDUTY), 0);
	assert_string_equal(f->rq.url, "https://events.pagerduty.com/v2/enqueue");
	json_object *o = body_json(f);
	assert_string_equal(jstr(o, "routing_key"), "ROUTINGKEY42");
	assert_string_equal(jstr(o, "event_action"), "trigger");
	assert_string_equal(jstr(o, "dedup_key"), "autonomy-router1-wan-health");
	assert_string_equal(jstr(o, "payload.severity"), "error");     /* our critical */
	assert_string_equal(jstr(o, "payload.source"), "router1");
	assert_string_equal(jstr(o, "payload.component"), "wan");
	assert_string_equal(jstr(o, "payload.class"), "state");
	assert_string_equal(jstr(o, "payload.timestamp"), "2027-01-15T08:00:00Z");
	assert_string_equal(jstr(o, "payload.custom_details.service_id"), "PSVC1");
	json_object_put(o);
	f->m->sev = f->m->inc_sev = EV_EMERGENCY;
	assert_int_equal(build(f, NCH_PAGERDUTY), 0);
	o = body_json(f);
	assert_string_equal(jstr(o, "payload.severity"), "critical");
	json_object_put(o);
	/* The resolution: the same key, no payload. */
	f->m->action = NA_RESOLVE;
	assert_int_equal(build(f, NCH_PAGERDUTY), 0);
	o = body_json(f);
	assert_string_equal(jstr(o, "event_action"), "resolve");
	assert_string_equal(jstr(o, "dedup_key"), "autonomy-router1-wan-health");
	assert_null(jstr(o, "payload"));
	json_object_put(o);
	/* opened and closed in one message: nothing at PagerDuty to resolve */
	f->m->opened_now = true;
	assert_int_equal(build(f, NCH_PAGERDUTY), 0);
	assert_true(f->rq.skip);
	/* a test pages nobody: a change event */
	f->m->opened_now = false;
	f->m->action = NA_TEST;
	assert_int_equal(build(f, NCH_PAGERDUTY), 0);
	assert_string_equal(f->rq.url, "https://events.pagerduty.com/v2/change/enqueue");
	o = body_json(f);
	assert_null(jstr(o, "event_action"));
	assert_non_null(jstr(o, "payload.summary"));
	json_object_put(o);
}

static void test_webhook(void **state)
{
	struct fx *f = *state;
	char want[65], hdr[100];
	assert_int_equal(build(f, NCH_WEBHOOK), 0);
	json_object *o = body_json(f);
	assert_string_equal(jstr(o, "source"), "autonomy");
	assert_string_equal(jstr(o, "host"), "router1");
	assert_string_equal(jstr(o, "alert.key"), "wan:health");
	assert_string_equal(jstr(o, "alert.action"), "open");
	json_object_put(o);
	assert_int_equal(notify_hmac_sha256_hex("whsecret", f->rq.body, f->rq.body_len, want), 0);
	snprintf(hdr, sizeof(hdr), "X-Autonomy-Signature: sha256=%s", want);
	assert_true(has_header(&f->rq, hdr));
	assert_true(has_header(&f->rq, "X-Autonomy-Delivery: 7"));
	assert_true(has_header(&f->rq, "X-Autonomy-Event: open"));
}

/* RFC 4231, test case 2. */
static void test_hmac_vector(void **state)
{
	(void)state;
	char out[65];
	static const char data[] = "what do ya want for nothing?";
	assert_int_equal(notify_hmac_sha256_hex("Jefe", data, sizeof(data) - 1, out), 0);
	assert_string_equal(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_ntfy(void **state)
{
	struct fx *f = *state;
	assert_int_equal(build(f, NCH_NTFY), 0);
	assert_string_equal(f->rq.url, "https://ntfy.example.net/");
	assert_true(has_header(&f->rq, "Authorization: Bearer tk_abcdef"));
	json_object *o = body_json(f);
	assert_string_equal(jstr(o, "topic"), "router_alerts");
	assert_string_equal(jstr(o, "priority"), "5");      /* critical=urgent */
	assert_string_equal(jstr(o, "title"), "[router1] wan down, traffic moved to sat <&>");
	json_object_put(o);
	f->m->sev = EV_WARNING;
	assert_int_equal(build(f, NCH_NTFY), 0);
	o = body_json(f);
	assert_string_equal(jstr(o, "priority"), "4");
	json_object_put(o);
}

static void test_pushover(void **state)
{
	struct fx *f = *state;
	free(f->m->text);
	f->m->text = malloc(2000);
	memset(f->m->text, 'x', 1022);
	strcpy(f->m->text + 1022, "\xc3\xa9\xc3\xa9");  /* é é: the cut must not split one */
	f->m->sev = EV_EMERGENCY;
	assert_int_equal(build(f, NCH_PUSHOVER), 0);
	assert_string_equal(f->rq.url, "https://api.pushover.net/1/messages.json");
	assert_true(has_header(&f->rq, "Content-Type: application/x-www-form-urlencoded"));
	assert_non_null(strstr(f->rq.body, "token=apptoken&user=userkey&title=%5Brouter1%5D+wan+down"));
	assert_non_null(strstr(f->rq.body, "&priority=2&"));
	assert_non_null(strstr(f->rq.body, "&retry=300&expire=3600"));
	char *msg = strstr(f->rq.body, "&message=");
	assert_non_null(msg);
	/* 1022 x and one é are 1024 bytes; the second é is cut, not split */
	assert_int_equal(strcspn(msg + 9, "&"), 1022 + 6);
	assert_int_equal(strncmp(msg + 9 + 1022, "%C3%A9&", 7), 0);
}

static void test_email(void **state)
{
	struct fx *f = *state;
	assert_int_equal(build(f, NCH_EMAIL), 0);
	assert_int_equal(f->rq.kind, NRQ_SMTP);
	assert_int_equal(f->rq.tls, NRQ_TLS_STARTTLS);
	assert_string_equal(f->rq.url, "smtp://smtp.example.net:587");
	assert_string_equal(f->rq.mail_from, "alerts@example.net");    /* the login */
	assert_int_equal(f->rq.n_rcpt, 2);
	assert_string_equal(f->rq.rcpt[1], "admin@example.net");
	assert_string_equal(f->rq.user, "alerts@example.net");
	assert_string_equal(f->rq.ca_file, "/etc/autonomy/ca.pem");
	const char *b = f->rq.body;
	assert_non_null(strstr(b, "From: \"autonomy on router1\" <alerts@example.net>\r\n"));
	assert_non_null(strstr(b, "To: ops@example.net,\r\n admin@example.net\r\n"));
	assert_non_null(strstr(b, "Subject: [router1] wan down, traffic moved to sat <&>\r\n"));
	assert_non_null(strstr(b, "Message-ID: <autonomy.1799999999000.wan-health@router1>\r\n"));
	assert_null(strstr(b, "In-Reply-To"));
	assert_non_null(strstr(b, "Content-Transfer-Encoding: quoted-printable\r\n"));
	assert_non_null(strstr(b, "\r\n\r\nwan down, traffic moved to sat <&>\r\n"));
	/* an update threads under the first */
	f->m->action = NA_UPDATE;
	f->m->update = 2;
	assert_int_equal(build(f, NCH_EMAIL), 0);
	assert_non_null(strstr(f->rq.body, "In-Reply-To: <autonomy.1799999999000.wan-health@router1>"));
	assert_non_null(strstr(f->rq.body, "Message-ID: <autonomy.1799999999000.wan-health.2.7@router1>"));
}

static void reply(struct notify_reply *r, enum nrep_err e, long status, const char *ra,
		  const char *body)
{
	memset(r, 0, sizeof(*r));
	r->err = e;
	r->status = status;
	r->now_wall_ms = 1800000000000LL;
	snprintf(r->retry_after, sizeof(r->retry_after), "%s", ra ? ra : "");
	r->body = body;
	r->body_len = body ? strlen(body) : 0;
	snprintf(r->error, sizeof(r->error), "%s", e == NRE_OK ? "" : "Connection refused");
}

static void test_judge_http(void **state)
{
	(void)state;
	struct notify_reply r;
	struct notify_verdict v;
	reply(&r, NRE_OK, 202, NULL, "{}");
	notify_judge_http(&r, &v);
	assert_int_equal(v.what, NV_OK);
	reply(&r, NRE_OK, 429, "7", "rate_limited");
	notify_judge_http(&r, &v);
	assert_int_equal(v.what, NV_RETRY);
	assert_int_equal(v.retry_after_ms, 7000);
	assert_false(v.path);
	reply(&r, NRE_OK, 503, NULL, "busy");
	notify_judge_http(&r, &v);
	assert_int_equal(v.what, NV_RETRY);
	assert_int_equal(v.retry_after_ms, -1);
	reply(&r, NRE_OK, 403, NULL, "invalid_token\nmore");
	notify_judge_http(&r, &v);
	assert_int_equal(v.what, NV_FAIL);
	assert_string_equal(v.why, "HTTP 403: invalid_token");
	reply(&r, NRE_CONNECT, 0, NULL, NULL);
	notify_judge_http(&r, &v);
	assert_int_equal(v.what, NV_RETRY);
	assert_true(v.path);
	reply(&r, NRE_TLS, 0, NULL, NULL);
	notify_judge_http(&r, &v);
	assert_true(v.path);
}

static void test_judge_smtp(void **state)
{
	(void)state;
	struct notify_reply r;
	struct notify_verdict v;
	reply(&r, NRE_IO, 550, NULL, NULL);
	notify_chans[NCH_EMAIL]->judge(&r, &v);
	assert_int_equal(v.what, NV_FAIL);
	assert_string_equal(v.why, "Connection refused (SMTP 550)");
	reply(&r, NRE_IO, 451, NULL, NULL);
	notify_chans[NCH_EMAIL]->judge(&r, &v);
	assert_int_equal(v.what, NV_RETRY);
	reply(&r, NRE_OK, 250, NULL, NULL);
	notify_chans[NCH_EMAIL]->judge(&r, &v);
	assert_int_equal(v.what, NV_OK);
}

static void test_retry_after(void **state)
{
	(void)state;
	int64_t now = 784111777000LL;   /* Sun, 06 Nov 1994 08:49:37 GMT */
	assert_int_equal(notify_retry_after_ms("120", now, 3600000), 120000);
	assert_int_equal(notify_retry_after_ms(" 3 ", now, 3600000), 3000);
	assert_int_equal(notify_retry_after_ms("Sun, 06 Nov 1994 08:50:37 GMT", now, 3600000),
			 60000);
	assert_int_equal(notify_retry_after_ms("Sun, 06 Nov 1994 08:40:37 GMT", now, 3600000), 0);
	assert_int_equal(notify_retry_after_ms("99999999999", now, 3600000), 3600000);
	assert_int_equal(notify_retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", now, 3600000), -1);
	assert_int_equal(notify_retry_after_ms("-1", now, 3600000), -1);
	assert_int_equal(notify_retry_after_ms("", now, 3600000), -1);
	assert_int_equal(notify_retry_after_ms(NULL, now, 3600000), -1);
	assert_int_equal(notify_retry_after_ms("Xyz, 06 Nov 1994 08:49:37 GMT", now, 3600000), -1);
}

static void test_disabled_and_incomplete(void **state)
{
	struct fx *f = *state;
	static const char conf[] = "config autonomy 'ntfy'\n\toption enabled '0'\n"
				   "\toption topic 'x'\n";
	struct cfg_diags d = { 0 };
	struct config *cfg = config_load_buf("t", conf, sizeof(conf) - 1, &d);
	assert_non_null(cfg);
	for (int ch = 0; ch < NCH_N; ch++) {
		struct notify_chan_ctx c = { .cfg = cfg, .hostname = "h",
					     .s = config_section(cfg, notify_chan_name(ch)) };
		assert_false(notify_chans[ch]->enabled(&c));
	}
	config_free(cfg);
	cfg_diags_free(&d);
	(void)f;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagerduty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook, setup, teardown),
		cmocka_unit_test(test_hmac_vector),
		cmocka_unit_test_setup_teardown(test_ntfy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pushover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_email, setup, teardown),
		cmocka_unit_test(test_judge_http),
		cmocka_unit_test(test_judge_smtp),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test_setup_teardown(test_disabled_and_incomplete, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
