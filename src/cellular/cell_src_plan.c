/* cell_src_plan: what each tool runs in a poll cycle, in order, and what
 * each command's output means (the parsers of cell_parse.h). Steps run one
 * after another; a step's outcome decides the next (a gate that fails ends
 * the tool's cycle, a refused optional command is not asked again). */
#include "cellular/cell_src_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))
#define SIGNAL_RATE_S "5"       /* --signal-setup refresh: ModemManager polls that often */
#define SIGNAL_STRIKES 3

const char *const cell_tool_names[CT_N] = { "mmcli", "uqmi", "qmicli", "gsmctl" };

enum step {
	ST_START = 0,
	MM_LIST, MM_MODEM, MM_SIGNAL, MM_SETUP, MM_BEARER, MM_AT,
	UQ_SIGNAL, UQ_SERVING,
	QC_SIGNAL,
	GS_CSQ, GS_COPS, GS_REG, GS_CREG, GS_VENDOR,
	ST_END,
};

/* The vendors' AT commands, the serving-cell one first (as mmcli
 * --command and gsmctl -A take them, "AT" added for gsmctl). */
static const struct vendor {
	const char *name;       /* also what the manufacturer contains */
	const char *cmds[3];
} vendors[] = {
	{ "quectel", { "+QENG=\"servingcell\"", "+QNWINFO", NULL } },
	{ "sierra", { "!GSTATUS?", NULL, NULL } },
	{ "simcom", { "+CPSI?", NULL, NULL } },
	{ "fibocom", { "+XLEC?", "+RSRP?", "+RSRQ?" } },
};

int cell_vendor_of(const char *manufacturer)
{
	for (size_t i = 0; manufacturer && i < N_OF(vendors); i++)
		if (strcasestr(manufacturer, vendors[i].name))
			return (int)i;
	return -1;
}

const char *cell_vendor_name(int vendor)
{
	return vendor >= 0 && (size_t)vendor < N_OF(vendors) ? vendors[vendor].name : "unknown";
}

/* ---- output -> sample ------------------------------------------------------ */

static const char *p_list(struct cell_src *c, const char *out, size_t len, struct cell_sample *s)
{
	int idx[8];
	int n = cell_mmcli_list(out, len, idx, N_OF(idx));
	(void)s;
	if (n < 0)
		return "unrecognised output";
	if (n == 0)
		return "no modem";
	c->modem = idx[0];
	return NULL;
}

static const char *p_modem(struct cell_src *c, const char *out, size_t len, struct cell_sample *s)
{
	struct cell_modem_id id;
	/* JSON as asked; the text layout if a wrapper or an old mmcli prints it */
	if (cell_mmcli_modem_json(out, len, s, &id) && cell_mmcli_modem_text(out, len, s, &id))
		return "unrecognised output";
	c->id = id;
	if (c->vendor < 0)
		c->vendor = cell_vendor_of(id.manufacturer);
	return NULL;
}

static const char *p_signal(struct cell_src *c, const char *out, size_t len, struct cell_sample *s)
{
	struct cell_sample only;
	cell_sample_init(&only);
	if (cell_mmcli_signal_json(out, len, &only))
		return "unrecognised output";
	c->signal_empty = !cell_sample_has_signal(&only);
	cell_mmcli_signal_json(out, len, s);
	return NULL;
}

static const char *p_none(struct cell_src *c, const char *out, size_t len, struct cell_sample *s)
{
	(void)c, (void)out, (void)len, (void)s;
	return NULL;
}

static const char *p_bearer(struct cell_src *c, const char *out, size_t len, struct cell_sample *s)
{
	(void)c;
	return cell_mmcli_bearer_text(out, len, s) ? "unrecognised output" : NULL;
}

static const char *p_at(struct cell_src *c, const char *out, size_t len, struct cell_sample *s)
{
	(void)c;
	if (cell_at_error(out, len))
		return "ERROR";
	return cell_at_parse(out, len, s) ? "unrecognised output" : NULL;
}

static const char *p_uqmi_signal(struct cell_src *c, const char *out, size_t len,
				 struct cell_sample *s)
{
	(void)c;
	return cell_uqmi_signal(out, len, s) ? "unrecognised output" : NULL;
}

