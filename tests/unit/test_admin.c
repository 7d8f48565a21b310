/* admin: config backup, verify-backup, the UCI diff and the audit, on
 * fixture files in a temporary directory (tests/data/admin/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "admin/adm.h"
#include "core/fsutil.h"
#include "core/sha256.h"

#define DATA SOURCE_DIR "/tests/data/admin"

static char tmp[64];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/test_admin.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	assert_int_equal(fs_write_atomic(path, text, strlen(text), mode), 0);
}

static const char *conf_text(const char *extra)
{
	static char buf[2048];
	snprintf(buf, sizeof(buf),
		 "config autonomy 'main'\n\toption backup_dir '%s/bk'\n\toption backup_keep '3'\n"
		 "%s\nconfig member 'wan'\n\toption device 'eth1'\n"
		 "\tlist target '1.1.1.1'\n\tlist target '9.9.9.9'\n", tmp, extra);
	return buf;
}

static void paths(struct adm_paths *p, const char *config)
{
	char err[160];
	assert_int_equal(adm_paths_init(p, config, err, sizeof(err)), 0);
}

/* FIPS 180-2 appendix B vectors. */
static void test_sha256(void **state)
{
	char hex[65];
	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(m, strlen(m), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a', fed in odd pieces */
	struct sha256 s;
	uint8_t md[SHA256_LEN];
	char chunk[997];
	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&s);
	for (size_t left = 1000000; left;) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
		sha256_update(&s, chunk, n);
		left -= n;
	}
	sha256_final(&s, md);
	assert_int_equal(md[0], 0xcd);
	assert_int_equal(md[31], 0xd0);
}

