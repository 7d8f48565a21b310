/* privs: least privilege for a process that starts as root. After start-up
 * (sockets bound, files opened) the daemon keeps only the capabilities its
 * job needs — in the effective, permitted and bounding sets; the inheritable
 * and ambient sets are emptied — and sets no_new_privs. A root child (a
 * modem or radio tool) gets the bounding set at exec, so children can never
 * hold more than the daemon kept, and no setuid program or file capability
 * can give them more. Raw capget/capset/prctl: no library needed (libcap
 * would do the same). */
#ifndef AUTONOMY_CORE_PRIVS_H
#define AUTONOMY_CORE_PRIVS_H

#include <stdbool.h>
#include <stdint.h>

#define PRIVS_CAP(c) (UINT64_C(1) << (c))

struct privs {
	bool applied;           /* privs_drop ran */
	uint64_t effective;     /* read back from the kernel afterwards */
	uint64_t permitted;
	uint64_t bounding;
	bool no_new_privs;
	char note[160];         /* what could not be done, or "" */
};

/* Keeps only the capabilities in keep (a PRIVS_CAP mask) in every set.
 * Returns 0, or -1 when the kernel refused (p->note says what; the
 * process then runs with what it had). Needs CAP_SETPCAP to shrink the
 * bounding set; without it (not root) the bounding set is left and noted. */
int privs_drop(struct privs *p, uint64_t keep);
/* Reads the current sets into p (without changing anything). */
int privs_read(struct privs *p);
/* "cap_net_admin" for 12; NULL past the names this build knows. */
const char *privs_cap_name(int cap);
/* The highest capability number the running kernel knows. */
int privs_last_cap(void);

#endif
