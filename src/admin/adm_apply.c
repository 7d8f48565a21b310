/* adm_apply: recommendations written into the config the way an operator
 * would (`config optimize --apply`, `optimize`): a backup first, then the
 * options changed in the text (comments and layout kept), the result
 * checked with the schema before it replaces the file, and the daemon
 * reloaded; a reload the daemon refuses puts the old text back. */
#include "admin/adm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/fsutil.h"
#include "core/jsonutil.h"
#include "ctl/ctl_client.h"

#define CONFIG_MAX (1 << 20)
#define RELOAD_TIMEOUT_MS 10000

/* The span [*start, *end) of section's body in text: after its `config`
 * line up to the next `config` line. false when there is none. */
static bool section_span(const char *text, const char *section, size_t *start, size_t *end)
{
	char a[160], b[160];
	snprintf(a, sizeof(a), "'%s'", section);
	snprintf(b, sizeof(b), "\"%s\"", section);
	bool in = false;
	for (const char *l = text; *l; ) {
		const char *nl = strchr(l, '\n'), *e = nl ? nl + 1 : l + strlen(l);
		const char *p = l;
		while (*p == ' ' || *p == '\t')
			p++;
		bool head = strncmp(p, "config", 6) == 0 && (p[6] == ' ' || p[6] == '\t');
		if (head && in) {
			*end = (size_t)(l - text);
			return true;
		}
		if (head) {
			size_t len = (size_t)(e - p);
			char line[512];
			snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
			char *w = strrchr(line, ' ') ? strrchr(line, ' ') + 1 : line + 6;
			w[strcspn(w, "\r\n\t ")] = '\0';
			if (strcmp(w, a) == 0 || strcmp(w, b) == 0 || strcmp(w, section) == 0) {
				in = true;
				*start = (size_t)(e - text);
			}
		}
		l = e;
	}
	if (in)
		*end = strlen(text);
	return in;
}

/* The line `option NAME ...` inside [start, end), or NULL. */
static const char *option_line(const char *text, size_t start, size_t end, const char *option,
			       const char **line_end)
{
	size_t on = strlen(option);
	for (const char *l = text + start; l < text + end; ) {
		const char *nl = memchr(l, '\n', (size_t)(text + end - l));
		const char *e = nl ? nl + 1 : text + end, *p = l;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "option", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
			p += 7;
			while (*p == ' ' || *p == '\t')
				p++;
			p += *p == '\'' || *p == '"';
			if (strncmp(p, option, on) == 0 && strchr("'\" \t\n", p[on])) {
				*line_end = e;
				return l;
			}
		}
		l = e;
	}
	return NULL;
}

char *adm_uci_set(const char *text, const char *section, const char *option, const char *value)
{
	size_t start = 0, end = 0, tl = strlen(text);
	char line[512];
	if (strchr(value, '\'') || strchr(value, '\n') || strlen(section) > 64 || strlen(option) > 64)
		return NULL;
	snprintf(line, sizeof(line), "\toption %s '%s'\n", option, value);
	size_t ll = strlen(line);
	char *out;
	if (!section_span(text, section, &start, &end)) {
		/* A section the file does not have yet: appended. */
		out = malloc(tl + ll + 200);
		if (out)
			sprintf(out, "%s%s\nconfig autonomy '%s'\n%s", text,
				tl && text[tl - 1] != '\n' ? "\n" : "", section, line);
		return out;
	}
	const char *le = NULL, *l = option_line(text, start, end, option, &le);
	size_t cut_a = l ? (size_t)(l - text) : start, cut_b = l ? (size_t)(le - text) : start;
	if (l && le[-1] != '\n')
		line[--ll] = '\0';
	out = malloc(tl - (cut_b - cut_a) + ll + 1);
	if (!out)
		return NULL;
	memcpy(out, text, cut_a);
	memcpy(out + cut_a, line, ll);
	memcpy(out + cut_a + ll, text + cut_b, tl - cut_b + 1);
	return out;
}

static int write_like(const char *path, const char *text)
{
	struct stat st;
	mode_t mode = stat(path, &st) == 0 ? st.st_mode & 0777 : 0600;
	return fs_write_atomic(path, text, strlen(text), mode);
}

json_object *adm_apply(const char *sock, const struct adm_paths *p, json_object *changes,
		       struct ctl_error *err)
{
	size_t len = 0;
	char *orig = fs_read_file(p->config, CONFIG_MAX, &len), *text = orig ? strdup(orig) : NULL;
	json_object *o = json_object_new_object(), *applied = json_object_new_array();
	if (!text) {
		ctl_error_set(err, CTL_E_FAILED, "cannot read %s: %s", p->config, strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < json_object_array_length(changes); i++) {
		json_object *c = json_object_array_get_idx(changes, i);
		if (!json_get_str(c, "option", NULL) || !json_get_str(c, "proposed", NULL))
			continue;       /* advice only */
		char *next = adm_uci_set(text, json_get_str(c, "section", ""),
					 json_get_str(c, "option", ""), json_get_str(c, "proposed", ""));
		if (!next) {
			ctl_error_set(err, CTL_E_FAILED, "cannot set %s.%s", json_get_str(c, "section", ""),
				      json_get_str(c, "option", ""));
			goto fail;
		}
		free(text);
		text = next;
		json_object_array_add(applied, json_object_get(c));
	}
	/* The same check a reload makes, before anything is touched. */
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf(p->config, text, strlen(text), &dg);
	if (!cfg) {
		const char *why = "?";
		for (size_t k = 0; k < dg.n; k++)
			if (dg.v[k].severity == CFG_ERROR) {
				why = dg.v[k].msg;
				break;
			}
		ctl_error_set(err, CTL_E_FAILED, "the changed config does not validate: %s", why);
		cfg_diags_free(&dg);
		goto fail;
	}
	config_free(cfg);
	cfg_diags_free(&dg);
	json_object *b = adm_backup(p, NULL, (int64_t)time(NULL), err);
	if (!b)
		goto fail;
	json_object_object_add(o, "backup", json_object_get(json_object_object_get(b, "copy")));
	json_object_put(b);
	if (write_like(p->config, text) < 0) {
		ctl_error_set(err, CTL_E_FAILED, "cannot write %s: %s", p->config, strerror(errno));
		goto fail;
	}
	struct ctl_error e = { .details = NULL };
	json_object *r = ctl_client_call(sock, "reload", NULL, RELOAD_TIMEOUT_MS, &e);
	if (!r && e.code != CTL_E_NOT_RUNNING) {
		write_like(p->config, orig);   /* a refused reload leaves the daemon as it was */
		ctl_error_set(err, CTL_E_FAILED, "the daemon refused the reload (%s); %s restored",
			      e.message, p->config);
		json_object_put(e.details);
		goto fail;
	}
	json_object_object_add(o, "reloaded", json_object_new_boolean(r != NULL));
	json_object_put(r);
	json_object_put(e.details);
	json_object_object_add(o, "applied", applied);
	free(orig);
	free(text);
	return o;
fail:
	json_object_put(applied);
	json_object_put(o);
	free(orig);
	free(text);
	return NULL;
}
