/* cfg_value: typed parsing of one option value, one function per cfg_type.
 * Error texts are the part after "FILE:LINE: section.option: " and quote the
 * offending value (sanitised and shortened, never for secrets). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg_internal.h"
#include "probe/probe.h"

typedef int (*parse_fn)(const struct cfg_option_def *d, const char *text,
			struct cfg_item *out, char *err, size_t errsz);

/* Values end up in messages on a terminal: no control characters, and a
 * runaway value is cut so one line stays one line. */
static const char *show(const char *text, char *buf, size_t size)
{
	size_t i = 0, max = size - 4;

	for (; text[i] && i < max; i++)
		buf[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
	if (text[i])
		memcpy(buf + i, "...", 3), i += 3;
	buf[i] = '\0';
	return buf;
}

#define SHOWBUF 48

/* "'VALUE' what": the common shape of a rejection. */
static int fail(char *err, size_t errsz, const char *text, const char *what)
{
	char b[SHOWBUF];

	snprintf(err, errsz, "'%s' %s", show(text, b, sizeof(b)), what);
	return -1;
}

static int set_str(struct cfg_item *out, const char *s, char *err, size_t errsz)
{
	out->str = strdup(s);
	if (!out->str) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

/* Strict decimal: optional sign, digits, nothing else (strtoll alone would
 * accept leading blanks and stop silently at junk). 0 ok, -1 junk, -2 overflow. */
static int strict_ll(const char *s, long long *v)
{
	const char *p = s + (*s == '+' || *s == '-');
	char *end;

	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (*end)
		return -1;
	return errno == ERANGE ? -2 : 0;
}

static bool unbounded(const struct cfg_option_def *d)
{
	return d->min == 0 && d->max == 0;
}

static int parse_bool(const struct cfg_option_def *d, const char *text,
		      struct cfg_item *out, char *err, size_t errsz)
{
	static const char *const yes[] = { "1", "yes", "on", "true", "enabled" };
	static const char *const no[] = { "0", "no", "off", "false", "disabled" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(text, yes[i]) == 0)
			return out->num = 1, 0;
		if (strcasecmp(text, no[i]) == 0)
			return out->num = 0, 0;
	}
	return fail(err, errsz, text, "is not a boolean (use 1/0, yes/no, on/off, true/false)");
}

static int parse_int(const struct cfg_option_def *d, const char *text,
		     struct cfg_item *out, char *err, size_t errsz)
{
	char b[SHOWBUF];
	long long v;
	int rc = strict_ll(text, &v);

	if (rc == -1)
		return fail(err, errsz, text, "is not an integer");
	if (rc == -2 && unbounded(d))
		return fail(err, errsz, text, "is too large for an integer");
	if (rc == -2 || (!unbounded(d) && (v < d->min || v > d->max))) {
		snprintf(err, errsz, "value %s is out of range %lld..%lld",
			 show(text, b, sizeof(b)), d->min, d->max);
		return -1;
	}
	out->num = v;
	return 0;
}

static size_t enum_count(const char *const *e)
{
	size_t n = 0;

	while (e && e[n])
		n++;
	return n;
}

static int parse_enum(const struct cfg_option_def *d, const char *text,
		      struct cfg_item *out, char *err, size_t errsz)
{
	char b[SHOWBUF], list[256] = "";
	size_t n = enum_count(d->enums), len = 0;
	const char *near;

	/* Case-insensitive like UCI's booleans; the index keeps the canonical name. */
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(text, d->enums[i]) == 0)
			return out->num = (long long)i, 0;
	for (size_t i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", d->enums[i]);
	near = cfg_closest_name(text, d->enums, n, sizeof(d->enums[0]));
	snprintf(err, errsz, "'%s' is not one of: %s%s%s%s", show(text, b, sizeof(b)), list,
		 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	return -1;
}

static const struct { const char *suffix; long long ms; } dur_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
};

/* "1500" (in the option's unit) or "<digits><unit>". -1 junk, -2 overflow. */
static int duration_ms(const struct cfg_option_def *d, const char *text, long long *ms,
		       bool *bare)
{
	long long n = 0, mul = -1;
	const char *p = text;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++)
		if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, *p - '0', &n))
			return -2;
	*bare = *p == '\0';
	if (*bare)
		mul = d->flags & CFG_F_UNIT_MS ? 1 : 1000;
	for (size_t i = 0; !*bare && i < sizeof(dur_units) / sizeof(dur_units[0]); i++)
		if (strcmp(p, dur_units[i].suffix) == 0)
			mul = dur_units[i].ms;
	if (mul < 0)
		return -1;
	return __builtin_mul_overflow(n, mul, ms) ? -2 : 0;
}

