/* export: the metrics table and its exposition, the failover counter, the
 * MIB's objects and order, MQTT topics and payloads, the listen address and
 * the exporters' config rules — from the daemon's own views captured in the
 * lab (tests/unit/data/export/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>

#include "config/config.h"
#include "export/export_int.h"
#include "export/mqtt_msg.h"
#include "export/prom.h"
#include "export/snmp_mib.h"

#define DATA SOURCE_DIR "/tests/unit/data/export/"

static json_object *load(const char *name)
{
	json_object *o = json_object_from_file(name);
	assert_non_null(o);
	return o;
}

static char *render(struct export_snap *s, struct export_counts *fo)
{
	struct evbuffer *b = evbuffer_new();
	prom_render(b, s, fo);
	size_t n = evbuffer_get_length(b);
	char *t = malloc(n + 1);
	evbuffer_remove(b, t, n);
	t[n] = '\0';
	evbuffer_free(b);
	return t;
}

static struct export_snap lab_snap(void)
{
	struct export_snap s = { .status = load(DATA "status-lab.json"),
				 .members = load(DATA "members-lab.json"),
				 .health = load(DATA "health-lab.json") };
	return s;
}

static void test_exposition(void **state)
{
	struct export_snap s = lab_snap();
	struct export_counts fo = { 0 };
	const char *names[] = { "wan", "sat", "lte" };
	assert_int_equal(export_counts_seed(&fo, names, 3), 0);
	char *t = render(&s, &fo);
	/* The guide's names exactly, every member, units converted. */
	assert_non_null(strstr(t, "# TYPE autonomy_interface_health_score gauge\n"));
	assert_non_null(strstr(t, "autonomy_interface_health_score{interface=\"wan\"} "));
	assert_non_null(strstr(t, "# TYPE autonomy_failover_events_total counter\n"));
	assert_non_null(strstr(t, "autonomy_failover_events_total{from=\"wan\",to=\"sat\","
				  "reason_kind=\"down\"} 0\n"));
	assert_non_null(strstr(t, "autonomy_starlink_obstruction_ratio{interface=\"sat\"} 0.1338\n"));
	assert_non_null(strstr(t, "autonomy_starlink_pop_ping_latency_seconds{interface=\"sat\"} "
				  "0.0268\n"));
	assert_non_null(strstr(t, "autonomy_cellular_rsrp_dbm{interface=\"lte\"} -92\n"));
	assert_non_null(strstr(t, "autonomy_interface_state{interface=\"wan\",state=\"up\"} 1\n"));
	assert_non_null(strstr(t, "autonomy_active_interface{interface=\"wan\"} 1\n"));
	assert_non_null(strstr(t, "autonomy_build_info{version=\"0.1.0\"} 1\n"));
	assert_non_null(strstr(t, "autonomy_process_resident_memory_bytes 5935104\n"));
	/* Only the dish member has dish figures; no radio: no wifi family at all. */
	assert_null(strstr(t, "autonomy_starlink_obstruction_ratio{interface=\"wan\"}"));
	assert_null(strstr(t, "autonomy_wifi_signal_dbm"));
	/* 3 members: 6 ordered pairs x 7 kinds, all at 0. */
	size_t n = 0;
	for (const char *p = t; (p = strstr(p, "\nautonomy_failover_events_total{")); p++)
		n++;
	assert_int_equal(n, 42);
	free(t);
	export_counts_free(&fo);
	export_snap_free(&s);
}

/* Every family: HELP then TYPE then samples of that name only. */
static void test_exposition_shape(void **state)
{
	struct export_snap s = lab_snap();
	char *t = render(&s, NULL);
	char family[128] = "";
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%127s", family);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(strncmp(line + 7, family, strlen(family)), 0);
			continue;
		}
		assert_int_equal(strncmp(line, family, strlen(family)), 0);
		char c = line[strlen(family)];
		assert_true(c == '{' || c == ' ');
		assert_true(isfinite(strtod(strrchr(line, ' ') + 1, NULL)));
	}
	free(t);
	export_snap_free(&s);
}

