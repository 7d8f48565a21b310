/* tel_kinds: the registry of telemetry kinds built into this program (see
 * tel_kind.h; the list is engine/tel_kinds.def). */
#include "engine/tel_kind.h"

#include <string.h>

/* AUTONOMY_WITH_<KIND> come from CMake (options WITH_<KIND>). */

#define TEL_KIND(id, built, section, cls, option, tests) extern const struct tel_kind tel_kind_##id;
#include "engine/tel_kinds.def"
#undef TEL_KIND

/* A kind that is not built is NULL here: the condition is a constant, so the
 * compiler folds it and its table is never referenced (nor linked). */
#define TEL_KIND(id, built, section, cls, option, tests) (built) ? &tel_kind_##id : NULL,
static const struct tel_kind *const table[] = {
#include "engine/tel_kinds.def"
};
#undef TEL_KIND

#define TABLE_N (sizeof(table) / sizeof(table[0]))
_Static_assert(TABLE_N <= TEL_KINDS_MAX, "raise TEL_KINDS_MAX");

unsigned tel_kind_count(void)
{
	unsigned n = 0;
	for (size_t i = 0; i < TABLE_N; i++)
		n += table[i] != NULL;
	return n;
}

const struct tel_kind *tel_kind_at(unsigned i)
{
	for (size_t k = 0; k < TABLE_N; k++)
		if (table[k] && i-- == 0)
			return table[k];
	return NULL;
}

unsigned tel_kind_index(const struct tel_kind *k)
{
	unsigned n = 0;
	for (size_t i = 0; i < TABLE_N; i++) {
		if (table[i] == k)
			return n;
		n += table[i] != NULL;
	}
	return TEL_KINDS_MAX;
}

const struct tel_kind *tel_kind_find(const char *name)
{
	for (size_t i = 0; name && i < TABLE_N; i++)
		if (table[i] && strcmp(table[i]->name, name) == 0)
			return table[i];
	return NULL;
}

const struct tel_kind *tel_kind_for_class(const char *cls)
{
	for (size_t i = 0; cls && i < TABLE_N; i++)
		if (table[i] && table[i]->cls && strcmp(table[i]->cls, cls) == 0)
			return table[i];
	return NULL;
}

bool tel_kind_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (len == n && n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}
