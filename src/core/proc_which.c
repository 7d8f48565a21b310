/* proc_which: PATH lookup for proc_spawn and for callers that want to know
 * whether a tool is installed before they plan around it. */
#include "core/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROC_DEFAULT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

static int is_exec_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return 0;
	}
	return access(path, X_OK) == 0;
}

int proc_which(const char *name, char *out, size_t size)
{
	if (!name || !*name || !out || size == 0) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(name, '/')) {
		if (strlen(name) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (!is_exec_file(name))
			return -1;
		memcpy(out, name, strlen(name) + 1);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = PROC_DEFAULT_PATH;
	for (const char *dir = path; ; ) {
		size_t len = strcspn(dir, ":");
		/* An empty entry means the working directory to a shell; a
		 * daemon runs from / and must not pick up ./tool: skipped. */
		if (len > 0 && snprintf(out, size, "%.*s/%s", (int)len, dir, name) < (int)size &&
		    is_exec_file(out))
			return 0;
		if (dir[len] == '\0')
			break;
		dir += len + 1;
	}
	out[0] = '\0';
	errno = ENOENT;
	return -1;
}
