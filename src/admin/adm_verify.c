/* adm_verify: `config verify-backup [FILE]`. A copy is good when it exists,
 * its bytes match its sidecar's size and SHA-256, and it loads with the
 * schema of this version; what it differs in from the live config is shown
 * too (restoring it would undo those changes). */
#include "admin/adm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "core/fsutil.h"
#include "core/sha256.h"
#include "ctl/ctl_validate.h"

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v && *v ? json_object_new_string(v) : NULL);
}

static void check_sidecar(json_object *o, const char *path, const char *data, size_t len,
			  struct adm_sidecar *sc, bool *ok)
{
	char meta[PATH_MAX + NAME_MAX + 16], why[200], hex[65];
	size_t ml = 0;
	bool named = snprintf(meta, sizeof(meta), "%s" ADM_META_SUFFIX, path) < (int)sizeof(meta);
	char *text = named ? fs_read_file(meta, 8192, &ml) : NULL;
	sha256_hex(data, len, hex);
	add_str(o, "sha256", hex);
	if (!text) {
		snprintf(why, sizeof(why), "no sidecar (" ADM_META_SUFFIX "): %s", strerror(errno));
	} else if (adm_sidecar_parse(text, ml, sc, why + 9, sizeof(why) - 9) < 0) {
		memcpy(why, "sidecar: ", 9);
	} else if (sc->size != len || strcmp(sc->sha256, hex) != 0) {
		snprintf(why, sizeof(why), "checksum mismatch: the sidecar says %llu bytes, "
			 "sha256 %.12s..., the file has %zu bytes, sha256 %.12s...",
			 (unsigned long long)sc->size, sc->sha256, len, hex);
	} else {
		why[0] = '\0';
	}
	free(text);
	add_str(o, "checksum", why[0] ? "bad" : "ok");
	add_str(o, "checksum_error", why);
	if (!why[0]) {
		json_object_object_add(o, "created_ts", json_object_new_int64(sc->created_ts));
		add_str(o, "version", sc->version);
		add_str(o, "source", sc->source);
	}
	*ok = *ok && !why[0];
}

static void check_load(json_object *o, const char *path, const char *data, size_t len,
		       bool *ok)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf(path, data, len, &dg);
	json_object_object_add(o, "valid", json_object_new_boolean(cfg != NULL));
	json_object_object_add(o, "members", cfg ? json_object_new_int((int)cfg->n_members) : NULL);
	json_object_object_add(o, "diagnostics", ctl_diags_json(&dg, false));
	*ok = *ok && cfg != NULL;
	config_free(cfg);
	cfg_diags_free(&dg);
}

/* One copy and its sidecar. data (the bytes) is kept for the caller. */
static json_object *verify_copy(const char *path, char **data, size_t *len,
				struct adm_sidecar *sc, bool *ok)
{
	json_object *o = json_object_new_object();
	struct stat st;
	add_str(o, "file", path);
	*data = fs_read_file(path, ADM_MAX_CONFIG, len);
	json_object_object_add(o, "exists", json_object_new_boolean(*data != NULL));
	if (!*data) {
		add_str(o, "error", strerror(errno));
		*ok = false;
		return o;
	}
	if (stat(path, &st) == 0)
		json_object_object_add(o, "mode", json_object_new_int((int)(st.st_mode & 07777)));
	check_sidecar(o, path, *data, *len, sc, ok);
	check_load(o, path, *data, *len, ok);
	return o;
}

/* CONFIG.backup, the guide's diff target, was written with the newest copy:
 * it should still hold the same bytes. */
static json_object *check_dot_backup(const struct adm_paths *p, const struct adm_sidecar *sc,
				     bool *ok)
{
	size_t len;
	char hex[65];
	char *data = fs_read_file(p->backup, ADM_MAX_CONFIG, &len);
	json_object *o = json_object_new_object();
	add_str(o, "file", p->backup);
	json_object_object_add(o, "exists", json_object_new_boolean(data != NULL));
	if (data) {
		sha256_hex(data, len, hex);
		bool same = sc->sha256[0] && strcmp(hex, sc->sha256) == 0;
		json_object_object_add(o, "same_as_copy", json_object_new_boolean(same));
		*ok = *ok && same;
	} else if (errno != ENOENT) {
		add_str(o, "error", strerror(errno));
		*ok = false;
	}
	free(data);
	return o;
}

static json_object *newest_copy(const struct adm_paths *p, char *path, size_t size,
				struct ctl_error *err)
{
	char names[1][NAME_MAX + 1];
	int n = adm_backup_list(p, names, 1);
	if (n <= 0) {
		ctl_error_set(err, CTL_E_FAILED, "no backup of %s in %s%s%s: run 'autonomyctl "
			      "config backup'", p->config, p->dir, n < 0 ? ": " : "",
			      n < 0 ? strerror(errno) : "");
		return NULL;
	}
	snprintf(path, size, "%s/%s", p->dir, names[0]);
	return json_object_new_object();
}

json_object *adm_verify_backup(const struct adm_paths *p, const char *file,
			       struct ctl_error *err)
{
	char path[PATH_MAX + NAME_MAX + 2], why[PATH_MAX + 64];
	json_object *out;
	if (file) {
		snprintf(path, sizeof(path), "%s", file);
		out = json_object_new_object();
	} else if (!(out = newest_copy(p, path, sizeof(path), err))) {
		return NULL;
	}
	bool ok = true;
	char *data = NULL;
	size_t len = 0;
	struct adm_sidecar sc;
	memset(&sc, 0, sizeof(sc));
	json_object_object_add(out, "config", json_object_new_string(p->config));
	json_object_object_add(out, "copy", verify_copy(path, &data, &len, &sc, &ok));
	json_object_object_add(out, "backup", file ? NULL : check_dot_backup(p, &sc, &ok));
	json_object *diff = data ? adm_diff_files(path, p->config, why, sizeof(why)) : NULL;
	json_object_object_add(out, "differences", diff);
	add_str(out, "differences_error", data && !diff ? why : NULL);
	json_object_object_add(out, "ok", json_object_new_boolean(ok));
	free(data);
	return out;
}