static void test_label_escaping(void **state)
{
	struct export_snap s = {
		.status = json_tokener_parse("{\"version\":\"1\\\"2\\\\3\\n\"}"),
		.members = json_tokener_parse("[{\"name\":\"a\",\"device\":\"d\\\"x\","
					      "\"class\":\"lan\",\"health_score\":null}]"),
		.health = json_object_new_object(),
	};
	char *t = render(&s, NULL);
	assert_non_null(strstr(t, "autonomy_build_info{version=\"1\\\"2\\\\3\\n\"} 1\n"));
	assert_non_null(strstr(t, "device=\"d\\\"x\""));
	assert_null(strstr(t, "autonomy_interface_health_score"));  /* unknown: left out */
	free(t);
	export_snap_free(&s);
}

static void test_counts_from_bus_records(void **state)
{
	struct export_counts c = { 0 };
	json_object *sw = json_tokener_parse("{\"event\":\"switch\",\"member\":\"sat\",\"fields\":"
					     "{\"from\":\"wan\",\"to\":\"sat\",\"cause\":\"down\"}}");
	json_object *hold = json_tokener_parse("{\"event\":\"hold\",\"fields\":"
					       "{\"from\":\"wan\",\"to\":\"wan\",\"cause\":\"quality\"}}");
	json_object *init = json_tokener_parse("{\"event\":\"switch\",\"fields\":"
					       "{\"from\":null,\"to\":\"wan\",\"cause\":\"initial\"}}");
	json_object *old = json_tokener_parse("{\"event\":\"switch\",\"text\":\"no fields\"}");
	assert_int_equal(export_counts_event(&c, sw), 1);
	assert_int_equal(export_counts_event(&c, sw), 1);
	assert_int_equal(export_counts_event(&c, hold), 0);
	assert_int_equal(export_counts_event(&c, init), 0);
	assert_int_equal(export_counts_event(&c, old), 0);
	assert_int_equal(export_counts_add(&c, "sat", "sat", "manual"), -1);
	assert_int_equal(c.total, 2);
	const char *names[] = { "wan", "sat" };
	assert_int_equal(export_counts_seed(&c, names, 2), 0);     /* keeps what it counted */
	assert_int_equal(c.n, 2 * EXPORT_KINDS_N);
	for (size_t i = 0; i < c.n; i++)
		if (!strcmp(c.v[i].from, "wan") && !strcmp(c.v[i].kind, "down"))
			assert_int_equal(c.v[i].n, 2);
	json_object_put(sw);
	json_object_put(hold);
	json_object_put(init);
	json_object_put(old);
	export_counts_free(&c);
}

static void test_mib_objects(void **state)
{
	struct export_snap s = lab_snap();
	struct snmp_mib_obj o[64];
	size_t n = snmp_mib_build(s.status, s.members, 7, o, 64);
	assert_int_equal(n, 5 + 7 * 3);
	for (size_t i = 1; i < n; i++)          /* strictly increasing: GETNEXT walks it */
		assert_true(snmp_mib_cmp(&o[i], o[i - 1].sub, o[i - 1].n_sub) > 0);
	assert_string_equal(o[0].str, "wan");   /* .1.1.0 active member */
	assert_int_equal(o[1].type, SMT_COUNTER);
	assert_int_equal(o[1].num, 7);
	assert_int_equal(o[2].num, 800);        /* 8.0 s in ticks */
	assert_int_equal(o[3].num, 3);
	/* column 2 (names) rows 1..3, then column 3 (state: up = 1) */
	assert_string_equal(o[5].str, "wan");
	assert_string_equal(o[7].str, "lte");
	uint32_t state_sat[] = { 2, 1, 3, 2 };
	for (size_t i = 0; i < n; i++)
		if (snmp_mib_cmp(&o[i], state_sat, 4) == 0)
			assert_int_equal(o[i].num, 1);
	/* A shorter list when the table does not fit: never past max. */
	assert_int_equal(snmp_mib_build(s.status, s.members, 0, o, 4), 4);
	export_snap_free(&s);
}

static void test_oid_parse(void **state)
{
	uint32_t a[8];
	assert_int_equal(snmp_mib_parse_oid(".1.3.6.1.4.1.12345.1", a, 8), 8);
	assert_int_equal(a[6], 12345);
	assert_int_equal(snmp_mib_parse_oid(".1.3.6.1.4.1.12345.1.9", a, 8), 0);   /* too long */
	assert_int_equal(snmp_mib_parse_oid("1.3.6", a, 8), 0);
	assert_int_equal(snmp_mib_parse_oid(".1..3", a, 8), 0);
	assert_int_equal(snmp_mib_parse_oid(".1.3x", a, 8), 0);
	assert_int_equal(snmp_mib_parse_oid(".1", a, 8), 0);
	assert_int_equal(snmp_mib_parse_oid(".1.99999999999", a, 8), 0);
}

