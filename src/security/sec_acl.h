/* sec_acl: an allow-list of networks (security.ip_whitelist) and the
 * address helpers the listener guard and the firewall table share. Pure. */
#ifndef AUTONOMY_SECURITY_SEC_ACL_H
#define AUTONOMY_SECURITY_SEC_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define SEC_ACL_MAX 64
#define SEC_ADDR_STR 48

/* A source address: IPv4 as 4 bytes, IPv6 as 16 (an IPv4-mapped IPv6
 * address is taken as the IPv4 address it carries). */
struct sec_addr {
	uint8_t family;         /* AF_INET or AF_INET6; 0 = unknown */
	uint8_t a[16];
};

struct sec_net {
	struct sec_addr addr;   /* host bits cleared */
	uint8_t prefix;
};

struct sec_acl {
	struct sec_net v[SEC_ACL_MAX];
	size_t n;
};

/* "192.168.1.0/24", "2001:db8::/32", "10.0.0.1" (a host). Host bits are
 * cleared. 0, or -1 when the text is not a network. */
int sec_net_parse(const char *text, struct sec_net *out);
/* Adds a network; -1 when the text is bad or the list is full. */
int sec_acl_add(struct sec_acl *a, const char *text);
bool sec_acl_match(const struct sec_acl *a, const struct sec_addr *x);

/* From a socket address (AF_INET, AF_INET6, v4-mapped); family 0 for
 * anything else. */
void sec_addr_from_sockaddr(const struct sockaddr *sa, struct sec_addr *out);
bool sec_addr_is_loopback(const struct sec_addr *x);
bool sec_addr_eq(const struct sec_addr *x, const struct sec_addr *y);
size_t sec_addr_len(const struct sec_addr *x);     /* 4, 16 or 0 */
const char *sec_addr_str(const struct sec_addr *x, char *buf, size_t size);
/* A listen address ("127.0.0.1:9612", "[::]:9612") reachable only from the
 * router itself: a loopback address. */
bool sec_listen_is_loopback(const char *listen);
/* The port of a listen address (0 when it is not one). */
unsigned sec_listen_port(const char *listen);

#endif
