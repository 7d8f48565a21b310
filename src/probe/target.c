/* target: the probe target syntax of probe.h, parsed strictly. Config
 * validation shows our messages after "FILE:LINE: member.target: ", so each
 * names the offending text and, where it helps, the form expected. */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SPEC_MAX        255
#define QUOTE_MAX       64

struct parse {
	const char *spec;       /* the whole text, for messages */
	struct probe_target *t;
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parse *ps, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* a long spec is cut in the message: its start says which one it is */
	if (ps->err && ps->errsz)
		snprintf(ps->err, ps->errsz, "'%.*s%s' %s", QUOTE_MAX, ps->spec,
			 strlen(ps->spec) > QUOTE_MAX ? "..." : "", what);
	return -1;
}

/* Addresses a probe through an uplink can never usefully reach. */
static const char *v4_unusable(const struct in_addr *a)
{
	uint32_t h = ntohl(a->s_addr);
	if ((h >> 24) == 0)
		return "is an unspecified (0.0.0.0/8) address";
	if ((h >> 24) == 127)
		return "is a loopback address";
	if ((h >> 28) == 14)
		return "is a multicast address";
	if (h == 0xffffffffu)
		return "is the broadcast address";
	if ((h >> 28) == 15)
		return "is a reserved (240.0.0.0/4) address";
	return NULL;
}

static const char *v6_unusable(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return "is the unspecified address";
	if (IN6_IS_ADDR_LOOPBACK(a))
		return "is a loopback address";
	if (IN6_IS_ADDR_MULTICAST(a))
		return "is a multicast address";
	if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a))
		return "is an IPv4-mapped address (write IPv4 as a.b.c.d)";
	return NULL;
}

/* s[0..len) is a numeric address; fills t->addr with port. */
static int parse_addr(struct parse *ps, const char *s, size_t len, uint16_t port)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct probe_target *t = ps->t;
	if (len == 0)
		return fail(ps, "has no address");
	if (memchr(s, '%', len))
		return fail(ps, "has a zone index: not needed, probes are bound to the member's device");
	if (len >= sizeof(buf))
		return fail(ps, "has an address that is too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(&t->addr, 0, sizeof(t->addr));
	struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->addr;
	const char *why;
	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		if ((why = v4_unusable(&sin->sin_addr)))
			return fail(ps, "%s", why);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		t->family = AF_INET;
		t->addrlen = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		if ((why = v6_unusable(&sin6->sin6_addr)))
			return fail(ps, "%s", why);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		t->family = AF_INET6;
		t->addrlen = sizeof(*sin6);
		return 0;
	}
	if (strcmp(buf, ps->spec) == 0)
		return fail(ps, "is not a numeric IPv4 or IPv6 address");
	return fail(ps, "has '%s', which is not a numeric IPv4 or IPv6 address", buf);
}

/* Decimal 1..65535 without sign or leading zero. */
static int parse_port(struct parse *ps, const char *s, size_t len, uint16_t *port)
{
	unsigned v = 0;
	if (len == 0)
		return fail(ps, "has an empty port");
	if (len > 5 || s[0] == '0')
		return fail(ps, "has a bad port '%.*s' (1..65535)", (int)len, s);
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fail(ps, "has a bad port '%.*s' (1..65535)", (int)len, s);
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return fail(ps, "has a bad port '%.*s' (1..65535)", (int)len, s);
	*port = (uint16_t)v;
	return 0;
}

/* "ADDR", "ADDR:PORT" (IPv4), "[ADDR]" or "[ADDR]:PORT"; an unbracketed
 * IPv6 address takes no port. port_needed: the kind has no default. */
static int parse_hostport(struct parse *ps, const char *s, size_t len, uint16_t defport,
			  bool port_needed, const char *form)
{
	uint16_t port = defport;
	const char *colon;
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close)
			return fail(ps, "has '[' without ']'");
		size_t rest = len - (size_t)(close + 1 - s);
		if (rest > 0 && close[1] != ':')
			return fail(ps, "has text after ']' (expected ':PORT')");
		if (rest > 0 && parse_port(ps, close + 2, rest - 1, &port) < 0)
			return -1;
		if (rest == 0 && port_needed)
			return fail(ps, "needs a port (%s)", form);
		if (parse_addr(ps, s + 1, (size_t)(close - s - 1), port) < 0)
			return -1;
		if (ps->t->family != AF_INET6)
			return fail(ps, "has an IPv4 address in brackets");
		return 0;
	}
	colon = memchr(s, ':', len);
	if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
		/* several colons: a bare IPv6 address */
		if (port_needed)
			return fail(ps, "needs a port, and an IPv6 address with a port "
				    "needs brackets (%s)", form);
		return parse_addr(ps, s, len, port);
	}
	if (colon) {
		if (parse_port(ps, colon + 1, len - (size_t)(colon + 1 - s), &port) < 0)
			return -1;
		len = (size_t)(colon - s);
	} else if (port_needed) {
		return fail(ps, "needs a port (%s)", form);
	}
	return parse_addr(ps, s, len, port);
}

