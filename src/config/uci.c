/* uci: a reader for OpenWrt's UCI files that gives the structure libuci's
 * uci_load() would build (what `uci show` prints), written from a reading of
 * libuci's source (openwrt/uci: file.c, util.c, list.c, libuci.c).
 *
 * The facts this file relies on, all from that source:
 *  - Input is read line by line; a line is split into commands by ';' and a
 *    command word is found with strtok(" \t") (file.c uci_parse_line), so
 *    only blanks end it: "config\n" is the word "config\n", an invalid
 *    command. The first letter alone also names a command ("c", "o", ...).
 *  - Arguments are separated by isspace() characters; quoted and unquoted
 *    pieces that touch are one argument; '#' outside quotes ends the line
 *    (file.c parse_str).
 *  - A backslash (unquoted or in double quotes) takes the next character as
 *    it is - no \n or \t decoding - and before a line end joins the next line
 *    (file.c parse_backslash). Single quotes take everything literally.
 *  - A quote left open at the end of a line goes on with the next line, so
 *    values can hold newlines; at EOF it is "EOF with unterminated '" or
 *    "EOF with unterminated \"".
 *  - libuci's context is strict by default (libuci.c uci_alloc_context sets
 *    UCI_FLAG_STRICT), so extra arguments and a named section reopened with
 *    another type are errors, and the first error stops the parse.
 *  - Names: section and option names are [A-Za-z0-9_]; package names also
 *    allow '-'; types allow any printable ASCII but space (33..126)
 *    (util.c uci_validate_str).
 *  - Repeats (list.c uci_set, uci_add_list): see set_option/add_list.
 *
 * Where we differ on purpose: a NUL byte is an error (libuci's fgets/strlen
 * reader silently garbles such a line), a final line without '\n' still
 * counts as a line, an unterminated quote is reported at the line where it
 * opened (libuci reports the last line of the file), and every `package`
 * statement after the first is checked but otherwise ignored, as uci_load()
 * ignores them all. Anonymous sections keep a NULL name where libuci makes
 * up "cfgXXYYYY", so a named section can never land on one of them. Other
 * errors are reported at the line being read when they are found. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/uci.h"

#include "core/fsutil.h"

#define NO_SEC SIZE_MAX         /* index key of a section name; "no section" */
#define NOT_FOUND SIZE_MAX

/* One argument while it is being unquoted. */
struct strbuf {
	char *s;
	size_t len;
	size_t cap;
};

/* An option while parsing. libuci keeps options in a linked list and moves a
 * re-created option to its tail; stamping a sequence number instead and
 * sorting once at the end keeps a repeat O(1) on huge files. */
struct optrec {
	struct uci_option opt;
	size_t sec;
	size_t seq;
	size_t cap;             /* slots allocated in opt.values */
};

/* Open-addressing hash of (section, option name) -> optrec and of
 * (NO_SEC, section name) -> section, so lookups are not linear. */
struct slot {
	size_t sec;
	size_t idx;
	int used;
};

struct parser {
	const char *buf;
	size_t len;
	size_t pos;             /* read position */
	size_t end;             /* end of what is loaded: libuci's NUL */
	size_t next;            /* start of the next physical line */
	int line;               /* number of the last line loaded */
	struct uci_package *pkg;
	size_t sec_cap;
	size_t cur_sec;         /* section options go to, or NO_SEC */
	struct optrec *recs;
	size_t n_recs, rec_cap;
	size_t seq;
	struct slot *slots;
	size_t n_slots, slot_cap;
	char **anon;            /* libuci's name of each anonymous section */
	size_t anon_cap;
	struct strbuf arg[3];   /* a command's arguments */
	struct uci_error *err;
};

enum name_kind { NAME_PLAIN, NAME_PACKAGE, NAME_TYPE };
enum command { CMD_NONE, CMD_PACKAGE, CMD_CONFIG, CMD_OPTION, CMD_LIST };

/* --- errors and small helpers -------------------------------------------- */

