/* json_strict: JSON from outside (control requests, the rpcd plugin's
 * arguments, state files) parsed by RFC 8259 and nothing more. json-c alone
 * is lenient even with JSON_TOKENER_STRICT: it takes single quotes, NaN,
 * raw control characters and lone surrogates in strings, and a repeated
 * key silently replaces the first ({"cmd":"status","cmd":"reload"} ran a
 * reload). So the text is first checked here — grammar, UTF-8, escapes,
 * no \u0000 (a C string would end there), depth — while the members are
 * counted; json-c then builds the tree, and a tree with fewer members than
 * the text had means a key was repeated. */
#ifndef AUTONOMY_CORE_JSON_STRICT_H
#define AUTONOMY_CORE_JSON_STRICT_H

#include <stddef.h>
#include <json-c/json.h>

#define JSON_STRICT_MAX_DEPTH 32

/* One JSON value in buf[0..len) with optional blanks around it. Returns the
 * value (caller owns; JSON null is refused, so NULL always means an error)
 * or NULL with a message like "byte 12: duplicate key" in err. */
json_object *json_strict_parse(const char *buf, size_t len, char *err, size_t errsize);

#endif
