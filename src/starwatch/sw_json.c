/* sw_json: strict reading of starwatch's small JSON files (sw_json.h). */
#include "starwatch/sw_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *sw_file_read(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	int e = 0;
	if (fstat(fd, &st) < 0) {
		e = errno;
	} else if (!S_ISREG(st.st_mode)) {
		e = EINVAL;
	} else if ((uint64_t)st.st_size > max) {
		e = EFBIG;
	} else if (!(buf = malloc(max + 1))) {
		e = ENOMEM;
	} else {
		size_t n = 0;
		ssize_t r = 0;
		/* Read one byte past max: a file that grew since fstat is too big. */
		while (n <= max && ((r = read(fd, buf + n, max + 1 - n)) > 0 ||
				    (r < 0 && errno == EINTR)))
			n += r > 0 ? (size_t)r : 0;
		if (n > max)
			e = EFBIG;
		else if (r < 0)
			e = errno;
		buf[n > max ? max : n] = '\0';
		if (len)
			*len = n;
	}
	close(fd);
	if (e) {
		free(buf);
		errno = e;
		return NULL;
	}
	return buf;
}

json_object *sw_json_parse_object(const char *buf, size_t len, char *err, size_t errsz)
{
	if (len > INT32_MAX || memchr(buf, '\0', len)) {
		snprintf(err, errsz, "not JSON text");
		return NULL;
	}
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* Trailing white space is allowed (the writer ends with a newline). */
	while (o && used < len && strchr(" \t\r\n", buf[used]))
		used++;
	if (!o || je != json_tokener_success || used != len ||
	    !json_object_is_type(o, json_type_object)) {
		snprintf(err, errsz, "%s", !o || je != json_tokener_success ?
			 json_tokener_error_desc(je == json_tokener_success ?
						 json_tokener_continue : je) :
			 used != len ? "text after the JSON object" : "not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const struct sw_jfield *find_field(const struct sw_jfield *f, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].key, k) == 0)
			return &f[i];
	return NULL;
}

static int read_int(const struct sw_jfield *f, json_object *v, char *dst)
{
	if (!json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	int64_t x = json_object_get_int64(v);
	/* json-c clamps out-of-range numbers to INT64_MIN/MAX and says so in errno;
	 * also a uint64 beyond INT64_MAX is refused here. */
	if (errno || x < f->min || x > f->max)
		return -1;
	if (f->type == SW_JF_U32) {
		uint32_t u = (uint32_t)x;
		memcpy(dst, &u, sizeof(u));
	} else if (f->type == SW_JF_U64) {
		uint64_t u = (uint64_t)x;
		memcpy(dst, &u, sizeof(u));
	} else {
		memcpy(dst, &x, sizeof(x));
	}
	return 0;
}

static int read_one(const struct sw_jfield *f, json_object *v, char *base)
{
	char *dst = base + f->off;
	switch (f->type) {
	case SW_JF_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return -1;
		*(bool *)dst = json_object_get_boolean(v);
		return 0;
	case SW_JF_STR: {
		if (!json_object_is_type(v, json_type_string))
			return -1;
		size_t l = (size_t)json_object_get_string_len(v);
		const char *s = json_object_get_string(v);
		if (l >= f->size || memchr(s, '\0', l))
			return -1;
		memcpy(dst, s, l + 1);
		return 0;
	}
	default:
		return read_int(f, v, dst);
	}
}

int sw_jfields_read(json_object *obj, const struct sw_jfield *f, size_t n, void *out,
		    char *err, size_t errsz)
{
	size_t seen = 0;
	json_object_object_foreach(obj, k, v) {
		const struct sw_jfield *fd = find_field(f, n, k);
		if (!fd) {
			snprintf(err, errsz, "unknown key '%.32s'", k);
			return -1;
		}
		if (read_one(fd, v, out) < 0) {
			snprintf(err, errsz, "bad value of '%s'", k);
			return -1;
		}
		seen++;
	}
	if (seen != n) {
		for (size_t i = 0; i < n; i++)
			if (!json_object_object_get_ex(obj, f[i].key, NULL)) {
				snprintf(err, errsz, "missing key '%s'", f[i].key);
				return -1;
			}
	}
	return 0;
}

void sw_jfields_write(json_object *obj, const struct sw_jfield *f, size_t n, const void *in)
{
	const char *base = in;
	for (size_t i = 0; i < n; i++) {
		const char *src = base + f[i].off;
		json_object *v = NULL;
		uint32_t u32;
		uint64_t u64;
		int64_t i64;
		switch (f[i].type) {
		case SW_JF_BOOL: v = json_object_new_boolean(*(const bool *)src); break;
		case SW_JF_STR: v = json_object_new_string(src); break;
		case SW_JF_U32: memcpy(&u32, src, sizeof(u32)); v = json_object_new_int64(u32); break;
		case SW_JF_U64:
			memcpy(&u64, src, sizeof(u64));
			v = json_object_new_int64(u64 > INT64_MAX ? INT64_MAX : (int64_t)u64);
			break;
		case SW_JF_I64: memcpy(&i64, src, sizeof(i64)); v = json_object_new_int64(i64); break;
		}
		json_object_object_add(obj, f[i].key, v);
	}
}
