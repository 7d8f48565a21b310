/* http_msg: the HEAD request we send and the status line we read back.
 * Only the status line matters to a probe; the connection is reset as soon
 * as it has arrived. The parser is incremental in the simplest way: it is
 * given everything received so far and says "need more", "malformed" or
 * where the final status line ends. It rejects garbage as early as it can
 * (a non-HTTP service answers with something else from the first byte). */
#include "probe/probe_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int probe_http_build_request(char *buf, size_t cap, const struct probe_target *t)
{
	char host[INET6_ADDRSTRLEN + 8 + PROBE_HOST_MAX];
	char a[INET6_ADDRSTRLEN];
	uint16_t port, defport = t->kind == PROBE_HTTPS ? 443 : 80;
	if (t->family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&t->addr;
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		port = ntohs(sin6->sin6_port);
	} else {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&t->addr;
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		port = ntohs(sin->sin_port);
	}
	int hl;
	if (t->host[0])
		hl = snprintf(host, sizeof(host), "%s", t->host);
	else
		hl = snprintf(host, sizeof(host), t->family == AF_INET6 ? "[%s]" : "%s", a);
	if (port != defport && hl > 0 && (size_t)hl < sizeof(host))
		snprintf(host + hl, sizeof(host) - (size_t)hl, ":%u", port);
	int n = snprintf(buf, cap,
			 "HEAD %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: autonomy-probe\r\n"
			 "Connection: close\r\n\r\n", t->path[0] ? t->path : "/", host);
	return n > 0 && (size_t)n < cap ? n : -1;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Out of bytes before the line's end: wait for more unless the line is
 * already too long to be a status line. */
static int need_more(size_t len) { return len >= PROBE_HTTP_LINE_MAX ? -1 : 0; }

int probe_http_parse_status(const char *buf, size_t len, int *status)
{
	static const char proto[] = "HTTP/1.";
	size_t n = len < PROBE_HTTP_LINE_MAX ? len : PROBE_HTTP_LINE_MAX;
	size_t i;
	for (i = 0; i < 7; i++) {
		if (i >= n)
			return need_more(len);
		if (buf[i] != proto[i])
			return -1;
	}
	/* "HTTP/1.x NNN": minor digit, space, three digits 100..599 */
	static const char shape[] = "d ddd";
	for (size_t k = 0; k < 5; k++, i++) {
		if (i >= n)
			return need_more(len);
		if (shape[k] == 'd' ? !is_digit(buf[i]) : buf[i] != ' ')
			return -1;
	}
	if (buf[9] < '1' || buf[9] > '5')
		return -1;
	int code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	/* then " reason" or nothing, and CRLF (a bare LF is tolerated) */
	if (i < n && buf[i] == ' ') {
		for (i++; i < n && buf[i] != '\r' && buf[i] != '\n'; i++) {
			unsigned char c = (unsigned char)buf[i];
			if (c < 0x20 && c != '\t')
				return -1;
			if (c == 0x7f)
				return -1;
		}
	}
	if (i >= n)
		return need_more(len);
	if (buf[i] == '\r') {
		if (++i >= n)
			return need_more(len);
		if (buf[i] != '\n')
			return -1;
	} else if (buf[i] != '\n') {
		return -1;
	}
	*status = code;
	return (int)(i + 1);
}

/* After an interim (1xx) status line: the end of its header block, or 0 if
 * it has not all arrived. */
static size_t skip_headers(const char *buf, size_t len, size_t pos)
{
	while (pos < len) {
		const char *lf = memchr(buf + pos, '\n', len - pos);
		if (!lf)
			return 0;
		size_t line = (size_t)(lf - (buf + pos));
		pos += line + 1;
		if (line == 0 || (line == 1 && buf[pos - 2] == '\r'))
			return pos;
	}
	return 0;
}

/* The final status of a response, past any interim 1xx responses (103
 * Early Hints from a CDN). Returns where the final status line ends, 0 for
 * need more, -1 for malformed. */
int probe_http_parse_response(const char *buf, size_t len, int *status)
{
	size_t pos = 0;
	for (;;) {
		int st, n = probe_http_parse_status(buf + pos, len - pos, &st);
		if (n <= 0)
			return n;
		if (st >= 200 || st == 101) {
			*status = st;
			return (int)pos + n;
		}
		size_t end = skip_headers(buf, len, pos + (size_t)n);
		if (end == 0)
			return 0;
		pos = end;
	}
}

bool probe_http_status_ok(int status, int expect)
{
	if (expect)
		return status == expect;
	return status >= 200 && status < 400;
}
