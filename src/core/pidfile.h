/* pidfile: one daemon per pid file. The file is created exclusively and kept
 * locked (flock) for the daemon's lifetime; a stale file whose lock nobody
 * holds is taken over. */
#ifndef AUTONOMY_CORE_PIDFILE_H
#define AUTONOMY_CORE_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

struct pidfile;

/* Returns NULL on failure with the reason in why. errno EEXIST: another
 * live process holds it and *holder is its pid (0 if unreadable). The
 * directory must be safe (fs_dir_check); a symlink at path is refused, and
 * an existing file is taken over only if it looks like a pid file. */
struct pidfile *pidfile_acquire(const char *path, pid_t *holder, char *why, size_t size);
/* Rewrites the pid (after fork). */
int pidfile_write(struct pidfile *pf);
/* Unlinks (if the file at the path is still ours) and unlocks. */
void pidfile_release(struct pidfile *pf);
/* The pid recorded in a pid file that is locked by a live process, or 0. */
pid_t pidfile_read_locked(const char *path);

#endif