static void test_sidecar(void **state)
{
	struct adm_sidecar s = { .format = 1, .created_ts = 1796619643, .size = 42 }, r;
	char text[1024], err[160];
	snprintf(s.file, sizeof(s.file), "autonomy-20261207T050043Z.conf");
	snprintf(s.source, sizeof(s.source), "/etc/config/autonomy");
	snprintf(s.sha256, sizeof(s.sha256), "%064d", 7);
	snprintf(s.version, sizeof(s.version), "0.1.0");
	size_t n = adm_sidecar_format(&s, text, sizeof(text));
	assert_true(n > 0);
	assert_int_equal(adm_sidecar_parse(text, n, &r, err, sizeof(err)), 0);
	assert_string_equal(r.file, s.file);
	assert_string_equal(r.sha256, s.sha256);
	assert_int_equal(r.size, 42);
	assert_int_equal(r.created_ts, 1796619643);
	assert_true(strstr(text, "created=2026-12-07T05:00:43Z") != NULL);

	static const struct { const char *text, *why; } bad[] = {
		{ "format=1\nsize=1\n", "sha256 missing" },
		{ "format=2\nsize=1\nsha256=" "0000000000000000000000000000000000000000000000000000000000000000\n",
		  "format" },
		{ "format=1\nformat=1\n", "twice" },
		{ "format=1\ncolour=red\n", "unknown key" },
		{ "format=1\nsize=-1\n", "size" },
		{ "format=1\nsize=99999999999\n", "size" },
		{ "format=1\nsize=1\nsha256=ABCD\n", "sha256" },
		{ "format=1\nsize=1\nsha256=" "000000000000000000000000000000000000000000000000000000000000000G\n",
		  "sha256" },
		{ "format=1\r\n", "control character" },
		{ "just text\n", "not key=value" },
		{ "format=1\nfile=../../etc/passwd\n", "file" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (adm_sidecar_parse(bad[i].text, strlen(bad[i].text), &r, err, sizeof(err)) == 0)
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(err, bad[i].why))
			fail_msg("'%s': error '%s' does not say '%s'", bad[i].text, err, bad[i].why);
	}
	/* comments and blank lines are fine */
	const char *ok = "# c\n\nformat=1\nsize=0\nsha256="
			 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
	assert_int_equal(adm_sidecar_parse(ok, strlen(ok), &r, err, sizeof(err)), 0);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

static void test_backup_rotation_and_modes(void **state)
{
	char config[128], other[128];
	struct adm_paths p;
	struct ctl_error err = { .details = NULL };
	snprintf(config, sizeof(config), "%s/autonomy", tmp);
	snprintf(other, sizeof(other), "%s/victim", tmp);
	write_file(config, conf_text(""), 0600);
	write_file(other, "untouched\n", 0644);
	/* a planted symlink where the .backup goes is replaced, not followed */
	char link[160];
	snprintf(link, sizeof(link), "%s.backup", config);
	assert_int_equal(symlink(other, link), 0);
	paths(&p, config);
	assert_int_equal(p.keep, 3);
	for (int i = 0; i < 5; i++) {
		json_object *o = adm_backup(&p, NULL, 1796619643 + (i < 4 ? i * 60 : 180), &err);
		assert_non_null(o);
		json_object_put(o);
	}
	char names[8][NAME_MAX + 1];
	int n = adm_backup_list(&p, names, 8);
	assert_int_equal(n, 3);
	/* newest first; the fifth landed in the fourth's second: -1 */
	assert_string_equal(names[0], "autonomy-20261207T050343Z-1.conf");
	assert_string_equal(names[1], "autonomy-20261207T050343Z.conf");
	assert_string_equal(names[2], "autonomy-20261207T050243Z.conf");
	assert_true(S_ISREG(mode_of(link)));
	assert_int_equal(mode_of(link) & 0777, 0600);
	char *v = fs_read_file(other, 100, NULL);
	assert_string_equal(v, "untouched\n");
	free(v);
	char copy[PATH_MAX + 2 * NAME_MAX];
	snprintf(copy, sizeof(copy), "%s/%s.meta", p.dir, names[0]);
	assert_int_equal(mode_of(copy) & 0777, 0600);
	assert_int_equal(mode_of(p.dir) & 0777, 0700);
	/* pruned copies lost their sidecars too */
	snprintf(copy, sizeof(copy), "%s/autonomy-20261207T050043Z.conf.meta", p.dir);
	assert_int_equal(access(copy, F_OK), -1);
}

static bool has_change(json_object *diff, const char *change, const char *section,
		       const char *option)
{
	for (size_t i = 0; i < json_object_array_length(diff); i++) {
		json_object *e = json_object_array_get_idx(diff, i), *v;
		json_object_object_get_ex(e, "option", &v);
		const char *opt = v ? json_object_get_string(v) : NULL;
		json_object_object_get_ex(e, "change", &v);
		bool c = strcmp(json_object_get_string(v), change) == 0;
		json_object_object_get_ex(e, "section", &v);
		if (c && strcmp(json_object_get_string(v), section) == 0 &&
		    (option ? opt && strcmp(opt, option) == 0 : !opt))
			return true;
	}
	return false;
}

static void test_diff(void **state)
{
	char err[200];
	json_object *d = adm_diff_files(DATA "/old.conf", DATA "/new.conf", err, sizeof(err));
	assert_non_null(d);
	const char *s = json_object_to_json_string(d);
	assert_true(has_change(d, "changed", "main", "log_level"));
	assert_true(has_change(d, "removed", "main", "failback_hold"));
	assert_true(has_change(d, "changed", "wan", "target"));
	assert_true(has_change(d, "removed", "lte", NULL));
	assert_true(has_change(d, "added", "sat", NULL));
	assert_true(has_change(d, "changed", "@rule[1]", "name"));
	assert_false(has_change(d, "changed", "@rule[0]", "name"));
	assert_true(has_change(d, "changed", "email", "password"));
	/* order, quoting and layout are not changes; secrets never shown */
	assert_int_equal(json_object_array_length(d), 7);
	assert_null(strstr(s, "hunter2"));
	assert_null(strstr(s, "horse"));
	json_object_put(d);
	assert_null(adm_diff_files(DATA "/old.conf", "/nonexistent", err, sizeof(err)));
}

static json_object *verify(const struct adm_paths *p, const char *file, bool *ok)
{
	struct ctl_error err = { .details = NULL };
	json_object *o = adm_verify_backup(p, file, &err), *v;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "ok", &v));
	*ok = json_object_get_boolean(v);
	return o;
}

