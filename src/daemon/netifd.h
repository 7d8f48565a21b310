/* netifd: members named by their OpenWrt logical interface ('option
 * interface wan'). The daemon keeps what netifd said about each such
 * interface — the device carrying its traffic, and whether it is up — from
 * two sources: the hotplug.d/iface script, which tells the daemon at once
 * through the control socket (`hotplug` command: ACTION, INTERFACE, DEVICE),
 * and `ubus call network.interface.X status`, spawned with argv and a
 * timeout on the loop at start, after a reload and on a hotplug event
 * without a DEVICE. Where there is no ubus (plain Linux) an interface name
 * is taken as the device name. */
#ifndef AUTONOMY_DAEMON_NETIFD_H
#define AUTONOMY_DAEMON_NETIFD_H

#include <stdbool.h>

#include <json-c/json.h>

struct daemon;
struct cfg_section;
struct ctl_error;

int netifd_start(struct daemon *d);
void netifd_stop(struct daemon *d);
/* Asks netifd about every member's interface (start, reload). */
void netifd_refresh(struct daemon *d);
/* The kernel device of a member: option device, else what netifd said
 * carries its interface, else the interface name itself. */
const char *member_device(struct daemon *d, const struct cfg_section *m);
/* netifd said the member's interface is down (ifdown, or status up=false). */
bool netifd_member_down(struct daemon *d, const struct cfg_section *m);
/* The member a name means: a member name, a netifd interface, a device, or a
 * class that exactly one member has. NULL with err set otherwise. */
const char *netifd_member_for(struct daemon *d, const char *name, struct ctl_error *err);
/* The `hotplug` control command. */
json_object *netifd_hotplug(struct daemon *d, json_object *args, struct ctl_error *err);
/* What is known per interface, for `health`. */
json_object *netifd_view(struct daemon *d);

#endif
