/* resolve: the child side of off-loop name lookups (resolve.h). */
#include "core/resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool resolve_is_numeric(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

static void print_family(const struct addrinfo *res, int family, FILE *out)
{
	char txt[INET6_ADDRSTRLEN];
	for (const struct addrinfo *a = res; a; a = a->ai_next) {
		if (a->ai_family != family)
			continue;
		const void *p = family == AF_INET ?
			(const void *)&((const struct sockaddr_in *)a->ai_addr)->sin_addr :
			(const void *)&((const struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
		if (inet_ntop(family, p, txt, sizeof(txt)))
			fprintf(out, "%s\n", txt);
	}
}

int resolve_print(const char *name, FILE *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	if (!name || !*name || strlen(name) > 253)
		return 2;
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
		return 1;
	print_family(res, AF_INET, out);
	print_family(res, AF_INET6, out);
	freeaddrinfo(res);
	return 0;
}

void resolve_self_exe(char *out, size_t size)
{
	ssize_t n = size > 1 ? readlink("/proc/self/exe", out, size - 1) : -1;
	if (n <= 0 || (size_t)n >= size - 1)
		snprintf(out, size, "/proc/self/exe");
	else
		out[n] = '\0';
}
