/* libFuzzer target for openwrt/owrt_netifd: netifd's interface status (the
 * output of `ubus call network.interface.X status`) is outside input. Any
 * bytes parse or fail cleanly; what parses holds valid device names. Seed
 * corpus: corpus/netifd/. */
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "openwrt/owrt_netifd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct owrt_iface_status st;
	char err[96];
	if (owrt_netifd_parse((const char *)data, size, &st, err, sizeof(err)) < 0) {
		if (!err[0])
			__builtin_trap();
		return 0;
	}
	const char *dev = owrt_netifd_traffic_device(&st);
	if (strlen(dev) >= IF_NAMESIZE || strchr(dev, '/') || strlen(st.gateway4) >= sizeof(st.gateway4))
		__builtin_trap();
	return 0;
}
