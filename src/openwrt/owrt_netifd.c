/* owrt_netifd: parsing netifd's interface status (see owrt_netifd.h). */
#include "openwrt/owrt_netifd.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsonutil.h"

/* netifd's reply is a few KiB; nesting beyond this is not netifd. */
#define NETIFD_JSON_DEPTH 16

bool owrt_iface_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= OWRT_IFACE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Kernel device names: 1..15 bytes, no '/', no whitespace, not "." or "..". */
static bool devname_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= IF_NAMESIZE || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static int copy_dev(json_object *o, const char *key, char *out, char *err, size_t errlen)
{
	json_object *v;
	out[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	if (!s || !devname_ok(s)) {
		snprintf(err, errlen, "\"%s\" is not a device name", key);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* The IPv4 default route's next hop: route[] has {target, mask, nexthop}. */
static void default_gateway(json_object *o, char *out, size_t size)
{
	json_object *routes, *r, *v;
	out[0] = '\0';
	if (!json_object_object_get_ex(o, "route", &routes) ||
	    !json_object_is_type(routes, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(routes); i++) {
		r = json_object_array_get_idx(routes, i);
		if (!json_object_is_type(r, json_type_object) ||
		    strcmp(json_get_str(r, "target", ""), "0.0.0.0") != 0 ||
		    !json_object_object_get_ex(r, "mask", &v) || json_object_get_int(v) != 0)
			continue;
		const char *nh = json_get_str(r, "nexthop", "");
		if (strlen(nh) < size && strchr(nh, '.'))
			memcpy(out, nh, strlen(nh) + 1);
		return;
	}
}

int owrt_netifd_parse(const char *json, size_t len, struct owrt_iface_status *st,
		      char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	json_tokener *tok = json_tokener_new_ex(NETIFD_JSON_DEPTH);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object *o = len <= INT32_MAX ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	enum json_tokener_error je = json_tokener_get_error(tok);
	/* One document and nothing after it but white space. */
	size_t used = o ? json_tokener_get_parse_end(tok) : 0;
	json_tokener_free(tok);
	int rc = -1;
	if (!o) {
		snprintf(err, errlen, "not JSON: %s", json_tokener_error_desc(je));
		return -1;
	}
	while (used < len && json[used] && strchr(" \t\r\n", json[used]))
		used++;
	if (used < len) {
		snprintf(err, errlen, "text after the JSON object");
	} else if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
	} else if (copy_dev(o, "l3_device", st->l3_device, err, errlen) == 0 &&
		   copy_dev(o, "device", st->device, err, errlen) == 0) {
		json_object *up;
		st->up = json_object_object_get_ex(o, "up", &up) &&
			 json_object_is_type(up, json_type_boolean) && json_object_get_boolean(up);
		const char *proto = json_get_str(o, "proto", "");
		snprintf(st->proto, sizeof(st->proto), "%s", proto);
		default_gateway(o, st->gateway4, sizeof(st->gateway4));
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

const char *owrt_netifd_traffic_device(const struct owrt_iface_status *st)
{
	return st->l3_device[0] ? st->l3_device : st->device;
}
