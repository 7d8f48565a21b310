/* libFuzzer target for linkmon's netlink parsing (linkmon_feed) and its
 * resync diff (linkmon_dump_*), on a detached linkmon.
 *
 * Input: one control byte, then netlink bytes. Bit 0 of the control byte:
 * feed the second part as a resync dump instead of as events; bits 1-7:
 * where the bytes are split (x/128 of the length, rounded down to 4).
 * Each part goes into a buffer of exactly its size, so ASan sees any read
 * past the end. After the run the table's invariants are checked.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc src/link/linkmon.c
 *   src/core/log.c src/core/clock.c src/core/nlwalk.c tests/fuzz/fuzz_linkmon.c
 *   $(pkg-config --cflags --libs libmnl libevent_core) -o /tmp/fuzz_linkmon */
#include "link/linkmon.h"

#include "core/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct linkmon *g_lm;

static void check_link(const struct link_info *li)
{
	size_t len = strnlen(li->name, sizeof(li->name));
	if (len == 0 || len == sizeof(li->name))
		abort();
	if (li->ifindex <= 0 || li->n_addrs > LINKMON_MAX_ADDRS)
		abort();
	/* carrier is raw IFF_LOWER_UP (the kernel only sets it while up, a
	 * fuzzer may not); oper_up is derived and must imply admin_up. */
	if (li->oper_up && !li->admin_up)
		abort();
	for (int i = 0; i < li->n_addrs; i++) {
		const struct link_addr *a = &li->addrs[i];
		if (a->family != AF_INET && a->family != AF_INET6)
			abort();
		if (a->prefixlen > (a->family == AF_INET ? 32 : 128))
			abort();
	}
}

static void on_event(void *arg, enum linkmon_event ev, const struct link_info *old,
		     const struct link_info *cur)
{
	if (!cur || (ev == LINKMON_NEW) != (old == NULL))
		abort();
	check_link(cur);
	if (old)
		check_link(old);
	/* The table already reflects the event: a DEL'd name is gone from
	 * its index (a rename keeps the index under the new name). */
	const struct link_info *li = linkmon_find_index(g_lm, cur->ifindex);
	bool present = li && strcmp(li->name, cur->name) == 0;
	if ((ev == LINKMON_DEL) == present)
		abort();
}

static void check_table(const struct linkmon *lm)
{
	const struct link_info *prev = NULL, *li;
	for (size_t i = 0; (li = linkmon_at(lm, i)) != NULL; i++) {
		check_link(li);
		if (prev && prev->ifindex >= li->ifindex)
			abort();
		if (linkmon_find_index(lm, li->ifindex) != li)
			abort();
		prev = li;
	}
}

/* Copies into an exact-size heap buffer: no slack for an overread to hide in. */
static void feed_part(struct linkmon *lm, const uint8_t *p, size_t n, bool dump)
{
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return;
	memcpy(buf, p, n);
	if (dump) {
		linkmon_dump_begin(lm);
		linkmon_dump_feed(lm, buf, n);
		linkmon_dump_end(lm);
	} else {
		linkmon_feed(lm, buf, n);
	}
	free(buf);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_open("fuzz_linkmon", true, LOG_LVL_ERR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	data++;
	size--;
	size_t split = (size * (ctl >> 1) / 128) & ~(size_t)3;

	g_lm = linkmon_new_detached(on_event, NULL);
	if (!g_lm)
		return 0;
	feed_part(g_lm, data, split, false);
	check_table(g_lm);
	feed_part(g_lm, data + split, size - split, ctl & 1);
	check_table(g_lm);
	linkmon_free(g_lm);
	g_lm = NULL;
	return 0;
}