static const char *p_uqmi_serving(struct cell_src *c, const char *out, size_t len,
				  struct cell_sample *s)
{
	(void)c;
	return cell_uqmi_serving(out, len, s) ? "unrecognised output" : NULL;
}

static const char *p_qmicli(struct cell_src *c, const char *out, size_t len, struct cell_sample *s)
{
	(void)c;
	return cell_qmicli_signal(out, len, s) ? "unrecognised output" : NULL;
}

/* ---- building a command ------------------------------------------------------ */

__attribute__((format(printf, 2, 3)))
static void arg(struct cell_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	if (cmd->argc >= CELL_ARGS)
		return;
	va_start(ap, fmt);
	vsnprintf(cmd->args[cmd->argc], CELL_ARG_MAX, fmt, ap);
	va_end(ap);
	cmd->argc++;
}

static void begin(struct cell_src *c, int step, cell_parse_cb parse)
{
	struct cell_cmd *cmd = &c->cmd;
	memset(cmd, 0, sizeof(*cmd));
	cmd->step = step;
	cmd->parse = parse;
	/* argv[0] is the full path; the messages name the tool */
	arg(cmd, "%s", cell_tool_names[c->tool]);
}

static void modem_args(struct cell_src *c)
{
	arg(&c->cmd, "-m");
	arg(&c->cmd, "%d", c->modem);
}

static void qmi_args(struct cell_src *c)
{
	arg(&c->cmd, "-d");
	arg(&c->cmd, "%s", c->qmi_device);
}

/* gsmctl -A 'AT<cmd>' */
static void gsm_at(struct cell_src *c, int step, const char *at)
{
	begin(c, step, p_at);
	arg(&c->cmd, "-A");
	arg(&c->cmd, "AT%s", at);
}

/* ---- the plans ------------------------------------------------------------- */

/* The vendor's serving-cell report through ModemManager, while it is not
 * known to refuse it. */
static int mm_at_or_end(const struct cell_src *c)
{
	return c->vendor >= 0 && !c->mm_at_bad ? MM_AT : ST_END;
}

static int mm_after_signal(const struct cell_src *c)
{
	if (c->sample.state == CELL_MS_CONNECTED && c->id.bearer >= 0)
		return MM_BEARER;
	return mm_at_or_end(c);
}

static int mm_next(struct cell_src *c, int prev)
{
	switch (prev) {
	case ST_START:
		return c->modem < 0 ? MM_LIST : MM_MODEM;
	case MM_LIST:
		return MM_MODEM;
	case MM_MODEM:
		return c->signal_off ? mm_after_signal(c) : MM_SIGNAL;
	case MM_SIGNAL:
		return c->signal_empty && !c->setup_done ? MM_SETUP : mm_after_signal(c);
	case MM_SETUP:
		return mm_after_signal(c);
	case MM_BEARER:
		return mm_at_or_end(c);
	default:
		return ST_END;
	}
}

static void mm_build(struct cell_src *c, int step)
{
	switch (step) {
	case MM_LIST:
		begin(c, step, p_list);
		arg(&c->cmd, "-L");
		arg(&c->cmd, "-J");
		c->cmd.gate = true;
		break;
	case MM_MODEM:
		begin(c, step, p_modem);
		modem_args(c);
		arg(&c->cmd, "-J");
		c->cmd.gate = true;
		break;
	case MM_SIGNAL:
		begin(c, step, p_signal);
		modem_args(c);
		arg(&c->cmd, "--signal-get");
		arg(&c->cmd, "-J");
		break;
	case MM_SETUP:
		begin(c, step, p_none);
		modem_args(c);
		arg(&c->cmd, "--signal-setup=" SIGNAL_RATE_S);
		c->cmd.optional = true;
		break;
	case MM_BEARER:
		begin(c, step, p_bearer);
		arg(&c->cmd, "-b");
		arg(&c->cmd, "%d", c->id.bearer);
		break;
	case MM_AT:
		begin(c, step, p_at);
		modem_args(c);
		arg(&c->cmd, "--command=%s", vendors[c->vendor].cmds[0]);
		c->cmd.optional = true;
		break;
	}
}

/* gsmctl's vendor step: the known vendor's commands in turn, or, while the
 * vendor is unknown, the next untried vendor's first command. */