static void test_verify(void **state)
{
	char config[128], copy[PATH_MAX + 2 * NAME_MAX];
	struct adm_paths p;
	struct ctl_error err = { .details = NULL };
	bool ok;
	snprintf(config, sizeof(config), "%s/autonomy", tmp);
	write_file(config, conf_text(""), 0600);
	paths(&p, config);
	assert_null(adm_verify_backup(&p, NULL, &err));        /* none yet */
	json_object_put(err.details);
	json_object_put(adm_backup(&p, NULL, 1796619643, &err));
	json_object_put(verify(&p, NULL, &ok));
	assert_true(ok);

	/* the live config moves on: still ok, the difference is shown */
	write_file(config, conf_text("config autonomy 'polling'\n\toption min_interval_ms '400'\n"),
		   0600);
	json_object *o = verify(&p, NULL, &ok), *d;
	assert_true(ok);
	assert_true(json_object_object_get_ex(o, "differences", &d));
	assert_true(has_change(d, "added", "polling", NULL));
	json_object_put(o);

	/* the .backup edited by hand: no longer the verified copy */
	write_file(p.backup, "config autonomy 'main'\n", 0600);
	json_object_put(verify(&p, NULL, &ok));
	assert_false(ok);

	/* a flipped byte in the copy: checksum mismatch */
	json_object_put(adm_backup(&p, NULL, 1796619703, &err));
	char names[1][NAME_MAX + 1];
	assert_int_equal(adm_backup_list(&p, names, 1), 1);
	snprintf(copy, sizeof(copy), "%s/%s", p.dir, names[0]);
	char *text = fs_read_file(copy, 65536, NULL);
	text[10] ^= 1;
	write_file(copy, text, 0600);
	free(text);
	json_object_put(verify(&p, copy, &ok));
	assert_false(ok);

	/* a copy that no longer loads with the schema (with a good checksum) */
	json_object_put(adm_backup(&p, copy, 0, &err));     /* --to over it: fresh sidecar */
	write_file(config, "config autonomy 'main'\n\toption log_level 'loud'\n", 0600);
	json_object_put(adm_backup(&p, copy, 0, &err));
	o = verify(&p, copy, &ok);
	assert_false(ok);
	json_object_object_get_ex(o, "copy", &d);
	json_object_object_get_ex(d, "valid", &d);
	assert_false(json_object_get_boolean(d));
	json_object_put(o);
}

static bool has_finding(json_object *audit, const char *severity, const char *check,
			const char *words)
{
	json_object *f;
	json_object_object_get_ex(audit, "findings", &f);
	for (size_t i = 0; i < json_object_array_length(f); i++) {
		json_object *x = json_object_array_get_idx(f, i), *v;
		json_object_object_get_ex(x, "severity", &v);
		if (strcmp(json_object_get_string(v), severity))
			continue;
		json_object_object_get_ex(x, "check", &v);
		if (strcmp(json_object_get_string(v), check))
			continue;
		json_object_object_get_ex(x, "message", &v);
		if (!words || strstr(json_object_get_string(v), words))
			return true;
	}
	return false;
}

static json_object *audit(const char *text, mode_t mode)
{
	char config[128];
	struct adm_paths p;
	struct ctl_error err = { .details = NULL };
	snprintf(config, sizeof(config), "%s/autonomy", tmp);
	write_file(config, text, 0600);
	assert_int_equal(chmod(config, mode), 0);
	paths(&p, config);
	json_object *o = adm_audit(&p, &err);
	assert_non_null(o);
	return o;
}

