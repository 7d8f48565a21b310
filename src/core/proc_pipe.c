/* proc: reading a child's pipes. stdout is kept up to max_output, stderr's
 * first PROC_ERROUT_MAX bytes, the exec-error pipe's errno; everything past
 * that is read and dropped, so a chatty child never blocks on a full pipe. */
#include "core/proc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#define PROC_READS_PER_WAKE 16  /* one chatty child cannot starve the loop */

static char scratch[4096];      /* discarded output lands here */

static bool out_grow(struct proc *p)
{
	if (p->out_cap > p->out_len)
		return true;
	size_t cap = p->out_cap ? p->out_cap * 2 : 4096;
	if (cap > p->out_max)
		cap = p->out_max;
	char *b = realloc(p->out, cap + 1);
	if (!b)
		return false;           /* the rest is discarded and flagged */
	p->out = b;
	p->out_cap = cap;
	return true;
}

/* Where the next read of a pipe goes, and how much fits there. */
static size_t room(struct proc *p, int which, char **at)
{
	if (which == PIPE_OUT && p->out_len < p->out_max && out_grow(p)) {
		*at = p->out + p->out_len;
		return p->out_cap - p->out_len;
	}
	if (which == PIPE_ERR && p->err_len < PROC_ERROUT_MAX) {
		*at = p->errout + p->err_len;
		return PROC_ERROUT_MAX - p->err_len;
	}
	if (which == PIPE_EXEC && p->ep_len < sizeof(p->ep_buf)) {
		*at = (char *)p->ep_buf + p->ep_len;
		return sizeof(p->ep_buf) - p->ep_len;
	}
	*at = scratch;
	return sizeof(scratch);
}

static void commit(struct proc *p, int which, const char *at, size_t n)
{
	if (at == scratch) {
		p->out_trunc |= which == PIPE_OUT;
		return;
	}
	if (which == PIPE_OUT)
		p->out_len += n;
	else if (which == PIPE_ERR)
		p->err_len += n;
	else
		p->ep_len += n;
}

void proc_pipe_close(struct proc_pipe *pp)
{
	if (pp->ev) {
		event_free(pp->ev);
		pp->ev = NULL;
	}
	if (pp->fd >= 0) {
		close(pp->fd);
		pp->fd = -1;
	}
}

void proc_pipe_drain(struct proc *p, int which)
{
	struct proc_pipe *pp = &p->pipes[which];
	for (int i = 0; i < PROC_READS_PER_WAKE && pp->fd >= 0; i++) {
		char *at;
		size_t n = room(p, which, &at);
		ssize_t r = read(pp->fd, at, n);
		if (r > 0)
			commit(p, which, at, (size_t)r);
		else if (r < 0 && errno == EINTR)
			continue;
		else if (r < 0 && errno == EAGAIN)
			return;
		else
			proc_pipe_close(pp);         /* EOF, or an error that is as final */
	}
}