/* Host names (DNS qname, host=): labels of letters, digits, '-', '_', at
 * most 63 each; one trailing dot is dropped; "." alone is the root. */
static int parse_name(struct parse *ps, const char *s, size_t len, char *out, size_t outsz,
		      const char *what)
{
	if (len == 1 && s[0] == '.') {
		snprintf(out, outsz, ".");
		return 0;
	}
	if (len > 1 && s[len - 1] == '.' && s[len - 2] != '.')
		len--;
	if (len == 0)
		return fail(ps, "has an empty %s", what);
	if (len >= outsz)
		return fail(ps, "has a %s longer than %zu characters", what, outsz - 1);
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return fail(ps, "has an empty label in %s '%.*s'", what, (int)len, s);
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok)
			return fail(ps, "has a bad character '%c' in %s '%.*s'", c, what, (int)len, s);
		if (++label > 63)
			return fail(ps, "has a label longer than 63 characters in %s", what);
	}
	if (label == 0)
		return fail(ps, "has an empty label in %s '%.*s'", what, (int)len, s);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static int parse_icmp(struct parse *ps, const char *s)
{
	ps->t->kind = PROBE_ICMP;
	if (s[0] == '[')
		return fail(ps, "has brackets: an ICMP target is a bare address");
	return parse_addr(ps, s, strlen(s), 0);
}

static int parse_tcp(struct parse *ps, const char *s)
{
	ps->t->kind = PROBE_TCP;
	return parse_hostport(ps, s, strlen(s), 0, true, "tcp:ADDR:PORT or tcp:[ADDR6]:PORT");
}

static int parse_dns(struct parse *ps, const char *s)
{
	struct probe_target *t = ps->t;
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	t->kind = PROBE_DNS;
	if (parse_hostport(ps, s, hl, 53, false, "dns:ADDR[/NAME]") < 0)
		return -1;
	if (!slash) {
		strcpy(t->qname, ".");
		return 0;
	}
	return parse_name(ps, slash + 1, strlen(slash + 1), t->qname, sizeof(t->qname),
			  "query name");
}

/* ",status=NNN" and ",host=NAME", each at most once. */
static int parse_http_opts(struct parse *ps, const char *s)
{
	struct probe_target *t = ps->t;
	while (*s == ',') {
		s++;
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len > 7 && strncmp(s, "status=", 7) == 0) {
			if (t->expect_status)
				return fail(ps, "gives status= twice");
			if (len != 10 || s[7] < '1' || s[7] > '5' || s[8] < '0' || s[8] > '9' ||
			    s[9] < '0' || s[9] > '9')
				return fail(ps, "has a bad status '%.*s' (100..599)", (int)len - 7, s + 7);
			t->expect_status = (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
		} else if (len > 5 && strncmp(s, "host=", 5) == 0) {
			if (t->host[0])
				return fail(ps, "gives host= twice");
			if (parse_name(ps, s + 5, len - 5, t->host, sizeof(t->host), "host") < 0)
				return -1;
			if (strcmp(t->host, ".") == 0)
				return fail(ps, "has a bad host '.'");
		} else {
			return fail(ps, "has an unknown option '%.*s' (status=NNN, host=NAME)",
				    (int)len, s);
		}
		s += len;
	}
	if (*s)
		return fail(ps, "has unexpected text '%s'", s);
	return 0;
}

static int parse_http(struct parse *ps, const char *s, enum probe_kind kind)
{
	struct probe_target *t = ps->t;
	size_t hl = strcspn(s, "/,");
	t->kind = kind;
	if (parse_hostport(ps, s, hl, kind == PROBE_HTTPS ? 443 : 80, false,
			   "http://ADDR[:PORT]/PATH") < 0)
		return -1;
	s += hl;
	size_t pl = strcspn(s, ",");
	if (pl == 0) {
		strcpy(t->path, "/");
	} else {
		if (pl >= sizeof(t->path))
			return fail(ps, "has a path longer than %zu characters", sizeof(t->path) - 1);
		for (size_t i = 0; i < pl; i++)
			if (s[i] == '#')
				return fail(ps, "has a fragment ('#') in its path");
		memcpy(t->path, s, pl);
		t->path[pl] = '\0';
	}
	return parse_http_opts(ps, s + pl);
}

