/* ctl_history: history commands answered from the store (ctl_history.h). */
#include "ctl/ctl_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <errno.h>
#include <limits.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "admin/adm.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_validate.h"
#include "history/hist.h"
#include "store/store.h"

#define STATUS_TIMEOUT_MS 3000
#define HIST_NICE 19

struct source {
	char path[4200];
	enum store_mode mode;
	bool latest_anchor;     /* a file of its own: periods end at its newest row */
	unsigned warn, crit;    /* alerts.failover_warning / _critical */
};

struct hctx {
	struct store *s;
	const struct source *src;
	const char *sock;       /* the daemon's, for what only its RAM has */
	bool rpcd;
	FILE *out;
};

static bool exists(const char *p)
{
	return p && *p && access(p, F_OK) == 0;
}

static void thresholds(struct source *src, const char *config_path)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_path ? config_load_file(config_path, &dg) : NULL;
	src->warn = 5;
	src->crit = 10;
	if (cfg) {
		const struct cfg_section *a = config_section(cfg, "alerts");
		src->warn = (unsigned)cfg_int(a, "failover_warning");
		src->crit = (unsigned)cfg_int(a, "failover_critical");
	}
	config_free(cfg);
	cfg_diags_free(&dg);
}

static void join(char *out, size_t size, const char *dir, const char *file)
{
	snprintf(out, size, "%s/%s", dir, file);
}

/* No daemon answers: the files its config names. */
static int from_config(struct source *src, struct ctl_error *err)
{
	const char *env = getenv("AUTONOMY_CONFIG");
	const char *path = env && *env ? env : CTL_DEFAULT_CONFIG;
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_file(path, &dg);
	const struct cfg_section *m = cfg ? config_section(cfg, "main") : NULL;
	const char *run = m ? cfg_str(m, "run_dir") : NULL, *state = m ? cfg_str(m, "state_dir") : NULL;
	char work[4200], durable[4200];
	/* As the daemon lays them out (daemon/state.c): no run_dir, one store
	 * in state_dir. */
	join(durable, sizeof(durable), state && *state ? state : "/var/lib/autonomy", STORE_FILE);
	if (run && *run)
		join(work, sizeof(work), run, STORE_FILE);
	else
		snprintf(work, sizeof(work), "%s", durable);
	config_free(cfg);
	cfg_diags_free(&dg);
	thresholds(src, path);
	if (exists(work)) {
		snprintf(src->path, sizeof(src->path), "%s", work);
		src->mode = STORE_READ;
	} else if (exists(durable)) {
		snprintf(src->path, sizeof(src->path), "%s", durable);
		src->mode = STORE_READ_IMMUTABLE;
	} else {
		ctl_error_set(err, CTL_E_NOT_RUNNING, "autonomyd is not running and no history "
			      "store was found (%s, %s)", work, durable);
		return -1;
	}
	return 0;
}

static int locate(const char *sock, const char *store, struct source *src, struct ctl_error *err)
{
	struct ctl_error e = { .details = NULL };
	const char *env = getenv("AUTONOMY_STORE");
	memset(src, 0, sizeof(*src));
	if (!store && env && *env)
		store = env;
	if (store) {
		if (!exists(store)) {
			ctl_error_set(err, CTL_E_FAILED, "%s: no such file", store);
			return -1;
		}
		snprintf(src->path, sizeof(src->path), "%s", store);
		src->mode = STORE_READ;
		src->latest_anchor = true;
		thresholds(src, NULL);
		return 0;
	}
	json_object *st = ctl_client_call(sock, "status", NULL, STATUS_TIMEOUT_MS, &e), *h = NULL;
	json_object_put(e.details);
	if (!st)
		return from_config(src, err);
	json_object_object_get_ex(st, "history", &h);
	const char *work = json_get_str(h, "working", NULL);
	thresholds(src, json_get_str(st, "config_file", NULL));
	if (!exists(work)) {
		ctl_error_set(err, CTL_E_FAILED, "the daemon keeps no history: %s",
			      json_get_str(h, "error", "history store not open"));
		json_object_put(st);
		return -1;
	}
	snprintf(src->path, sizeof(src->path), "%s", work);
	src->mode = STORE_READ;
	json_object_put(st);
	return 0;
}

