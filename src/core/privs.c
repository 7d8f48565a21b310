#include "core/privs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "core/fsutil.h"

static const char *const cap_names[] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid",
	"cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
	"cap_net_bind_service", "cap_net_broadcast", "cap_net_admin", "cap_net_raw",
	"cap_ipc_lock", "cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
	"cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
	"cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
	"cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override",
	"cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend", "cap_audit_read",
	"cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
};

const char *privs_cap_name(int cap)
{
	return cap >= 0 && (size_t)cap < sizeof(cap_names) / sizeof(cap_names[0]) ?
	       cap_names[cap] : NULL;
}

int privs_last_cap(void)
{
	char *s = fs_read_file("/proc/sys/kernel/cap_last_cap", 32, NULL);
	int last = s ? atoi(s) : CAP_LAST_CAP;
	free(s);
	return last > 0 && last < 64 ? last : CAP_LAST_CAP;
}

static int cap_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &h, data);
}

static int cap_set(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capset, &h, data);
}

static uint64_t join(uint32_t lo, uint32_t hi)
{
	return (uint64_t)lo | (uint64_t)hi << 32;
}

int privs_read(struct privs *p)
{
	struct __user_cap_data_struct data[2];
	if (cap_get(data) < 0)
		return -1;
	p->effective = join(data[0].effective, data[1].effective);
	p->permitted = join(data[0].permitted, data[1].permitted);
	p->bounding = 0;
	for (int c = 0; c <= privs_last_cap(); c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			p->bounding |= PRIVS_CAP(c);
	p->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	return 0;
}

/* The bounding set first: dropping from it needs CAP_SETPCAP, which the
 * capset below takes away. */
static void drop_bounding(struct privs *p, uint64_t keep)
{
	for (int c = 0; c <= privs_last_cap(); c++) {
		if ((keep & PRIVS_CAP(c)) || prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			snprintf(p->note, sizeof(p->note), "bounding set kept: %s (%s)",
				 strerror(errno), errno == EPERM ? "no cap_setpcap" : "kernel");
			return;
		}
	}
}

int privs_drop(struct privs *p, uint64_t keep)
{
	struct __user_cap_data_struct data[2];
	memset(p, 0, sizeof(*p));
	p->applied = true;
	drop_bounding(p, keep);
	/* Ambient capabilities would pass to every child: none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		snprintf(p->note, sizeof(p->note), "ambient set: %s", strerror(errno));
	int rc = cap_get(data);
	if (rc == 0) {
		for (int i = 0; i < 2; i++) {
			uint32_t k = (uint32_t)(keep >> (32 * i));
			data[i].permitted &= k;
			data[i].effective = data[i].permitted;
			data[i].inheritable = 0;
		}
		rc = cap_set(data);
	}
	if (rc < 0)
		snprintf(p->note, sizeof(p->note), "capset: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 && !p->note[0])
		snprintf(p->note, sizeof(p->note), "no_new_privs: %s", strerror(errno));
	char note[sizeof(p->note)];
	memcpy(note, p->note, sizeof(note));
	privs_read(p);
	memcpy(p->note, note, sizeof(note));
	return rc < 0 ? -1 : 0;
}
