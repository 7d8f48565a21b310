#ifndef AUTONOMY_DAEMON_FAILTEST_H
#define AUTONOMY_DAEMON_FAILTEST_H

#include <json-c/json.h>

#include "ctl/ctl_proto.h"

struct daemon;
struct ctl_conn;

/* Starts `failover --interface X --test` for by (who asked); returns
 * CTL_REPLY_DEFERRED (the reply follows when the test ends) or NULL with err
 * set. */
json_object *failtest_start(struct daemon *d, struct ctl_conn *c, const char *member,
			    const char *by, struct ctl_error *err);

#endif
