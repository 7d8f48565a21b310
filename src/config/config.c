/* config: UCI text → validated struct config. The raw structure comes from
 * config/uci, types and defaults from config/schema; this file walks the
 * sections, types every option and collects FILE:LINE diagnostics. Any error
 * discards the whole result so the daemon keeps its previous config. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"
#include "config/uci.h"

/* --- diagnostics ------------------------------------------------------- */

static void diags_push(struct cfg_load *c, enum cfg_severity sev, int line, char *msg)
{
	struct cfg_diags *d = c->diags;
	struct cfg_diag *grown;

	if (sev == CFG_ERROR)
		c->n_errors++; /* counted even when the caller wants no messages */
	if (!d || !msg) {
		free(msg);
		return;
	}
	grown = realloc(d->v, (d->n + 1) * sizeof(*d->v));
	if (!grown) {
		free(msg);
		if (sev == CFG_ERROR)
			d->n_errors++;
		return;
	}
	d->v = grown;
	d->v[d->n++] = (struct cfg_diag){ .severity = sev, .line = line, .msg = msg };
	if (sev == CFG_ERROR)
		d->n_errors++;
}

void cfg_diag(struct cfg_load *c, enum cfg_severity sev, int line, const char *fmt, ...)
{
	char body[512], *msg = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (line > 0)
		rc = asprintf(&msg, "%s:%d: %s", c->file, line, body);
	else
		rc = asprintf(&msg, "%s: %s", c->file, body);
	diags_push(c, sev, line, rc < 0 ? NULL : msg);
}

void cfg_diags_free(struct cfg_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	*d = (struct cfg_diags){ 0 };
}

/* "polling" for a global section, "member.wan" for a member, so a message
 * says which kind of section it is about. */
const char *cfg_label(const struct cfg_section *s, char *buf, size_t size)
{
	if (s->def->name)
		return s->def->name;
	snprintf(buf, size, "member.%s", s->name);
	return buf;
}

/* --- values -------------------------------------------------------------- */

static void value_clear(struct cfg_value *v)
{
	cfg_items_free(v->items, v->n_items);
	*v = (struct cfg_value){ 0 };
}

/* Parses text for option d into a fresh item array (list options split it). */
static int value_parse(const struct cfg_option_def *d, const char *text,
		       struct cfg_item **items, size_t *n, char *err, size_t errsz)
{
	if (d->flags & CFG_F_LIST)
		return cfg_parse_list(d, text, items, n, err, errsz);
	*items = calloc(1, sizeof(**items));
	if (!*items) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	*n = 1;
	if (cfg_parse_item(d, text, *items, err, errsz) == 0)
		return 0;
	*n = 0; /* the failed item holds nothing */
	return -1;
}

static void apply_default(struct cfg_load *c, struct cfg_section *s, size_t i)
{
	const struct cfg_option_def *d = &s->def->opts[i];
	struct cfg_value *v = &s->vals[i];
	char err[256], lb[96];

	value_clear(v);
	if (!d->def)
		return;
	if (value_parse(d, d->def, &v->items, &v->n_items, err, sizeof(err)) < 0) {
		value_clear(v);
		cfg_diag(c, CFG_ERROR, 0, "%s.%s: built-in default is invalid: %s",
			 cfg_label(s, lb, sizeof(lb)), d->name, err);
	}
}

static int section_init(struct cfg_load *c, struct cfg_section *s,
			const struct cfg_section_def *def, const char *name)
{
	*s = (struct cfg_section){ .def = def };
	s->name = strdup(name);
	s->vals = calloc(def->n_opts ? def->n_opts : 1, sizeof(*s->vals));
	if (!s->name || !s->vals)
		return -1;
	for (size_t i = 0; i < def->n_opts; i++)
		apply_default(c, s, i);
	return 0;
}

static void section_free(struct cfg_section *s)
{
	for (size_t i = 0; s->vals && i < s->def->n_opts; i++)
		value_clear(&s->vals[i]);
	free(s->vals);
	free(s->name);
}

/* Parses the values of one uci option into a fresh item array. `list` lines
 * each add items; an `option` is split only when the schema says it is a list. */
