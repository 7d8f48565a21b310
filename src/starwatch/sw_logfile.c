/* sw_logfile: a size-bounded log file as a sink of core/log (sw_logfile.h). */
#include "starwatch/sw_logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/log.h"

static struct {
	int fd;
	char *path;
	size_t max, size;
} g = { .fd = -1 };

static int open_file(const char *path, size_t *size)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		      0640);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

static void rotate(void)
{
	char old[4200];
	snprintf(old, sizeof(old), "%s.1", g.path);
	close(g.fd);
	g.fd = -1;
	if (rename(g.path, old) < 0)
		unlink(g.path);
	g.fd = open_file(g.path, &g.size);
}

static void sink(enum log_level level, const char *text)
{
	if (g.fd < 0)
		return;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char line[1200];
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %-6s %s\n",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, log_level_name(level), text);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (g.size + len > g.max)
		rotate();
	/* A full disk loses the line, never starwatch's loop. */
	if (g.fd >= 0 && write(g.fd, line, len) == (ssize_t)len)
		g.size += len;
}

int sw_logfile_open(const char *path, size_t max_bytes)
{
	size_t size = 0;
	if (fs_mkdir_parents(path, 0755) < 0)
		return -1;
	int fd = open_file(path, &size);
	char *p = fd >= 0 ? strdup(path) : NULL;
	if (!p) {
		int e = fd >= 0 ? ENOMEM : errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	sw_logfile_close();
	g.fd = fd;
	g.path = p;
	g.size = size;
	g.max = max_bytes;
	log_set_sink(sink);
	return 0;
}

void sw_logfile_close(void)
{
	log_set_sink(NULL);
	if (g.fd >= 0)
		close(g.fd);
	free(g.path);
	g.fd = -1;
	g.path = NULL;
}
