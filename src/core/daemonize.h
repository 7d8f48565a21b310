/* daemonize: the background start both programs share. The parent waits on
 * a pipe until the child says it is serving (or why not), so `autonomyd &&
 * autonomyctl status` works and a start-up error reaches the terminal. */
#ifndef AUTONOMY_CORE_DAEMONIZE_H
#define AUTONOMY_CORE_DAEMONIZE_H

/* Forks; the parent exits with the status the child reports. In the child:
 * a new session, cwd "/", stdio on /dev/null, *notify_fd set. -1 on error. */
int daemonize(int *notify_fd);
/* Reports status (0 serving, 1 failed) to the waiting parent, once. */
void daemonize_notify(int *notify_fd, char status);

#endif
