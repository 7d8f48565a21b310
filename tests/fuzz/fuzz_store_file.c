/* libFuzzer target for the history store's file: what the daemon finds in
 * run_dir or state_dir after a crash, a bad flash block, or someone else's
 * file, and what autonomyctl reads (--store FILE).
 *
 * The bytes are written as history.db in a scratch directory on tmpfs and
 * opened as the daemon opens its working store (with the integrity check):
 * a file that is not a usable store must be moved aside and a new store
 * started (never a crash, never an open store that cannot be written); a
 * usable one is then maintained (thinning, retention) and read as every
 * history command reads it: report, analytics, export. Nothing may crash;
 * the moved-aside file must hold exactly the bytes given. */
#include "history/hist.h"
#include "store/store.h"
#include "store/store_maint.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[128];

static void scratch(void)
{
	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/dev/shm/fuzz-store-XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-store-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, sizeof(path), "%s/history.db", dir);
}

static void clean(const char *aside)
{
	char p[4400];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	if (aside && aside[0]) {
		unlink(aside);
		snprintf(p, sizeof(p), "%s-wal", aside);
		unlink(p);
	}
}

static void same_bytes(const char *file, const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 20];
	int fd = open(file, O_RDONLY);
	if (fd < 0)
		abort();
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (size < sizeof(buf) && (n != (ssize_t)size || memcmp(buf, data, size) != 0))
		abort();
}

static void read_all(struct store *s)
{
	struct hist_period p = { .name = "all", .span_s = 0 };
	struct hist_q q;
	hist_q_init(&q, s, &p, 1764000000, true);
	json_object_put(hist_report(&q));
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		hist_export(&q, "json", NULL, null);
		fclose(null);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[600];
	struct store_open_info info;
	scratch();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	struct store *s = store_open(path, STORE_WORK, STORE_CHECK, &info, err, sizeof(err));
	if (!s)
		abort();        /* a bad file is replaced, so there is always a store */
	if (info.moved_aside) {
		if (!info.why[0] || !info.created)
			abort();
		same_bytes(info.aside, data, size);
	}
	struct store_member m = { .name = "fuzz", .priority = 1 };
	if (!store_member_id(s, &m) && !info.moved_aside && store_count(s, "members") < 63)
		abort();        /* a store that passed the check takes writes */
	struct store_retention r = { .now_s = 1764000000, .raw_days = 7, .telemetry_days = 30,
				     .log_days = 7, .max_bytes = 1 << 20 };
	struct store_maint_result res;
	store_maintain(s, &r, &res);
	read_all(s);
	store_close(s);
	clean(info.aside);
	return 0;
}
