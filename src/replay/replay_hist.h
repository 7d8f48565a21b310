/* replay_hist: the replay writing a history store (replay_hist.c). */
#ifndef AUTONOMY_ENGINE_REPLAY_HIST_H
#define AUTONOMY_ENGINE_REPLAY_HIST_H

#include <stddef.h>
#include <stdint.h>

struct replay_sim;
struct replay_hist;
struct decision;

struct replay_hist_result {
	int64_t rows, work_bytes;
	uint64_t syncs, flash_bytes, flash_syncs;
	int error;
};

/* NULL with err when the store cannot be opened. */
struct replay_hist *replay_hist_open(struct replay_sim *s, const char *work, const char *durable,
				     char *err, size_t errsz);
/* Before the simulation moves to virtual time t: observations, minute
 * roll-ups and persistence due until then, each at its own time. */
void replay_hist_before(struct replay_hist *h, uint64_t t);
/* After an event: state and role changes. */
void replay_hist_after(struct replay_hist *h);
void replay_hist_decision(struct replay_hist *h, const struct decision *x);
void replay_hist_telemetry(struct replay_hist *h, unsigned i, const char *what,
			   const char *reason);
/* Ends the run: open outages cut, a last persistence, figures into res. */
void replay_hist_close(struct replay_hist *h, struct replay_hist_result *res);

#endif
