/* libFuzzer target for starwatch/sw_status: the bytes are the status file
 * that autonomyd's `health` and autonomyctl read. Oracles: a refused file
 * leaves the struct zeroed and says why; an accepted one has NUL-terminated
 * strings and survives format → parse unchanged. */
#include "starwatch/sw_status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void strings_terminated(const struct sw_status *st)
{
	if (!memchr(st->daemon, '\0', sizeof(st->daemon)) ||
	    !memchr(st->step, '\0', sizeof(st->step)) ||
	    !memchr(st->reason, '\0', sizeof(st->reason)) ||
	    !memchr(st->failsafe_member, '\0', sizeof(st->failsafe_member)) ||
	    !memchr(st->failsafe_device, '\0', sizeof(st->failsafe_device)) ||
	    !memchr(st->failsafe_gateway, '\0', sizeof(st->failsafe_gateway)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_status st, back, zero;
	char err[96] = "";
	memset(&zero, 0, sizeof(zero));
	if (sw_status_parse((const char *)data, size, &st, err, sizeof(err)) < 0) {
		if (!err[0] || memcmp(&st, &zero, sizeof(st)) != 0)
			abort();
		return 0;
	}
	strings_terminated(&st);
	char *text = sw_status_format(&st);
	if (!text || sw_status_parse(text, strlen(text), &back, err, sizeof(err)) < 0 ||
	    memcmp(&st, &back, sizeof(st)) != 0)
		abort();
	free(text);
	return 0;
}
