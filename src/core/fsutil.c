#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdir_parents(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = saved;
		if (saved == '\0')
			break;
	}
	return 0;
}

/* True when fd has no more data (or fails); used to tell "exactly max
 * bytes" from "more than max". */
static bool at_eof(int fd)
{
	char c;
	ssize_t r;
	do
		r = read(fd, &c, 1);
	while (r < 0 && errno == EINTR);
	return r <= 0;
}

static char *grow(char *buf, size_t *cap, size_t max)
{
	size_t ncap = *cap * 2 > max ? max : *cap * 2;
	char *nb = realloc(buf, ncap + 1);
	if (!nb) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	*cap = ncap;
	return nb;
}

/* O_NONBLOCK: opening a FIFO for reading would wait for a writer; the
 * check after it refuses anything that is not a regular file. */
static int open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

char *fs_read_file(const char *path, size_t max, size_t *len)
{
	int fd = open_regular(path);
	if (fd < 0)
		return NULL;
	size_t cap = max < 4096 ? max : 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap && cap == max) {
			if (!at_eof(fd)) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
			}
			break;
		}
		if (n == cap && !(buf = grow(buf, &cap, max)))
			break;
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	int e = errno;
	close(fd);
	errno = e;
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

const char *fs_read_strerror(int e)
{
	return e == EINVAL ? "not a regular file" : e == EFBIG ? "file too large" : strerror(e);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* dirname(path) into dir. */
static void dir_of(const char *path, char *dir, size_t size)
{
	snprintf(dir, size, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, size, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
}

/* The directory entry of a rename is only durable once the directory
 * itself is synced. Filesystems that cannot sync a directory say EINVAL. */
static int sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	dir_of(path, dir, sizeof(dir));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd) < 0 && errno != EINVAL ? -1 : 0;
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* mkostemp: O_CREAT|O_EXCL with a random name, mode 0600 */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return sync_dir_of(path);
}

static bool owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/* Others (or a group other than root's) may write to it. */
static bool shared_write(const struct stat *st)
{
	return (st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != 0);
}

int fs_dir_check(const char *dir, char *why, size_t size)
{
	char real[PATH_MAX];
	struct stat st;
	if (!realpath(dir, real) || stat(real, &st) < 0) {
		snprintf(why, size, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, size, "%s is not a directory", dir);
		return -1;
	}
	if (!owner_ok(&st) || shared_write(&st)) {
		snprintf(why, size, "%s%s%s is %s; use a directory only root can write to", dir,
			 strcmp(dir, real) ? " = " : "", strcmp(dir, real) ? real : "",
			 owner_ok(&st) ? "writable by others" : "owned by another user");
		return -1;
	}
	/* Above it: a directory another user may write to could swap this
	 * one for theirs, unless it is sticky (they can only touch their own). */
	for (char *slash = strrchr(real, '/'); slash; slash = strrchr(real, '/')) {
		if (slash == real) {
			if (!real[1])
				break;
			real[1] = '\0';
		} else {
			*slash = '\0';
		}
		if (stat(real, &st) < 0) {
			snprintf(why, size, "%s: %s", real, strerror(errno));
			return -1;
		}
		if (!owner_ok(&st) || (shared_write(&st) && !(st.st_mode & S_ISVTX))) {
			snprintf(why, size, "%s (above %s) is %s", real, dir,
				 owner_ok(&st) ? "writable by others and not sticky" :
				 "owned by another user");
			return -1;
		}
	}
	return 0;
}

int fs_prepare_dir_of(const char *path, mode_t mode, char *why, size_t size)
{
	char dir[PATH_MAX];
	if (fs_mkdir_parents(path, mode) < 0) {
		snprintf(why, size, "cannot create the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	dir_of(path, dir, sizeof(dir));
	return fs_dir_check(dir, why, size);
}

int fs_set_aside(const char *path, char *bad, size_t size)
{
	if (snprintf(bad, size, "%s.bad", path) >= (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return rename(path, bad);
}
