/* sw_logfile: starwatch's own log file (the guide's /var/log/starwatch.log),
 * next to syslog. Size-bounded: past the limit the file becomes FILE.1
 * (replacing the previous one) and a new one starts, so it never fills a
 * router's small /var. Opened without following a symlink; a path that is
 * not a regular file is refused. */
#ifndef AUTONOMY_SW_LOGFILE_H
#define AUTONOMY_SW_LOGFILE_H

#include <stddef.h>

#define SW_LOGFILE_MAX (128 * 1024)

/* Starts logging every message to path (0), or returns -1 with errno and
 * leaves logging as it was. Replaces an earlier file. */
int sw_logfile_open(const char *path, size_t max_bytes);
void sw_logfile_close(void);

#endif
