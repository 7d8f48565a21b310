/* notify_journal: the outbox's lines (notify_journal.h). */
#include "notify/notify_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *parse_json(const char *s, size_t len)
{
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return NULL;
	json_object *o = json_tokener_parse_ex(tok, s, (int)len);
	/* The whole rest of the line, nothing after the document. */
	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
		  json_tokener_get_parse_end(tok) != len)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int channels_of(const char *s, size_t n, unsigned *mask)
{
	*mask = 0;
	while (n) {
		size_t k = 0;
		while (k < n && s[k] != ',')
			k++;
		char name[16];
		if (!k || k >= sizeof(name))
			return -1;
		memcpy(name, s, k);
		name[k] = '\0';
		int ch = notify_chan_find(name);
		if (ch < 0)
			return -1;
		*mask |= 1u << ch;
		s += k;
		n -= k;
		if (n) {                        /* the comma */
			s++;
			if (!--n)
				return -1;
		}
	}
	return *mask ? 0 : -1;
}

static int parse_add(const char *s, size_t len, struct nj_rec *r)
{
	const char *sp = memchr(s, ' ', len);
	if (!sp || channels_of(s, (size_t)(sp - s), &r->channels) < 0)
		return -1;
	json_object *o = parse_json(sp + 1, len - (size_t)(sp + 1 - s));
	r->msg = o ? notify_msg_parse(o) : NULL;
	json_object_put(o);
	return r->msg ? 0 : -1;
}

static int parse_done(const char *s, size_t len, struct nj_rec *r)
{
	char buf[64], name[16];
	unsigned long long id;
	int used = 0;
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "%20llu %15[a-z]%n", &id, name, &used) != 2 || (size_t)used != len ||
	    !id || buf[0] < '1' || buf[0] > '9')
		return -1;
	r->id = id;
	r->channel = notify_chan_find(name);
	return r->channel < 0 ? -1 : 0;
}

static int copy_str(json_object *o, const char *k, char *out, size_t size)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return -1;
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (!n || n >= size || strlen(s) != n)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

static int parse_incident(const char *s, size_t len, struct nj_rec *r)
{
	json_object *o = parse_json(s, len), *v = NULL;
	int rc = -1;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    copy_str(o, "key", r->key, sizeof(r->key)) < 0)
		goto out;
	if (r->kind == NJ_CLOSE) {
		rc = 0;
		goto out;
	}
	char sev[16];
	if (copy_str(o, "title", r->title, sizeof(r->title)) < 0 ||
	    copy_str(o, "severity", sev, sizeof(sev)) < 0 || ev_severity_parse(sev) < 0 ||
	    !json_object_object_get_ex(o, "opened", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		goto out;
	r->sev = (enum ev_severity)ev_severity_parse(sev);
	r->opened_ms = json_object_get_int64(v);
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int nj_parse(const char *line, size_t len, struct nj_rec *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 3 || len > NJ_LINE_MAX || line[1] != ' ' || memchr(line, '\0', len))
		return -1;
	const char *s = line + 2;
	size_t n = len - 2;
	switch (line[0]) {
	case 'A': out->kind = NJ_ADD; return parse_add(s, n, out);
	case 'D': out->kind = NJ_DONE; return parse_done(s, n, out);
	case 'I': out->kind = NJ_OPEN; return parse_incident(s, n, out);
	case 'X': out->kind = NJ_CLOSE; return parse_incident(s, n, out);
	default: return -1;
	}
}

static char *line_of(const char *head, json_object *o, size_t *len)
{
	char *out = NULL;
	const char *j = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE);
	int n = j ? asprintf(&out, "%s%s\n", head, j) : -1;
	json_object_put(o);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return out;
}

char *nj_format(const struct nj_rec *r, size_t *len)
{
	char head[160];
	json_object *o;
	switch (r->kind) {
	case NJ_ADD: {
		size_t n = snprintf(head, sizeof(head), "A ");
		for (int ch = 0; ch < NCH_N; ch++)
			if (r->channels & (1u << ch))
				n += snprintf(head + n, sizeof(head) - n, "%s%s",
					      n > 2 ? "," : "", notify_chan_name(ch));
		snprintf(head + n, sizeof(head) - n, " ");
		return line_of(head, notify_msg_json(r->msg), len);
	}
	case NJ_DONE: {
		char *out = NULL;
		int n = asprintf(&out, "D %llu %s\n", (unsigned long long)r->id,
				 notify_chan_name(r->channel));
		if (n < 0)
			return NULL;
		*len = (size_t)n;
		return out;
	}
	case NJ_OPEN:
		o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(r->key));
		json_object_object_add(o, "opened", json_object_new_int64(r->opened_ms));
		json_object_object_add(o, "severity", json_object_new_string(ev_severity_name(r->sev)));
		json_object_object_add(o, "title", json_object_new_string(r->title));
		return line_of("I ", o, len);
	case NJ_CLOSE:
		o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(r->key));
		return line_of("X ", o, len);
	}
	return NULL;
}