static const char *arg_str(json_object *args, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(args, k, &v) && v ? json_object_get_string(v) : NULL;
}

static bool arg_bool(json_object *args, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(args, k, &v) && json_object_get_boolean(v);
}

static int arg_int(json_object *args, const char *k, int dflt)
{
	json_object *v;
	return json_object_object_get_ex(args, k, &v) && v ? json_object_get_int(v) : dflt;
}

/* The query window of --period (default dflt). */
static int query(const struct hctx *c, json_object *args, const char *dflt, struct hist_q *q,
		 struct ctl_error *err)
{
	struct hist_period p;
	char msg[200];
	const char *s = arg_str(args, "period");
	if (hist_period_parse(s ? s : dflt, &p, msg, sizeof(msg)) < 0) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "%s", msg);
		return -1;
	}
	hist_q_init(q, c->s, &p, clock_wall_ms() / 1000, c->src->latest_anchor);
	q->failover_warning = c->src->warn;
	q->failover_critical = c->src->crit;
	return 0;
}

static json_object *failed(struct hctx *c, struct ctl_error *err)
{
	ctl_error_set(err, CTL_E_FAILED, "reading %s: %s", store_path(c->s), store_errmsg(c->s));
	return NULL;
}

static json_object *h_metrics(struct hctx *c, json_object *args, struct ctl_error *err)
{
	struct hist_q q;
	if (query(c, args, "daily", &q, err) < 0)
		return NULL;
	json_object *o = hist_metrics(&q, arg_bool(args, "trends"), arg_bool(args, "performance"));
	return o ? o : failed(c, err);
}

/* Same decision in the store and in the daemon's ring: same second (give or
 * take one: the two clocks are read apart), type and members. */
static bool same_decision(json_object *a, json_object *b)
{
	int64_t ta = json_object_get_int64(json_object_object_get(a, "time_ts"));
	int64_t tb = json_object_get_int64(json_object_object_get(b, "time_ts"));
	static const char *const keys[] = { "type", "from", "to" };
	if (ta - tb > 1 || tb - ta > 1)
		return false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *x = json_object_get_string(json_object_object_get(a, keys[i]));
		const char *y = json_object_get_string(json_object_object_get(b, keys[i]));
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
			return false;
	}
	return true;
}

static int newest_first(const void *a, const void *b)
{
	int64_t ta = json_object_get_int64(json_object_object_get(*(json_object *const *)a, "time_ts"));
	int64_t tb = json_object_get_int64(json_object_object_get(*(json_object *const *)b, "time_ts"));
	return ta < tb ? 1 : ta > tb ? -1 : 0;
}

/* Adds to the store's decisions what only the running daemon knows: the
 * connections each switch kept and flushed (counted after the switch), the
 * precursor and flap prevention; and the daemon's newest decisions the
 * store has not got yet. The store alone answers when the daemon is down. */
static void merge_live(struct hctx *c, json_object *rows, const struct hist_q *q, int limit)
{
	struct ctl_error err = { .details = NULL };
	if (c->src->latest_anchor)      /* a file of its own, not this daemon's */
		return;
	json_object *live = c->sock ? ctl_client_call(c->sock, "decisions", json_object_new_object(),
						      CTL_CLIENT_TIMEOUT_MS, &err) : NULL;
	json_object_put(err.details);
	size_t n = json_object_is_type(live, json_type_array) ? json_object_array_length(live) : 0;
	size_t n_store = json_object_array_length(rows);
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(live, i), *m = NULL;
		int64_t t = json_object_get_int64(json_object_object_get(d, "time_ts"));
		for (size_t j = 0; j < n_store && !m; j++)
			if (same_decision(json_object_array_get_idx(rows, j), d))
				m = json_object_array_get_idx(rows, j);
		if (m) {
			json_object_object_foreach(d, k, v)
				if (!json_object_object_get_ex(m, k, NULL))
					json_object_object_add(m, k, json_object_get(v));
		} else if (t >= q->from && t <= q->to) {
			json_object_array_add(rows, json_object_get(d));
		}
	}
	json_object_put(live);
	json_object_array_sort(rows, newest_first);
	while (limit > 0 && json_object_array_length(rows) > (size_t)limit)
		json_object_array_del_idx(rows, json_object_array_length(rows) - 1, 1);
}