static int option_parse(const struct cfg_option_def *d, const struct uci_option *o,
			struct cfg_item **items, size_t *n, char *err, size_t errsz)
{
	if (!(d->flags & CFG_F_LIST)) {
		if (o->is_list) {
			snprintf(err, errsz, "takes a single value: use 'option %s', not 'list'",
				 d->name);
			return -1;
		}
		return value_parse(d, o->n_values ? o->values[0] : "", items, n, err, errsz);
	}
	for (size_t k = 0; k < o->n_values; k++)
		if (cfg_parse_list(d, o->values[k], items, n, err, errsz) < 0)
			return -1;
	return 0;
}

static void option_set(struct cfg_load *c, struct cfg_section *s, size_t idx,
		       const struct uci_option *o)
{
	const struct cfg_option_def *d = &s->def->opts[idx];
	struct cfg_value *v = &s->vals[idx];
	struct cfg_item *items = NULL;
	size_t n = 0;
	char err[320], lb[96];

	if (option_parse(d, o, &items, &n, err, sizeof(err)) < 0) {
		cfg_items_free(items, n);
		cfg_diag(c, CFG_ERROR, o->line, "%s.%s: %s", cfg_label(s, lb, sizeof(lb)),
			 d->name, err);
		/* The default stays, so the section remains consistent; the line
		 * records that the option was given, so checks such as "needs
		 * interface or device" do not pile a second error onto this one. */
		v->line = o->line;
		return;
	}
	value_clear(v);
	*v = (struct cfg_value){ .set = true, .line = o->line, .n_items = n, .items = items };
	/* Given a value, not merely defaulted or emptied: whoever wrote it
	 * expects it to work. */
	if (d->status == CFG_S_PLANNED && n && (!items[0].str || items[0].str[0]))
		cfg_diag(c, CFG_WARNING, o->line, "%s.%s: %s", cfg_label(s, lb, sizeof(lb)),
			 d->name, CFG_PLANNED_MSG);
}

static void unknown_option(struct cfg_load *c, const struct cfg_section *s,
			   const struct uci_option *o)
{
	const char *near = cfg_suggest_option(s->def, o->name);
	char lb[96];

	cfg_diag(c, CFG_WARNING, o->line, "%s: unknown option '%s'%s%s%s",
		 cfg_label(s, lb, sizeof(lb)), o->name, near ? " (did you mean '" : "",
		 near ? near : "", near ? "'?)" : "");
}

/* Options of one uci section into s. The UCI parser has already applied
 * libuci's rules for repeats (a later `option` replaces, `list` appends), so
 * each name comes once. */
static void section_load(struct cfg_load *c, struct cfg_section *s,
			 const struct uci_section *u)
{
	s->present = true;
	s->line = u->line;
	for (size_t j = 0; j < u->n_opts; j++) {
		const struct uci_option *o = &u->opts[j];
		int idx = cfg_option_index(s->def, o->name);

		if (idx < 0)
			unknown_option(c, s, o);
		else
			option_set(c, s, (size_t)idx, o);
	}
}

/* UCI merges a section opened twice under one name (libuci does, and so does
 * our parser), which hides a copy-pasted duplicate. Sections come in file
 * order, so an option of section i below the start of section i+1 means i
 * was opened again further down. Returns that option's line, or 0. */
static int reopened_at(const struct uci_package *pkg, size_t i)
{
	int next = i + 1 < pkg->n_secs ? pkg->secs[i + 1].line : 0, first = 0;
	const struct uci_section *u = &pkg->secs[i];

	for (size_t j = 0; next > 0 && j < u->n_opts; j++)
		if (u->opts[j].line > next && (!first || u->opts[j].line < first))
			first = u->opts[j].line;
	return first;
}

/* --- sections ------------------------------------------------------------ */

static void load_global(struct cfg_load *c, const struct uci_section *u, int again)
{
	const struct cfg_section_def *def = cfg_find_global_def(u->name);
	const char *near;
	struct cfg_section *s;

	if (!u->name) {
		cfg_diag(c, CFG_WARNING, u->line,
			 "anonymous 'autonomy' section is ignored "
			 "(name it, e.g. config autonomy 'main')");
		return;
	}
	if (!def) {
		near = cfg_suggest_section(u->name);
		cfg_diag(c, CFG_WARNING, u->line, "unknown section 'autonomy %s' is ignored%s%s%s",
			 u->name, near ? " (did you mean '" : "", near ? near : "",
			 near ? "'?)" : "");
		return;
	}
	if (again)
		cfg_diag(c, CFG_ERROR, again, "section '%s' is defined twice (first at line %d)",
			 u->name, u->line);
	s = &c->cfg->globals[def - cfg_global_sections];
	section_load(c, s, u);
}

