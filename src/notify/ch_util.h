/* ch_util: small helpers the channel tables share (ch_util.c). */
#ifndef AUTONOMY_NOTIFY_CH_UTIL_H
#define AUTONOMY_NOTIFY_CH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "notify/notify_chan.h"

/* enabled = 1 and every named option has a value. */
bool ch_enabled(const struct notify_chan_ctx *c, const char *const *needs);
int ch_min_level(const struct notify_chan_ctx *c);
/* The JSON body (consumes o). 0 or -1. */
int ch_json_body(struct notify_req *rq, json_object *o);
/* The CA file for HTTPS endpoints: the channel's own, else alerts.ca_file. */
void ch_ca_file(const struct notify_chan_ctx *c, const char *own_option, struct notify_req *rq);
/* A URL that holds a token: it and its path are secrets. */
void ch_secret_url(struct notify_req *rq, const char *url);
/* title, then the body lines: what a push notification or chat shows. */
char *ch_plain(const struct notify_msg *m);
/* Cuts s to at most max bytes without splitting a UTF-8 character. */
void ch_utf8_cut(char *s, size_t max);
/* Appends "&name=value" (the first without '&'), value form-urlencoded
 * (application/x-www-form-urlencoded: unreserved kept, ' ' as '+'). */
int ch_form_add(char **body, size_t *len, const char *name, const char *value);

#endif
