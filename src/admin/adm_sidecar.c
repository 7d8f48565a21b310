/* adm_sidecar: the text next to each timestamped config copy. It is read
 * back by verify-backup and audit, and anyone may have edited it: the
 * parser is strict and fuzzed (fuzz_adm_sidecar). */
#include "admin/adm.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIDECAR_MAX 4096

enum { K_FORMAT, K_FILE, K_SOURCE, K_CREATED, K_CREATED_TS, K_SHA256, K_SIZE, K_VERSION, K_N };
static const char *const keys[K_N] = {
	"format", "file", "source", "created", "created_ts", "sha256", "size", "version",
};

static bool is_hex64(const char *v)
{
	size_t n = 0;
	for (; v[n]; n++)
		if (!isxdigit((unsigned char)v[n]) || isupper((unsigned char)v[n]))
			return false;
	return n == 64;
}

/* A decimal integer, all of it; no sign unless allowed. */
static bool parse_num(const char *v, bool sign, long long lo, long long hi, long long *out)
{
	if (!*v || (!sign && *v == '-') || *v == '+' || isspace((unsigned char)*v))
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return false;
	*out = x;
	return true;
}

static int set_field(struct adm_sidecar *s, int k, const char *v, char *err, size_t errsz)
{
	long long n = 0;
	bool ok = true;
	switch (k) {
	case K_FORMAT:
		ok = parse_num(v, false, 1, 1, &n);
		s->format = (unsigned)n;
		break;
	case K_FILE:
		ok = strlen(v) < sizeof(s->file) && !strchr(v, '/');
		snprintf(s->file, sizeof(s->file), "%s", v);
		break;
	case K_SOURCE:
		ok = strlen(v) < sizeof(s->source);
		snprintf(s->source, sizeof(s->source), "%s", v);
		break;
	case K_CREATED:
		ok = strlen(v) < 40;    /* informational: created_ts is the value */
		break;
	case K_CREATED_TS:
		ok = parse_num(v, false, 0, INT64_MAX / 2, &n);
		s->created_ts = n;
		break;
	case K_SHA256:
		ok = is_hex64(v);
		snprintf(s->sha256, sizeof(s->sha256), "%s", v);
		break;
	case K_SIZE:
		ok = parse_num(v, false, 0, ADM_MAX_CONFIG, &n);
		s->size = (uint64_t)n;
		break;
	case K_VERSION:
		ok = strlen(v) < sizeof(s->version);
		snprintf(s->version, sizeof(s->version), "%s", v);
		break;
	}
	if (!ok)
		snprintf(err, errsz, "bad value for %s", keys[k]);
	return ok ? 0 : -1;
}

static int parse_line(struct adm_sidecar *s, char *line, unsigned *seen, int lineno,
		      char *err, size_t errsz)
{
	if (!line[0] || line[0] == '#')
		return 0;
	char *eq = strchr(line, '=');
	if (!eq) {
		snprintf(err, errsz, "line %d: not key=value", lineno);
		return -1;
	}
	*eq = '\0';
	for (int k = 0; k < K_N; k++) {
		if (strcmp(line, keys[k]) != 0)
			continue;
		if (*seen & (1u << k)) {
			snprintf(err, errsz, "line %d: %s given twice", lineno, keys[k]);
			return -1;
		}
		*seen |= 1u << k;
		char why[64];
		if (set_field(s, k, eq + 1, why, sizeof(why)) < 0) {
			snprintf(err, errsz, "line %d: %s", lineno, why);
			return -1;
		}
		return 0;
	}
	snprintf(err, errsz, "line %d: unknown key '%.32s'", lineno, line);
	return -1;
}

int adm_sidecar_parse(const char *buf, size_t len, struct adm_sidecar *out, char *err,
		      size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (len > SIDECAR_MAX) {
		snprintf(err, errsz, "larger than %d bytes", SIDECAR_MAX);
		return -1;
	}
	char text[SIDECAR_MAX + 1];
	memcpy(text, buf, len);
	text[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f) {
			snprintf(err, errsz, "control character at byte %zu", i);
			return -1;
		}
	}
	unsigned seen = 0;
	int lineno = 0;
	/* line by line, empty ones counted (strtok would skip them) */
	char *p = text;
	while (*p || p == text) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (parse_line(out, p, &seen, ++lineno, err, errsz) < 0)
			return -1;
		if (!nl)
			break;
		p = nl + 1;
	}
	static const int required[] = { K_FORMAT, K_SHA256, K_SIZE };
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(seen & (1u << required[i]))) {
			snprintf(err, errsz, "%s missing", keys[required[i]]);
			return -1;
		}
	return 0;
}

size_t adm_sidecar_format(const struct adm_sidecar *s, char *buf, size_t size)
{
	char when[32] = "";
	time_t t = (time_t)s->created_ts;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = snprintf(buf, size,
			 "# autonomy config backup: `autonomyctl config verify-backup` checks it\n"
			 "format=%u\nfile=%s\nsource=%s\ncreated=%s\ncreated_ts=%" PRId64 "\n"
			 "sha256=%s\nsize=%" PRIu64 "\nversion=%s\n",
			 s->format, s->file, s->source, when, s->created_ts, s->sha256, s->size,
			 s->version);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
