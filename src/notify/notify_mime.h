/* notify_mime: an alert as an Internet message (RFC 5322 + MIME): headers
 * with an RFC 2047 subject when it is not ASCII, a quoted-printable UTF-8
 * plain-text body, CRLF line ends, and the threading headers that keep an
 * incident's mails together (Message-ID, In-Reply-To, References). Pure. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_MIME_H
#define AUTONOMY_NOTIFY_NOTIFY_MIME_H

#include <stddef.h>

#include "notify/notify_msg.h"

struct notify_mime {
	const char *from;               /* address */
	const char *from_name;          /* display name ("autonomy on HOST") */
	const char *const *to;          /* addresses */
	unsigned n_to;
	const char *subject;            /* UTF-8 */
	const char *body;               /* UTF-8, '\n' line ends */
	const char *msgid_domain;       /* right side of Message-IDs (the host) */
	const struct notify_msg *msg;   /* threading, date, X- headers */
};

/* The whole message (malloc, NUL-terminated), or NULL. */
char *notify_mime_build(const struct notify_mime *mm, size_t *len);

/* Pieces, for the tests. */
/* quoted-printable of in (CRLF line ends, soft breaks at 76): malloc'd. */
char *notify_mime_qp(const char *in, size_t *len);
/* An unstructured header value: as is when it is printable ASCII, else
 * RFC 2047 Q encoded words (UTF-8, never splitting a character), folded. */
char *notify_mime_header_text(const char *in, size_t name_len);
/* The thread's Message-ID of an incident: "<autonomy.OPENED.KEY@DOMAIN>". */
void notify_mime_thread_id(const struct notify_msg *m, const char *domain, char *out,
			   size_t size);

#endif
