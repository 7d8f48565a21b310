/* resolve: name lookups off the daemon's loop. getaddrinfo() blocks for as
 * long as the resolver takes, so the daemon runs itself as a child
 * (`autonomyd --resolve NAME`, through core/proc with a timeout) and reads
 * the addresses it prints. */
#ifndef AUTONOMY_CORE_RESOLVE_H
#define AUTONOMY_CORE_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The child's side: prints each address of name (IPv4 first), one per
 * line, to out. Exit status: 0 found, 1 not found, 2 bad name. */
int resolve_print(const char *name, FILE *out);
/* This program's own path (readlink /proc/self/exe, so a child shows as
 * /usr/sbin/autonomyd in ps), or "/proc/self/exe" when unreadable. */
void resolve_self_exe(char *out, size_t size);
/* A numeric IPv4 or IPv6 address (no lookup needed). */
bool resolve_is_numeric(const char *s);

#endif
