/* notify_mime: alerts as mail (notify_mime.h). */
#include "notify/notify_mime.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static char *finish(struct sbuf *b, size_t *len)
{
	if (b->oom || !b->p) {
		free(b->p);
		return NULL;
	}
	if (len)
		*len = b->len;
	return b->p;
}

static const char hex[] = "0123456789ABCDEF";

char *notify_mime_qp(const char *in, size_t *len)
{
	struct sbuf b = { 0 };
	size_t col = 0;
	put(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (*p == '\n') {
			puts_(&b, "\r\n");
			col = 0;
			continue;
		}
		if (*p == '\r')
			continue;
		bool eol = p[1] == '\n' || p[1] == '\0';
		bool lit = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !eol);
		char enc[3] = { '=', hex[*p >> 4], hex[*p & 15] };
		size_t w = lit ? 1 : 3;
		/* A soft break keeps lines at 76 (75 + '='). */
		if (col + w > 75) {
			puts_(&b, "=\r\n");
			col = 0;
		}
		put(&b, lit ? (const char *)p : enc, w);
		col += w;
	}
	return finish(&b, len);
}

/* Printable ASCII that a mail reader cannot take for an encoded word. */
static bool plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 32 || *p > 126)
			return false;
	return !strstr(s, "=?");
}

/* Q encoding (RFC 2047 5(2)): letters, digits and a few marks literal, the
 * space as '_', everything else =XX. */
static size_t q_width(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!*+-/ ", c) ? 1 : 3;
}

static size_t char_len(const unsigned char *p)
{
	size_t n = 1;
	while (p[n] >= 0x80 && p[n] < 0xC0 && n < 4)
		n++;
	return n;
}

char *notify_mime_header_text(const char *in, size_t name_len)
{
	struct sbuf b = { 0 };
	put(&b, "", 0);
	if (plain_ascii(in)) {
		/* Folded before a space once a line would pass 78 (RFC 5322 2.1.1). */
		size_t col = name_len + 2;
		for (const char *p = in; *p;) {
			size_t w = strcspn(p + 1, " ") + 1;
			if (*p == ' ' && col + w > 78 && col > 1) {
				puts_(&b, "\r\n");
				col = 0;
			}
			put(&b, p, w);
			col += w;
			p += w;
		}
		return finish(&b, NULL);
	}
	static const char open[] = "=?UTF-8?Q?";
	size_t col = name_len + 2, word = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		size_t n = char_len(p), w = 0;
		for (size_t i = 0; i < n; i++)
			w += q_width(p[i]);
		/* An encoded word is at most 75 characters, a line about 76. */
		if (word && (word + w + 2 > 75 || col + w + 2 > 76)) {
			puts_(&b, "?=\r\n ");
			col = 1;
			word = 0;
		}
		if (!word) {
			puts_(&b, open);
			col += sizeof(open) - 1;
			word = sizeof(open) - 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (q_width(p[i]) == 1) {
				char c = p[i] == ' ' ? '_' : (char)p[i];
				put(&b, &c, 1);
			} else {
				char e[3] = { '=', hex[p[i] >> 4], hex[p[i] & 15] };
				put(&b, e, 3);
			}
		}
		col += w;
		word += w;
		p += n;
	}
	if (word)
		puts_(&b, "?=");
	return finish(&b, NULL);
}

void notify_mime_thread_id(const struct notify_msg *m, const char *domain, char *out,
			   size_t size)
{
	char slug[NOTIFY_KEY_MAX];
	notify_key_slug(m->key, slug, sizeof(slug));
	snprintf(out, size, "<autonomy.%lld.%s@%s>", (long long)m->opened_ms, slug, domain);
}

/* A display name as a quoted-string. */
static void quoted(struct sbuf *b, const char *s)
{
	puts_(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			puts_(b, "\\");
		if ((unsigned char)*s >= 32)
			put(b, s, 1);
	}
	puts_(b, "\"");
}

static void thread_headers(struct sbuf *b, const struct notify_mime *mm)
{
	const struct notify_msg *m = mm->msg;
	char thread[300];
	notify_mime_thread_id(m, mm->msgid_domain, thread, sizeof(thread));
	bool first = m->action == NA_OPEN || m->action == NA_ALERT || m->action == NA_TEST ||
		     (m->action == NA_RESOLVE && m->opened_now);
	if (first && m->update == 0 && m->action == NA_OPEN) {
		putf(b, "Message-ID: %s\r\n", thread);
		return;
	}
	char slug[NOTIFY_KEY_MAX];
	notify_key_slug(m->key, slug, sizeof(slug));
	putf(b, "Message-ID: <autonomy.%lld.%s.%u.%llu@%s>\r\n", (long long)m->opened_ms, slug,
	     m->update, (unsigned long long)m->id, mm->msgid_domain);
	if (!first)
		putf(b, "In-Reply-To: %s\r\nReferences: %s\r\n", thread, thread);
}

char *notify_mime_build(const struct notify_mime *mm, size_t *len)
{
	struct sbuf b = { 0 };
	char date[64];
	time_t t = (time_t)(mm->msg->wall_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	putf(&b, "Date: %s\r\nFrom: ", date);
	quoted(&b, mm->from_name);
	putf(&b, " <%s>\r\nTo: ", mm->from);
	for (unsigned i = 0; i < mm->n_to; i++)
		putf(&b, "%s%s", i ? ",\r\n " : "", mm->to[i]);
	char *subj = notify_mime_header_text(mm->subject, strlen("Subject"));
	putf(&b, "\r\nSubject: ");
	if (subj)
		puts_(&b, subj);
	free(subj);
	puts_(&b, "\r\n");
	thread_headers(&b, mm);
	puts_(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		  "Content-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-generated\r\n");
	char slug[NOTIFY_KEY_MAX];
	notify_key_slug(mm->msg->key, slug, sizeof(slug));
	putf(&b, "X-Autonomy-Incident: %s\r\nX-Autonomy-Severity: %s\r\n\r\n", slug,
	     ev_severity_name(mm->msg->sev));
	size_t qn = 0;
	char *qp = notify_mime_qp(mm->body, &qn);
	if (!qp)
		b.oom = true;
	else
		put(&b, qp, qn);
	free(qp);
	puts_(&b, "\r\n");
	return finish(&b, len);
}
