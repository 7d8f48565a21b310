/* sw_status: starwatch's view of the daemon, as a small JSON file in the
 * daemon's run directory (next to its control socket). starwatch writes it
 * after every check; autonomyd's `health` and autonomyctl read it with a
 * strict reader that accepts only the known shape, so a corrupt or hostile
 * file yields an error, never a crash or a blocked loop. */
#ifndef AUTONOMY_SW_STATUS_H
#define AUTONOMY_SW_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#define SW_STATUS_NAME "starwatch.json"
#define SW_STATUS_MAX 4096      /* bytes; a file larger than this is refused */

struct sw_status {
	uint32_t pid;               /* starwatch's */
	int64_t updated;            /* Unix seconds of the write */
	uint64_t updated_mono_ms;   /* CLOCK_MONOTONIC (system-wide) of the write */
	uint32_t check_interval_s;
	int64_t last_check;         /* Unix seconds, 0 = none yet */
	int64_t last_ok;            /* last progress seen, 0 = never */
	char daemon[16];            /* sw_daemon_name() */
	uint32_t restarts;          /* since starwatch started */
	uint32_t restarts_in_window;
	bool held_down;
	char step[24];              /* the ladder step last taken, "" = none */
	char reason[160];           /* why the last recovery / hold-down happened */
	bool failsafe_enabled;
	bool failsafe_active;
	char failsafe_member[64];
	char failsafe_device[16];
	char failsafe_gateway[16];  /* dotted quad, "" for a device route */
};

/* The file's path for a control socket path: same directory. */
int sw_status_path(const char *control_socket, char *out, size_t size);

/* Serialises (the caller writes it atomically). Returns a malloc'd string. */
char *sw_status_format(const struct sw_status *st);
/* Strict parse: an object with exactly the known keys of the right types and
 * ranges. Returns 0, or -1 with a short reason in err. */
int sw_status_parse(const char *buf, size_t len, struct sw_status *st, char *err, size_t errsz);
/* Reads and parses the file without following a final symlink or blocking
 * on a FIFO. Returns 0, 1 when the file does not exist, -1 with err. */
int sw_status_read(const char *path, struct sw_status *st, char *err, size_t errsz);

/* For `health`: null when no file exists, else starwatch's view with
 * "running" false when the writer is gone or the file is stale. */
json_object *sw_status_view(const char *control_socket);

#endif
