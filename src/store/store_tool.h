/* store_tool: the store's maintenance program, run by the daemon as
 * `autonomyd --store-sync` (store_tool.c has the details). */
#ifndef AUTONOMY_STORE_STORE_TOOL_H
#define AUTONOMY_STORE_STORE_TOOL_H

int store_tool_main(int argc, char **argv);

#endif
