/* resolve: name lookups off the daemon's loop. getaddrinfo() blocks for as
 * long as the resolver takes, so the daemon runs itself as a child
 * (`autonomyd --resolve NAME`, through core/proc with a timeout) and reads
 * the addresses it prints. */
#ifndef AUTONOMY_CORE_RESOLVE_H
#define AUTONOMY_CORE_RESOLVE_H

#include <stdbool.h>
#include <stdio.h>

/* The child's side: prints each address of name (IPv4 first), one per
 * line, to out. Exit status: 0 found, 1 not found, 2 bad name. */
int resolve_print(const char *name, FILE *out);
/* A numeric IPv4 or IPv6 address (no lookup needed). */
bool resolve_is_numeric(const char *s);

#endif
