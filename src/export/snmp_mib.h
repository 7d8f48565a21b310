/* snmp_mib: the objects of AUTONOMY-MIB (contrib/AUTONOMY-MIB.txt) built
 * from the views, in lexicographic OID order, pure — the subagent (snmp.c)
 * answers GET and GETNEXT from this list.
 *
 *   base.1.1  autonomyActiveMember     DisplayString ("" = none)
 *   base.1.2  autonomyFailoversTotal   Counter32 (since the daemon started)
 *   base.1.3  autonomyUptime           TimeTicks
 *   base.1.4  autonomyMemberCount      Integer32
 *   base.1.5  autonomyVersion          DisplayString
 *   base.2.1.C.I  autonomyMemberTable, row I = member I (config order), columns
 *     2 Name, 3 State {up(1) degraded(2) down(3) unknown(4)}, 4 Score (-1 unknown),
 *     5 LatencyUs (Gauge32, µs), 6 LossCentiPct (Gauge32, 0.01 %), 7 Active
 *     {true(1) false(2)}, 8 Device */
#ifndef AUTONOMY_EXPORT_SNMP_MIB_H
#define AUTONOMY_EXPORT_SNMP_MIB_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#define SNMP_MIB_SUB_MAX 6      /* arcs below the base */
#define SNMP_MIB_STR_MAX 64

enum snmp_mib_type { SMT_INT, SMT_STR, SMT_COUNTER, SMT_GAUGE, SMT_TICKS };

struct snmp_mib_obj {
	uint32_t sub[SNMP_MIB_SUB_MAX];
	size_t n_sub;
	enum snmp_mib_type type;
	int64_t num;
	char str[SNMP_MIB_STR_MAX];
};

/* Fills out (up to max) and returns how many objects there are. */
size_t snmp_mib_build(json_object *status, json_object *members, uint64_t failovers,
		      struct snmp_mib_obj *out, size_t max);
/* A numeric OID (".1.3.6.1.4.1.12345.1") into arcs; the count, or 0 when
 * it is not one (or has more than max arcs). */
size_t snmp_mib_parse_oid(const char *s, uint32_t *arcs, size_t max);
/* Compares an object's arcs with sub (n arcs): <0, 0, >0 like memcmp. */
int snmp_mib_cmp(const struct snmp_mib_obj *o, const uint32_t *sub, size_t n);

#endif
