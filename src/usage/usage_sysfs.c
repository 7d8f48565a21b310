/* usage: the kernel's counters and boot id. Each is one small sysfs/procfs
 * file read with open/read/close: bounded, local, fine on the loop. */
#include "usage/usage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define USAGE_SYSFS "/sys/class/net"
#define USAGE_BOOT_ID "/proc/sys/kernel/random/boot_id"

/* Reads a small file whole; -1 with errno, or the length (< size). */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	int e = errno;
	close(fd);
	errno = e;
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int usage_parse_u64(const char *buf, size_t len, uint64_t *out)
{
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len > 20)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		unsigned d = (unsigned)(buf[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int read_u64(const char *path, uint64_t *out)
{
	char buf[32];
	ssize_t n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return -1;
	if (usage_parse_u64(buf, (size_t)n, out) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* A device name as the kernel allows it (dev_valid_name): no '/', no
 * whitespace or ':', not "." or "..", shorter than IFNAMSIZ. */
static bool dev_name_ok(const char *dev)
{
	size_t len = dev ? strlen(dev) : 0;
	if (len == 0 || len >= IF_NAMESIZE || !strcmp(dev, ".") || !strcmp(dev, ".."))
		return false;
	return strcspn(dev, "/: \t\n") == len;
}

int usage_read_counters(const char *sysfs, const char *dev, uint64_t *rx, uint64_t *tx,
			int *ifindex)
{
	static const char *const files[] = { "ifindex", "statistics/rx_bytes",
					     "statistics/tx_bytes" };
	if (!dev_name_ok(dev)) {
		errno = EINVAL;
		return -1;
	}
	uint64_t v[3];
	for (int i = 0; i < 3; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s/%s", sysfs ? sysfs : USAGE_SYSFS, dev, files[i]);
		if (read_u64(path, &v[i]) < 0) {
			if (errno == ENOENT)
				errno = ENODEV;         /* gone, possibly between reads */
			return -1;
		}
	}
	if (v[0] == 0 || v[0] > INT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	*ifindex = (int)v[0];
	*rx = v[1];
	*tx = v[2];
	return 0;
}

int usage_boot_id(const char *path, char *out, size_t size)
{
	char buf[64];
	ssize_t n = read_small(path ? path : USAGE_BOOT_ID, buf, sizeof(buf));
	if (n < 0)
		return -1;
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* A UUID: 36 characters of hex digits and dashes. */
	if (n != USAGE_BOOT_ID_LEN || strspn(buf, "0123456789abcdefABCDEF-") != (size_t)n ||
	    size <= (size_t)n) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, buf, (size_t)n + 1);
	return 0;
}
