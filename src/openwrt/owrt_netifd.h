/* owrt_netifd: what netifd says about a logical interface. OpenWrt users name
 * uplinks by their netifd interface ('wan', 'wwan', 'mob1s1a1'); the kernel
 * device behind one changes with its protocol (a PPPoE 'wan' runs over
 * pppoe-wan, not over the Ethernet port) and may not exist until it is up.
 * Two sources say which device carries an interface's traffic: the reply of
 * `ubus call network.interface.NAME status` (parsed here) and the DEVICE of a
 * hotplug.d/iface event. Pure: no I/O. */
#ifndef AUTONOMY_OPENWRT_NETIFD_H
#define AUTONOMY_OPENWRT_NETIFD_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define OWRT_IFACE_MAX 32       /* netifd allows longer names; UCI keeps them short */

struct owrt_iface_status {
	bool up;                        /* "up": the protocol is up */
	char l3_device[IF_NAMESIZE];    /* where its IP traffic goes ("" = none yet) */
	char device[IF_NAMESIZE];       /* the configured (layer 2) device */
	char proto[16];                 /* dhcp, static, pppoe, qmi, ... */
	char gateway4[40];              /* next hop of its IPv4 default route, "" = none */
};

/* Parses the JSON object netifd answers with. Returns 0, or -1 with a reason
 * in err (not JSON, not an object, a device name that is not one). */
int owrt_netifd_parse(const char *json, size_t len, struct owrt_iface_status *st,
		      char *err, size_t errlen);

/* The device that carries the interface's traffic: l3_device, else device. */
const char *owrt_netifd_traffic_device(const struct owrt_iface_status *st);

/* A netifd interface name as UCI and ubus object paths allow it: letters,
 * digits, '_' and '-' ('.' would split the ubus path), 1..31 characters. */
bool owrt_iface_name_ok(const char *name);

#endif