/* A range bound in the option's unit when it is a whole number of them. */
static void fmt_bound(const struct cfg_option_def *d, long long ms, bool bare,
		      char *out, size_t size)
{
	if (bare && (d->flags & CFG_F_UNIT_MS))
		snprintf(out, size, "%lld", ms);
	else if (bare && ms % 1000 == 0)
		snprintf(out, size, "%lld", ms / 1000);
	else
		cfg_fmt_duration(ms, out, size);
}

static int parse_duration(const struct cfg_option_def *d, const char *text,
			  struct cfg_item *out, char *err, size_t errsz)
{
	char b[SHOWBUF], lo[32], hi[32];
	long long ms = 0;
	bool bare = true;
	int rc = duration_ms(d, text, &ms, &bare);

	if (rc == -1)
		return fail(err, errsz, text,
			    "is not an integer or a duration with a unit (ms, s, m, h, d)");
	if (rc == 0 && (unbounded(d) || (ms >= d->min && ms <= d->max))) {
		out->num = ms;
		return 0;
	}
	/* Bare numbers get the range in the option's unit, suffixed ones in
	 * readable units, so the message compares like with like. */
	fmt_bound(d, d->min, bare, lo, sizeof(lo));
	fmt_bound(d, d->max, bare, hi, sizeof(hi));
	snprintf(err, errsz, "value %s is out of range %s..%s", show(text, b, sizeof(b)), lo, hi);
	return -1;
}

static int parse_string(const struct cfg_option_def *d, const char *text,
			struct cfg_item *out, char *err, size_t errsz)
{
	return set_str(out, text, err, errsz);
}

static int parse_ipaddr(const struct cfg_option_def *d, const char *text,
			struct cfg_item *out, char *err, size_t errsz)
{
	unsigned char a[16];
	char canon[INET6_ADDRSTRLEN];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, text, a) != 1 || !inet_ntop(af, a, canon, sizeof(canon)))
		return fail(err, errsz, text, "is not an IP address");
	return set_str(out, canon, err, errsz);
}

static int parse_cidr(const struct cfg_option_def *d, const char *text,
		      struct cfg_item *out, char *err, size_t errsz)
{
	char addr[INET6_ADDRSTRLEN + 1], canon[INET6_ADDRSTRLEN + 8], b[SHOWBUF];
	unsigned char a[16];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	int af = memchr(text, ':', alen) ? AF_INET6 : AF_INET;
	long long maxp = af == AF_INET6 ? 128 : 32, prefix = maxp;

	if (alen >= sizeof(addr))
		return fail(err, errsz, text, "is not an address/prefix");
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(af, addr, a) != 1 || !inet_ntop(af, a, canon, sizeof(canon)))
		return fail(err, errsz, text, "is not an address/prefix");
	if (slash && (strict_ll(slash + 1, &prefix) != 0 || slash[1] == '+' ||
		      slash[1] == '-'))
		return fail(err, errsz, text, "has a prefix length that is not a number");
	if (prefix < 0 || prefix > maxp) {
		snprintf(err, errsz, "prefix length in %s is out of range 0..%lld",
			 show(text, b, sizeof(b)), maxp);
		return -1;
	}
	snprintf(canon + strlen(canon), sizeof(canon) - strlen(canon), "/%lld", prefix);
	return set_str(out, canon, err, errsz);
}