static int fail_at(struct parser *p, int line, const char *msg)
{
	p->err->line = line;
	snprintf(p->err->msg, sizeof(p->err->msg), "%s", msg);
	return -1;
}

static int fail(struct parser *p, const char *msg)
{
	return fail_at(p, p->line, msg);
}

static int nomem(struct parser *p)
{
	return fail(p, "out of memory");
}

/* Room for `need` elements of `size` bytes: the (maybe moved) array, or NULL
 * with arr untouched. */
static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *tmp;

	if (need <= *cap)
		return arr;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return NULL;
		n *= 2;
	}
	if (n > SIZE_MAX / size || !(tmp = realloc(arr, n * size)))
		return NULL;
	*cap = n;
	return tmp;
}

static int sb_putc(struct strbuf *sb, char c)
{
	char *s = grow(sb->s, &sb->cap, sb->len + 2, 1);

	if (!s)
		return -1;
	sb->s = s;
	s[sb->len++] = c;
	s[sb->len] = '\0';
	return 0;
}

static const char *sb_str(const struct strbuf *sb)
{
	return sb->len ? sb->s : "";
}

static void free_option(struct uci_option *o)
{
	for (size_t i = 0; i < o->n_values; i++)
		free(o->values[i]);
	free(o->values);
	free(o->name);
}

/* --- characters ------------------------------------------------------------ */

/* isspace() in the C locale: what separates arguments in libuci. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* strtok(" \t"): what ends a command word in libuci. */
static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* util.c uci_validate_str(): names are [A-Za-z0-9_], a package name may
 * also hold '-', a type any printable ASCII character but space. */
static int valid_name(const char *s, size_t n, enum name_kind kind)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_word_char(c) || (kind == NAME_PACKAGE && c == '-'))
			continue;
		if (kind != NAME_TYPE || c < 33 || c > 126)
			return 0;
	}
	return n > 0;
}

/* --- the input, as libuci's line buffer sees it -------------------------- */

/* The character at the read position, or NUL at the end of what is loaded. */
static char cur(const struct parser *p)
{
	return p->pos < p->end ? p->buf[p->pos] : '\0';
}

/* Load the next physical line (libuci's uci_getln): reading goes on at its
 * start. False at the end of the input. */
static int load_line(struct parser *p)
{
	const char *nl;

	p->pos = p->end = p->next;
	if (p->next >= p->len)
		return 0;
	nl = memchr(p->buf + p->next, '\n', p->len - p->next);
	p->end = p->next = nl ? (size_t)(nl - p->buf) + 1 : p->len;
	p->line++;
	return 1;
}

/* libuci writes a NUL here ('#', and see read_word for ';'): the rest of the
 * loaded text is never looked at. */
static void cut_line(struct parser *p)
{
	p->end = p->pos;
}

static void skip_space(struct parser *p)
{
	while (is_space(cur(p)))
		p->pos++;
}

/* --- arguments ------------------------------------------------------------ */

/* At a backslash. Before a line end (\n, \r\n or the end of the input) the
 * argument goes on with the next line and false is returned; otherwise the
 * next character is taken as it is, undecoded, and true is returned. */
static int backslash(struct parser *p)
{
	char c;

	p->pos++;
	c = cur(p);
	if (c == '\0' || c == '\n' ||
	    (c == '\r' && p->pos + 2 == p->end && p->buf[p->pos + 1] == '\n')) {
		load_line(p);
		return 0;
	}
	return 1;
}

/* A quoted piece; the read position is at the opening quote. Backslashes
 * only mean something inside double quotes. */
static int read_quoted(struct parser *p, struct strbuf *out)
{
	char q = cur(p);
	int opened = p->line;

	p->pos++;
	for (;;) {
		char c = cur(p);

		if (c == q)
			break;
		if (c == '\0') {
			/* The value goes on with the next line, newline and all. */
			if (!load_line(p))
				return fail_at(p, opened, q == '"' ?
					       "EOF with unterminated \"" :
					       "EOF with unterminated '");
			continue;
		}
		if (c == '\\' && q == '"' && !backslash(p))
			continue;
		if (sb_putc(out, cur(p)))
			return nomem(p);
		p->pos++;
	}
	p->pos++;
	return 0;
}

