/* security: API keys (made, checked, revoked, expired, the file), the
 * listener guard's order of refusals (allow-list, per-source bucket, key,
 * bans after repeated refusals) with the time given, and the allow-list's
 * nftables interval elements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "security/sec_acl.h"
#include "security/sec_fw.h"
#include "security/sec_guard.h"
#include "security/sec_keys.h"

#define NOW 1800000000LL
#define DAY 86400

static struct sec_keys keys;
static struct sec_guard g;

static void rnd_fill(uint8_t *r, uint8_t seed)
{
	for (int i = 0; i < SEC_KEY_RANDOM; i++)
		r[i] = (uint8_t)(seed * 31 + i);
}

static void test_keys(void **state)
{
	uint8_t r[SEC_KEY_RANDOM];
	char key[SEC_KEY_TEXT_LEN + 1], key2[SEC_KEY_TEXT_LEN + 1], err[128], text[4096];
	struct sec_key *w = NULL;
	memset(&keys, 0, sizeof(keys));
	rnd_fill(r, 1);
	struct sec_key *k = sec_keys_add(&keys, "prometheus", NOW, r, key, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(strlen(key), SEC_KEY_TEXT_LEN);
	assert_memory_equal(key, "ak_", 3);
	rnd_fill(r, 2);
	assert_non_null(sec_keys_add(&keys, "grafana", NOW, r, key2, err, sizeof(err)));
	assert_null(sec_keys_add(&keys, "bad name!", NOW, r, key2, err, sizeof(err)));
	assert_true(err[0]);
	/* Checked: right, wrong secret, garbage, missing; expiry by the option. */
	assert_int_equal(sec_keys_check(&keys, key, NOW + 10, 90 * DAY, &w), SEC_KEY_OK);
	assert_string_equal(w->name, "prometheus");
	char wrong[SEC_KEY_TEXT_LEN + 1];
	memcpy(wrong, key, sizeof(wrong));
	wrong[SEC_KEY_TEXT_LEN - 1] = wrong[SEC_KEY_TEXT_LEN - 1] == '0' ? '1' : '0';
	assert_int_not_equal(sec_keys_check(&keys, wrong, NOW, 90 * DAY, &w), SEC_KEY_OK);
	assert_int_equal(sec_keys_check(&keys, "ak_zz", NOW, 90 * DAY, &w), SEC_KEY_MALFORMED);
	assert_int_equal(sec_keys_check(&keys, NULL, NOW, 90 * DAY, &w), SEC_KEY_MISSING);
	assert_int_equal(sec_keys_check(&keys, key, NOW + 91 * DAY, 90 * DAY, &w),
			 SEC_KEY_EXPIRED);
	assert_int_equal(sec_key_notice(k, NOW + 80 * DAY, 90 * DAY, 14 * DAY), SEC_NOTICE_SOON);
	assert_int_equal(sec_key_notice(k, NOW + 81 * DAY, 90 * DAY, 14 * DAY), SEC_NOTICE_NONE);
	assert_int_equal(sec_key_notice(k, NOW + 91 * DAY, 90 * DAY, 14 * DAY),
			 SEC_NOTICE_EXPIRED);
	/* The file keeps hashes, never the key; it reads back the same. */
	size_t n = sec_keys_format(&keys, text, sizeof(text));
	assert_true(n < sizeof(text));
	assert_null(strstr(text, key + 20));
	struct sec_keys back;
	assert_int_equal(sec_keys_parse(&back, text, n, err, sizeof(err)), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(sec_keys_check(&back, key, NOW, 90 * DAY, &w), SEC_KEY_OK);
	/* Revoked: refused at once; found by id or by its unique name. */
	assert_ptr_equal(sec_keys_find(&keys, "prometheus"), k);
	assert_ptr_equal(sec_keys_find(&keys, k->id), k);
	k->revoked = NOW + 5;
	assert_int_equal(sec_keys_check(&keys, key, NOW + 6, 90 * DAY, &w), SEC_KEY_REVOKED);
	assert_int_equal(sec_keys_in_force(&keys, NOW + 6, 90 * DAY), 1);
	/* A damaged file is refused with the line, and leaves no keys. */
	assert_int_equal(sec_keys_parse(&back, "autonomy-api-keys 1\nxyz 1 0 00 a\n", 32, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(back.n, 0);
}

static void cfg(struct sec_guard_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->allow_loopback = true;
	assert_int_equal(sec_acl_add(&c->acl, "192.168.1.0/24"), 0);
	c->rate_limiting = true;
	c->rate = 5;
	c->burst = 3;
	c->ddos = false;
	c->key_required = true;
	c->key_validity_s = 90 * DAY;
	c->ids = true;
	c->ids_failures = 4;
	c->ban_ms = 900000;
}

static struct sockaddr_in sin4(const char *ip)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(40000) };
	inet_pton(AF_INET, ip, &s.sin_addr);
	return s;
}

