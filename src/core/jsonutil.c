#include "core/jsonutil.h"

#include <math.h>
#include <stdio.h>

json_object *json_num(double v, int decimals)
{
	if (!isfinite(v))
		return NULL;
	char buf[64];
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

const char *json_get_str(json_object *o, const char *key, const char *dflt)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return dflt;
	return json_object_get_string(v);
}

double json_get_num(json_object *o, const char *key, double dflt)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return dflt;
	return json_object_get_double(v);
}

int json_get_bool(json_object *o, const char *key, int dflt)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return dflt;
	return json_object_get_boolean(v);
}

double json_typed_num(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return NAN;
	return json_object_get_double(v);
}

int json_typed_bool(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return -1;
	return json_object_get_boolean(v);
}

void json_typed_str(json_object *o, const char *key, char *out, size_t size)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		snprintf(out, size, "%s", json_object_get_string(v));
}

int json_has(json_object *o, const char *key)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v) && v != NULL;
}

void json_add_num(json_object *o, const char *key, double v, int decimals)
{
	json_object_object_add(o, key, json_num(v, decimals));
}

void json_add_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s && s[0] ? json_object_new_string(s) : NULL);
}

void json_add_exact(json_object *o, const char *key, double v)
{
	char buf[32];
	if (!isfinite(v))
		return;
	snprintf(buf, sizeof(buf), "%.17g", v);
	json_object_object_add(o, key, json_object_new_double_s(v, buf));
}

void json_add_count(json_object *o, const char *key, long long v)
{
	json_object_object_add(o, key, v >= 0 ? json_object_new_int64(v) : NULL);
}

void json_fput_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
