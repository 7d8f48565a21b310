/* ch_util: what the channel tables share (ch_util.h). */
#include "notify/ch_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

bool ch_enabled(const struct notify_chan_ctx *c, const char *const *needs)
{
	if (!c->s || !cfg_bool(c->s, "enabled"))
		return false;
	for (; needs && *needs; needs++) {
		const char *v = cfg_str(c->s, *needs);
		if (!v || !v[0])
			return false;
	}
	return true;
}

int ch_min_level(const struct notify_chan_ctx *c)
{
	int l = ev_severity_parse(cfg_enum_str(c->s, "min_level"));
	return l < 0 ? EV_WARNING : l;
}

int ch_json_body(struct notify_req *rq, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE);
	rq->body = s ? strdup(s) : NULL;
	rq->body_len = rq->body ? strlen(rq->body) : 0;
	json_object_put(o);
	if (!rq->body || notify_req_header(rq, "Content-Type: application/json") < 0)
		return -1;
	return 0;
}

void ch_ca_file(const struct notify_chan_ctx *c, const char *own_option, struct notify_req *rq)
{
	const char *own = own_option ? cfg_str(c->s, own_option) : NULL;
	const char *all = cfg_str(config_section(c->cfg, "alerts"), "ca_file");
	snprintf(rq->ca_file, sizeof(rq->ca_file), "%s", own && own[0] ? own : all ? all : "");
}

void ch_secret_url(struct notify_req *rq, const char *url)
{
	notify_req_secret(rq, url);
	const char *host = strstr(url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	if (path && strlen(path) > 1)
		notify_req_secret(rq, path);
}

char *ch_plain(const struct notify_msg *m)
{
	char *s = NULL;
	if (asprintf(&s, "%s\n\n%s", m->title, m->text ? m->text : "") < 0)
		return NULL;
	return s;
}

void ch_utf8_cut(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	s[max] = '\0';
}

int ch_form_add(char **body, size_t *len, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t need = *len + strlen(name) + 3 * strlen(value) + 3;
	char *b = realloc(*body, need);
	if (!b)
		return -1;
	*body = b;
	size_t n = *len;
	if (n)
		b[n++] = '&';
	n += (size_t)sprintf(b + n, "%s=", name);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			b[n++] = (char)*p;
		} else if (*p == ' ') {
			b[n++] = '+';
		} else {
			b[n++] = '%';
			b[n++] = hex[*p >> 4];
			b[n++] = hex[*p & 15];
		}
	}
	b[n] = '\0';
	*len = n;
	return 0;
}