bool cfg_valid_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;
	bool all_digits = true;

	if (len && s[len - 1] == '.')
		len--; /* a fully qualified name may end in a dot */
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			if (i < len)
				all_digits = true;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return false;
		if (label == 0 && c == '-')
			return false;
		all_digits = all_digits && isdigit((unsigned char)c);
		label++;
	}
	/* An all-numeric top label is a malformed IPv4 address, not a name. */
	return !all_digits;
}

static bool is_ip(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int parse_host(const struct cfg_option_def *d, const char *text,
		      struct cfg_item *out, char *err, size_t errsz)
{
	if (!is_ip(text) && !cfg_valid_hostname(text))
		return fail(err, errsz, text, "is not an IP address or host name");
	return set_str(out, text, err, errsz);
}

/* host[:port] of a URL, host possibly a [v6] literal. */
static bool valid_hostport(const char *s, size_t len)
{
	char host[256];
	const char *colon = NULL;
	size_t hlen = len;
	unsigned char a[16];

	if (len && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (!rb || (size_t)(rb - s) - 1 >= sizeof(host))
			return false;
		hlen = (size_t)(rb - s) - 1;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, a) != 1)
			return false;
		colon = rb + 1 < s + len ? rb + 1 : NULL;
		if (colon && *colon != ':')
			return false;
	} else {
		colon = memchr(s, ':', len);
		hlen = colon ? (size_t)(colon - s) : len;
		if (hlen == 0 || hlen >= sizeof(host))
			return false;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET, host, a) != 1 && !cfg_valid_hostname(host))
			return false;
	}
	if (colon) {
		size_t plen = len - (size_t)(colon + 1 - s);
		long long port = 0;

		if (plen == 0 || plen > 5)
			return false;
		for (size_t i = 0; i < plen; i++) {
			if (!isdigit((unsigned char)colon[1 + i]))
				return false;
			port = port * 10 + (colon[1 + i] - '0');
		}
		if (port < 1 || port > 65535)
			return false;
	}
	return true;
}

bool cfg_valid_url(const char *s)
{
	size_t skip, alen;
	const char *auth, *at;

	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false; /* must be percent-encoded */
	if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	auth = s + skip;
	alen = strcspn(auth, "/?#");
	/* Drop user:password@ so only the host part is checked. */
	at = memrchr(auth, '@', alen);
	if (at) {
		alen -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	return valid_hostport(auth, alen);
}

static int parse_url(const struct cfg_option_def *d, const char *text,
		     struct cfg_item *out, char *err, size_t errsz)
{
	if (!cfg_valid_url(text))
		return fail(err, errsz, text, "is not an http:// or https:// URL");
	return set_str(out, text, err, errsz);
}

static bool valid_local_part(const char *s, size_t len)
{
	static const char special[] = "!#$%&'*+-/=?^_`{|}~.";

	if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
		if (!isalnum((unsigned char)s[i]) && !strchr(special, s[i]))
			return false;
	}
	return true;
}

static int parse_email(const struct cfg_option_def *d, const char *text,
		       struct cfg_item *out, char *err, size_t errsz)
{
	const char *at = strchr(text, '@');

	if (!at || strchr(at + 1, '@') || strlen(text) > 254 ||
	    !valid_local_part(text, (size_t)(at - text)) || !cfg_valid_hostname(at + 1))
		return fail(err, errsz, text, "is not an email address");
	return set_str(out, text, err, errsz);
}

/* Linux's dev_valid_name(); netifd's logical names obey the same limits. */
static int parse_ifname(const struct cfg_option_def *d, const char *text,
			struct cfg_item *out, char *err, size_t errsz)
{
	bool ok = strlen(text) <= 15 && strcmp(text, ".") && strcmp(text, "..");