/* An argument that does not start with ';' (libuci parse_str). `plain` says
 * whether every character so far was copied as it is: libuci unquotes in
 * place, so then the NUL that ends the argument lands on a ';' that stops it
 * and the rest of the line is lost ("option a b;option c d" sets only a),
 * while after a quote or backslash the ';' survives to end the command. */
static int read_word(struct parser *p, struct strbuf *out)
{
	int plain = 1;

	do {
		char c = cur(p);

		if (c == '\'' || c == '"') {
			plain = 0;
			if (read_quoted(p, out))
				return -1;
			continue;
		}
		if (c == '\0')
			return 0;
		if (c == '#' || (c == ';' && plain)) {
			cut_line(p);
			return 0;
		}
		if (c == ';')
			return 0;
		if (c == '\\') {
			plain = 0;
			if (!backslash(p))
				continue;
		}
		if (sb_putc(out, cur(p)))
			return nomem(p);
		p->pos++;
	} while (cur(p) != '\0' && !is_space(cur(p)));
	if (cur(p) != '\0')
		p->pos++;
	return 0;
}

/* The next argument (libuci next_arg); empty when there is none. A lone ';'
 * is an empty argument, after which the line may hold another command. */
static int read_arg(struct parser *p, struct strbuf *out)
{
	out->len = 0;
	skip_space(p);
	if (cur(p) == ';') {
		p->pos++;
		return 0;
	}
	return read_word(p, out);
}

/* libuci next_arg() checks a missing argument first, then its characters. */
static int check_name(struct parser *p, const struct strbuf *sb,
		      enum name_kind kind, int required)
{
	if (sb->len == 0)
		return required ? fail(p, "insufficient arguments") : 0;
	if (valid_name(sb->s, sb->len, kind))
		return 0;
	return fail(p, kind == NAME_TYPE ? "invalid character in type field" :
		    "invalid character in name field");
}

/* libuci assert_eol(): in strict mode a non-empty extra argument is an
 * error; an empty one ('' or ';') is not. */
static int expect_end(struct parser *p)
{
	struct strbuf *extra = &p->arg[2];

	if (read_arg(p, extra))
		return -1;
	return extra->len ? fail(p, "too many arguments") : 0;
}

/* --- the name index ------------------------------------------------------- */

static size_t hash_key(size_t sec, const char *name)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	h ^= (uint64_t)sec * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h ^ (h >> 29));
}

static const char *slot_name(const struct parser *p, const struct slot *s)
{
	if (s->sec == NO_SEC)
		return p->pkg->secs[s->idx].name ? p->pkg->secs[s->idx].name : p->anon[s->idx];
	return p->recs[s->idx].opt.name;
}

static size_t index_find(const struct parser *p, size_t sec, const char *name)
{
	size_t mask = p->slot_cap - 1, i;

	if (!p->slot_cap)
		return NOT_FOUND;
	for (i = hash_key(sec, name) & mask; p->slots[i].used; i = (i + 1) & mask) {
		const struct slot *s = &p->slots[i];

		if (s->sec == sec && !strcmp(slot_name(p, s), name))
			return s->idx;
	}
	return NOT_FOUND;
}

static void index_place(struct parser *p, struct slot e)
{
	size_t mask = p->slot_cap - 1;
	size_t i = hash_key(e.sec, slot_name(p, &e)) & mask;

	while (p->slots[i].used)
		i = (i + 1) & mask;
	p->slots[i] = e;
}

/* Index entry `idx` (a section if sec is NO_SEC, else an optrec); keeps
 * the table at most half full. */