static int load_member(struct cfg_load *c, const struct uci_section *u, int again)
{
	struct config *cfg = c->cfg;
	struct cfg_section *grown;

	if (!u->name) {
		cfg_diag(c, CFG_ERROR, u->line,
			 "member section has no name (use e.g. config member 'wan')");
		return 0;
	}
	if (again)
		cfg_diag(c, CFG_ERROR, again, "member '%s' is defined twice (first at line %d)",
			 u->name, u->line);
	grown = realloc(cfg->members, (cfg->n_members + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	cfg->members = grown;
	/* Count it before init so config_free frees a half-built one too. */
	if (section_init(c, &grown[cfg->n_members++], &cfg_member_section, u->name) < 0)
		return -1;
	section_load(c, &grown[cfg->n_members - 1], u);
	return 0;
}

static int load_sections(struct cfg_load *c, const struct uci_package *pkg)
{
	for (size_t i = 0; i < pkg->n_secs; i++) {
		const struct uci_section *u = &pkg->secs[i];

		if (strcmp(u->type, "autonomy") == 0)
			load_global(c, u, reopened_at(pkg, i));
		else if (strcmp(u->type, "member") == 0) {
			if (load_member(c, u, reopened_at(pkg, i)) < 0)
				return -1;
		} else
			cfg_diag(c, CFG_WARNING, u->line,
				 "section type '%s' is not used by autonomy", u->type);
	}
	return 0;
}

static struct config *config_new(struct cfg_load *c, const char *name)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	c->cfg = cfg;
	cfg->path = strdup(name);
	cfg->globals = calloc(cfg_n_global_sections, sizeof(*cfg->globals));
	if (!cfg->path || !cfg->globals)
		return NULL;
	cfg->n_globals = cfg_n_global_sections;
	for (size_t i = 0; i < cfg->n_globals; i++)
		if (section_init(c, &cfg->globals[i], &cfg_global_sections[i],
				 cfg_global_sections[i].name) < 0)
			return NULL;
	return cfg;
}

static struct config *config_build(const char *name, const struct uci_package *pkg,
				   struct cfg_diags *diags)
{
	struct cfg_load c = { .file = name, .diags = diags };

	if (!config_new(&c, name) || load_sections(&c, pkg) < 0) {
		cfg_diag(&c, CFG_ERROR, 0, "out of memory");
		config_free(c.cfg);
		return NULL;
	}
	cfg_check_members(&c);
	cfg_check_sections(&c);
	cfg_check_kinds(&c);
	if (c.n_errors) {
		config_free(c.cfg);
		return NULL;
	}
	return c.cfg;
}

/* One UCI syntax error rejects the file: nothing after it can be trusted. */
static void syntax_error(const char *name, const struct uci_error *e, struct cfg_diags *d)
{
	struct cfg_load c = { .file = name, .diags = d };

	cfg_diag(&c, CFG_ERROR, e->line, "%s", e->msg);
}

struct config *config_load_buf(const char *name, const char *buf, size_t len,
			       struct cfg_diags *diags)
{
	struct uci_package pkg = { 0 };
	struct uci_error err = { 0 };
	struct config *cfg;

	if (!name)
		name = "<buffer>";
	if (uci_parse(buf, len, &pkg, &err) < 0) {
		syntax_error(name, &err, diags);
		uci_package_free(&pkg);
		return NULL;
	}
	cfg = config_build(name, &pkg, diags);
	uci_package_free(&pkg);
	return cfg;
}

struct config *config_load_file(const char *path, struct cfg_diags *diags)
{
	struct uci_package pkg = { 0 };
	struct uci_error err = { 0 };
	struct config *cfg;

	if (uci_parse_file(path, &pkg, &err) < 0) {
		syntax_error(path, &err, diags);
		uci_package_free(&pkg);
		return NULL;
	}
	cfg = config_build(path, &pkg, diags);
	uci_package_free(&pkg);
	return cfg;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; cfg->globals && i < cfg_n_global_sections; i++)
		if (cfg->globals[i].def)
			section_free(&cfg->globals[i]);
	for (size_t i = 0; i < cfg->n_members; i++)
		section_free(&cfg->members[i]);
	free(cfg->globals);
	free(cfg->members);
	free(cfg->path);
	free(cfg);
}

