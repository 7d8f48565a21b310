/* fsutil: small filesystem helpers with crash-safe semantics. */
#ifndef AUTONOMY_CORE_FSUTIL_H
#define AUTONOMY_CORE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Creates every missing directory above the file at path (like mkdir -p of
 * dirname(path)). */
int fs_mkdir_parents(const char *path, mode_t mode);
/* Reads a whole file (at most max bytes) into a NUL-terminated buffer. */
char *fs_read_file(const char *path, size_t max, size_t *len);
/* Writes via temp file + fsync + rename, so readers see old or new, never half. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

#endif
