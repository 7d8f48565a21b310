/* Carrier watch: the active member's carrier, read straight from sysfs every
 * 50 ms. Linux announces a carrier loss over rtnetlink only when its
 * linkwatch work runs, and for a "non-urgent" device — every physical NIC,
 * whose ifindex equals its iflink — that work is batched for up to a second.
 * /sys/class/net/DEV/carrier reads the driver's flag itself. Only the member
 * carrying traffic is watched (one small read per tick); recovery is left to
 * the rtnetlink event, since nothing is urgent about it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/daemon.h"
#include "daemon/members.h"

#define CARRIER_POLL_MS 50

/* 1 carrier, 0 none, -1 unknown (no such device, admin down: EINVAL). */
static int read_carrier(const char *dev)
{
	char path[64], c = 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", dev);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, &c, 1);
	close(fd);
	return n == 1 && (c == '0' || c == '1') ? c - '0' : -1;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct daemon *d = arg;
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		if (m->active && m->link == DETECT_LINK_UP && read_carrier(m->device) == 0)
			members_carrier_lost(m);
	}
}

int carrier_watch_start(struct daemon *d)
{
	struct timeval tv = { 0, CARRIER_POLL_MS * 1000 };
	d->carrier_timer = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	return d->carrier_timer ? event_add(d->carrier_timer, &tv) : -1;
}

void carrier_watch_stop(struct daemon *d)
{
	if (d->carrier_timer)
		event_free(d->carrier_timer);
	d->carrier_timer = NULL;
}
