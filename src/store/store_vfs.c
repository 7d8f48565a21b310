/* store_vfs: a pass-through SQLite VFS over the default one that counts the
 * bytes written and the syncs of the files opened through it — the durable
 * store's database and WAL — so flash wear is a measured figure (health,
 * `metrics --performance`, bench/history_flash.sh), not an estimate. */
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/store_io.h"

#define VFS_NAME "autonomy-count"

struct cfile {
	sqlite3_file base;
	sqlite3_file *real;     /* the default VFS's file, right after this struct */
};

static sqlite3_vfs *orig;
static sqlite3_vfs vfs;
static struct store_io io;

#define REAL(f) (((struct cfile *)(f))->real)

static int c_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));
	return rc;
}

static int c_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int c_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
	if (rc == SQLITE_OK) {
		io.bytes_written += (uint64_t)n;
		io.writes++;
	}
	return rc;
}

static int c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int c_sync(sqlite3_file *f, int flags)
{
	io.syncs++;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int c_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int c_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int c_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int c_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int c_fctl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int c_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int c_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int c_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}

static int c_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void c_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int c_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods methods = {
	.iVersion = 2,          /* no memory-mapped I/O: every write is seen */
	.xClose = c_close, .xRead = c_read, .xWrite = c_write, .xTruncate = c_truncate,
	.xSync = c_sync, .xFileSize = c_size, .xLock = c_lock, .xUnlock = c_unlock,
	.xCheckReservedLock = c_reserved, .xFileControl = c_fctl, .xSectorSize = c_sector,
	.xDeviceCharacteristics = c_devchar, .xShmMap = c_shm_map, .xShmLock = c_shm_lock,
	.xShmBarrier = c_shm_barrier, .xShmUnmap = c_shm_unmap,
};

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	(void)v;
	struct cfile *c = (struct cfile *)f;
	c->real = (sqlite3_file *)&c[1];
	int rc = orig->xOpen(orig, name, c->real, flags, out);
	/* pMethods set only on success: SQLite calls xClose only then. */
	c->base.pMethods = rc == SQLITE_OK && c->real->pMethods ? &methods : NULL;
	return rc;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return orig->xDelete(orig, name, sync);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return orig->xAccess(orig, name, flags, out);
}

static int v_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return orig->xFullPathname(orig, name, n, out);
}

static int v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return orig->xRandomness(orig, n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return orig->xSleep(orig, us);
}

static int v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return orig->xCurrentTime(orig, out);
}

static int v_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return orig->xGetLastError ? orig->xGetLastError(orig, n, out) : 0;
}

static int v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return orig->xCurrentTimeInt64(orig, out);
}

const char *store_vfs_name(void)
{
	if (orig)
		return VFS_NAME;
	orig = sqlite3_vfs_find(NULL);
	if (!orig)
		return NULL;
	vfs = (sqlite3_vfs){
		.iVersion = 2, .szOsFile = (int)sizeof(struct cfile) + orig->szOsFile,
		.mxPathname = orig->mxPathname, .zName = VFS_NAME,
		.xOpen = v_open, .xDelete = v_delete, .xAccess = v_access,
		.xFullPathname = v_fullpath, .xRandomness = v_random, .xSleep = v_sleep,
		.xCurrentTime = v_time, .xGetLastError = v_lasterr,
		.xCurrentTimeInt64 = v_time64,
	};
	if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
		orig = NULL;
		return NULL;
	}
	return VFS_NAME;
}

void store_io_get(struct store_io *out)
{
	*out = io;
}

void store_io_reset(void)
{
	memset(&io, 0, sizeof(io));
}