static bool gs_vendor(struct cell_src *c)
{
	if (c->vendor >= 0) {
		if (c->vstep >= (int)N_OF(vendors[0].cmds) || !vendors[c->vendor].cmds[c->vstep])
			return false;
		gsm_at(c, GS_VENDOR, vendors[c->vendor].cmds[c->vstep]);
		c->vstep++;
		return true;
	}
	for (size_t v = 0; v < N_OF(vendors); v++) {
		if (c->vendor_bad & (1u << v))
			continue;
		gsm_at(c, GS_VENDOR, vendors[v].cmds[0]);
		c->cmd.optional = true;
		c->vstep = (int)v;      /* the probe's vendor, until it answers */
		return true;
	}
	return false;
}

static bool gs_plan(struct cell_src *c, int prev)
{
	switch (prev) {
	case ST_START:
		gsm_at(c, GS_CSQ, "+CSQ");
		c->cmd.gate = true;
		return true;
	case GS_CSQ:
		gsm_at(c, GS_COPS, "+COPS?");
		return true;
	case GS_COPS:
		if (c->creg_only) {
			gsm_at(c, GS_CREG, "+CREG?");
		} else {
			gsm_at(c, GS_REG, "+CEREG?");
			c->cmd.optional = true;         /* refused: +CREG? instead */
		}
		return true;
	case GS_REG:
		if (c->creg_only) {                     /* +CEREG? was just refused */
			gsm_at(c, GS_CREG, "+CREG?");
			return true;
		}
		/* fall through */
	case GS_CREG:
		c->vstep = 0;
		return gs_vendor(c);
	case GS_VENDOR:
		return gs_vendor(c);
	default:
		return false;
	}
}

bool cell_plan_next(struct cell_src *c)
{
	int prev = c->step;
	switch (c->tool) {
	case CT_MMCLI: {
		int next = mm_next(c, prev);
		if (next == ST_END)
			return false;
		mm_build(c, next);
		break;
	}
	case CT_UQMI:
		if (prev == ST_START) {
			begin(c, UQ_SIGNAL, p_uqmi_signal);
			qmi_args(c);
			arg(&c->cmd, "--get-signal-info");
		} else if (prev == UQ_SIGNAL) {
			begin(c, UQ_SERVING, p_uqmi_serving);
			qmi_args(c);
			arg(&c->cmd, "--get-serving-system");
		} else {
			return false;
		}
		break;
	case CT_QMICLI:
		/* signal info only: no capture of --nas-get-serving-system's
		 * text exists to parse it from */
		if (prev != ST_START)
			return false;
		begin(c, QC_SIGNAL, p_qmicli);
		qmi_args(c);
		arg(&c->cmd, "-p");
		arg(&c->cmd, "--nas-get-signal-info");
		break;
	case CT_GSMCTL:
		if (!gs_plan(c, prev))
			return false;
		break;
	default:
		return false;
	}
	c->step = c->cmd.step;
	for (size_t i = 0; i < c->cmd.argc; i++)
		c->cmd.argv[i] = c->cmd.args[i];
	c->cmd.argv[c->cmd.argc] = NULL;
	return true;
}

void cell_plan_done(struct cell_src *c, bool ok)
{
	switch (c->cmd.step) {
	case MM_LIST:
		break;
	case MM_MODEM:
		/* a modem that was listed may come back under a new index (a
		 * reset): list again next time */
		if (!ok && c->modem_opt < 0)
			c->modem = -1;
		break;
	case MM_SIGNAL:
		c->signal_strikes = ok ? 0 : c->signal_strikes + 1;
		if (c->signal_strikes >= SIGNAL_STRIKES)
			c->signal_off = true;
		if (!ok)
			c->signal_empty = false;
		break;
	case MM_SETUP:
		c->setup_done = true;
		break;
	case MM_AT:
		if (!ok)
			c->mm_at_bad = true;
		break;
	case GS_REG:
		if (!ok)
			c->creg_only = true;
		break;
	case GS_VENDOR:
		if (c->vendor < 0) {
			if (ok) {
				c->vendor = c->vstep;
				c->vstep = 1;
			} else {
				c->vendor_bad |= 1u << c->vstep;
			}
		}
		break;
	}
}
