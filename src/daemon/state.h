/* state: where the daemon's files live, and how often flash is written.
 *   main.state_dir  persistent: survives a reboot (OpenWrt: on flash,
 *                   /etc/autonomy; plain Linux: /var/lib/autonomy) — data
 *                   usage counters, learnt obstruction places, history.
 *   main.run_dir    volatile: RAM on OpenWrt (/var is tmpfs) — the working
 *                   copies, written as often as they change, so a respawned
 *                   daemon loses nothing.
 * A working copy reaches state_dir at most every main.persist_interval, at
 * shutdown, and when losing it would hurt (a data-cap alert); a reboot
 * loses at most that interval. Everything written to state_dir is counted
 * (bytes, files) and reported by `health` with a per-day rate: flash wear
 * is a number. */
#ifndef AUTONOMY_DAEMON_STATE_H
#define AUTONOMY_DAEMON_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

struct daemon;

int state_start(struct daemon *d);
void state_stop(struct daemon *d);
/* dir/name into buf, from state_dir (persistent) or run_dir. */
const char *state_path(struct daemon *d, bool persistent, const char *name, char *buf,
		       size_t size);
/* The copy to load at start: run_dir's when it is newer (a respawn), else
 * state_dir's (after a reboot run_dir is empty). */
const char *state_load_path(struct daemon *d, const char *name, char *buf, size_t size);
/* Writes data atomically into state_dir/name, counted. 0 or -1 (errno). */
int state_write(struct daemon *d, const char *name, const void *data, size_t len);
/* Counts bytes appended to a file in state_dir by its owner (the alert
 * outbox's journal). */
void state_count(struct daemon *d, size_t bytes);
/* The same, readable by its owner only (0600): secrets' hashes, keys. */
int state_write_private(struct daemon *d, const char *name, const void *data, size_t len);
/* Copies run_dir/name to state_dir/name when the persist interval has
 * passed since name was last persisted, or now if force. 1 copied, 0 not
 * due or nothing to copy, -1 error (errno). */
int state_persist(struct daemon *d, const char *name, bool force);
json_object *state_view(struct daemon *d);

#endif
