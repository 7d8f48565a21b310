/* libFuzzer target: one control-socket request line through the same parser
 * the daemon uses; a valid request is also turned into a reply line. */
#include <stddef.h>
#include <stdint.h>

#include "ctl/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	struct ctl_error err;
	if (ctl_parse_request((const char *)data, size, &req, &err) == 0) {
		json_object *r = ctl_reply_ok(json_object_get(req.args));
		ctl_to_line(r, NULL);
		json_object_put(r);
		ctl_request_free(&req);
	} else {
		json_object *r = ctl_reply_err(&err);
		ctl_to_line(r, NULL);
		json_object_put(r);
	}
	return 0;
}
