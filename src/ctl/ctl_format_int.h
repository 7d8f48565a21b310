/* ctl_format_int: formatters shared between ctl_format.c and
 * ctl_format_tel.c (telemetry commands). */
#ifndef AUTONOMY_CTL_FORMAT_INT_H
#define AUTONOMY_CTL_FORMAT_INT_H

#include <stdio.h>
#include <json-c/json.h>

void ctl_fmt_starlink(json_object *d, FILE *out);
void ctl_fmt_cellular(json_object *d, FILE *out);
void ctl_fmt_wifi(json_object *d, FILE *out);
void ctl_fmt_dish_action(json_object *d, FILE *out);
/* A member's telemetry verdict lines (penalties, predicted, excluded). */
void ctl_format_telemetry(json_object *member, FILE *out);
/* config backup, verify-backup, audit. */
void ctl_fmt_config_backup(json_object *d, FILE *out);
void ctl_fmt_config_verify_backup(json_object *d, FILE *out);
void ctl_fmt_config_audit(json_object *d, FILE *out);
void ctl_fmt_security_audit(json_object *d, FILE *out);
void ctl_fmt_config_optimize(json_object *d, FILE *out);
void ctl_fmt_optimize(json_object *d, FILE *out);
void ctl_fmt_hist_security(json_object *s, FILE *out);
void ctl_fmt_security_report(json_object *d, FILE *out);
/* status: the shaper's lines; members: each member's shaping limits. */
void ctl_format_shaper(json_object *shaper, FILE *out);
void ctl_format_member_shaping(json_object *members, FILE *out);
/* status: the "position" line. */
void ctl_format_position(json_object *position, FILE *out);
/* decisions: the connections a switch kept and flushed; status: sticky
 * flows (ctl_format_flows.c). */
void ctl_format_flows(json_object *decision, FILE *out);
void ctl_format_sticky(json_object *status, FILE *out);

/* Text wrapped at width columns; lines after the first indented by indent
 * (the first starts where the cursor is). */
void ctl_format_wrapped(FILE *out, const char *text, int indent, int width);
/* History commands (ctl_format_hist.c). */
void ctl_fmt_metrics(json_object *d, FILE *out);
void ctl_fmt_analytics(json_object *d, FILE *out);
void ctl_fmt_notifications(json_object *d, FILE *out);
/* Alert channels (ctl_format_notify.c): the daemon's delivery view (NULL:
 * not running), and the results of `notifications test`. */
void ctl_fmt_delivery(json_object *d, FILE *out);
void ctl_fmt_notify_test(json_object *d, FILE *out);
/* The stored outcomes per channel (notifications' "delivered_by_channel"). */
void ctl_fmt_deliveries(json_object *d, FILE *out);
void ctl_fmt_report(json_object *d, FILE *out);
void ctl_fmt_cleanup(json_object *d, FILE *out);
/* decisions: the list (an array) or --analysis (an object). */
void ctl_fmt_decisions_hist(json_object *d, FILE *out, void (*list)(json_object *, FILE *));

#endif
