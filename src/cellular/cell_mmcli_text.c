/* cell_mmcli_text: mmcli's human layout (`mmcli -m N`, `mmcli -b N`):
 *
 *   ----------------------------------
 *   Status   |                   state: connected
 *            |          signal quality: 19% (recent)
 *   Modes    |              supported: allowed: 3g; preferred: none
 *            |                         allowed: 4g; preferred: none
 *
 * A section name left of '|' holds until the next one; keys are
 * right-aligned on the ':'. A line whose text starts at (or right of) the
 * value column of the key line above continues that value — its own ':'
 * ("slot 2: /org/...") is part of the value, not a key. */
#include "cellular/cell_util.h"

#include <string.h>

struct text_ctx {
	struct cell_sample *s;
	struct cell_modem_id *id;
	bool known;             /* a key of ours was seen */
};

typedef void (*text_fn)(struct text_ctx *c, struct cell_span v);

static void t_manufacturer(struct text_ctx *c, struct cell_span v)
{
	if (c->id && !cell_field_blank(v))
		cell_copy_text(c->id->manufacturer, sizeof(c->id->manufacturer), v);
}

static void t_model(struct text_ctx *c, struct cell_span v)
{
	if (c->id && !cell_field_blank(v))
		cell_copy_text(c->id->model, sizeof(c->id->model), v);
}

static void t_state(struct text_ctx *c, struct cell_span v)
{
	cell_mm_state(c->s, v);
}

static void t_reason(struct text_ctx *c, struct cell_span v)
{
	if (!cell_field_blank(v))
		cell_copy_text(c->s->state_reason, sizeof(c->s->state_reason), v);
}

/* "lte" or "lte, 5gnr" */
static void t_tech(struct text_ctx *c, struct cell_span v)
{
	struct cell_span f[8];
	struct cell_tech_acc acc = { CELL_TECH_UNKNOWN, "" };
	size_t n = cell_fields(v, f, 8);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		cell_copy_text(name, sizeof(name), f[i]);
		cell_tech_add(&acc, cell_tech_parse(name), f[i]);
	}
	cell_tech_commit(c->s, &acc, false);
}

/* "19% (recent)", "0% (cached)" */
static void t_quality(struct text_ctx *c, struct cell_span v)
{
	long pct;
	if (!cell_span_lead_long(v, &pct)) {
		long open = cell_span_find(v, '(');
		bool recent = open >= 0 && cell_span_iprefix(cell_span_from(v, (size_t)open + 1),
							      "recent");
		cell_mm_quality(c->s, pct, recent);
	}
}

static void t_opcode(struct text_ctx *c, struct cell_span v)
{
	if (!cell_field_blank(v))
		cell_copy_text(c->s->operator_code, sizeof(c->s->operator_code), v);
}

static void t_opname(struct text_ctx *c, struct cell_span v)
{
	if (!cell_field_blank(v))
		cell_copy_text(c->s->operator_name, sizeof(c->s->operator_name), v);
}

static void t_reg(struct text_ctx *c, struct cell_span v)
{
	cell_mm_reg(c->s, v);
}

/* "paths: /org/freedesktop/ModemManager1/Bearer/3" (first of a list) */
static void t_bearer(struct text_ctx *c, struct cell_span v)
{
	struct cell_span f[1];
	if (c->id && c->id->bearer < 0 && cell_fields(v, f, 1) == 1)
		c->id->bearer = cell_mm_path_index(f[0], "Bearer");
}

static void t_rx(struct text_ctx *c, struct cell_span v)
{
	long long n;
	if (!cell_span_llong(v, &n) && n >= 0)
		c->s->bearer_rx_bytes = n;
}

static void t_tx(struct text_ctx *c, struct cell_span v)
{
	long long n;
	if (!cell_span_llong(v, &n) && n >= 0)
		c->s->bearer_tx_bytes = n;
}

/* "path: /org/freedesktop/ModemManager1/Bearer/3": proves the layout */
static void t_path(struct text_ctx *c, struct cell_span v)
{
	(void)c;
	(void)v;
}

struct text_key {
	const char *section, *key;
	text_fn fn;
};

static const struct text_key modem_keys[] = {
	{ "General", "path", t_path },
	{ "Hardware", "manufacturer", t_manufacturer },
	{ "Hardware", "model", t_model },
	{ "Status", "state", t_state },
	{ "Status", "failed reason", t_reason },
	{ "Status", "access tech", t_tech },
	{ "Status", "signal quality", t_quality },
	{ "3GPP", "operator id", t_opcode },
	{ "3GPP", "operator name", t_opname },
	{ "3GPP", "registration", t_reg },
	{ "Bearer", "paths", t_bearer },
	{ NULL, NULL, NULL },
};

static const struct text_key bearer_keys[] = {
	{ "General", "path", t_path },
	{ "Statistics", "bytes rx", t_rx },
	{ "Statistics", "bytes tx", t_tx },
	{ NULL, NULL, NULL },
};

static void dispatch(struct text_ctx *c, const struct text_key *keys, struct cell_span sec,
		     struct cell_span key, struct cell_span val)
{
	for (const struct text_key *k = keys; k->key; k++) {
		if (cell_span_ieq(sec, k->section) && cell_span_ieq(key, k->key)) {
			k->fn(c, val);
			c->known = true;
			return;
		}
	}
}

static void walk(const char *text, size_t len, struct text_ctx *c, const struct text_key *keys)
{
	struct cell_span line, sec = { "", 0 };
	size_t pos = 0, value_col = 0;
	while (cell_next_line(text, len, &pos, &line)) {
		long bar = cell_span_find(line, '|');
		if (bar < 0) {
			value_col = 0;          /* a "-----" rule or a foreign line */
			continue;
		}
		struct cell_span left = cell_trim(cell_span_of(line.p, (size_t)bar));
		struct cell_span right = cell_span_from(line, (size_t)bar + 1);
		struct cell_span body = cell_trim(right);
		if (left.n)
			sec = left;
		else if (value_col && body.n && (size_t)(body.p - line.p) >= value_col)
			continue;               /* continuation of the value above */
		long colon = cell_span_find(body, ':');
		if (colon <= 0)
			continue;
		struct cell_span key = cell_trim(cell_span_of(body.p, (size_t)colon));
		struct cell_span val = cell_trim(cell_span_from(body, (size_t)colon + 1));
		/* the column where this key's value starts (colon + one blank) */
		value_col = (size_t)(body.p - line.p) + (size_t)colon + 2;
		dispatch(c, keys, sec, key, val);
	}
}

int cell_mmcli_modem_text(const char *text, size_t len, struct cell_sample *s,
			  struct cell_modem_id *id)
{
	struct cell_modem_id tmp;
	struct text_ctx c = { s, id ? id : &tmp, false };
	memset(c.id, 0, sizeof(*c.id));
	c.id->bearer = -1;
	walk(text, len, &c, modem_keys);
	if (!c.known)
		return -1;
	cell_set_source(s, "mmcli");
	return 0;
}

int cell_mmcli_bearer_text(const char *text, size_t len, struct cell_sample *s)
{
	struct text_ctx c = { s, NULL, false };
	walk(text, len, &c, bearer_keys);
	if (!c.known)
		return -1;
	cell_set_source(s, "mmcli");
	return 0;
}