static int index_add(struct parser *p, size_t sec, size_t idx)
{
	struct slot e = { sec, idx, 1 };

	if ((p->n_slots + 1) * 2 > p->slot_cap) {
		struct slot *old = p->slots;
		size_t old_cap = p->slot_cap, cap = old_cap ? old_cap * 2 : 64;

		if (cap > SIZE_MAX / sizeof(*old) ||
		    !(p->slots = calloc(cap, sizeof(*old)))) {
			p->slots = old;
			return -1;
		}
		p->slot_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].used)
				index_place(p, old[i]);
		free(old);
	}
	index_place(p, e);
	p->n_slots++;
	return 0;
}

/* --- building the package ------------------------------------------------- */

/* libuci names an anonymous section when it creates it (list.c
 * uci_fixup_section(), before any option): "cfg", the package's section
 * count in hex, then djbhash(type) mod 2^16. The name is not ours to show,
 * but it is taken: a later `config TYPE 'cfg0a1b2c'` reopens that section
 * (same type) or is an error (another type), as in libuci. */
static char *libuci_anon_name(const char *type, size_t n_sections)
{
	unsigned int hash = 5381;
	char buf[32];

	for (; *type; type++)
		hash = ((hash << 5) + hash) + (unsigned int)(signed char)*type;
	snprintf(buf, sizeof(buf), "cfg%02x%04x", (unsigned int)n_sections, hash % (1u << 16));
	return strdup(buf);
}

static int name_anon(struct parser *p, size_t idx, const char *type)
{
	if (!(p->anon[idx] = libuci_anon_name(type, idx + 1)))
		return nomem(p);
	/* libuci adds the name to the section list: the first one found wins */
	if (index_find(p, NO_SEC, p->anon[idx]) != NOT_FOUND)
		return 0;
	return index_add(p, NO_SEC, idx) ? nomem(p) : 0;
}

/* A new section, which the following options go to. */
static int add_section(struct parser *p, const char *type, const char *name,
		       int line)
{
	struct uci_package *pkg = p->pkg;
	struct uci_section *s = grow(pkg->secs, &p->sec_cap, pkg->n_secs + 1,
				     sizeof(*s));

	if (!s)
		return nomem(p);
	pkg->secs = s;
	s = &pkg->secs[pkg->n_secs];
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->type = strdup(type);
	s->name = name ? strdup(name) : NULL;
	if (!s->type || (name && !s->name)) {
		free(s->type);
		free(s->name);
		return nomem(p);
	}
	p->cur_sec = pkg->n_secs++;
	char **anon = grow(p->anon, &p->anon_cap, pkg->n_secs, sizeof(*anon));
	if (!anon)
		return nomem(p);
	p->anon = anon;
	anon[p->cur_sec] = NULL;
	if (!name)
		return name_anon(p, p->cur_sec, type);
	if (index_add(p, NO_SEC, p->cur_sec))
		return nomem(p);
	return 0;
}

/* `config TYPE NAME` with a name already used: libuci's uci_set() finds the
 * section and only sets its type, so it keeps its place and later options
 * merge into it; strict mode refuses a change of type. */
static int open_named(struct parser *p, const char *type, const char *name,
		      int line)
{
	size_t i = index_find(p, NO_SEC, name);

	if (i == NOT_FOUND)
		return add_section(p, type, name, line);
	if (strcmp(p->pkg->secs[i].type, type))
		return fail(p, "section of different type overwrites prior "
			    "section with same name");
	p->cur_sec = i;
	return 0;
}

static struct optrec *find_rec(struct parser *p, const char *name)
{
	size_t i = index_find(p, p->cur_sec, name);

	return i == NOT_FOUND ? NULL : &p->recs[i];
}

/* A new, still empty option of the current section. */
static struct optrec *new_rec(struct parser *p, const char *name)
{
	struct optrec *r = grow(p->recs, &p->rec_cap, p->n_recs + 1, sizeof(*r));