static void test_audit(void **state)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", conf_text(
		 "config autonomy 'email'\n\toption password 'hunter2'\n"
		 "config autonomy 'network_security'\n\toption traffic_monitoring '1'\n"
		 "config autonomy 'polling'\n\toption min_interval_ms '1000'\n"),
		 "config member 'lte'\n\toption device 'wwan0'\n\toption gateway '10.3.0.1'\n"
		 "\tlist target '10.3.0.1'\n"
		 "config member 'lan2'\n\toption device 'eth3'\n\tlist target '192.168.1.1'\n"
		 "\tlist target '10.0.0.1'\n");
	json_object *a = audit(text, 0644);
	assert_true(has_finding(a, "critical", "secrets", "readable by anyone"));
	assert_true(has_finding(a, "warning", "no_effect", "network_security.traffic_monitoring"));
	assert_true(has_finding(a, "warning", "targets", "only its own gateway"));
	assert_true(has_finding(a, "warning", "targets", "member lte has one probe target"));
	assert_true(has_finding(a, "warning", "targets", "every target of member lan2"));
	assert_false(has_finding(a, "warning", "targets", "member wan"));
	assert_true(has_finding(a, "warning", "detection", "1.48 s"));
	assert_true(has_finding(a, "warning", "backup", "no backup"));
	assert_true(has_finding(a, "info", "drift_defaults", "polling"));
	assert_null(strstr(json_object_to_json_string(a), "hunter2"));
	json_object_put(a);

	/* group-readable: a warning; 0600 and no secrets: no mode finding */
	a = audit(text, 0640);
	assert_true(has_finding(a, "warning", "secrets", "its group"));
	json_object_put(a);
	a = audit(conf_text(""), 0644);
	assert_false(has_finding(a, "critical", "secrets", NULL));
	assert_false(has_finding(a, "warning", "detection", NULL));
	json_object_put(a);

	/* a config with errors: critical, and the rest still runs */
	a = audit("config autonomy 'main'\n\toption log_level 'loud'\n", 0600);
	assert_true(has_finding(a, "critical", "config_error", "log_level"));
	json_object_put(a);
}

static void test_ubus_refuses_paths(void **state)
{
	struct ctl_error err = { .details = NULL };
	json_object *args = json_object_new_object();
	json_object_object_add(args, "to", json_object_new_string("/etc/shadow"));
	assert_null(adm_run("config_backup", args, NULL, "/nonexistent", true, &err));
	assert_int_equal(err.code, CTL_E_BAD_ARGS);
	json_object_put(args);
	assert_true(adm_is_command("config_audit"));
	assert_false(adm_is_command("config_show"));
}

/* config optimize --apply's edit: the option's line replaced in place,
 * comments and the rest untouched; a missing option goes to its section's
 * top, a missing section to the end; a value UCI cannot quote is refused. */
static void test_uci_set(void **state)
{
	const char *text = "# head\nconfig autonomy 'main'\n\t# why\n\toption failback_hold '60'\n"
			   "\toption failback_holder 'x'\n\nconfig member 'wan'\n"
			   "\toption failback_hold '1'\n";
	char *a = adm_uci_set(text, "main", "failback_hold", "120");
	assert_non_null(a);
	assert_non_null(strstr(a, "\t# why\n\toption failback_hold '120'\n"
				  "\toption failback_holder 'x'\n"));
	assert_non_null(strstr(a, "config member 'wan'\n\toption failback_hold '1'\n"));
	assert_int_equal(strlen(a), strlen(text) + 1);
	char *b = adm_uci_set(a, "main", "switch_sustain", "90");
	assert_non_null(strstr(b, "config autonomy 'main'\n\toption switch_sustain '90'\n"));
	char *c = adm_uci_set(b, "performance", "gc_interval", "600");
	assert_non_null(strstr(c, "\nconfig autonomy 'performance'\n\toption gc_interval '600'\n"));
	assert_null(adm_uci_set(c, "main", "x", "it's"));
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_sidecar),
		cmocka_unit_test_setup_teardown(test_backup_rotation_and_modes, setup, teardown),
		cmocka_unit_test(test_diff),
		cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test(test_ubus_refuses_paths),
		cmocka_unit_test(test_uci_set),
	};
	return cmocka_run_group_tests_name("admin", tests, NULL, NULL);
}
