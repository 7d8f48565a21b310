/* prom: Prometheus' text exposition format (version 0.0.4) of the daemon's
 * views — one table row per metric (prom_metrics.c, pure) — served at
 * /metrics and written as a textfile (prom.c). */
#ifndef AUTONOMY_EXPORT_PROM_H
#define AUTONOMY_EXPORT_PROM_H

#include <stddef.h>

#include "export/export_int.h"

struct evbuffer;

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum prom_type { PROM_GAUGE, PROM_COUNTER };

/* Where a row's value comes from: a dotted path in each member object (one
 * sample per member, label interface=NAME), in `health` or in `status`
 * (one sample), or a function for the rows with labels of their own. */
enum prom_src { PROM_MEMBER, PROM_HEALTH, PROM_STATUS, PROM_FN };

struct prom_out;
struct prom_row {
	const char *name;
	enum prom_type type;
	const char *help;
	enum prom_src src;
	const char *path;
	double scale;           /* ms → s: 1e-3, percent → ratio: 0.01; 0 = 1 */
	void (*fn)(struct prom_out *o, const struct prom_row *r);
};

extern const struct prom_row prom_rows[];
extern const size_t prom_n_rows;

/* Appends the whole exposition to out. Unknown figures (null in the views)
 * are left out, and so is a family without samples. Returns the number of
 * samples written. */
size_t prom_render(struct evbuffer *out, const struct export_snap *s,
		   const struct export_counts *fo);

#endif