	if (!r) {
		nomem(p);
		return NULL;
	}
	p->recs = r;
	r = &p->recs[p->n_recs];
	memset(r, 0, sizeof(*r));
	if (!(r->opt.name = strdup(name))) {
		nomem(p);
		return NULL;
	}
	r->sec = p->cur_sec;
	r->seq = ++p->seq;
	if (index_add(p, r->sec, p->n_recs++)) {
		nomem(p);
		return NULL;
	}
	return r;
}

/* Append v, which the record owns from then on. */
static int push_value(struct optrec *r, char *v)
{
	char **vals = grow(r->opt.values, &r->cap, r->opt.n_values + 1,
			   sizeof(*vals));

	if (!vals)
		return -1;
	r->opt.values = vals;
	vals[r->opt.n_values++] = v;
	return 0;
}

static void drop_values(struct optrec *r)
{
	for (size_t i = 0; i < r->opt.n_values; i++)
		free(r->opt.values[i]);
	r->opt.n_values = 0;
}

/* `option NAME VALUE`, as list.c uci_set() applies it for the parser:
 *  - an empty value changes nothing: uci_set() would delete, but only for a
 *    "lookup complete" pointer, which the parser's never is;
 *  - the same string again changes nothing and keeps the option's place;
 *  - anything else (another value, or over a list) replaces the option in
 *    its place: uci_alloc_option() inserts the new one right after the old
 *    one, which is then freed (libuci before 2023 appended it at the end;
 *    the differential test against the vendored libuci keeps us honest). */
static int set_option(struct parser *p, const char *name, const char *value,
		      int line)
{
	struct optrec *r;
	char *v;

	if (!*value)
		return 0;
	r = find_rec(p, name);
	if (r && !r->opt.is_list && !strcmp(r->opt.values[0], value)) {
		r->opt.line = line;
		return 0;
	}
	if (!(v = strdup(value)))
		return nomem(p);
	if (!r && !(r = new_rec(p, name))) {
		free(v);
		return -1;
	}
	drop_values(r);
	if (push_value(r, v)) {
		free(v);
		return nomem(p);
	}
	r->opt.is_list = false;
	r->opt.line = line;
	return 0;
}

/* `list NAME VALUE`, as list.c uci_add_list() does it: appends to a list in
 * place; a string option becomes a list of its old value and the new one,
 * in the option's place. An empty value is an item too. */
static int add_list(struct parser *p, const char *name, const char *value,
		    int line)
{
	struct optrec *r = find_rec(p, name);
	char *v = strdup(value);

	if (!v)
		return nomem(p);
	if (!r && !(r = new_rec(p, name))) {
		free(v);
		return -1;
	}
	if (push_value(r, v)) {
		free(v);
		return nomem(p);
	}
	r->opt.is_list = true;
	r->opt.line = line;
	return 0;
}

/* --- commands ------------------------------------------------------------- */

/* `package NAME`. uci_load() passes single=true to uci_import(), which
 * checks the statement and then ignores it; we keep the first name. A
 * command word at the very end of the input has no room for arguments:
 * that is libuci's "... without name" (uci_increase_pos fails). */
static int cmd_package(struct parser *p, int at_end)
{
	struct strbuf *name = &p->arg[0];

	if (at_end)
		return fail(p, "package without name");
	if (read_arg(p, name) || check_name(p, name, NAME_PACKAGE, 1) ||
	    expect_end(p))
		return -1;
	if (!p->pkg->name && !(p->pkg->name = strdup(name->s)))
		return nomem(p);
	return 0;
}

/* `config TYPE [NAME]`; an empty NAME ('' or none) is an anonymous section,
 * and anonymous sections never merge. */
static int cmd_config(struct parser *p, int at_end, int line)
{
	struct strbuf *type = &p->arg[0], *name = &p->arg[1];

	if (at_end)
		return fail(p, "config without name");
	if (read_arg(p, type) || check_name(p, type, NAME_TYPE, 1) ||
	    read_arg(p, name) || check_name(p, name, NAME_PLAIN, 0) ||
	    expect_end(p))
		return -1;
	if (!name->len)
		return add_section(p, type->s, NULL, line);
	return open_named(p, type->s, name->s, line);
}

