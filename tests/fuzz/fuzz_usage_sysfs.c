/* libFuzzer target for usage/usage_sysfs: the bytes are a sysfs counter
 * (usage_parse_u64, checked against strtoull) and, through a memfd, a
 * boot_id file (usage_boot_id). */
#include "usage/usage.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference: 1-20 digits and an optional newline, within uint64. */
static int reference(const uint8_t *d, size_t n, uint64_t *v)
{
	if (n && d[n - 1] == '\n')
		n--;
	if (n == 0 || n > 20)
		return -1;
	char buf[24];
	for (size_t i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return -1;
		buf[i] = (char)d[i];
	}
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, NULL, 10);
	return errno == ERANGE ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);   /* exactly size: ASan sees overreads */
	memcpy(copy, data, size);
	uint64_t got = 0, want = 0;
	int r = usage_parse_u64(copy, size, &got), rr = reference(data, size, &want);
	if (r != rr || (r == 0 && got != want))
		abort();
	free(copy);

	static int fd = -1;
	if (fd < 0 && (fd = memfd_create("boot-id", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	char path[64], id[USAGE_BOOT_ID_LEN + 1];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(id, 'x', sizeof(id));
	if (usage_boot_id(path, id, sizeof(id)) == 0 && strlen(id) != USAGE_BOOT_ID_LEN)
		abort();
	return 0;
}