static void test_mqtt_messages(void **state)
{
	char p[64], t[64];
	mqtt_prefix(p, sizeof(p), "", "rv+1/#a");
	assert_string_equal(p, "autonomy/rv_1__a");
	mqtt_prefix(p, sizeof(p), "fleet/boat7", "x");
	assert_string_equal(p, "fleet/boat7");
	mqtt_client_id(t, sizeof(t), NULL, "rv1");
	assert_string_equal(t, "autonomy-rv1");
	assert_int_equal(mqtt_topic(t, sizeof(t), p, "members/wan"), 0);
	assert_string_equal(t, "fleet/boat7/members/wan");
	assert_int_equal(mqtt_topic(t, 8, p, "status"), -1);
	struct export_snap s = lab_snap();
	json_object *st = mqtt_status_payload(s.status, 42);
	assert_string_equal(json_object_get_string(export_path(st, "active_member")), "wan");
	assert_int_equal(json_object_get_int(export_path(st, "ts")), 42);
	json_object *m = mqtt_member_payload(json_object_array_get_idx(s.members, 1), 42);
	assert_string_equal(json_object_get_string(export_path(m, "name")), "sat");
	assert_true(fabs(export_path_num(m, "starlink.fraction_obstructed") - 0.1338) < 1e-9);
	assert_null(export_path(m, "cellular"));        /* only what the member has */
	/* Small enough for a metered uplink. */
	assert_true(strlen(json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN)) < 600);
	json_object_put(st);
	json_object_put(m);
	export_snap_free(&s);
}

static void test_listen_parse(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	assert_int_equal(cfg_parse_listen("127.0.0.1:9612", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(cfg_parse_listen("[::1]:9612", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	const char *bad[] = { "9612", "localhost:9612", "127.0.0.1:", "127.0.0.1:0",
			      "127.0.0.1:65536", "::1:9612", "[127.0.0.1]:1", "[::1]9612",
			      "1.2.3.4:12x", ":9612", "[]:1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cfg_parse_listen(bad[i], &ss, &len), -1);
}

static size_t errors_of(const char *text, const char *needle)
{
	struct cfg_diags dg = { 0 };
	struct config *c = config_load_buf("t", text, strlen(text), &dg);
	size_t hit = 0;
	for (size_t i = 0; i < dg.n; i++)
		if (dg.v[i].severity == CFG_ERROR && strstr(dg.v[i].msg, needle))
			hit++;
	config_free(c);
	cfg_diags_free(&dg);
	return hit;
}

static void test_config_rules(void **state)
{
	assert_int_equal(errors_of("config autonomy 'prometheus'\n\toption listen '0.0.0.0:80'\n"
				   "\toption textfile '/var/prometheus/autonomy.prom'\n", "prometheus"), 0);
	assert_int_equal(errors_of("config autonomy 'prometheus'\n\toption listen 'host:9612'\n",
				   "prometheus.listen"), 1);
	assert_int_equal(errors_of("config autonomy 'prometheus'\n\toption textfile 'x.txt'\n",
				   "prometheus.textfile"), 1);
	assert_int_equal(errors_of("config autonomy 'snmp'\n\toption base_oid '1.3.6'\n",
				   "snmp.base_oid"), 1);
	assert_int_equal(errors_of("config autonomy 'snmp'\n\toption agentx_socket 'tcp:127.0.0.1:705'\n",
				   "snmp"), 0);
	assert_int_equal(errors_of("config autonomy 'mqtt'\n\toption enabled '1'\n",
				   "option 'broker'"), 1);
	assert_int_equal(errors_of("config autonomy 'mqtt'\n\toption topic_prefix 'a/#'\n",
				   "mqtt.topic_prefix"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exposition),
		cmocka_unit_test(test_exposition_shape),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_counts_from_bus_records),
		cmocka_unit_test(test_mib_objects),
		cmocka_unit_test(test_oid_parse),
		cmocka_unit_test(test_mqtt_messages),
		cmocka_unit_test(test_listen_parse),
		cmocka_unit_test(test_config_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
