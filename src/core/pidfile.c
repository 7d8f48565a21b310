#include "core/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/fsutil.h"

struct pidfile {
	int fd;
	char *path;
};

static pid_t read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	long v = strtol(buf, NULL, 10);
	return v > 0 ? (pid_t)v : 0;
}

/* O_EXCL first so that two daemons starting at once cannot both create it;
 * if it exists, the lock decides whether it is live or stale. */
static int open_locked(const char *path, pid_t *holder)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (holder)
			*holder = read_pid(fd);
		close(fd);
		errno = EEXIST;
		return -1;
	}
	return fd;
}

struct pidfile *pidfile_acquire(const char *path, pid_t *holder)
{
	if (holder)
		*holder = 0;
	if (fs_mkdir_parents(path, 0755) < 0)
		return NULL;
	int fd = open_locked(path, holder);
	if (fd < 0)
		return NULL;
	struct pidfile *pf = calloc(1, sizeof(*pf));
	if (!pf || !(pf->path = strdup(path))) {
		free(pf);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	pf->fd = fd;
	if (pidfile_write(pf) < 0) {
		int e = errno;
		pidfile_release(pf);
		errno = e;
		return NULL;
	}
	return pf;
}

int pidfile_write(struct pidfile *pf)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(pf->fd, 0) < 0 || pwrite(pf->fd, buf, (size_t)n, 0) != n)
		return -1;
	return 0;
}

void pidfile_release(struct pidfile *pf)
{
	if (!pf)
		return;
	unlink(pf->path);
	close(pf->fd);
	free(pf->path);
	free(pf);
}

pid_t pidfile_read_locked(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	pid_t pid = 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		pid = read_pid(fd);
	close(fd);
	return pid;
}
