/* Control protocol: request parsing and validation, reply building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl/ctl_proto.h"

static int parse(const char *s, struct ctl_request *req, struct ctl_error *err)
{
	return ctl_parse_request(s, strlen(s), req, err);
}

static void expect_error(const char *line, enum ctl_errcode code, const char *msg_part)
{
	struct ctl_request req;
	struct ctl_error err;
	assert_int_equal(parse(line, &req, &err), -1);
	assert_int_equal(err.code, code);
	if (msg_part && !strstr(err.message, msg_part))
		fail_msg("message '%s' lacks '%s'", err.message, msg_part);
	assert_null(req.root);
}

static void test_valid_minimal(void **state)
{
	struct ctl_request req;
	struct ctl_error err;
	assert_int_equal(parse("{\"cmd\":\"members\"}", &req, &err), 0);
	assert_string_equal(req.cmd->name, "members");
	assert_true(json_object_is_type(req.args, json_type_object));
	assert_int_equal(json_object_object_length(req.args), 0);
	ctl_request_free(&req);
}

static void test_valid_with_args(void **state)
{
	struct ctl_request req;
	struct ctl_error err;
	assert_int_equal(parse("  {\"cmd\":\"failover\",\"args\":{\"force\":true}} \r",
			       &req, &err), 0);
	json_object *v;
	assert_true(json_object_object_get_ex(req.args, "force", &v));
	assert_true(json_object_get_boolean(v));
	ctl_request_free(&req);
}

/* Issue 13, finding 7: json-c alone took all of these; a repeated key ran
 * the second command. The request must be exactly RFC 8259 JSON. */
static void test_strict_json(void **state)
{
	static const char *const bad[] = {
		"{\"cmd\":\"status\",\"cmd\":\"reload\"}",
		"{\"cmd\":\"members\",\"args\":{},\"args\":{}}",
		"{\"cmd\":\"decisions\",\"args\":{\"limit\":3,\"limit\":4}}",
		"{\"cmd\":\"status\",\"c\\u006dd\":\"reload\"}",   /* the same key, escaped */
		"{'cmd':'status'}",
		"{\"cmd\":\"status\"} /* c */",
		"{/* c */\"cmd\":\"status\"}",
		"{\"cmd\":\"status\\u0000x\"}",
		"{\"cmd\":\"sta\xfftus\"}",
		"{\"cmd\":\"sta\xc0\xafus\"}",              /* overlong '/' */
		"{\"cmd\":\"sta\xed\xa0\x80us\"}",          /* an encoded surrogate */
		"{\"cmd\":\"status\\ud800\"}",
		"{\"cmd\":\"status\\udc00\"}",
		"{\"cmd\":\"sta\ttus\"}",
		"{\"cmd\":\"status\",\"args\":{\"x\":NaN}}",
		"{\"cmd\":\"status\",\"args\":{\"x\":1.}}",
		"{\"cmd\":\"status\",\"args\":{\"x\":01}}",
		"{\"cmd\":\"status\",}",
		"{\"cmd\":\"status\",\"args\":{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctl_request req;
		struct ctl_error err;
		if (parse(bad[i], &req, &err) == 0)
			fail_msg("accepted: %s", bad[i]);
		if (err.code != CTL_E_BAD_JSON)
			fail_msg("%s: code %s (%s)", bad[i], ctl_errcode_name(err.code), err.message);
	}
	expect_error("{\"cmd\":\"status\",\"cmd\":\"reload\"}", CTL_E_BAD_JSON, "twice");
	/* What is strict JSON still parses: blanks, escapes, UTF-8, pairs. */
	struct ctl_request req;
	struct ctl_error err;
	assert_int_equal(parse("\t{ \"cmd\" : \"failover\" , \"args\" : { \"interface\" : "
			       "\"w\\u00e9\xc3\xa9\\ud83d\\ude00\\n\" } }", &req, &err), 0);
	json_object *v;
	assert_true(json_object_object_get_ex(req.args, "interface", &v));
	assert_string_equal(json_object_get_string(v), "w\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80\n");
	ctl_request_free(&req);
}

