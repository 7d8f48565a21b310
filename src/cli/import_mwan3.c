/* `autonomyctl config import-mwan3` (import_mwan3.h). */
#include "cli/import_mwan3.h"

#include <string.h>

#include "config/uci.h"
#include "openwrt/owrt_mwan3.h"

#define MWAN3_CONFIG "/etc/config/mwan3"

int cli_import_mwan3(json_object *args, FILE *out)
{
	json_object *v;
	const char *path = json_object_object_get_ex(args, "file", &v) ?
			   json_object_get_string(v) : MWAN3_CONFIG;
	struct uci_package pkg;
	struct uci_error uerr;
	char err[160];
	if (uci_parse_file(path, &pkg, &uerr) < 0) {
		if (uerr.line > 0)
			fprintf(stderr, "autonomyctl: %s:%d: %s\n", path, uerr.line, uerr.msg);
		else
			fprintf(stderr, "autonomyctl: %s: %s\n", path, uerr.msg);
		return 1;
	}
	int n = owrt_mwan3_import(&pkg, path, out, err, sizeof(err));
	uci_package_free(&pkg);
	if (n < 0) {
		fprintf(stderr, "autonomyctl: %s: %s\n", path, err);
		return 1;
	}
	fprintf(stderr, "autonomyctl: %d member%s imported from %s\n", n, n == 1 ? "" : "s", path);
	return 0;
}
