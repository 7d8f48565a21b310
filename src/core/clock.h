/* clock: monotonic time for everything that measures intervals; wall time
 * only for display. */
#ifndef AUTONOMY_CORE_CLOCK_H
#define AUTONOMY_CORE_CLOCK_H

#include <stdint.h>

uint64_t clock_mono_us(void);
uint64_t clock_mono_ms(void);
/* Unix time in milliseconds (for display and persisted timestamps). */
int64_t clock_wall_ms(void);
/* "2026-11-28T00:49:55Z" into buf (>= 32 bytes); returns buf. */
char *clock_iso8601(int64_t unix_s, char *buf, unsigned long size);

#endif