static json_object *h_decisions(struct hctx *c, json_object *args, struct ctl_error *err)
{
	struct hist_q q;
	int limit = arg_int(args, "limit", 10);
	if (limit < 0) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "--limit must be 0 (all) or more");
		return NULL;
	}
	if (arg_bool(args, "security") && !arg_bool(args, "analysis")) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "--security goes with --analysis");
		return NULL;
	}
	if (query(c, args, "all", &q, err) < 0)
		return NULL;
	if (arg_bool(args, "analysis")) {
		json_object *o = hist_analysis(&q, arg_bool(args, "security"));
		return o ? o : failed(c, err);
	}
	json_object *o = hist_decisions(&q, limit);
	if (!o)
		return failed(c, err);
	merge_live(c, o, &q, limit);
	return o;
}

static json_object *h_analytics(struct hctx *c, json_object *args, struct ctl_error *err)
{
	struct hist_q q;
	if (query(c, args, "monthly", &q, err) < 0)
		return NULL;
	json_object *o = hist_analytics(&q);
	return o ? o : failed(c, err);
}

/* The live half of `notifications`: each alert channel's delivery state,
 * the recent alerts and (--pending) the outbox, from the daemon; NULL when
 * it does not answer. */
static json_object *delivery_from_daemon(const char *sock, json_object *args)
{
	struct ctl_error e = { .details = NULL };
	json_object *a = json_object_new_object();
	if (arg_bool(args, "pending"))
		json_object_object_add(a, "pending", json_object_new_boolean(1));
	json_object *d = ctl_client_call(sock, "notifications", a, STATUS_TIMEOUT_MS, &e);
	json_object_put(e.details);
	return d;
}

static json_object *h_notifications(struct hctx *c, json_object *args, struct ctl_error *err)
{
	struct hist_q q;
	json_object *a = json_object_new_object();
	bool all = arg_bool(args, "history");
	int limit = arg_int(args, "limit", all ? 200 : 50);
	json_object_object_add(a, "period", json_object_new_string(all ? "all" : "daily"));
	if (limit < 0) {
		json_object_put(a);
		ctl_error_set(err, CTL_E_BAD_ARGS, "--limit must be 0 (all) or more");
		return NULL;
	}
	int rc = query(c, a, "daily", &q, err);
	json_object_put(a);
	if (rc < 0)
		return NULL;
	json_object *o = hist_notifications(&q, limit);
	if (!o)
		return failed(c, err);
	json_object_object_add(o, "delivery", delivery_from_daemon(c->sock, args));
	return o;
}

/* Text that rpcd needs inside an object; the CLI prints it as it is. */
static json_object *wrap_text(const char *format, char *buf, size_t len)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_string(format));
	json_object_object_add(o, format, json_object_new_string_len(buf, (int)len));
	free(buf);
	return o;
}

