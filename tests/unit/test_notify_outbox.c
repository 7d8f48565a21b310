/* Unit tests for the outbox and its journal (notify_outbox.c,
 * notify_journal.c): what survives a restart — messages per channel in
 * order, acknowledgements, open incidents — and what a damaged file does
 * (skipped lines, nothing else lost). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/fsutil.h"
#include "notify/notify_journal.h"
#include "notify/notify_outbox.h"

#define NOW_WALL 1800000000000LL
#define NOW_MONO 5000000ULL

struct fx {
	char dir[64], path[96];
};

static int setup(void **state)
{
	static struct fx f;
	snprintf(f.dir, sizeof(f.dir), "/tmp/autonomy-outbox-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/state/alerts.journal", f.dir);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[128];
	unlink(f->path);
	snprintf(p, sizeof(p), "%s/state", f->dir);
	rmdir(p);
	rmdir(f->dir);
	return 0;
}

static struct notify_msg *mk(const char *title, int64_t wall)
{
	struct notify_msg *m = notify_msg_new();
	m->wall_ms = m->opened_ms = wall;
	m->action = NA_OPEN;
	m->sev = m->inc_sev = EV_CRITICAL;
	snprintf(m->key, sizeof(m->key), "wan:health");
	snprintf(m->member, sizeof(m->member), "wan");
	snprintf(m->title, sizeof(m->title), "%s", title);
	m->text = strdup("line one\nline \"two\" é\n");
	m->events = json_tokener_parse("[{\"event\":\"state\",\"fields\":{\"state\":\"down\"}}]");
	return m;
}

static unsigned count(const struct notify_outbox *o, int ch)
{
	unsigned n = 0;
	for (const struct ob_entry *e = o->head[ch]; e; e = e->next)
		n++;
	assert_int_equal(n, o->count[ch]);
	return n;
}

static void test_survives_restart(void **state)
{
	struct fx *f = *state;
	struct notify_outbox o;
	char err[200] = "";
	assert_int_equal(ob_open(&o, f->path, NOW_WALL, NOW_MONO, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		char t[32];
		snprintf(t, sizeof(t), "alert %d", i);
		struct notify_msg *m = mk(t, NOW_WALL - 1000);
		assert_int_equal(ob_add(&o, m, (1u << NCH_SLACK) | (1u << NCH_PAGERDUTY), NOW_MONO), 0);
		assert_int_equal(m->id, (uint64_t)i + 1);
		notify_msg_unref(m);
	}
	ob_incident(&o, "wan:health", NOW_WALL - 5000, EV_CRITICAL, "wan down");
	ob_incident(&o, "sat:health", NOW_WALL - 5000, EV_WARNING, "sat degraded");
	ob_incident(&o, "sat:health", 0, EV_INFO, NULL);
	ob_done(&o, o.head[NCH_SLACK]);                 /* alert 0 delivered to Slack */
	assert_int_equal(o.total, 5);
	ob_close(&o);                                   /* as a SIGKILL would leave it */

	assert_int_equal(ob_open(&o, f->path, NOW_WALL + 60000, 100, err, sizeof(err)), 0);
	assert_int_equal(o.bad_lines, 0);
	assert_int_equal(count(&o, NCH_SLACK), 2);
	assert_int_equal(count(&o, NCH_PAGERDUTY), 3);
	assert_string_equal(o.head[NCH_SLACK]->msg->title, "alert 1");
	assert_string_equal(o.head[NCH_PAGERDUTY]->msg->title, "alert 0");
	/* the same message object for both channels, its text intact */
	assert_ptr_equal(o.head[NCH_SLACK]->msg, o.head[NCH_PAGERDUTY]->next->msg);
	assert_string_equal(o.head[NCH_SLACK]->msg->text, "line one\nline \"two\" é\n");
	assert_int_equal(o.head[NCH_SLACK]->born_mono, 0);     /* 61 s old, mono 100: clamped */
	assert_int_equal(o.n_inc, 1);
	assert_string_equal(o.inc[0].key, "wan:health");
	assert_string_equal(o.inc[0].title, "wan down");
	assert_int_equal(o.inc[0].sev, EV_CRITICAL);
	/* new ids continue after the old ones */
	struct notify_msg *m = mk("alert 3", NOW_WALL);
	ob_add(&o, m, 1u << NCH_EMAIL, 200);
	assert_int_equal(m->id, 4);
	notify_msg_unref(m);
	ob_close(&o);
}

