/* sdnotify: systemd's service notification protocol, by hand (no libsystemd
 * on routers): one datagram of "KEY=VALUE\n" lines to the AF_UNIX socket in
 * $NOTIFY_SOCKET (a path, or '@' + an abstract name). Type=notify waits
 * for READY=1; WatchdogSec= expects WATCHDOG=1 more often than
 * $WATCHDOG_USEC (when $WATCHDOG_PID is unset or ours). Without
 * $NOTIFY_SOCKET (procd, a terminal) every call does nothing and says so. */
#ifndef AUTONOMY_CORE_SDNOTIFY_H
#define AUTONOMY_CORE_SDNOTIFY_H

#include <stdint.h>

/* Sends state ("READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1",
 * "STATUS=..."). 1 sent, 0 no socket configured, -1 error (errno). */
int sd_notify_send(const char *state);
/* The watchdog interval systemd expects pings within, in µs; 0 = none. */
uint64_t sd_watchdog_usec(void);

#endif