static json_object *h_report(struct hctx *c, json_object *args, struct ctl_error *err)
{
	struct hist_q q;
	const char *fmt = arg_str(args, "format");
	if (fmt && strcmp(fmt, "text") && strcmp(fmt, "json") && strcmp(fmt, "html")) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "--format: text, json or html, not '%s'", fmt);
		return NULL;
	}
	if (query(c, args, "weekly", &q, err) < 0)
		return NULL;
	json_object *r = hist_report(&q);
	if (!r)
		return failed(c, err);
	if (!fmt || strcmp(fmt, "html") != 0) {
		if (!fmt || c->rpcd || strcmp(fmt, "text") == 0)
			return r;
		fprintf(c->out, "%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(r);
		return CTL_HIST_PRINTED;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = c->rpcd ? open_memstream(&buf, &len) : c->out;
	int rc = f ? hist_html(r, f) : -1;
	json_object_put(r);
	if (c->rpcd && f)
		fclose(f);
	if (rc < 0) {
		free(buf);
		ctl_error_set(err, CTL_E_FAILED, "writing the report failed");
		return NULL;
	}
	return c->rpcd ? wrap_text("html", buf, len) : CTL_HIST_PRINTED;
}

static json_object *h_export(struct hctx *c, json_object *args, struct ctl_error *err)
{
	struct hist_q q;
	const char *fmt = arg_str(args, "format"), *table = arg_str(args, "table");
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv")) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "--format: json or csv, not '%s'", fmt);
		return NULL;
	}
	if (table && (!fmt || strcmp(fmt, "csv")))
		ctl_error_set(err, CTL_E_BAD_ARGS, "--table goes with --format csv");
	else if (table && !hist_export_table_known(table))
		ctl_error_set(err, CTL_E_BAD_ARGS, "--table: samples, decisions, outages, events, "
			      "usage or sys, not '%s'", table);
	if (table && (!fmt || strcmp(fmt, "csv") || !hist_export_table_known(table)))
		return NULL;
	/* ubus carries at most 1 MiB a message: a day by default there. */
	if (query(c, args, c->rpcd ? "daily" : "all", &q, err) < 0)
		return NULL;
	bool csv = fmt && strcmp(fmt, "csv") == 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = c->rpcd && csv ? open_memstream(&buf, &len) : c->out;
	int rc = f ? hist_export(&q, csv ? "csv" : "json", table, f) : -1;
	if (c->rpcd && csv && f)
		fclose(f);
	if (rc < 0) {
		free(buf);
		ctl_error_set(err, CTL_E_FAILED, "export failed: %s", store_errmsg(c->s));
		return NULL;
	}
	return c->rpcd && csv ? wrap_text("csv", buf, len) : CTL_HIST_PRINTED;
}

/* The audit of now (files, daemon, listeners) and the period's history. */
static json_object *h_security_report(struct hctx *c, json_object *args, struct ctl_error *err)
{
	struct hist_q q;
	if (query(c, args, "daily", &q, err) < 0)
		return NULL;
	json_object *o = hist_security_report(&q);
	if (!o)
		return failed(c, err);
	json_object *audit = adm_run("security_audit", NULL, c->sock, NULL, c->rpcd, err);
	if (!audit) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "audit", audit);
	return o;
}

/* The daemon's config and its backup paths (for --apply). */
static struct config *daemon_config(struct hctx *c, struct adm_paths *p, struct ctl_error *err)
{
	char path[PATH_MAX], why[200];
	struct cfg_diags dg = { 0 };
	adm_config_path(c->sock, NULL, path, sizeof(path));
	if (adm_paths_init(p, path, why, sizeof(why)) < 0) {
		ctl_error_set(err, CTL_E_FAILED, "%s", why);
		return NULL;
	}
	struct config *cfg = config_load_file(path, &dg);
	cfg_diags_free(&dg);
	if (!cfg)
		ctl_error_set(err, CTL_E_FAILED, "%s does not load (autonomyctl config validate)",
			      path);
	return cfg;
}

/* Recommendations, and with apply (or the action's default) written. */
static json_object *recommend(struct hctx *c, json_object *args, const char *dflt, bool tune,
			      bool apply, struct ctl_error *err)
{
	struct hist_q q;
	struct adm_paths p;
	if (query(c, args, dflt, &q, err) < 0)
		return NULL;
	struct config *cfg = daemon_config(c, &p, err);
	if (!cfg)
		return NULL;
	json_object *o = tune ? adm_tune(&q, cfg, arg_bool(args, "aggressive")) :
			 adm_config_optimize(&q, cfg);
	config_free(cfg);
	if (!o)
		return failed(c, err);
	json_object *list = json_object_object_get(o, tune ? "changes" : "recommendations");
	json_object_object_add(o, "applied", NULL);
	if (!apply || c->src->latest_anchor)
		return o;       /* a store of its own (--store) is not this daemon's history */
	bool any = false;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		any |= json_object_object_get(json_object_array_get_idx(list, i), "option") != NULL;
	if (!any)
		return o;
	json_object *r = adm_apply(c->sock, &p, list, err);
	if (!r) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "applied", r);
	return o;
}

