/* libFuzzer target for usage/usage_store: the bytes are the store file,
 * loaded through usage_store_load (the real read + parse + set-aside path)
 * from a memfd named by /proc/self/fd/N, so nothing touches the disk: the
 * rename of a bad "file" fails harmlessly on procfs.
 *
 * Oracles: a refused file leaves the members byte for byte as they were and
 * says why; an accepted one leaves NUL-terminated strings, a cycle that ends
 * after it starts, and the configured names and devices. */
#include "usage/usage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[][2] = { { "cell", "wwan0" }, { "starlink", "eth1" },
					{ "wifi", "wlan1" } };
#define N_MEMBERS 3

static void check(const struct usage_member *u, const struct usage_member *was)
{
	if (strcmp(u->name, was->name) || strcmp(u->device, was->device) ||
	    u->cap_bytes != was->cap_bytes)
		abort();
	if (!memchr(u->boot_id, '\0', sizeof(u->boot_id)))
		abort();
	if (u->cycle_start && u->next_reset <= u->cycle_start)
		abort();
	if (u->reset_day < 1 || u->reset_day > 31)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0 && (fd = memfd_create("usage-store", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct usage_member m[N_MEMBERS], before[N_MEMBERS];
	for (int i = 0; i < N_MEMBERS; i++) {
		usage_init(&m[i], names[i][0], names[i][1]);
		usage_set_plan(&m[i], 1 + i * 15, (uint64_t)i << 30, 1715328000);
		usage_set_source(&m[i], i + 2, "2ddaf1a4-c94c-4076-aa2b-061cabce7531");
		usage_update(&m[i], 100, 200, 1715328000);
	}
	memcpy(before, m, sizeof(m));
	char err[512] = "";
	int r = usage_store_load(path, m, N_MEMBERS, err, sizeof(err));
	if (r < 0 && (memcmp(m, before, sizeof(m)) != 0 || !err[0] || !memchr(err, '\0', sizeof(err))))
		abort();
	for (int i = 0; i < N_MEMBERS; i++) {
		check(&m[i], &before[i]);
		/* The restored state must be usable as it is. */
		usage_set_source(&m[i], i + 2, "2ddaf1a4-c94c-4076-aa2b-061cabce7531");
		usage_update(&m[i], 5000, 6000, 1715331600);
		volatile double pct = usage_pct(&m[i]);
		(void)pct;
	}
	return 0;
}
