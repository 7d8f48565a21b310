/* store_io: what the durable store cost in writes (store_vfs.c): bytes and
 * write calls into the database and its WAL, and syncs (fsync), counted in
 * this process since the last reset. */
#ifndef AUTONOMY_STORE_STORE_IO_H
#define AUTONOMY_STORE_STORE_IO_H

#include <stdint.h>

struct store_io {
	uint64_t bytes_written, writes, syncs;
};

void store_io_get(struct store_io *out);
void store_io_reset(void);

#endif
