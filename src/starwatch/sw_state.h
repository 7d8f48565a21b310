/* sw_state: what starwatch must remember across reboots — the reboots it
 * caused, so that `max_reboots_per_day` holds even when every reboot
 * restarts starwatch. A small JSON file on flash, written only when a reboot
 * is about to happen. Wall-clock times: the monotonic clock restarts with
 * the machine. A router without an RTC may boot with its clock behind: a record
 * "in the future" still counts, so a clock that went back never frees a
 * reboot early. A corrupt file is moved aside and the day counts as used up. */
#ifndef AUTONOMY_SW_STATE_H
#define AUTONOMY_SW_STATE_H

#include <stddef.h>
#include <stdint.h>

#define SW_STATE_MAX 32         /* records kept (max_reboots_per_day is at most 24) */
#define SW_STATE_FILE_MAX 2048

struct sw_state {
	int64_t reboots[SW_STATE_MAX];  /* Unix seconds, oldest first */
	size_t n;
};

int sw_state_parse(const char *buf, size_t len, struct sw_state *st, char *err, size_t errsz);
char *sw_state_format(const struct sw_state *st);   /* malloc'd */

/* Reboots that count against today's limit at now_s. */
size_t sw_state_count_day(const struct sw_state *st, int64_t now_s);
/* Records a reboot at now_s; drops records that no longer count. */
void sw_state_add(struct sw_state *st, int64_t now_s);

/* Loads path: 0 ok, 1 no file (empty state). A file that cannot be used is
 * renamed to PATH.bad, st is filled as if the whole limit were used at
 * now_s and saved, and -1 is returned with err saying why. */
int sw_state_load(const char *path, int64_t now_s, struct sw_state *st, char *err, size_t errsz);
/* Writes atomically (creating the directory). 0 or -1 with errno. */
int sw_state_save(const char *path, const struct sw_state *st);

#endif
