/* ctl_rpcd: autonomyctl as an rpcd exec plugin. Installed (as a link) at
 * /usr/libexec/rpcd/autonomy, it is run by rpcd as `autonomy list` (print the
 * method table) and `autonomy call METHOD` (the call's JSON object on stdin,
 * the reply object on stdout), which makes `ubus call autonomy status` work.
 * rpcd accepts only a JSON object as a reply, so arrays are wrapped in an
 * object named after the method, and errors are {"error":{...}} objects. */
#ifndef AUTONOMY_CTL_RPCD_H
#define AUTONOMY_CTL_RPCD_H

#include <stdio.h>

#define RPCD_MAX_INPUT (64u << 10)  /* uhttpd's own POST limit is 64 KiB */

/* argv as rpcd passes it (argv[0] is the plugin path). Returns the exit
 * status (rpcd ignores it; useful for tests). */
int ctl_rpcd_main(int argc, char **argv, FILE *in, FILE *out, const char *sock);

#endif
