/* admin: configuration management that works on files, with or without a
 * running daemon: `config backup`, `config verify-backup`, `config audit`.
 *
 * A backup is the config file's bytes, written three ways:
 *   CONFIG.backup                      what the operations guide diffs
 *                                      against (libuci ignores files with a
 *                                      dot in their name, so /etc/config
 *                                      can hold it);
 *   DIR/BASE-YYYYmmddTHHMMSSZ.conf     a timestamped copy in main.backup_dir
 *                                      (default: backups/ in main.state_dir),
 *                                      the last main.backup_keep kept;
 *   ... .conf.meta                     its sidecar: SHA-256, size, time,
 *                                      source and autonomy's version.
 * Every file mode 0600 (the config holds secrets), written atomically
 * (temp file + rename: a symlink at the destination is replaced, never
 * followed), the directory 0700. */
#ifndef AUTONOMY_ADMIN_ADM_H
#define AUTONOMY_ADMIN_ADM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

#define ADM_DEFAULT_CONFIG  "/etc/config/autonomy"
#define ADM_MAX_CONFIG      (1024 * 1024)   /* a config larger than this is refused */
#define ADM_META_SUFFIX     ".meta"

struct adm_paths {
	char config[PATH_MAX];
	char backup[PATH_MAX];          /* CONFIG.backup */
	char dir[PATH_MAX];             /* where the timestamped copies go */
	char base[NAME_MAX + 1];        /* the config's file name: copies are BASE-TS.conf */
	unsigned keep;
	char note[200];                 /* why defaults were used for dir/keep ("" = none) */
};

/* The config in use: explicit, else the one the daemon answering on sock
 * runs with, else $AUTONOMY_CONFIG, else /etc/config/autonomy. */
void adm_config_path(const char *sock, const char *explicit, char *out, size_t size);
/* Paths of the backups of config, from its main section (read as raw UCI,
 * so a config with errors can still be backed up). 0, or -1 with err. */
int adm_paths_init(struct adm_paths *p, const char *config, char *err, size_t errsz);

/* ---- sidecar (adm_sidecar.c) --------------------------------------------- */

struct adm_sidecar {
	unsigned format;                /* 1 */
	char file[NAME_MAX + 1];        /* the copy's file name */
	char source[PATH_MAX];          /* the config it was taken from */
	int64_t created_ts;             /* Unix seconds */
	char sha256[65];                /* lowercase hex */
	uint64_t size;
	char version[32];               /* autonomy's version that wrote it */
};

/* "key=value" lines; '#' comments and blank lines allowed; every key known,
 * none twice; format, sha256 and size required. 0, or -1 with err. */
int adm_sidecar_parse(const char *buf, size_t len, struct adm_sidecar *out, char *err,
		      size_t errsz);
/* The text of a sidecar; returns its length (< size), or 0 if it does not fit. */
size_t adm_sidecar_format(const struct adm_sidecar *s, char *buf, size_t size);

/* ---- backups on disk (adm_backup.c) ----------------------------------------- */

/* Timestamped copies of p->base in p->dir, newest first (names only,
 * NAME_MAX + 1 each). Returns how many (at most max), -1 on error (errno;
 * ENOENT: no directory yet). */
int adm_backup_list(const struct adm_paths *p, char (*names)[NAME_MAX + 1], int max);
/* `config backup [--to FILE]` at wall time now. */
json_object *adm_backup(const struct adm_paths *p, const char *to, int64_t now,
			struct ctl_error *err);

/* ---- verify and diff (adm_verify.c, adm_diff.c) ------------------------------ */

/* `config verify-backup [FILE]`: FILE (with FILE.meta), else the newest
 * timestamped copy and CONFIG.backup. */
json_object *adm_verify_backup(const struct adm_paths *p, const char *file,
			       struct ctl_error *err);

struct uci_package;
/* UCI-level differences from old to new: sections and options added,
 * removed, changed; values of secret options masked. */
json_object *adm_uci_diff(const struct uci_package *old, const struct uci_package *cur);
/* The same for two files; NULL with err if one does not parse. */
json_object *adm_diff_files(const char *old_path, const char *cur_path, char *err,
			    size_t errsz);

/* ---- audit (adm_audit*.c) ------------------------------------------------------ */

json_object *adm_audit(const struct adm_paths *p, struct ctl_error *err);
/* `security audit`: files, capabilities, ACL, listeners, secrets, refusals
 * and firmware (adm_security.c); the daemon on sock is asked for its side. */
json_object *adm_security_audit(const struct adm_paths *p, const char *sock,
				struct ctl_error *err);

/* ---- recommendations (adm_optimize.c, adm_apply.c) ------------------------------- */

struct hist_q;
struct config;
/* `config optimize`: {period, recommendations: [{section, option, current,
 * proposed, why, evidence}], not_checked}; option NULL = advice only. */
json_object *adm_config_optimize(const struct hist_q *q, const struct config *cfg);
/* `optimize`: {period, figures, targets, changes: [...]} within the
 * performance limits (a quarter of them aggressive, else half). */
json_object *adm_tune(const struct hist_q *q, const struct config *cfg, bool aggressive);
/* text with section.option set to value (the line replaced, or added at
 * the section's top; the section appended when missing). NULL on a value
 * UCI cannot hold in quotes, or out of memory. */
char *adm_uci_set(const char *text, const char *section, const char *option, const char *value);
/* The changes (those with an option) written into the config after a
 * backup, validated first, then the daemon on sock reloaded; a refused
 * reload puts the old file back. {backup, reloaded, applied}. */
json_object *adm_apply(const char *sock, const struct adm_paths *p, json_object *changes,
		       struct ctl_error *err);

/* ---- the local commands (adm_cmds.c) -------------------------------------------- */

/* Whether cmd is one of ours, and running it for the CLI (over_ubus false)
 * or the rpcd plugin (true: no FILE or --to, which would let a session
 * name files root reads or writes). */
bool adm_is_command(const char *cmd);
json_object *adm_run(const char *cmd, json_object *args, const char *sock,
		     const char *config, bool over_ubus, struct ctl_error *err);

#endif
