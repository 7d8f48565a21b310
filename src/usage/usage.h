/* usage: data used per member, from the kernel's byte counters, in monthly
 * cycles that start at local midnight of a reset day, against a cap, kept
 * across daemon restarts and reboots.
 *
 * Pure accounting (usage.c, usage_cycle.c), counters and the boot id from
 * sysfs/procfs (usage_sysfs.c), persistence as JSON (usage_store.c). The
 * daemon's part, per member and per check interval:
 *
 *     usage_read_counters(NULL, dev, &rx, &tx, &ifindex)   -- on success:
 *     usage_set_source(u, ifindex, boot_id);
 *     usage_update(u, rx, tx, time(NULL));
 *     bits = usage_alerts(u, pcts, n);                      -- log/notify
 *     ... and usage_store_save() (it writes only when something changed).
 *
 * At start: usage_init() each member, usage_store_load(), then
 * usage_set_plan() with the configured reset day and cap (again on reload). */
#ifndef AUTONOMY_LINK_USAGE_H
#define AUTONOMY_LINK_USAGE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USAGE_NAME_MAX 64
#define USAGE_BOOT_ID_LEN 36            /* "2ddaf1a4-c94c-4076-aa2b-061cabce7531" */
/* Wall clocks before 2020 are taken as "not set yet" (a router without an
 * RTC before NTP): bytes are counted, but no cycle starts or ends on them. */
#define USAGE_SANE_TIME 1577836800      /* 2020-01-01T00:00:00Z */

struct usage_member {
	char name[USAGE_NAME_MAX];
	char device[IF_NAMESIZE];
	/* The plan (from the config). */
	int reset_day;                  /* 1..31; past the month's end: its last day */
	uint64_t cap_bytes;             /* 0 = no cap */
	/* This cycle. 0/0 until the wall clock is sane. */
	int64_t cycle_start;            /* Unix s: local 00:00 of the reset day */
	int64_t next_reset;             /* Unix s: the next cycle's start */
	uint64_t rx_bytes, tx_bytes;
	/* The cycle before (prev_start 0: none yet). */
	uint64_t prev_total;
	int64_t prev_start;
	/* The kernel counters last seen: the baseline of the next delta. */
	uint64_t last_rx, last_tx;
	bool last_valid;
	int ifindex;                    /* the device's, when last_* were read */
	char boot_id[USAGE_BOOT_ID_LEN + 1];
	/* The highest alert threshold (percent of the cap) already reported
	 * this cycle: thresholds are kept as values, not as positions in the
	 * configured list, so a reload that edits the list re-reports nothing. */
	unsigned alerted_pct;
	bool dirty;                     /* changed since the last save */
};

/* ---- accounting (usage.c) ---- */

/* A member with nothing counted yet; the next sample is its baseline. */
void usage_init(struct usage_member *u, const char *name, const char *device);
/* Applies the configured reset day and cap. A new reset day moves the next
 * reset (the running cycle ends there); a new cap re-arms the alerts above
 * the current share. now: wall clock, Unix s. */
void usage_set_plan(struct usage_member *u, int reset_day, uint64_t cap_bytes, int64_t now);
/* Where the next counters come from. If the baseline was read on another
 * boot (boot id) or another device (ifindex: the device was recreated), the
 * kernel counters have started again from 0 since: the next sample counts
 * from 0, so bytes passed while the daemon was down are not lost. Same boot
 * and device: the next sample counts the gap from the stored baseline. */
void usage_set_source(struct usage_member *u, int ifindex, const char *boot_id);
/* Adds the bytes since the last sample. Rules for a counter that went
 * backwards with the same device: a 32-bit wrap if the old value fit in 32
 * bits and was in the top quarter of that range (>= 3 * 2^30) and the new
 * one is in the bottom quarter (< 2^30): delta = 2^32 - old + new; any other
 * step back is a reset (driver restart): delta = new. Rolls the cycle over
 * first when now >= next_reset (the delta goes to the new cycle: over-counting
 * the new cycle by one interval is the safe side of a cap). */
void usage_update(struct usage_member *u, uint64_t rx, uint64_t tx, int64_t now);
/* The increase of a counter from old to now, by the rules above. */
uint64_t usage_counter_delta(uint64_t old, uint64_t now);
/* Bytes this cycle (rx + tx). */
uint64_t usage_total(const struct usage_member *u);
/* Percent of the cap used this cycle; -1 when there is no cap. */
double usage_pct(const struct usage_member *u);
/* Bit i set: pcts[i] (percent of the cap) was crossed since the last call in
 * this cycle. Each threshold is reported once per cycle; the cycle's
 * rollover re-arms them. n <= 32; 0 when there is no cap. */
unsigned usage_alerts(struct usage_member *u, const unsigned *pcts, unsigned n);

/* ---- cycles in local time (usage_cycle.c), TZ honoured ---- */

/* Local 00:00 (the day's first second where DST skips midnight) of the
 * reset day that started the cycle containing now. */
int64_t usage_cycle_start(int64_t now, int reset_day);
/* The start of the cycle after the one containing now (> now). */
int64_t usage_next_reset(int64_t now, int reset_day);

/* ---- kernel counters (usage_sysfs.c) ---- */

/* DEV's rx/tx byte counters and ifindex from SYSFS/DEV/statistics/
 * {rx,tx}_bytes and SYSFS/DEV/ifindex (sysfs NULL: "/sys/class/net"). A
 * missing device is an error (ENODEV), never zero; a malformed value is
 * EINVAL. Small local reads: fine on the loop. */
int usage_read_counters(const char *sysfs, const char *dev, uint64_t *rx, uint64_t *tx,
			int *ifindex);
/* The kernel's boot id (path NULL: /proc/sys/kernel/random/boot_id) into out
 * (>= USAGE_BOOT_ID_LEN + 1 bytes). */
int usage_boot_id(const char *path, char *out, size_t size);
/* A decimal counter as sysfs prints it ("123\n"); -1 unless that exactly. */
int usage_parse_u64(const char *buf, size_t len, uint64_t *out);

/* ---- persistence (usage_store.c) ---- */

/* Writes every member's state as JSON (temp file + fsync + rename, mode
 * 0644, missing directories created) when any member is dirty; clears the
 * dirty flags on success. Returns 1 written, 0 nothing to write, -1 with
 * the reason in err (the counts stay in memory, still dirty). */
int usage_store_save(const char *path, struct usage_member *members, unsigned n,
		     char *err, size_t errsize);
/* Restores the members found (by name) in the file; members not in it keep
 * their fresh state, members only in it are ignored (dropped at the next
 * save). A member whose device changed keeps its counts but not the
 * baseline. A missing file is not an error (0). A corrupt or foreign file:
 * -1, the reason in err, the file renamed to PATH.bad for inspection and
 * the members left untouched. */
int usage_store_load(const char *path, struct usage_member *members, unsigned n,
		     char *err, size_t errsize);
/* The same for a buffer (no file, no rename): what load does after reading. */
int usage_store_parse(const char *buf, size_t len, struct usage_member *members, unsigned n,
		      char *err, size_t errsize);

#endif
