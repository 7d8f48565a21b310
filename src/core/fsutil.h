/* fsutil: small filesystem helpers with crash-safe and hostile-path-safe
 * semantics. The daemon runs as root and keeps files in directories an
 * operator names (state_dir, the pid file, the control socket): nothing here
 * follows a planted symlink, truncates a file it did not create, or blocks
 * on a FIFO. */
#ifndef AUTONOMY_CORE_FSUTIL_H
#define AUTONOMY_CORE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Creates every missing directory above the file at path (like mkdir -p of
 * dirname(path)). */
int fs_mkdir_parents(const char *path, mode_t mode);
/* Reads a whole regular file (at most max bytes, else EFBIG) into a
 * NUL-terminated buffer. Anything but a regular file (a FIFO, a device, a
 * directory) fails with EINVAL without blocking. */
char *fs_read_file(const char *path, size_t max, size_t *len);
/* errno of fs_read_file as words ("not a regular file" for EINVAL). */
const char *fs_read_strerror(int e);
/* Writes via a new temp file beside path (random name, O_EXCL|O_NOFOLLOW:
 * nothing planted there is followed or truncated), fsync, rename over
 * path, fsync of the directory: readers see old or new, never half, and
 * the rename survives a power cut. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* May the daemon keep files in dir? It must be a directory owned by root or
 * us that nobody else can write to (group write only for group root); every
 * directory above it must be owned by root or us and, where others may
 * write, sticky (like /tmp): otherwise another user could swap or plant the
 * files in it. 0, or -1 with the reason in why. Symlinks are resolved. */
int fs_dir_check(const char *dir, char *why, size_t size);
/* Creates the missing directories above path (mode), then fs_dir_check of
 * the one holding it. */
int fs_prepare_dir_of(const char *path, mode_t mode, char *why, size_t size);
/* Moves a bad file out of the way as path.bad (so the next save does not
 * overwrite the evidence); the new name goes to bad. 0 or -1 (errno). */
int fs_set_aside(const char *path, char *bad, size_t size);

#endif
