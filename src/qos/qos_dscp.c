/* qos_dscp: which DSCP code points go to which category.
 *
 * Source: RFC 4594 (the service classes) with RFC 8325's grouping into four
 * access categories (voice, video, best effort, background), which is also
 * the grouping of sch_cake's diffserv4 (latency sensitive, streaming media,
 * best effort, background). Pools are matched by the code point's upper
 * bits, one u32 filter per pool and family:
 *
 *   voice  48-63 (CS6, CS7: network control), 40-47 (CS5, VA, EF)
 *   video  32-39 (CS4, AF41-43), 16-31 (CS2, AF21-23, CS3, AF31-33)
 *   bulk   8 (CS1), 1 (LE, RFC 8622)
 *   data   everything else: CS0, AF11-13, unassigned values
 *
 * Where the sources differ: cake's diffserv4 puts CS4 with voice; RFC 8325
 * (and this table) with video (AC_VI: real-time interactive). That one code
 * point is the only place where the HTB shaper and cake disagree. Unassigned
 * values inside a pool (17, 41, ...) go with the pool. */
#include "qos/qos_plan.h"

#include <stddef.h>

const struct qos_dscp_rule qos_dscp_rules[] = {
	{ 0x30, 0x30, QOS_CAT_VOICE, "CS6, CS7 (48-63)" },
	{ 0x28, 0x38, QOS_CAT_VOICE, "CS5, VA, EF (40-47)" },
	{ 0x20, 0x38, QOS_CAT_VIDEO, "CS4, AF41-43 (32-39)" },
	{ 0x10, 0x30, QOS_CAT_VIDEO, "CS2, AF21-23, CS3, AF31-33 (16-31)" },
	{ 0x08, 0x3f, QOS_CAT_BULK, "CS1 (8)" },
	{ 0x01, 0x3f, QOS_CAT_BULK, "LE (1)" },
};
const unsigned qos_n_dscp_rules = sizeof(qos_dscp_rules) / sizeof(qos_dscp_rules[0]);

enum qos_cat qos_dscp_category(uint8_t dscp)
{
	for (unsigned i = 0; i < qos_n_dscp_rules; i++)
		if ((dscp & qos_dscp_rules[i].mask) == qos_dscp_rules[i].value)
			return qos_dscp_rules[i].cat;
	return QOS_CAT_DATA;
}

const char *qos_dscp_name(uint8_t dscp)
{
	static const struct { uint8_t v; const char *n; } names[] = {
		{ 0, "CS0" }, { 1, "LE" }, { 8, "CS1" }, { 10, "AF11" }, { 12, "AF12" },
		{ 14, "AF13" }, { 16, "CS2" }, { 18, "AF21" }, { 20, "AF22" }, { 22, "AF23" },
		{ 24, "CS3" }, { 26, "AF31" }, { 28, "AF32" }, { 30, "AF33" }, { 32, "CS4" },
		{ 34, "AF41" }, { 36, "AF42" }, { 38, "AF43" }, { 40, "CS5" }, { 44, "VA" },
		{ 46, "EF" }, { 48, "CS6" }, { 56, "CS7" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].v == dscp)
			return names[i].n;
	return NULL;
}
