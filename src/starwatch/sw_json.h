/* sw_json: the strict reading both of starwatch's files share (the status
 * file in the run directory, the persistent state file): a small regular
 * file read without following a symlink or blocking on a FIFO, strict JSON,
 * and a table of typed fields that must all be present, in range, and
 * nothing else. */
#ifndef AUTONOMY_SW_JSON_H
#define AUTONOMY_SW_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

enum sw_jf_type { SW_JF_U32, SW_JF_I64, SW_JF_U64, SW_JF_BOOL, SW_JF_STR };

struct sw_jfield {
	const char *key;
	enum sw_jf_type type;
	size_t off;             /* offsetof() in the output struct */
	size_t size;            /* SW_JF_STR: buffer size (the text must fit with its NUL) */
	int64_t min, max;       /* integers: inclusive range */
};

#define SW_JF_INT(st, k, t, lo, hi) { #k, t, offsetof(st, k), 0, lo, hi }
#define SW_JF_FLAG(st, k)           { #k, SW_JF_BOOL, offsetof(st, k), 0, 0, 0 }
#define SW_JF_TEXT(st, k)           { #k, SW_JF_STR, offsetof(st, k), sizeof(((st *)0)->k), 0, 0 }

/* Reads at most max bytes of a regular file (O_NOFOLLOW, O_NONBLOCK).
 * Returns a malloc'd NUL-terminated buffer, or NULL with errno set (ENOENT
 * when missing, EFBIG when larger than max, EINVAL when not a regular file). */
char *sw_file_read(const char *path, size_t max, size_t *len);

/* Strict JSON: one object, nothing after it, valid UTF-8, no embedded NUL.
 * Returns the object (caller puts) or NULL with err. */
json_object *sw_json_parse_object(const char *buf, size_t len, char *err, size_t errsz);

/* Fills out from obj: every field present with its type and range, no key
 * outside the table. Returns 0 or -1 with err naming the key. */
int sw_jfields_read(json_object *obj, const struct sw_jfield *f, size_t n, void *out,
		    char *err, size_t errsz);
/* The reverse: adds every field of in to obj. */
void sw_jfields_write(json_object *obj, const struct sw_jfield *f, size_t n, const void *in);

#endif
