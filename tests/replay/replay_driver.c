/* replay_driver: `replay_driver --replay TRACE [...]` — replay_main without
 * the daemon, for tests/integration/run-replay.sh and bench/ while (or where)
 * autonomyd itself does not dispatch --replay. Built from libautonomy.a. */
#include "replay/replay.h"

int main(int argc, char **argv)
{
	return replay_main(argc, argv);
}
