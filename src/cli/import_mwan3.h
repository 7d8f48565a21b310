/* `autonomyctl config import-mwan3 [FILE]`: reads an mwan3 config (default
 * /etc/config/mwan3) and prints autonomy members as UCI (openwrt/owrt_mwan3).
 * Exit status 0 written, 1 nothing to import or the file has errors. */
#ifndef AUTONOMY_CLI_IMPORT_MWAN3_H
#define AUTONOMY_CLI_IMPORT_MWAN3_H

#include <stdio.h>

#include <json-c/json.h>

int cli_import_mwan3(json_object *args, FILE *out);

#endif
