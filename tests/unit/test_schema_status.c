/* Unit tests for the status of every schema row (config/schema.h, enum
 * cfg_status): which options have no effect yet. Three checks:
 *  - the rows marked PLANNED are exactly the reviewed list below, so a change
 *    of status is a visible, reviewed edit of this file;
 *  - an option marked implemented is named somewhere outside src/config/ (a
 *    getter, a table of names, a script of the OpenWrt package): an option
 *    nothing names is read by nothing;
 *  - an option marked planned is read nowhere: not passed to a config getter
 *    (a line with `cfg_` and its quoted name), not read by a script of the
 *    package (`autonomy.SECTION.OPTION` as uci names it, or a `config_get`
 *    line with `SECTION OPTION`): code that starts reading it must drop the
 *    mark, and with it the warning.
 * The last two scan the sources as text: a necessary condition, not a proof,
 * but it fails on the mistakes that happen (a flag forgotten either way). */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/schema.h"
#include "core/fsutil.h"

/* Reviewed: accepted, no effect yet. Remove a row here and PLANNED from its
 * schema row in the same change that makes the option work. */
static const char *const reviewed_planned[] = {
	"network_security.traffic_monitoring",
	"member.weight",
};
#define N_REVIEWED (sizeof(reviewed_planned) / sizeof(reviewed_planned[0]))

static const struct cfg_section_def *section_at(size_t i)
{
	return i < cfg_n_global_sections ? &cfg_global_sections[i] : &cfg_member_section;
}

#define N_SECTIONS (cfg_n_global_sections + 1)

static void full_name(const struct cfg_section_def *s, const struct cfg_option_def *o,
		      char *out, size_t size)
{
	snprintf(out, size, "%s.%s", s->name ? s->name : "member", o->name);
}

static bool is_reviewed(const char *name)
{
	for (size_t i = 0; i < N_REVIEWED; i++)
		if (strcmp(reviewed_planned[i], name) == 0)
			return true;
	return false;
}

static void test_planned_is_the_reviewed_list(void **state)
{
	char name[128];
	size_t n_planned = 0;
	bool ok = true;

	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct cfg_section_def *s = section_at(i);
		for (size_t k = 0; k < s->n_opts; k++) {
			const struct cfg_option_def *o = &s->opts[k];
			full_name(s, o, name, sizeof(name));
			bool planned = o->status == CFG_S_PLANNED;
			n_planned += planned;
			if (planned != is_reviewed(name)) {
				print_error("%s: schema says %s, the reviewed list %s\n", name,
					    planned ? "planned" : "implemented",
					    planned ? "does not list it" : "lists it as planned");
				ok = false;
			}
		}
	}
	/* A name in the list but in no schema row is a stale entry. */
	if (n_planned != N_REVIEWED) {
		print_error("%zu planned rows, %zu reviewed names\n", n_planned, N_REVIEWED);
		ok = false;
	}
	assert_true(ok);
}

/* ---- the sources, as text ------------------------------------------------ */

static char *corpus;
static size_t corpus_len;

static int add_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_D && strstr(path, "/src/config") &&
	    strcmp(path + strlen(path) - strlen("/src/config"), "/src/config") == 0)
		return FTW_SKIP_SUBTREE; /* the schema and its checks name every option */
	if (type != FTW_F)
		return FTW_CONTINUE;
	size_t len;
	char *text = fs_read_file(path, 1 << 22, &len);
	if (!text)
		return FTW_CONTINUE;
	char *grown = realloc(corpus, corpus_len + len + 2);
	assert_non_null(grown);
	corpus = grown;
	memcpy(corpus + corpus_len, text, len);
	corpus_len += len;
	corpus[corpus_len++] = '\n';
	corpus[corpus_len] = '\0';
	free(text);
	return FTW_CONTINUE;
}

static int load_corpus(void **state)
{
	assert_int_equal(nftw(SOURCE_DIR "/src", add_file, 16, FTW_ACTIONRETVAL | FTW_PHYS), 0);
	/* The init script reads main.enabled. */
	assert_int_equal(nftw(SOURCE_DIR "/openwrt", add_file, 16, FTW_ACTIONRETVAL | FTW_PHYS),
			 0);
	assert_true(corpus_len > 100000); /* the whole tree, not an empty folder */
	return 0;
}

static int free_corpus(void **state)
{
	free(corpus);
	corpus = NULL;
	corpus_len = 0;
	return 0;
}