static void test_errors(void **state)
{
	expect_error("{\"cmd\":", CTL_E_BAD_JSON, "incomplete");
	expect_error("not json", CTL_E_BAD_JSON, "invalid JSON");
	expect_error("{\"cmd\":\"status\"} {}", CTL_E_BAD_JSON, "trailing");
	expect_error("[1,2]", CTL_E_BAD_REQUEST, "JSON object");
	expect_error("{\"args\":{}}", CTL_E_BAD_REQUEST, "\"cmd\"");
	expect_error("{\"cmd\":5}", CTL_E_BAD_REQUEST, "\"cmd\"");
	expect_error("{\"cmd\":\"status\",\"x\":1}", CTL_E_BAD_REQUEST, "unknown request key 'x'");
	expect_error("{\"cmd\":\"status\",\"args\":[]}", CTL_E_BAD_REQUEST, "must be an object");
	expect_error("{\"cmd\":\"reboot_everything\"}", CTL_E_UNKNOWN_CMD,
		     "unknown command 'reboot_everything'");
	expect_error("{\"cmd\":\"status\",\"args\":{\"verbose\":1}}", CTL_E_BAD_ARGS,
		     "unknown argument 'verbose'");
	expect_error("{\"cmd\":\"failover\",\"args\":{\"force\":\"yes\"}}", CTL_E_BAD_ARGS,
		     "must be a boolean");
	/* config_show never reveals: the argument is gone (config_reveal). */
	expect_error("{\"cmd\":\"config_show\",\"args\":{\"reveal\":true}}", CTL_E_BAD_ARGS,
		     "unknown argument 'reveal'");
	expect_error("{\"cmd\":\"config_validate\",\"args\":{\"file\":3}}", CTL_E_BAD_ARGS,
		     "must be a string");
}

static void test_nul_byte(void **state)
{
	struct ctl_request req;
	struct ctl_error err;
	const char s[] = "{\"cmd\":\"st\0atus\"}";
	assert_int_equal(ctl_parse_request(s, sizeof(s) - 1, &req, &err), -1);
	assert_int_equal(err.code, CTL_E_BAD_JSON);
}

static void test_too_large(void **state)
{
	size_t n = CTL_MAX_REQUEST + 1;
	char *big = malloc(n);
	memset(big, ' ', n);
	struct ctl_request req;
	struct ctl_error err;
	assert_int_equal(ctl_parse_request(big, n, &req, &err), -1);
	assert_int_equal(err.code, CTL_E_TOO_LARGE);
	free(big);
}

static void test_deep_nesting(void **state)
{
	/* json-c's depth limit rejects this instead of recursing without end. */
	char buf[4096];
	size_t n = 0;
	n += (size_t)sprintf(buf, "{\"cmd\":\"status\",\"args\":");
	for (int i = 0; i < 200; i++)
		buf[n++] = '[';
	buf[n] = '\0';
	struct ctl_request req;
	struct ctl_error err;
	assert_int_equal(parse(buf, &req, &err), -1);
	assert_int_equal(err.code, CTL_E_BAD_JSON);
}

static void test_replies(void **state)
{
	json_object *ok = ctl_reply_ok(json_object_new_int(7));
	assert_string_equal(ctl_to_line(ok, NULL), "{\"ok\":true,\"data\":7}");
	json_object_put(ok);

	struct ctl_error err = { .details = json_object_new_array() };
	ctl_error_set(&err, CTL_E_CONFIG_INVALID, "bad %s", "file\nname");
	json_object *r = ctl_reply_err(&err);
	assert_null(err.details);
	size_t len;
	const char *line = ctl_to_line(r, &len);
	assert_null(memchr(line, '\n', len)); /* one object, one line */
	assert_string_equal(line, "{\"ok\":false,\"error\":{\"code\":\"config_invalid\","
			    "\"message\":\"bad file\\nname\",\"details\":[]}}");
	json_object_put(r);
}

static void test_errcode_names(void **state)
{
	for (int c = CTL_E_BAD_JSON; c <= CTL_E_NOT_RUNNING; c++)
		assert_int_equal(ctl_errcode_parse(ctl_errcode_name(c)), c);
	assert_int_equal(ctl_errcode_parse("nonsense"), CTL_E_INTERNAL);
	assert_int_equal(ctl_errcode_parse(NULL), CTL_E_INTERNAL);
}

static void test_cmd_table(void **state)
{
	for (size_t i = 0; i < ctl_n_cmds; i++) {
		assert_non_null(ctl_cmds[i].summary);
		assert_ptr_equal(ctl_cmd_find(ctl_cmds[i].name), &ctl_cmds[i]);
		for (size_t j = i + 1; j < ctl_n_cmds; j++)
			assert_string_not_equal(ctl_cmds[i].name, ctl_cmds[j].name);
	}
	assert_null(ctl_cmd_find("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_minimal),
		cmocka_unit_test(test_valid_with_args),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_strict_json),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_errcode_names),
		cmocka_unit_test(test_cmd_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