	for (const char *p = text; ok && *p; p++)
		ok = (unsigned char)*p > 0x20 && *p != 0x7f && *p != '/' && *p != ':';
	if (!ok)
		return fail(err, errsz, text,
			    "is not an interface name "
			    "(at most 15 characters, no '/', ':' or spaces)");
	return set_str(out, text, err, errsz);
}

/* Canonical text of a probe target, so `config show` prints what is probed. */
static int parse_target(const struct cfg_option_def *d, const char *text,
			struct cfg_item *out, char *err, size_t errsz)
{
	struct probe_target t;

	if (probe_target_parse(text, &t, err, errsz) < 0)
		return -1;
	return set_str(out, t.label, err, errsz);
}

static const parse_fn parsers[] = {
	[CFG_BOOL] = parse_bool, [CFG_INT] = parse_int, [CFG_ENUM] = parse_enum,
	[CFG_DURATION] = parse_duration, [CFG_STRING] = parse_string,
	[CFG_SECRET] = parse_string, [CFG_IPADDR] = parse_ipaddr, [CFG_CIDR] = parse_cidr,
	[CFG_HOST] = parse_host, [CFG_URL] = parse_url, [CFG_EMAIL] = parse_email,
	[CFG_IFNAME] = parse_ifname, [CFG_TARGET] = parse_target,
};

int cfg_parse_item(const struct cfg_option_def *d, const char *text,
		   struct cfg_item *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if ((unsigned)d->type >= sizeof(parsers) / sizeof(parsers[0]) || !parsers[d->type]) {
		snprintf(err, errsz, "internal error: no parser for type %d", (int)d->type);
		return -1;
	}
	/* '' is how UCI users blank an option; only free text may be empty. */
	if (!*text && d->type != CFG_STRING && d->type != CFG_SECRET) {
		snprintf(err, errsz, "empty value (remove the option to use the default)");
		return -1;
	}
	return parsers[d->type](d, text, out, err, errsz);
}

static const char list_seps[] = ", \t\r\n";

int cfg_parse_list(const struct cfg_option_def *d, const char *text,
		   struct cfg_item **items, size_t *n, char *err, size_t errsz)
{
	const char *p = text;
	/* A target's options are comma-separated ("http://IP/,status=204"), so
	 * targets split on white space only, and "a, b" loses the comma. */
	bool target = d->type == CFG_TARGET;
	const char *seps = target ? list_seps + 1 : list_seps;

	while (*(p += strspn(p, seps))) {
		size_t len = strcspn(p, seps);
		size_t keep = target && len > 1 && p[len - 1] == ',' ? len - 1 : len;
		char *piece = strndup(p, keep);
		struct cfg_item *grown = realloc(*items, (*n + 1) * sizeof(**items));
		int rc;

		if (grown)
			*items = grown;
		if (!piece || !grown) {
			free(piece);
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		rc = cfg_parse_item(d, piece, &grown[*n], err, errsz);
		free(piece);
		if (rc < 0)
			return -1;
		(*n)++;
		p += len;
	}
	return 0;
}

void cfg_items_free(struct cfg_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i].str);
	free(items);
}

void cfg_fmt_duration(long long ms, char *out, size_t size)
{
	for (size_t i = sizeof(dur_units) / sizeof(dur_units[0]); i-- > 1;) {
		if (ms != 0 && ms % dur_units[i].ms == 0) {
			snprintf(out, size, "%lld%s", ms / dur_units[i].ms, dur_units[i].suffix);
			return;
		}
	}
	snprintf(out, size, "%lld%s", ms, ms ? "ms" : "s");
}

double cfg_duration_in_unit(const struct cfg_option_def *d, long long ms)
{
	return d->flags & CFG_F_UNIT_MS ? (double)ms : (double)ms / 1000.0;
}
