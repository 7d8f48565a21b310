/* adm_backup: `config backup` and the list of timestamped copies. */
#include "admin/adm.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/sha256.h"

#define TS_LEN      16          /* YYYYmmddTHHMMSSZ */
#define MAX_COPIES  1100        /* more than backup_keep's maximum */

/* BASE-YYYYmmddTHHMMSSZ.conf or BASE-YYYYmmddTHHMMSSZ-N.conf: the time and
 * the sequence number of a copy (N for a second backup in one second). */
static bool parse_name(const char *base, const char *name, char ts[TS_LEN + 1], int *seq)
{
	size_t bl = strlen(base), nl = strlen(name);
	if (nl < bl + 1 + TS_LEN + 5 || strncmp(name, base, bl) != 0 || name[bl] != '-' ||
	    strcmp(name + nl - 5, ".conf") != 0)
		return false;
	const char *t = name + bl + 1;
	for (int i = 0; i < TS_LEN; i++) {
		bool digit = i != 8 && i != 15;
		if (digit ? t[i] < '0' || t[i] > '9' : t[i] != (i == 8 ? 'T' : 'Z'))
			return false;
	}
	memcpy(ts, t, TS_LEN);
	ts[TS_LEN] = '\0';
	const char *rest = t + TS_LEN;
	*seq = 0;
	if (rest == name + nl - 5)
		return true;
	char *end;
	long n = rest[0] == '-' ? strtol(rest + 1, &end, 10) : -1;
	if (n < 1 || n > 99 || end != name + nl - 5)
		return false;
	*seq = (int)n;
	return true;
}

struct entry {
	char name[NAME_MAX + 1];
	char ts[TS_LEN + 1];
	int seq;
};

static int newest_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(y->ts, x->ts);
	return c ? c : y->seq - x->seq;
}

int adm_backup_list(const struct adm_paths *p, char (*names)[NAME_MAX + 1], int max)
{
	DIR *d = opendir(p->dir);
	if (!d)
		return -1;
	struct entry *v = calloc(MAX_COPIES, sizeof(*v));
	int n = 0;
	for (struct dirent *de; v && (de = readdir(d)) && n < MAX_COPIES;) {
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (parse_name(p->base, de->d_name, v[n].ts, &v[n].seq))
			snprintf(v[n++].name, sizeof(v[0].name), "%s", de->d_name);
	}
	closedir(d);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	qsort(v, (size_t)n, sizeof(*v), newest_first);
	int out = n < max ? n : max;
	for (int i = 0; i < out; i++)
		memcpy(names[i], v[i].name, sizeof(names[0]));
	free(v);
	return out;
}

/* The backup directory: made 0700 if missing; refused if others could
 * swap the files in it. */