static bool named_anywhere(const char *opt)
{
	char q[96];
	snprintf(q, sizeof(q), "\"%s\"", opt);
	return strstr(corpus, q) != NULL;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* A shell script of the package reads SECTION.OPTION: `uci get
 * autonomy.SECTION.OPTION` or `config_get[_bool] VAR SECTION OPTION`. */
static bool read_by_script(const char *sec, const char *opt)
{
	char path[160], args[160];
	snprintf(path, sizeof(path), "autonomy.%s.%s", sec, opt);
	snprintf(args, sizeof(args), " %s %s", sec, opt);
	for (const char *p = strstr(corpus, path); p; p = strstr(p + 1, path))
		if (!ident_char(p[strlen(path)]))
			return true;
	for (const char *p = strstr(corpus, args); p; p = strstr(p + 1, args)) {
		const char *bol = p;
		while (bol > corpus && bol[-1] != '\n')
			bol--;
		if (!ident_char(p[strlen(args)]) && memmem(bol, (size_t)(p - bol), "config_get", 10))
			return true;
	}
	return false;
}

/* A line that passes "opt" to a config getter (cfg_bool, cfg_int, ...). */
static bool read_by_getter(const char *opt)
{
	char q[96];
	snprintf(q, sizeof(q), "\"%s\"", opt);
	for (const char *p = strstr(corpus, q); p; p = strstr(p + 1, q)) {
		const char *bol = p;
		while (bol > corpus && bol[-1] != '\n')
			bol--;
		for (const char *c = bol; c < p; c++)
			if (strncmp(c, "cfg_", 4) == 0)
				return true;
	}
	return false;
}

/* Some implemented option of any section has this name ("enabled"). */
static bool implemented_somewhere(const char *opt)
{
	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct cfg_option_def *o = cfg_find_option_def(section_at(i), opt);
		if (o && o->status != CFG_S_PLANNED)
			return true;
	}
	return false;
}

/* Prints "SECTION.OPTION msg" for every option where bad() holds; true if none. */
static bool none_of(bool (*bad)(const char *sec, const struct cfg_option_def *o),
		    const char *msg)
{
	char name[128];
	bool ok = true;

	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct cfg_section_def *s = section_at(i);
		for (size_t k = 0; k < s->n_opts; k++) {
			if (!bad(s->name ? s->name : "member", &s->opts[k]))
				continue;
			full_name(s, &s->opts[k], name, sizeof(name));
			print_error("%s %s\n", name, msg);
			ok = false;
		}
	}
	return ok;
}

static bool implemented_unnamed(const char *sec, const struct cfg_option_def *o)
{
	return o->status != CFG_S_PLANNED && !named_anywhere(o->name) &&
	       !read_by_script(sec, o->name);
}

static bool planned_but_read(const char *sec, const struct cfg_option_def *o)
{
	return o->status == CFG_S_PLANNED &&
	       ((!implemented_somewhere(o->name) && read_by_getter(o->name)) ||
		read_by_script(sec, o->name));
}

static void test_implemented_are_read(void **state)
{
	assert_true(none_of(implemented_unnamed, "is marked implemented, but nothing outside "
			    "src/config names it: mark its row PLANNED"));
}

static void test_planned_are_not_read(void **state)
{
	assert_true(none_of(planned_but_read, "is marked planned, but a config getter or a "
			    "script reads it: drop PLANNED from its row and from the reviewed list"));
}

/* The scan itself can fail: a getter line is found, a bare mention is not. */
static void test_scan_finds_getters(void **state)
{
	assert_true(read_by_getter("switch_margin"));   /* cfg_int(m, "switch_margin") */
	assert_true(named_anywhere("control_socket"));
	assert_false(named_anywhere("no_such_option_anywhere"));
	assert_false(read_by_getter("ssid"));           /* a JSON key in the Wi-Fi code */
	assert_true(read_by_script("main", "enabled")); /* the init script's config_get_bool */
	assert_false(read_by_script("main", "enable"));
	assert_false(read_by_script("qos", "enabled"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planned_is_the_reviewed_list),
		cmocka_unit_test(test_implemented_are_read),
		cmocka_unit_test(test_planned_are_not_read),
		cmocka_unit_test(test_scan_finds_getters),
	};
	return cmocka_run_group_tests(tests, load_corpus, free_corpus);
}
