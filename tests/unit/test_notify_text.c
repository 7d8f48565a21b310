/* Unit tests for the small languages of the alerts: quiet hours and ntfy
 * priorities (config/cfg_alerts.c, used by the config check and the
 * daemon), and the mail encodings (notify_mime.c: quoted-printable,
 * RFC 2047 words, folding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/cfg_alerts.h"
#include "config/config.h"
#include "notify/notify_mime.h"

static void test_quiet_parse(void **state)
{
	(void)state;
	int a, b;
	assert_int_equal(cfg_quiet_parse("22:00-07:00", &a, &b), 0);
	assert_int_equal(a, 22 * 60);
	assert_int_equal(b, 7 * 60);
	assert_true(cfg_quiet_contains(a, b, 23 * 60 + 59));
	assert_true(cfg_quiet_contains(a, b, 0));
	assert_true(cfg_quiet_contains(a, b, 6 * 60 + 59));
	assert_false(cfg_quiet_contains(a, b, 7 * 60));
	assert_false(cfg_quiet_contains(a, b, 21 * 60 + 59));
	assert_int_equal(cfg_quiet_parse("12:30-13:45", &a, &b), 0);
	assert_true(cfg_quiet_contains(a, b, 13 * 60));
	assert_false(cfg_quiet_contains(a, b, 12 * 60));
	static const char *const bad[] = {
		"", "22:00", "22:00-22:00", "24:00-07:00", "22:60-07:00", "7:00-8:00",
		"22:00-07:00 ", "22:00 - 07:00", "22.00-07.00", "aa:bb-cc:dd",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cfg_quiet_parse(bad[i], &a, &b), -1);
	assert_int_equal(cfg_quiet_parse(NULL, &a, &b), -1);
}

static void test_ntfy_priority(void **state)
{
	(void)state;
	int p[4] = { 2, 3, 4, 5 };
	assert_int_equal(cfg_ntfy_priority_parse("info=min, critical=urgent", p), 0);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 3);
	assert_int_equal(p[2], 5);
	assert_int_equal(cfg_ntfy_priority_parse("warning=max emergency=1", p), 0);
	assert_int_equal(p[1], 5);
	assert_int_equal(p[3], 1);
	int q[4] = { 2, 3, 4, 5 };
	assert_int_equal(cfg_ntfy_priority_parse("warning=6", q), -1);
	assert_int_equal(cfg_ntfy_priority_parse("debug=1", q), -1);
	assert_int_equal(cfg_ntfy_priority_parse("warning", q), -1);
	assert_int_equal(cfg_ntfy_priority_parse("warning=", q), -1);
	assert_int_equal(q[1], 3);                      /* a refused value changes nothing */
	assert_int_equal(cfg_ntfy_priority_parse("", q), 0);
}

/* The config check uses the same parsers: the daemon never runs what it
 * would refuse. */
static void test_config_rules(void **state)
{
	(void)state;
	static const char bad[] =
		"config autonomy 'alerts'\n\toption quiet_hours '22-7'\n\toption hook 'sms.sh'\n"
		"config autonomy 'ntfy'\n\toption enabled '1'\n\toption topic 'a/b'\n"
		"\toption priority 'urgent=5'\n"
		"config autonomy 'webhook'\n\toption enabled '1'\n"
		"config autonomy 'email'\n\toption enabled '1'\n\toption smtp_server 'mx'\n"
		"\toption recipients 'a@b.c'\n\toption tls 'none'\n\toption password 'pw'\n";
	struct cfg_diags d = { 0 };
	assert_null(config_load_buf("t", bad, sizeof(bad) - 1, &d));
	const char *want[] = { "alerts.quiet_hours", "alerts.hook", "ntfy.topic", "ntfy.priority",
			       "webhook: enabled, but option 'url' is not set",
			       "email.tls: 'none' sends the SMTP password in the clear" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool found = false;
		for (size_t k = 0; k < d.n; k++)
			found |= strstr(d.v[k].msg, want[i]) != NULL;
		if (!found)
			fail_msg("no diagnostic about %s", want[i]);
	}
	cfg_diags_free(&d);
}

static void test_qp(void **state)
{
	(void)state;
	size_t n;
	char *q = notify_mime_qp("a=b caf\xc3\xa9 \nend \n", &n);
	assert_string_equal(q, "a=3Db caf=C3=A9=20\r\nend=20\r\n");
	free(q);
	char line[200];
	memset(line, 'x', 150);
	line[150] = '\0';
	q = notify_mime_qp(line, &n);
	/* 75 characters and a soft break, never a line longer than 76 */
	assert_int_equal(strcspn(q, "\r"), 76);
	assert_int_equal(strncmp(q + 75, "=\r\n", 3), 0);
	free(q);
}

static void test_header_words(void **state)
{
	(void)state;
	char *h = notify_mime_header_text("plain ascii", 7);
	assert_string_equal(h, "plain ascii");
	free(h);
	/* ASCII that looks like an encoded word is encoded, not passed on */
	h = notify_mime_header_text("a =?x?= b", 7);
	assert_string_equal(h, "=?UTF-8?Q?a_=3D=3Fx=3F=3D_b?=");
	free(h);
	h = notify_mime_header_text("r\xc3\xa9seau down", 7);
	assert_string_equal(h, "=?UTF-8?Q?r=C3=A9seau_down?=");
	free(h);
	/* long: several words, each at most 75, no character split */
	char in[400] = "";
	for (int i = 0; i < 40; i++)
		strcat(in, "\xe2\x82\xac ");            /* "€ " */
	h = notify_mime_header_text(in, 7);
	for (char *w = h; (w = strstr(w, "=?UTF-8?Q?")); w++) {
		char *end = strstr(w, "?=");
		assert_non_null(end);
		assert_true(end + 2 - w <= 75);
		/* a word holds whole characters: =E2=82=AC triples */
		for (char *p = w + 10; p < end; p++)
			if (strncmp(p, "=E2", 3) == 0)
				assert_int_equal(strncmp(p, "=E2=82=AC", 9), 0);
	}
	for (const char *l = h;;) {                     /* "Subject: " starts the first line */
		size_t n = strcspn(l, "\r");
		assert_true(n + (l == h ? 9 : 0) <= 78);
		if (!l[n])
			break;
		l += n + 2;
	}
	free(h);
	/* plain but long: folded at a space */
	char subj[200];
	snprintf(subj, sizeof(subj), "%s", "[router1] lte: modem: no tool works: mmcli: not found; "
		 "uqmi: not found; qmicli: not found; gsmctl: not found");
	h = notify_mime_header_text(subj, 7);
	assert_non_null(strstr(h, "\r\n "));
	assert_true(strcspn(h, "\r") + 9 <= 78);
	free(h);
}

static void test_thread_ids(void **state)
{
	(void)state;
	struct notify_msg *m = notify_msg_new();
	char id[200];
	m->opened_ms = 1800000000123LL;
	snprintf(m->key, sizeof(m->key), "wan:flag:reboot scheduled");
	notify_mime_thread_id(m, "router", id, sizeof(id));
	assert_string_equal(id, "<autonomy.1800000000123.wan-flag-reboot-scheduled@router>");
	notify_msg_unref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_parse),
		cmocka_unit_test(test_ntfy_priority),
		cmocka_unit_test(test_config_rules),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_header_words),
		cmocka_unit_test(test_thread_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
