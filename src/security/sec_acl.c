/* sec_acl: allow-list of networks and address helpers (sec_acl.h). */
#include "security/sec_acl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static void clear_host_bits(struct sec_net *n)
{
	size_t len = sec_addr_len(&n->addr);
	for (size_t i = 0; i < len; i++) {
		unsigned keep = n->prefix >= (i + 1) * 8 ? 8 :
				n->prefix <= i * 8 ? 0 : n->prefix - i * 8;
		n->addr.a[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int sec_net_parse(const char *text, struct sec_net *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	int af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	unsigned max = af == AF_INET6 ? 128 : 32, prefix = max;
	if (inet_pton(af, addr, out->addr.a) != 1)
		return -1;
	if (slash) {
		char *end;
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (*end || p > max)
			return -1;
		prefix = (unsigned)p;
	}
	out->addr.family = (uint8_t)af;
	out->prefix = (uint8_t)prefix;
	clear_host_bits(out);
	return 0;
}

int sec_acl_add(struct sec_acl *a, const char *text)
{
	if (a->n >= SEC_ACL_MAX || sec_net_parse(text, &a->v[a->n]) < 0)
		return -1;
	a->n++;
	return 0;
}

static bool in_net(const struct sec_net *n, const struct sec_addr *x)
{
	if (n->addr.family != x->family)
		return false;
	unsigned full = n->prefix / 8, rest = n->prefix % 8;
	if (memcmp(n->addr.a, x->a, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (x->a[full] & mask) == n->addr.a[full];
}

bool sec_acl_match(const struct sec_acl *a, const struct sec_addr *x)
{
	for (size_t i = 0; i < a->n; i++)
		if (in_net(&a->v[i], x))
			return true;
	return false;
}

void sec_addr_from_sockaddr(const struct sockaddr *sa, struct sec_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
		out->family = AF_INET;
		memcpy(out->a, &s->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
			out->family = AF_INET;
			memcpy(out->a, s->sin6_addr.s6_addr + 12, 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->a, &s->sin6_addr, 16);
		}
	}
}

bool sec_addr_is_loopback(const struct sec_addr *x)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	if (x->family == AF_INET)
		return x->a[0] == 127;
	return x->family == AF_INET6 && memcmp(x->a, v6lo, 16) == 0;
}

bool sec_addr_eq(const struct sec_addr *x, const struct sec_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, sec_addr_len(x)) == 0;
}

size_t sec_addr_len(const struct sec_addr *x)
{
	return x->family == AF_INET ? 4 : x->family == AF_INET6 ? 16 : 0;
}

const char *sec_addr_str(const struct sec_addr *x, char *buf, size_t size)
{
	if (!x->family || !inet_ntop(x->family, x->a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

bool sec_listen_is_loopback(const char *listen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct sec_addr a;
	if (!listen || cfg_parse_listen(listen, &ss, &len) < 0)
		return false;
	sec_addr_from_sockaddr((struct sockaddr *)&ss, &a);
	return sec_addr_is_loopback(&a);
}

unsigned sec_listen_port(const char *listen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (!listen || cfg_parse_listen(listen, &ss, &len) < 0)
		return 0;
	return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) :
	       ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}