/* `option NAME [VALUE]` and `list NAME [VALUE]` (one function in libuci,
 * hence one "option without name" for both). */
static int cmd_option(struct parser *p, int at_end, int list, int line)
{
	struct strbuf *name = &p->arg[0], *value = &p->arg[1];

	if (p->cur_sec == NO_SEC)
		return fail(p, "option/list command found before the first section");
	if (at_end)
		return fail(p, "option without name");
	if (read_arg(p, name) || check_name(p, name, NAME_PLAIN, 1) ||
	    read_arg(p, value) || expect_end(p))
		return -1;
	if (list)
		return add_list(p, name->s, sb_str(value), line);
	return set_option(p, name->s, sb_str(value), line);
}

/* A command word: the full keyword or its first letter alone. */
static enum command command_of(const char *w, size_t n)
{
	static const char *const names[] = {
		[CMD_PACKAGE] = "package", [CMD_CONFIG] = "config",
		[CMD_OPTION] = "option", [CMD_LIST] = "list",
	};

	for (int c = CMD_PACKAGE; c <= CMD_LIST; c++)
		if ((n == 1 || n == strlen(names[c])) && !memcmp(w, names[c], n))
			return (enum command)c;
	return CMD_NONE;
}

static int run_command(struct parser *p, enum command c, int at_end, int line)
{
	switch (c) {
	case CMD_PACKAGE:
		return cmd_package(p, at_end);
	case CMD_CONFIG:
		return cmd_config(p, at_end, line);
	case CMD_OPTION:
	case CMD_LIST:
		return cmd_option(p, at_end, c == CMD_LIST, line);
	default:
		return fail(p, "invalid command");
	}
}

/* One line (and whatever lines its quotes and continuations pull in), which
 * may hold several commands: after the first, only blanks are skipped
 * before the next word, as strtok does. */
static int parse_line(struct parser *p)
{
	skip_space(p);
	for (;;) {
		size_t start, n;
		int at_end, line = p->line;

		while (is_blank(cur(p)))
			p->pos++;
		if (cur(p) == '\0' || cur(p) == '#')
			return 0;
		for (start = p->pos; cur(p) != '\0' && !is_blank(cur(p));)
			p->pos++;
		n = p->pos - start;
		at_end = p->pos == p->end;
		if (!at_end)
			p->pos++;       /* the blank strtok turned into a NUL */
		if (run_command(p, command_of(p->buf + start, n), at_end, line))
			return -1;
	}
}

/* --- finishing ------------------------------------------------------------- */

static int cmp_rec(const void *a, const void *b)
{
	const struct optrec *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void drop_opts(struct uci_package *pkg)
{
	for (size_t i = 0; i < pkg->n_secs; i++) {
		free(pkg->secs[i].opts);
		pkg->secs[i].opts = NULL;
		pkg->secs[i].n_opts = 0;
	}
}

/* Hand every option to its section, in libuci's list order. */
static int finish(struct parser *p)
{
	struct uci_package *pkg = p->pkg;
	size_t i, k;

	for (i = 0; i < p->n_recs; i++)
		pkg->secs[p->recs[i].sec].n_opts++;
	for (i = 0; i < pkg->n_secs; i++) {
		struct uci_section *s = &pkg->secs[i];

		if (s->n_opts && !(s->opts = calloc(s->n_opts, sizeof(*s->opts)))) {
			drop_opts(pkg);
			return nomem(p);
		}
	}
	if (p->n_recs > 1)
		qsort(p->recs, p->n_recs, sizeof(*p->recs), cmp_rec);
	for (i = 0; i < p->n_recs; i = k) {
		struct uci_section *s = &pkg->secs[p->recs[i].sec];

		for (k = i; k < p->n_recs && p->recs[k].sec == p->recs[i].sec; k++)
			s->opts[k - i] = p->recs[k].opt;
	}
	p->n_recs = 0;          /* the sections own the strings now */
	return 0;
}

static void parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->n_recs; i++)
		free_option(&p->recs[i].opt);
	free(p->recs);
	free(p->slots);
	for (size_t i = 0; p->anon && i < p->pkg->n_secs; i++)
		free(p->anon[i]);
	free(p->anon);
	for (size_t i = 0; i < sizeof(p->arg) / sizeof(p->arg[0]); i++)
		free(p->arg[i].s);
}