static void test_emptied_and_ages(void **state)
{
	struct fx *f = *state;
	struct notify_outbox o;
	char err[200] = "";
	struct stat st;
	assert_int_equal(ob_open(&o, f->path, NOW_WALL, NOW_MONO, err, sizeof(err)), 0);
	/* written before the clock was set (1970): its age starts at load */
	struct notify_msg *m = mk("boot", 30000);
	ob_add(&o, m, 1u << NCH_NTFY, NOW_MONO);
	notify_msg_unref(m);
	ob_close(&o);
	assert_int_equal(ob_open(&o, f->path, NOW_WALL, NOW_MONO, err, sizeof(err)), 0);
	assert_int_equal(o.head[NCH_NTFY]->born_mono, NOW_MONO);
	ob_done(&o, o.head[NCH_NTFY]);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 0);                /* nothing left: emptied */
	assert_int_equal(o.file_bytes, 0);
	ob_close(&o);
}

static void test_damaged_lines(void **state)
{
	struct fx *f = *state;
	struct notify_outbox o;
	char err[200] = "";
	assert_int_equal(ob_open(&o, f->path, NOW_WALL, NOW_MONO, err, sizeof(err)), 0);
	struct notify_msg *m = mk("kept", NOW_WALL);
	ob_add(&o, m, 1u << NCH_WEBHOOK, NOW_MONO);
	notify_msg_unref(m);
	ob_close(&o);
	/* garbage in the middle, an unknown channel, a torn last line */
	int fd = open(f->path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	static const char junk[] = "Z what\nD 0 slack\nD 1 fax\nA slack {\"id\":\nD 1 web";
	assert_int_equal(write(fd, junk, sizeof(junk) - 1), (ssize_t)sizeof(junk) - 1);
	close(fd);
	assert_int_equal(ob_open(&o, f->path, NOW_WALL, NOW_MONO, err, sizeof(err)), 0);
	assert_int_equal(o.bad_lines, 5);
	assert_int_equal(count(&o, NCH_WEBHOOK), 1);
	assert_string_equal(o.head[NCH_WEBHOOK]->msg->title, "kept");
	ob_close(&o);
	/* the rewrite at open dropped them */
	assert_int_equal(ob_open(&o, f->path, NOW_WALL, NOW_MONO, err, sizeof(err)), 0);
	assert_int_equal(o.bad_lines, 0);
	ob_close(&o);
}

/* A state_dir that cannot hold the journal (here: a file where the
 * directory should be): an error, and alerts still queue in memory. */
static void test_unwritable(void **state)
{
	struct fx *f = *state;
	struct notify_outbox o;
	char err[200] = "", file[128], path[160];
	snprintf(file, sizeof(file), "%s/state", f->dir);
	assert_int_equal(fs_write_atomic(file, "x", 1, 0600), 0);
	snprintf(path, sizeof(path), "%s/alerts.journal", file);
	assert_int_equal(ob_open(&o, path, NOW_WALL, NOW_MONO, err, sizeof(err)), -1);
	assert_true(err[0]);
	struct notify_msg *m = mk("in memory", NOW_WALL);
	assert_int_equal(ob_add(&o, m, 1u << NCH_SLACK, NOW_MONO), 0);
	notify_msg_unref(m);
	assert_int_equal(o.total, 1);
	ob_close(&o);
	unlink(file);
}

static void test_line_round_trip(void **state)
{
	(void)state;
	struct nj_rec r = { .kind = NJ_ADD, .channels = (1u << NCH_EMAIL) | (1u << NCH_HOOK) };
	struct nj_rec back;
	size_t len;
	r.msg = mk("round trip", NOW_WALL);
	r.msg->id = 42;
	r.msg->quiet = true;
	char *line = nj_format(&r, &len);
	assert_non_null(line);
	assert_int_equal(strncmp(line, "A email,hook {", 14), 0);
	assert_int_equal(line[len - 1], '\n');
	assert_int_equal(nj_parse(line, len - 1, &back), 0);
	assert_int_equal(back.channels, r.channels);
	assert_int_equal(back.msg->id, 42);
	assert_true(back.msg->quiet);
	assert_string_equal(back.msg->title, "round trip");
	notify_msg_unref(back.msg);
	free(line);
	notify_msg_unref(r.msg);
	r = (struct nj_rec){ .kind = NJ_DONE, .id = 42, .channel = NCH_PUSHOVER };
	line = nj_format(&r, &len);
	assert_string_equal(line, "D 42 pushover\n");
	assert_int_equal(nj_parse(line, len - 1, &back), 0);
	assert_int_equal(back.channel, NCH_PUSHOVER);
	free(line);
	/* strictness: trailing bytes, a leading zero, a NUL inside */
	assert_int_equal(nj_parse("D 42 slack x", 12, &back), -1);
	assert_int_equal(nj_parse("D 042 slack", 11, &back), -1);
	assert_int_equal(nj_parse("X {\"key\":\"a\"}x", 14, &back), -1);
	assert_int_equal(nj_parse("X {\"key\":\"a\0b\"}", 15, &back), -1);
	assert_int_equal(nj_parse("X {\"key\":\"a\"}", 13, &back), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emptied_and_ages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
		cmocka_unit_test(test_line_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
