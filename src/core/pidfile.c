#include "core/pidfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

/* What a pid file looks like: a regular file of ours holding at most a
 * number and a newline (empty: a daemon died between creating and writing
 * it). Anything else at the path — `-p` pointed at a config file — is not
 * ours to truncate now and delete at exit. */
static bool looks_like_pidfile(int fd)
{
	struct stat st;
	char buf[33];
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > 32 ||
	    (st.st_uid != 0 && st.st_uid != geteuid()))
		return false;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return false;
	for (ssize_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)buf[i]) && !(buf[i] == '\n' && i == n - 1))
			return false;
	return true;
}

/* O_EXCL first so that two daemons starting at once cannot both create it;
 * if it exists, the lock decides whether it is live or stale. O_NOFOLLOW:
 * a symlink planted at the path is refused, never followed. */
static int open_locked(const char *path, pid_t *holder, char *why, size_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == EEXIST) {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
		if (fd >= 0 && !looks_like_pidfile(fd)) {
			close(fd);
			snprintf(why, size, "%s exists and is not a pid file; not touching it", path);
			errno = EINVAL;
			return -1;
		}
	}
	if (fd < 0) {
		snprintf(why, size, "%s: %s", path,
			 errno == ELOOP ? "is a symbolic link; not following it" : strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (holder)
			*holder = read_pid(fd);
		close(fd);
		snprintf(why, size, "already running (pid %d, pid file %s)",
			 holder ? (int)*holder : 0, path);
		errno = EEXIST;
		return -1;
	}
	return fd;
}

struct pidfile *pidfile_acquire(const char *path, pid_t *holder, char *why, size_t size)
{
	if (holder)
		*holder = 0;
	if (fs_prepare_dir_of(path, 0755, why, size) < 0) {
		errno = EPERM;
		return NULL;
	}
	int fd = open_locked(path, holder, why, size);
	if (fd < 0)
		return NULL;
	struct pidfile *pf = calloc(1, sizeof(*pf));
	if (!pf || !(pf->path = strdup(path))) {
		free(pf);
		close(fd);
		snprintf(why, size, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	pf->fd = fd;
	if (pidfile_write(pf) < 0) {
		int e = errno;
		snprintf(why, size, "%s: %s", path, strerror(e));
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
	/* Only the file we hold: if something replaced it meanwhile, leave it. */
	struct stat mine, now;
	if (fstat(pf->fd, &mine) == 0 && lstat(pf->path, &now) == 0 &&
	    mine.st_dev == now.st_dev && mine.st_ino == now.st_ino)
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
