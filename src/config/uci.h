/* uci: a parser for the UCI file format exactly as OpenWrt's libuci reads it
 * (package, config TYPE ['NAME'], option, list, quoting, escapes, comments).
 * It produces the raw structure only; types and meaning are config/schema's. */
#ifndef AUTONOMY_CONFIG_UCI_H
#define AUTONOMY_CONFIG_UCI_H

#include <stdbool.h>
#include <stddef.h>

struct uci_option {
	char *name;
	bool is_list;           /* declared with `list` (else `option`) */
	char **values;          /* one value for an option, >= 1 for a list */
	size_t n_values;
	int line;               /* line of the (last) statement that set it */
};

struct uci_section {
	char *type;
	char *name;             /* NULL for an anonymous section */
	int line;
	struct uci_option *opts;
	size_t n_opts;
};

struct uci_package {
	char *name;             /* from a `package` statement, else NULL */
	struct uci_section *secs;
	size_t n_secs;
};

struct uci_error {
	int line;               /* 1-based line of the error */
	char msg[256];          /* libuci-like wording, without file/line prefix */
};

/* Parse buf[0..len). On success returns 0 and fills *out (free with
 * uci_package_free). On a syntax error returns -1, fills *err and leaves
 * *out empty. Never reads past len; NUL bytes inside are an error. */
int uci_parse(const char *buf, size_t len, struct uci_package *out,
	      struct uci_error *err);
#define UCI_MAX_FILE (1u << 20)  /* a config larger than 1 MiB is refused */

/* Reads the file (a regular file of at most UCI_MAX_FILE bytes, never
 * blocking); I/O errors are reported in err with line 0. */
int uci_parse_file(const char *path, struct uci_package *out,
		   struct uci_error *err);
void uci_package_free(struct uci_package *pkg);

/* First section with this name, or NULL. */
const struct uci_section *uci_find_section(const struct uci_package *pkg,
					   const char *name);
const struct uci_option *uci_find_option(const struct uci_section *sec,
					 const char *name);

#endif
