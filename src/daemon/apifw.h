/* apifw: the daemon's side of the listeners' firewall table (security/
 * sec_fw.h): what it should hold from the config (the ports of listeners
 * reachable from other hosts, security.ip_whitelist, allow_loopback,
 * ddos_protection), kept in sync at start, reload, every minute and when
 * someone else changes it; bans from intrusion detection; removed at exit. */
#ifndef AUTONOMY_DAEMON_APIFW_H
#define AUTONOMY_DAEMON_APIFW_H

#include <stdint.h>
#include <json-c/json.h>

struct daemon;
struct sec_addr;

int apifw_start(struct daemon *d);
void apifw_reload(struct daemon *d);
void apifw_stop(struct daemon *d);
void apifw_ban(struct daemon *d, const struct sec_addr *addr, uint64_t ms);
json_object *apifw_view(struct daemon *d);

#endif