/* --- lookups and getters ------------------------------------------------- */

const struct cfg_section *config_section(const struct config *cfg, const char *name)
{
	const struct cfg_section_def *def = cfg ? cfg_find_global_def(name) : NULL;

	return def ? &cfg->globals[def - cfg_global_sections] : NULL;
}

const struct cfg_section *config_member(const struct config *cfg, const char *name)
{
	for (size_t i = 0; cfg && name && i < cfg->n_members; i++)
		if (cfg->members[i].name && strcmp(cfg->members[i].name, name) == 0)
			return &cfg->members[i];
	return NULL;
}

/* A getter called with a wrong name or type is a bug in the caller, not bad
 * input: fail loudly so tests catch it. */
static __attribute__((noreturn)) void misuse(const struct cfg_section *s, const char *opt,
					    const char *why)
{
	fprintf(stderr, "config: %s option '%s' in section '%s'\n", why, opt ? opt : "(null)",
		s && s->def ? (s->def->name ? s->def->name : "member") : "(null)");
	abort();
}

const struct cfg_value *cfg_get(const struct cfg_section *s, const char *opt)
{
	int i = s && s->def ? cfg_option_index(s->def, opt) : -1;

	if (i < 0)
		misuse(s, opt, "unknown");
	return &s->vals[i];
}

/* The value of a scalar option of one of the given types. */
static const struct cfg_value *get_typed(const struct cfg_section *s, const char *opt,
					 unsigned type_mask)
{
	const struct cfg_value *v = cfg_get(s, opt);
	const struct cfg_option_def *d = &s->def->opts[v - s->vals];

	if (!(type_mask & (1u << d->type)) || (d->flags & CFG_F_LIST))
		misuse(s, opt, "wrong type for");
	return v;
}

#define TYPE_BIT(t) (1u << (t))

/* Options without a default read as 0 until set: check cfg_is_set() first. */
static long long get_num(const struct cfg_section *s, const char *opt, enum cfg_type t)
{
	const struct cfg_value *v = get_typed(s, opt, TYPE_BIT(t));

	return v->n_items ? v->items[0].num : 0;
}

bool cfg_bool(const struct cfg_section *s, const char *opt)
{
	return get_num(s, opt, CFG_BOOL) != 0;
}

long long cfg_int(const struct cfg_section *s, const char *opt)
{
	return get_num(s, opt, CFG_INT);
}

long long cfg_duration_ms(const struct cfg_section *s, const char *opt)
{
	return get_num(s, opt, CFG_DURATION);
}

int cfg_enum(const struct cfg_section *s, const char *opt)
{
	return (int)get_num(s, opt, CFG_ENUM);
}

const char *cfg_enum_str(const struct cfg_section *s, const char *opt)
{
	const struct cfg_value *v = get_typed(s, opt, TYPE_BIT(CFG_ENUM));

	return v->n_items ? s->def->opts[v - s->vals].enums[v->items[0].num] : NULL;
}

const char *cfg_str(const struct cfg_section *s, const char *opt)
{
	const unsigned str_types = TYPE_BIT(CFG_STRING) | TYPE_BIT(CFG_SECRET) |
		TYPE_BIT(CFG_IPADDR) | TYPE_BIT(CFG_CIDR) | TYPE_BIT(CFG_HOST) |
		TYPE_BIT(CFG_URL) | TYPE_BIT(CFG_EMAIL) | TYPE_BIT(CFG_IFNAME) |
		TYPE_BIT(CFG_TARGET);
	const struct cfg_value *v = get_typed(s, opt, str_types);

	return v->n_items ? v->items[0].str : NULL;
}

bool cfg_is_set(const struct cfg_section *s, const char *opt)
{
	return cfg_get(s, opt)->set;
}
