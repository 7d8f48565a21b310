/* libFuzzer target for the exporters' address-like settings, which come
 * from the config file and from rpcd callers that set it: a listener's
 * "ADDRESS:PORT" (cfg_parse_listen: Prometheus, the REST listeners) and the
 * SNMP subtree's base OID (snmp_mib_parse_oid).
 *
 * Oracles: a listen address parses to IPv4 or IPv6 with the length of that
 * family and a non-zero port, and the address printed back parses to the
 * same socket address; an OID is refused (0) or has 2..max arcs, and the
 * arcs printed back in dotted form parse to the same arcs. */
#include "config/config.h"
#include "export/snmp_mib.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OID_MAX 16

static void check_listen(const char *s)
{
	struct sockaddr_storage ss, back;
	socklen_t len, blen;
	char host[INET6_ADDRSTRLEN], again[INET6_ADDRSTRLEN + 16];
	if (cfg_parse_listen(s, &ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
		if (len != sizeof(*a) || a->sin_port == 0)
			abort();
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(again, sizeof(again), "%s:%u", host, ntohs(a->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
		if (len != sizeof(*a) || a->sin6_port == 0)
			abort();
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(again, sizeof(again), "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		abort();
	}
	if (cfg_parse_listen(again, &back, &blen) < 0 || blen != len || memcmp(&back, &ss, len))
		abort();
}

static void check_oid(const char *s)
{
	uint32_t arcs[OID_MAX], back[OID_MAX];
	char again[OID_MAX * 12 + 1];
	size_t n = snmp_mib_parse_oid(s, arcs, OID_MAX), off = 0;
	if (n == 0)
		return;
	if (n < 2 || n > OID_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(again + off, sizeof(again) - off, ".%u", arcs[i]);
	if (snmp_mib_parse_oid(again, back, OID_MAX) != n || memcmp(arcs, back, n * sizeof(*arcs)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128];
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	check_listen(s);
	check_oid(s);
	return 0;
}
