/* Internals of `config audit`: the findings list and the checks, split
 * between adm_audit.c (drift: backups, shipped defaults, the config's own
 * diagnostics) and adm_audit_checks.c (file modes, probe targets, detection
 * time). */
#ifndef AUTONOMY_ADMIN_ADM_AUDIT_INT_H
#define AUTONOMY_ADMIN_ADM_AUDIT_INT_H

#include "admin/adm.h"

struct config;

enum adm_severity { ADM_INFO, ADM_WARNING, ADM_CRITICAL };

struct adm_audit {
	const struct adm_paths *p;
	const struct config *cfg;       /* NULL when the config has errors */
	json_object *findings;
	unsigned counts[3];
};

void adm_finding(struct adm_audit *a, enum adm_severity sev, const char *check,
		 const char *where, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

void adm_check_modes(struct adm_audit *a);
void adm_check_targets(struct adm_audit *a);
void adm_check_detection(struct adm_audit *a);
/* Whether an IPv4/IPv6 address (network order bytes) is private, link-local,
 * loopback or shared (CGNAT): not "the internet". */
bool adm_addr_private(int family, const void *addr);

#endif
