/* ctl_format: the CLI's human-readable output (tables that fit 100
 * columns). One formatter per command, chosen from a table; commands without
 * one print indented JSON. */
#ifndef AUTONOMY_CTL_FORMAT_H
#define AUTONOMY_CTL_FORMAT_H

#include <stdio.h>
#include <json-c/json.h>

/* Prints data (the reply of command cmd) for a person. */
void ctl_format(const char *cmd, json_object *data, FILE *out);

/* One event line: "01:02:03 state   starlink: down (...)". */
void ctl_format_event(json_object *ev, FILE *out);

/* starwatch's view (health's "starwatch": NULL = not running). */
void ctl_format_starwatch(json_object *sw, FILE *out);

/* "1d 02h 03m", "4m 05s", "12s" */
void ctl_format_duration(double seconds, char *buf, size_t size);

#endif
