/* prec_store: precursor records kept across restarts (prec_store.c). */
#ifndef AUTONOMY_DAEMON_PREC_STORE_H
#define AUTONOMY_DAEMON_PREC_STORE_H

struct daemon;

/* After the engine exists: loads state_dir/precursors.json, arms the save
 * timer. -1 only when out of memory. */
int prec_store_start(struct daemon *d);
/* Saves what changed; before the engine is freed. */
void prec_store_stop(struct daemon *d);

#endif