static int prepare_dir(const char *dir, char *why, size_t size)
{
	char probe[PATH_MAX + 2];
	struct stat st;
	snprintf(probe, sizeof(probe), "%s/x", dir);
	if (fs_mkdir_parents(probe, 0700) < 0 || stat(dir, &st) < 0) {
		snprintf(why, size, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, size, "%s is not a directory", dir);
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0022)) {
		snprintf(why, size, "%s may be written by others (owner %u, mode %04o): "
			 "not used for backups", dir, (unsigned)st.st_uid,
			 (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int write_pair(const char *path, const char *data, size_t len,
		      const struct adm_sidecar *sc, char *why, size_t size)
{
	char meta[PATH_MAX + 8], text[4096];
	snprintf(meta, sizeof(meta), "%s" ADM_META_SUFFIX, path);
	size_t tl = adm_sidecar_format(sc, text, sizeof(text));
	if (!tl || fs_write_atomic(path, data, len, 0600) < 0 ||
	    fs_write_atomic(meta, text, tl, 0600) < 0) {
		snprintf(why, size, "%s: %s", path, tl ? strerror(errno) : "sidecar too long");
		return -1;
	}
	return 0;
}

/* BASE-TS.conf, or BASE-TS-N.conf when that second is taken. */
static int copy_name(const struct adm_paths *p, int64_t now, char *out, size_t size)
{
	char ts[TS_LEN + 1];
	time_t t = (time_t)now;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm))
		return -1;
	for (int seq = 0; seq < 100; seq++) {
		char path[PATH_MAX + 2 * NAME_MAX];
		int n = seq ? snprintf(out, size, "%s-%s-%d.conf", p->base, ts, seq) :
			      snprintf(out, size, "%s-%s.conf", p->base, ts);
		if (n < 0 || (size_t)n >= size ||
		    snprintf(path, sizeof(path), "%s/%s", p->dir, out) >= (int)sizeof(path))
			return -1;
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
	}
	return -1;
}

/* The oldest copies beyond backup_keep go, each with its sidecar. */
static json_object *prune(const struct adm_paths *p)
{
	static char names[MAX_COPIES][NAME_MAX + 1];
	json_object *gone = json_object_new_array();
	int n = adm_backup_list(p, names, MAX_COPIES);
	for (int i = (int)p->keep; i < n; i++) {
		char path[PATH_MAX + NAME_MAX + 8];
		snprintf(path, sizeof(path), "%s/%s", p->dir, names[i]);
		if (unlink(path) == 0)
			json_object_array_add(gone, json_object_new_string(names[i]));
		snprintf(path, sizeof(path), "%s/%s" ADM_META_SUFFIX, p->dir, names[i]);
		unlink(path);
	}
	return gone;
}

static json_object *result(const struct adm_paths *p, const struct adm_sidecar *sc)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "config", json_object_new_string(p->config));
	json_object_object_add(o, "sha256", json_object_new_string(sc->sha256));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)sc->size));
	json_object_object_add(o, "version", json_object_new_string(sc->version));
	json_object_object_add(o, "created_ts", json_object_new_int64(sc->created_ts));
	return o;
}

json_object *adm_backup(const struct adm_paths *p, const char *to, int64_t now,
			struct ctl_error *err)
{
	size_t len;
	char why[PATH_MAX + 128];
	char *data = fs_read_file(p->config, ADM_MAX_CONFIG, &len);
	if (!data) {
		ctl_error_set(err, CTL_E_FAILED, "cannot read %s: %s", p->config,
			      errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		return NULL;
	}
	struct adm_sidecar sc = { .format = 1, .created_ts = now, .size = len };
	sha256_hex(data, len, sc.sha256);
	snprintf(sc.source, sizeof(sc.source), "%s", p->config);
	snprintf(sc.version, sizeof(sc.version), "%s", AUTONOMY_VERSION);
	json_object *o = NULL;
	if (to) {
		const char *slash = strrchr(to, '/');
		snprintf(sc.file, sizeof(sc.file), "%s", slash ? slash + 1 : to);
		if (write_pair(to, data, len, &sc, why, sizeof(why)) == 0) {
			o = result(p, &sc);
			json_object_object_add(o, "copy", json_object_new_string(to));
		}
	} else if (fs_write_atomic(p->backup, data, len, 0600) < 0) {
		snprintf(why, sizeof(why), "%s: %s", p->backup, strerror(errno));
	} else if (prepare_dir(p->dir, why, sizeof(why)) == 0 &&
		   copy_name(p, now, sc.file, sizeof(sc.file)) == 0) {
		char path[PATH_MAX + NAME_MAX + 2];
		snprintf(path, sizeof(path), "%s/%s", p->dir, sc.file);
		if (write_pair(path, data, len, &sc, why, sizeof(why)) == 0) {
			o = result(p, &sc);
			json_object_object_add(o, "backup", json_object_new_string(p->backup));
			json_object_object_add(o, "copy", json_object_new_string(path));
			json_object_object_add(o, "keep", json_object_new_int((int)p->keep));
			json_object_object_add(o, "deleted", prune(p));
			json_object_object_add(o, "note", p->note[0] ?
					       json_object_new_string(p->note) : NULL);
		}
	}
	free(data);
	if (!o)
		ctl_error_set(err, CTL_E_FAILED, "backup failed: %s", why);
	return o;
}