static json_object *h_config_optimize(struct hctx *c, json_object *args, struct ctl_error *err)
{
	return recommend(c, args, "monthly", false, arg_bool(args, "apply"), err);
}

static json_object *h_optimize(struct hctx *c, json_object *args, struct ctl_error *err)
{
	return recommend(c, args, "daily", true, !arg_bool(args, "report"), err);
}

static const struct {
	const char *name;
	json_object *(*fn)(struct hctx *c, json_object *args, struct ctl_error *err);
} handlers[] = {
	{ "config_optimize", h_config_optimize }, { "optimize", h_optimize },
	{ "security_report", h_security_report },
	{ "metrics", h_metrics }, { "decisions", h_decisions }, { "analytics", h_analytics },
	{ "notifications", h_notifications }, { "report", h_report },
	{ "telemetry_export", h_export },
};

/* `decisions` without a store: the daemon's own recent ones. */
static json_object *decisions_from_daemon(const char *sock, json_object *args,
					  struct ctl_error *err)
{
	if (arg_str(args, "period") || arg_bool(args, "analysis")) {
		json_object_put(args);
		return NULL;
	}
	json_object_object_del(args, "security");
	return ctl_client_call(sock, "decisions", args, CTL_CLIENT_TIMEOUT_MS, err);
}

json_object *ctl_history_run(const char *sock, const char *store, const struct ctl_cmd_desc *cmd,
			     json_object *args, bool rpcd, FILE *out, struct ctl_error *err)
{
	struct source src;
	char msg[600];
	json_object *res = NULL;
	/* A month's report takes a core for a fraction of a second: on a busy
	 * router it gives way to the daemon's probes, not the other way round. */
	errno = 0;
	int prio = getpriority(PRIO_PROCESS, 0);
	if (errno == 0 && prio < HIST_NICE)
		setpriority(PRIO_PROCESS, 0, HIST_NICE);
	if (locate(sock, store, &src, err) < 0) {
		if (strcmp(cmd->name, "decisions") == 0 && !store &&
		    (res = decisions_from_daemon(sock, json_object_get(args), err)) != NULL) {
			json_object_put(args);
			return res;
		}
		/* No store, but the daemon's alerts: what it knows. */
		json_object *live = strcmp(cmd->name, "notifications") == 0 && !store ?
				    delivery_from_daemon(sock, args) : NULL;
		if (live) {
			res = json_object_new_object();
			json_object_object_add(res, "delivery", live);
			json_object_put(args);
			return res;
		}
		json_object_put(args);
		return NULL;
	}
	struct store *s = store_open(src.path, src.mode, 0, NULL, msg, sizeof(msg));
	if (!s) {
		/* The store is root's (0640): a member of main.socket_group may
		 * query the daemon but not read it; `decisions` asks the daemon. */
		bool denied = access(src.path, R_OK) < 0 && errno == EACCES;
		if (denied && strcmp(cmd->name, "decisions") == 0 && !store &&
		    (res = decisions_from_daemon(sock, json_object_get(args), err)) != NULL) {
			json_object_put(args);
			return res;
		}
		if (denied)
			ctl_error_set(err, CTL_E_PERMISSION, "%s: not readable by you; history "
				      "commands read the store themselves (run them as root, or "
				      "over ubus)", src.path);
		else
			ctl_error_set(err, CTL_E_FAILED, "history store: %s", msg);
		json_object_put(args);
		return NULL;
	}
	struct hctx c = { .s = s, .src = &src, .sock = sock, .rpcd = rpcd, .out = out };
	ctl_error_set(err, CTL_E_UNKNOWN_CMD, "'%s' is not a history command", cmd->name);
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i].name, cmd->name) == 0)
			res = handlers[i].fn(&c, args, err);
	store_close(s);
	json_object_put(args);
	return res;
}