/* A NUL byte is refused up front (libuci's strlen-based reader would drop
 * text after it), at its line; the size limit keeps line numbers in an int. */
static int check_input(struct parser *p)
{
	const char *nul;
	int line = 1;

	if (p->len > INT_MAX)
		return fail_at(p, 0, "input too large");
	nul = p->len ? memchr(p->buf, '\0', p->len) : NULL;
	if (!nul)
		return 0;
	for (const char *c = p->buf; c < nul; c++)
		line += *c == '\n';
	return fail_at(p, line, "NUL byte in input");
}

/* --- public API -------------------------------------------------------------- */

int uci_parse(const char *buf, size_t len, struct uci_package *out,
	      struct uci_error *err)
{
	struct uci_error dummy;
	struct parser p;
	int rc;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.buf = buf;
	p.len = buf ? len : 0;
	p.pkg = out;
	p.cur_sec = NO_SEC;
	p.err = err;
	rc = check_input(&p);
	while (rc == 0 && load_line(&p))
		rc = parse_line(&p);
	if (rc == 0)
		rc = finish(&p);
	parser_free(&p);
	if (rc)
		uci_package_free(out);
	return rc;
}

/* The whole file into *buf (malloc'd). A config is read by root, also on
 * request of a control client: only a regular file (a FIFO or a device
 * would block the daemon's loop or feed it without end) of at most
 * UCI_MAX_FILE bytes. */
static int read_all(const char *path, char **buf, size_t *len,
		    struct uci_error *err)
{
	*buf = fs_read_file(path, UCI_MAX_FILE, len);
	if (!*buf) {
		int e = errno;
		err->line = 0;
		if (e == EFBIG)
			snprintf(err->msg, sizeof(err->msg), "cannot read file: larger than %u bytes",
				 UCI_MAX_FILE);
		else
			snprintf(err->msg, sizeof(err->msg), "cannot %s file: %s",
				 e == EINVAL ? "read" : "open", fs_read_strerror(e));
		return -1;
	}
	return 0;
}

int uci_parse_file(const char *path, struct uci_package *out,
		   struct uci_error *err)
{
	struct uci_error dummy;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	if (read_all(path, &buf, &len, err))
		return -1;
	rc = uci_parse(buf, len, out, err);
	free(buf);
	return rc;
}

void uci_package_free(struct uci_package *pkg)
{
	if (!pkg)
		return;
	for (size_t i = 0; i < pkg->n_secs; i++) {
		struct uci_section *s = &pkg->secs[i];

		for (size_t j = 0; j < s->n_opts; j++)
			free_option(&s->opts[j]);
		free(s->opts);
		free(s->type);
		free(s->name);
	}
	free(pkg->secs);
	free(pkg->name);
	memset(pkg, 0, sizeof(*pkg));
}

const struct uci_section *uci_find_section(const struct uci_package *pkg,
					   const char *name)
{
	for (size_t i = 0; pkg && name && i < pkg->n_secs; i++)
		if (pkg->secs[i].name && !strcmp(pkg->secs[i].name, name))
			return &pkg->secs[i];
	return NULL;
}

const struct uci_option *uci_find_option(const struct uci_section *sec,
					 const char *name)
{
	for (size_t i = 0; sec && name && i < sec->n_opts; i++)
		if (!strcmp(sec->opts[i].name, name))
			return &sec->opts[i];
	return NULL;
}