static int admit(const char *ip, const char *auth, uint64_t ms)
{
	struct sockaddr_in s = sin4(ip);
	struct sec_request r = { .peer = (struct sockaddr *)&s, .listener = "0.0.0.0:9612",
				 .path = "/metrics", .authorization = auth };
	struct sec_verdict v;
	sec_guard_admit(&g, &r, ms, NOW, &v);
	return v.status;
}

static int bans;
static void on_ban(void *arg, const struct sec_addr *a, unsigned failures, uint64_t ms)
{
	(void)arg;
	(void)a;
	(void)failures;
	(void)ms;
	bans++;
}

static void test_guard(void **state)
{
	struct sec_guard_cfg c;
	uint8_t r[SEC_KEY_RANDOM];
	char key[SEC_KEY_TEXT_LEN + 1], err[128], bearer[SEC_KEY_TEXT_LEN + 16];
	cfg(&c);
	sec_guard_init(&g, &c);
	g.on_ban = on_ban;
	rnd_fill(r, 3);
	assert_non_null(sec_keys_add(&g.keys, "prom", NOW - 10, r, key, err, sizeof(err)));
	snprintf(bearer, sizeof(bearer), "Bearer %s", key);
	/* The router itself: no list, no key. */
	assert_int_equal(admit("127.0.0.1", NULL, 1000), 0);
	/* Allowed network with the key; without it 401; outside the list 403. */
	assert_int_equal(admit("192.168.1.20", bearer, 1000), 0);
	assert_int_equal(admit("192.168.1.21", NULL, 1000), 401);
	assert_int_equal(admit("10.9.9.9", bearer, 1000), 403);
	/* The bucket: full again a second later (3), then 429 until it
	 * refills at 5/s. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(admit("192.168.1.20", bearer, 2000), 0);
	assert_int_equal(admit("192.168.1.20", bearer, 2000), 429);
	assert_int_equal(admit("192.168.1.20", bearer, 2300), 0);
	/* Four refusals within the window ban the source: even the right key
	 * from it is refused then, and the ban is told once. */
	bans = 0;
	for (int i = 0; i < 4; i++)
		admit("10.7.7.7", NULL, 3000 + (uint64_t)i * 1000);
	assert_int_equal(bans, 1);
	assert_int_equal(admit("10.7.7.7", bearer, 9000), 403);
	assert_true(g.st.refused_acl >= 4);
	assert_true(g.st.refused_key >= 1);
	struct sec_addr ba[4];
	uint64_t left[4];
	assert_int_equal(sec_guard_bans(&g, 9000, ba, left, 4), 1);
	assert_true(left[0] <= 900000);
}

static void test_acl_and_intervals(void **state)
{
	struct sec_acl a = { .n = 0 };
	struct sec_fw_elem e[SEC_FW_ELEMS_MAX];
	struct sec_net n;
	assert_int_equal(sec_net_parse("192.168.1.77/24", &n), 0);
	assert_int_equal(n.addr.a[3], 0);      /* host bits cleared */
	assert_int_equal(sec_net_parse("300.1.1.1/8", &n), -1);
	assert_true(sec_listen_is_loopback("127.0.0.1:9612"));
	assert_true(sec_listen_is_loopback("[::1]:9612"));
	assert_false(sec_listen_is_loopback("0.0.0.0:9612"));
	assert_int_equal(sec_listen_port("[::]:9612"), 9612);
	assert_int_equal(sec_acl_add(&a, "10.0.0.0/8"), 0);
	assert_int_equal(sec_acl_add(&a, "10.1.0.0/16"), 0);   /* inside the first: merged */
	assert_int_equal(sec_acl_add(&a, "192.168.1.0/24"), 0);
	/* 0 (end), 10.0.0.0, 11.0.0.0 (end), 192.168.1.0, 192.168.2.0 (end). */
	size_t k = sec_fw_interval(&a, AF_INET, e);
	assert_int_equal(k, 5);
	assert_true(e[0].flags != 0);
	assert_int_equal(e[1].key[0], 10);
	assert_int_equal(e[2].key[0], 11);
	assert_int_equal(e[4].key[2], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_acl_and_intervals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