/* The address as text, IPv6 in brackets when a port follows. */
static void addr_text(const struct probe_target *t, bool brackets, char *buf, size_t sz)
{
	char a[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&t->addr;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&t->addr;
	if (t->family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	else
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
	snprintf(buf, sz, t->family == AF_INET6 && brackets ? "[%s]" : "%s", a);
}

static uint16_t target_port(const struct probe_target *t)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&t->addr;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&t->addr;
	return ntohs(t->family == AF_INET ? sin->sin_port : sin6->sin6_port);
}

/* Cut short when it does not fit: the label is for display. */
__attribute__((format(printf, 2, 3)))
static void set_label(struct probe_target *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->label, sizeof(t->label), fmt, ap);
	va_end(ap);
}

/* Canonical text: what the target means, written one way. Long HTTP paths
 * may be cut short (the label is for display). */
static void make_label(struct probe_target *t)
{
	char a[INET6_ADDRSTRLEN + 2], port[8] = "";
	uint16_t pt = target_port(t);
	switch (t->kind) {
	case PROBE_ICMP:
		addr_text(t, false, a, sizeof(a));
		set_label(t, "icmp:%s", a);
		break;
	case PROBE_TCP:
		addr_text(t, true, a, sizeof(a));
		set_label(t, "tcp:%s:%u", a, pt);
		break;
	case PROBE_DNS:
		addr_text(t, pt != 53, a, sizeof(a));
		if (pt != 53)
			snprintf(port, sizeof(port), ":%u", pt);
		set_label(t, "dns:%s%s%s%s", a, port,
			 strcmp(t->qname, ".") ? "/" : "", strcmp(t->qname, ".") ? t->qname : "");
		break;
	case PROBE_HTTP:
	case PROBE_HTTPS: {
		char opt[24] = "";
		addr_text(t, true, a, sizeof(a));
		if (pt != (t->kind == PROBE_HTTPS ? 443 : 80))
			snprintf(port, sizeof(port), ":%u", pt);
		if (t->expect_status)
			snprintf(opt, sizeof(opt), ",status=%d", t->expect_status);
		set_label(t, "%s://%s%s%s%s%s%s",
			 t->kind == PROBE_HTTPS ? "https" : "http", a, port, t->path, opt,
			 t->host[0] ? ",host=" : "", t->host);
		break;
	}
	}
}

struct kind_prefix {
	const char *prefix;
	int (*parse)(struct parse *ps, const char *rest);
};

static int parse_http_plain(struct parse *ps, const char *s) { return parse_http(ps, s, PROBE_HTTP); }
static int parse_https(struct parse *ps, const char *s)
{
#ifdef AUTONOMY_NO_HTTPS
	(void)s;
	return fail(ps, "is https://, and this build has no HTTPS (WITH_HTTPS=OFF): use http://, "
		    "tcp: or an address");
#else
	return parse_http(ps, s, PROBE_HTTPS);
#endif
}

static const struct kind_prefix kinds[] = {
	{ "icmp:", parse_icmp },
	{ "tcp:", parse_tcp },
	{ "dns:", parse_dns },
	{ "http://", parse_http_plain },
	{ "https://", parse_https },
};

/* Not a known prefix: a bare address, or a word before ':' naming a kind we
 * do not have. */
static int parse_other(struct parse *ps)
{
	const char *s = ps->spec;
	size_t word = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	bool is_v6ish = strchr(s, ':') && strchr(strchr(s, ':') + 1, ':');
	if (word > 0 && s[word] == ':' && !is_v6ish)
		return fail(ps, "has an unknown probe kind '%.*s' (icmp, tcp, dns, http, https)",
			    (int)word, s);
	if (strstr(s, "://"))
		return fail(ps, "has an unknown scheme (http://, https://)");
	return parse_icmp(ps, s);
}

int probe_target_parse(const char *spec, struct probe_target *t, char *err, size_t errsz)
{
	struct parse ps = { spec ? spec : "", t, err, errsz };
	memset(t, 0, sizeof(*t));
	if (!spec || !*spec)
		return fail(&ps, "is empty: expected an address, tcp:, dns:, http:// or https://");
	if (strlen(spec) > SPEC_MAX)
		return fail(&ps, "is longer than %d characters", SPEC_MAX);
	for (const char *c = spec; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			return fail(&ps, "contains a space, control or non-ASCII character");
	int rc = 1;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && rc > 0; i++) {
		size_t pl = strlen(kinds[i].prefix);
		if (strncmp(spec, kinds[i].prefix, pl) == 0)
			rc = kinds[i].parse(&ps, spec + pl);
	}
	if (rc > 0)
		rc = parse_other(&ps);
	if (rc < 0) {
		memset(t, 0, sizeof(*t));
		return -1;
	}
	make_label(t);
	return 0;
}

const char *probe_kind_name(enum probe_kind k)
{
	static const char *const names[] = { "icmp", "tcp", "dns", "http", "https" };
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const char *probe_outcome_name(enum probe_outcome o)
{
	static const char *const names[] = { "reply", "lost", "late", "send_err" };
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}
