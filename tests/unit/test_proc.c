/* proc: real children on a real libevent loop, through both exit watches
 * (pidfd and the SIGCHLD fallback). Every test ends by checking that no fd
 * leaked and no zombie is left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/proc.h"
#include "core/proc_int.h"

#define MAXRUN 64

struct run {
	int calls;
	struct proc_result r;
	char out[70 * 1024];
	char errout[600];
	struct proc *cancel_other;      /* cancelled from this one's callback */
	struct proc *self;              /* cancelled (a no-op) from its own */
};

struct fx {
	struct event_base *base;
	int fds_before;
	bool sigchld;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void on_done(void *arg, const struct proc_result *r)
{
	struct run *run = arg;
	run->calls++;
	run->r = *r;
	size_t n = r->out_len < sizeof(run->out) - 1 ? r->out_len : sizeof(run->out) - 1;
	memcpy(run->out, r->out, n);
	run->out[n] = '\0';
	assert_int_equal(r->out[r->out_len], '\0');
	snprintf(run->errout, sizeof(run->errout), "%s", r->errout);
	run->r.out = run->out;
	run->r.errout = run->errout;
	if (run->self)
		proc_cancel(run->self);
	if (run->cancel_other)
		proc_cancel(run->cancel_other);
}

static void on_guard(evutil_socket_t fd, short what, void *arg) { *(bool *)arg = true; }

/* Runs the loop until cond(ctx) or the deadline; false on the deadline. */
static bool loop_until(struct fx *f, bool (*cond)(void *), void *ctx, unsigned ms)
{
	bool expired = false;
	struct event *guard = evtimer_new(f->base, on_guard, &expired);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(guard, &tv);
	while (!cond(ctx) && !expired)
		event_base_loop(f->base, EVLOOP_ONCE);
	event_free(guard);
	return cond(ctx);
}

static bool run_done(void *ctx) { return ((struct run *)ctx)->calls > 0; }
static bool none_running(void *ctx) { return proc_running() == 0; }

static int setup_common(void **state, bool sigchld)
{
	static struct fx f;
	/* As the daemon makes its base: libevent's default coarse clock may
	 * fire a timer up to a jiffy early. */
	struct event_config *ec = event_config_new();
	event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER);
	f.base = event_base_new_with_config(ec);
	event_config_free(ec);
	f.sigchld = sigchld;
	proc_use_pidfd(!sigchld);
	f.fds_before = count_fds();
	*state = &f;
	return f.base ? 0 : -1;
}

static int setup_pidfd(void **state) { return setup_common(state, false); }
static int setup_sigchld(void **state) { return setup_common(state, true); }

static int teardown(void **state)
{
	struct fx *f = *state;
	event_base_free(f->base);
	proc_use_pidfd(true);
	return 0;
}

/* The end of every test: nothing running, nothing leaked, no zombie. */
static void assert_clean(struct fx *f)
{
	assert_true(loop_until(f, none_running, NULL, 3000));
	assert_int_equal(count_fds(), f->fds_before);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static struct proc *spawn(struct fx *f, struct run *run, unsigned timeout_ms,
			  size_t max_output, char *const argv[])
{
	struct proc_opts o = { .timeout_ms = timeout_ms, .max_output = max_output };
	memset(run, 0, sizeof(*run));
	struct proc *p = proc_spawn(f->base, argv, &o, on_done, run);
	assert_non_null(p);
	assert_int_equal(run->calls, 0);        /* never from inside proc_spawn */
	return p;
}

static void run_one(struct fx *f, struct run *run, unsigned timeout_ms, size_t max_output,
		    char *const argv[])
{
	spawn(f, run, timeout_ms, max_output, argv);
	assert_true(loop_until(f, run_done, run, 5000));
	assert_int_equal(run->calls, 1);
}

static void test_true_false(void **state)
{
	struct fx *f = *state;
	struct run run;
	run_one(f, &run, 0, 0, (char *[]){ "true", NULL });
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_int_equal(run.r.status, 0);
	assert_int_equal(run.r.out_len, 0);
	assert_false(run.r.out_truncated);
	run_one(f, &run, 0, 0, (char *[]){ "/bin/false", NULL });
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_int_equal(run.r.status, 1);
	assert_true(run.r.took_us < 2000000);
	assert_clean(f);
}

static void test_argv_not_shell(void **state)
{
	struct fx *f = *state;
	struct run run;
	run_one(f, &run, 0, 0, (char *[]){ "printf", "[%s]\\n", "two words", "\"quoted\" 'single'",
					   "$(id)", "`id`; echo x | cat", "*", NULL });
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_string_equal(run.out, "[two words]\n[\"quoted\" 'single']\n[$(id)]\n"
				     "[`id`; echo x | cat]\n[*]\n");
	assert_clean(f);
}

/* Input reaches the child's stdin (a hook reads its event there); without
 * input stdin is /dev/null: EOF at once. */
static void test_stdin_input(void **state)
{
	struct fx *f = *state;
	struct run run;
	static const char doc[] = "{\"event\":\"switch\"}\nsecond line\n";
	memset(&run, 0, sizeof(run));
	assert_non_null(proc_spawn_input(f->base, (char *[]){ "cat", NULL }, NULL, doc,
					 sizeof(doc) - 1, on_done, &run));
	assert_true(loop_until(f, run_done, &run, 5000));
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_string_equal(run.out, doc);
	run_one(f, &run, 0, 0, (char *[]){ "wc", "-c", NULL });
	assert_int_equal(atoi(run.out), 0);
	assert_clean(f);
}

static void test_spawn_failed(void **state)
{
	struct fx *f = *state;
	struct run run;
	/* Not on PATH: no fork at all, still reported from the loop. */
	run_one(f, &run, 0, 0, (char *[]){ "autonomy-no-such-tool", NULL });
	assert_int_equal(run.r.end, PROC_SPAWN_FAILED);
	assert_int_equal(run.r.err, ENOENT);
	/* A path: the child's execv fails and says why through the pipe. */
	run_one(f, &run, 0, 0, (char *[]){ "/nonexistent/tool", NULL });
	assert_int_equal(run.r.end, PROC_SPAWN_FAILED);
	assert_int_equal(run.r.err, ENOENT);
	/* Exit 127 from a real program is not a spawn failure. */
	run_one(f, &run, 0, 0, (char *[]){ "sh", "-c", "exit 127", NULL });
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_int_equal(run.r.status, 127);
	assert_clean(f);
}

static void test_not_executable(void **state)
{
	struct fx *f = *state;
	char path[] = "/tmp/autonomy-proc-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	close(fd);
	chmod(path, 0644);
	struct run run;
	run_one(f, &run, 0, 0, (char *[]){ path, NULL });
	assert_int_equal(run.r.end, PROC_SPAWN_FAILED);
	assert_int_equal(run.r.err, EACCES);
	/* Executable but no #! and not ELF: ENOEXEC, no shell fallback. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "echo hi\n", 8), 8);
	close(fd);
	chmod(path, 0755);
	run_one(f, &run, 0, 0, (char *[]){ path, NULL });
	assert_int_equal(run.r.end, PROC_SPAWN_FAILED);
	assert_int_equal(run.r.err, ENOEXEC);
	unlink(path);
	assert_clean(f);
}

static void test_timeout(void **state)
{
	struct fx *f = *state;
	struct run run;
	uint64_t t0 = clock_mono_us();
	run_one(f, &run, 200, 0, (char *[]){ "sleep", "10", NULL });
	uint64_t took = clock_mono_us() - t0;
	assert_int_equal(run.r.end, PROC_TIMEOUT);
	if (took < 200000 || took >= 1000000)
		fail_msg("took %llu us", (unsigned long long)took);
	if (run.r.took_us < 200000 || run.r.took_us >= 1000000)
		fail_msg("took_us %llu", (unsigned long long)run.r.took_us);
	assert_clean(f);
}

/* /proc/PID/stat's state letter, or 0 when the process is gone. */
static char proc_state(long pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? rp[2] : '?';
}

static void test_timeout_kills_group(void **state)
{
	struct fx *f = *state;
	struct run run;
	run_one(f, &run, 300, 0, (char *[]){ "sh", "-c", "sleep 30 & echo $!; sleep 30", NULL });
	assert_int_equal(run.r.end, PROC_TIMEOUT);
	long gpid = strtol(run.out, NULL, 10);
	assert_true(gpid > 1);
	/* Killed with its parent: gone, or a zombie of whoever adopted it. */
	char st = 'S';
	for (int i = 0; i < 100 && st != 0 && st != 'Z' && st != 'X'; i++) {
		usleep(10000);
		st = proc_state(gpid);
	}
	assert_true(st == 0 || st == 'Z' || st == 'X');
	assert_clean(f);
}

static void test_grandchild_holds_pipe(void **state)
{
	struct fx *f = *state;
	struct run run;
	uint64_t t0 = clock_mono_us();
	run_one(f, &run, 5000, 0, (char *[]){ "sh", "-c", "sleep 20 & echo $!", NULL });
	assert_true(clock_mono_us() - t0 < 1000000);
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_int_equal(run.r.status, 0);
	long gpid = strtol(run.out, NULL, 10);
	assert_true(gpid > 1);
	kill((pid_t)gpid, SIGKILL);             /* not our child: adopted */
	assert_clean(f);
}

static void test_big_output_truncated(void **state)
{
	struct fx *f = *state;
	struct run run;
	run_one(f, &run, 5000, 64 * 1024, (char *[]){ "head", "-c", "1048576", "/dev/zero", NULL });
	assert_int_equal(run.r.end, PROC_EXITED);       /* not blocked, not killed */
	assert_int_equal(run.r.status, 0);
	assert_int_equal(run.r.out_len, 64 * 1024);
	assert_true(run.r.out_truncated);
	/* Exactly max_output is not truncated. */
	run_one(f, &run, 5000, 1000, (char *[]){ "head", "-c", "1000", "/dev/zero", NULL });
	assert_int_equal(run.r.out_len, 1000);
	assert_false(run.r.out_truncated);
	assert_clean(f);
}

static void test_stderr(void **state)
{
	struct fx *f = *state;
	struct run run;
	run_one(f, &run, 0, 0, (char *[]){ "sh", "-c", "echo out; echo oops >&2; exit 3", NULL });
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_int_equal(run.r.status, 3);
	assert_string_equal(run.out, "out\n");
	assert_string_equal(run.errout, "oops\n");
	/* Only the first 512 bytes are kept; the rest is drained. */
	run_one(f, &run, 0, 0, (char *[]){ "sh", "-c", "head -c 100000 /dev/zero | tr '\\0' e >&2",
					   NULL });
	assert_int_equal(run.r.end, PROC_EXITED);
	assert_int_equal(strlen(run.errout), 512);
	assert_int_equal(run.errout[511], 'e');
	assert_clean(f);
}

static void test_signaled(void **state)
{
	struct fx *f = *state;
	struct run run;
	run_one(f, &run, 0, 0, (char *[]){ "sh", "-c", "kill -TERM $$", NULL });
	assert_int_equal(run.r.end, PROC_SIGNALED);
	assert_int_equal(run.r.status, SIGTERM);
	assert_clean(f);
}

static struct run many[MAXRUN];

static bool all_done(void *ctx)
{
	for (int i = 0; i < *(int *)ctx; i++)
		if (many[i].calls == 0)
			return false;
	return true;
}

static void test_fifty_at_once(void **state)
{
	struct fx *f = *state;
	int n = 50;
	char num[MAXRUN][12];
	for (int i = 0; i < n; i++) {
		snprintf(num[i], sizeof(num[i]), "%d", i);
		spawn(f, &many[i], 5000, 0, (char *[]){ "sh", "-c", "sleep 0.1; echo $0", num[i], NULL });
	}
	assert_int_equal(proc_running(), n);
	assert_true(loop_until(f, all_done, &n, 10000));
	for (int i = 0; i < n; i++) {
		char want[16];
		snprintf(want, sizeof(want), "%d\n", i);
		assert_int_equal(many[i].calls, 1);
		assert_int_equal(many[i].r.end, PROC_EXITED);
		assert_string_equal(many[i].out, want);
	}
	assert_clean(f);
}

static void on_never(void *arg, const struct proc_result *r) { fail_msg("callback after cancel"); }
static bool sleep_ms_done(void *ctx) { return clock_mono_us() >= *(uint64_t *)ctx; }

static void test_cancel(void **state)
{
	struct fx *f = *state;
	struct proc *p = proc_spawn(f->base, (char *[]){ "sleep", "10", NULL }, NULL, on_never, NULL);
	assert_non_null(p);
	uint64_t until = clock_mono_us() + 50000;
	loop_until(f, sleep_ms_done, &until, 1000);
	assert_int_equal(proc_running(), 1);
	proc_cancel(p);
	/* Reaped from the loop soon after; no callback. */
	assert_clean(f);
	/* Cancelling one that has not even started (lookup failed). */
	p = proc_spawn(f->base, (char *[]){ "autonomy-no-such-tool", NULL }, NULL, on_never, NULL);
	assert_non_null(p);
	proc_cancel(p);
	until = clock_mono_us() + 20000;
	loop_until(f, sleep_ms_done, &until, 1000);
	assert_clean(f);
}

static struct run chained;

static void on_chain(void *arg, const struct proc_result *r)
{
	struct fx *f = arg;
	memset(&chained, 0, sizeof(chained));
	/* A new child from inside a callback. */
	assert_non_null(proc_spawn(f->base, (char *[]){ "echo", "next", NULL }, NULL, on_done,
				   &chained));
}

static void test_callback_reentry(void **state)
{
	struct fx *f = *state;
	struct run a, b;
	/* a's callback cancels its own handle (a no-op) and b, still running. */
	struct proc *pb = spawn(f, &b, 10000, 0, (char *[]){ "sleep", "10", NULL });
	struct proc *pa = spawn(f, &a, 0, 0, (char *[]){ "true", NULL });
	a.self = pa;
	a.cancel_other = pb;
	assert_true(loop_until(f, run_done, &a, 5000));
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	assert_non_null(proc_spawn(f->base, (char *[]){ "true", NULL }, NULL, on_chain, f));
	memset(&chained, 0, sizeof(chained));
	assert_true(loop_until(f, run_done, &chained, 5000));
	assert_string_equal(chained.out, "next\n");
	assert_int_equal(b.calls, 0);
	assert_clean(f);
}

static void test_child_environment(void **state)
{
	struct fx *f = *state;
	struct run run;
	/* A descriptor without O_CLOEXEC, SIGPIPE ignored and SIGUSR1 blocked
	 * in the parent: none of it reaches the child. */
	int leak = open("/dev/null", O_RDONLY);
	assert_true(leak > 2);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	sigset_t usr1, prev;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &prev);
	run_one(f, &run, 0, 0, (char *[]){ "ls", "/proc/self/fd", NULL });
	assert_string_equal(run.out, "0\n1\n2\n3\n");   /* 3: ls's own directory */
	run_one(f, &run, 0, 0, (char *[]){ "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL });
	assert_string_equal(run.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	run_one(f, &run, 0, 0, (char *[]){ "readlink", "/proc/self/fd/0", NULL });
	assert_string_equal(run.out, "/dev/null\n");
	sigprocmask(SIG_SETMASK, &prev, NULL);
	signal(SIGPIPE, old);
	close(leak);
	/* Its own process group: pgrp (5th field of stat) = pid. */
	run_one(f, &run, 0, 0, (char *[]){ "cat", "/proc/self/stat", NULL });
	long pid = strtol(run.out, NULL, 10), pgrp = 0;
	char *rp = strrchr(run.out, ')');
	assert_non_null(rp);
	assert_int_equal(sscanf(rp + 2, "%*c %*d %ld", &pgrp), 1);
	assert_int_equal(pgrp, pid);
	/* A minimal environment (issue 13): the daemon's own variables (a
	 * secret, a loader or sanitizer setting) never reach a tool; PATH does,
	 * and the C locale the parsers expect. */
	setenv("AUTONOMY_TEST_SECRET", "hunter2", 1);
	setenv("LD_PRELOAD", "", 1);
	const char *path = getenv("PATH");
	run_one(f, &run, 0, 0, (char *[]){ "env", NULL });
	char want[4200];
	snprintf(want, sizeof(want), "PATH=%s\nLC_ALL=C\nLANG=C\nHOME=/\n", path);
	assert_string_equal(run.out, want);
	unsetenv("AUTONOMY_TEST_SECRET");
	unsetenv("LD_PRELOAD");
	assert_clean(f);
}

static void test_which(void **state)
{
	char dir[] = "/tmp/autonomy-which-XXXXXX", out[256], path[300];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tool", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	close(fd);
	char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char newpath[400];
	snprintf(newpath, sizeof(newpath), "::%s:/bin", dir);
	setenv("PATH", newpath, 1);
	assert_int_equal(proc_which("tool", out, sizeof(out)), -1);   /* not executable */
	chmod(path, 0755);
	assert_int_equal(proc_which("tool", out, sizeof(out)), 0);
	assert_string_equal(out, path);
	assert_int_equal(proc_which("tool", out, 8), -1);             /* does not fit */
	assert_int_equal(proc_which("sh", out, sizeof(out)), 0);
	assert_string_equal(out, "/bin/sh");
	/* A directory of that name is not a program. */
	snprintf(newpath, sizeof(newpath), "/tmp");
	setenv("PATH", newpath, 1);
	assert_int_equal(proc_which(dir + 5, out, sizeof(out)), -1);
	unsetenv("PATH");
	assert_int_equal(proc_which("sh", out, sizeof(out)), 0);      /* the default PATH */
	assert_true(strcmp(out, "/usr/bin/sh") == 0 || strcmp(out, "/bin/sh") == 0);
	assert_int_equal(proc_which(path, out, sizeof(out)), 0);     /* a path: itself */
	assert_string_equal(out, path);
	assert_int_equal(proc_which("/etc/passwd", out, sizeof(out)), -1);
	assert_int_equal(proc_which("", out, sizeof(out)), -1);
	assert_int_equal(errno, ENOENT);
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	}
	unlink(path);
	rmdir(dir);
}

#define BOTH(t) cmocka_unit_test_setup_teardown(t, setup_pidfd, teardown)
#define SIGCHLD_ONLY(t) cmocka_unit_test_setup_teardown(t, setup_sigchld, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_true_false),
		BOTH(test_argv_not_shell),
		BOTH(test_spawn_failed),
		BOTH(test_stdin_input),
		BOTH(test_not_executable),
		BOTH(test_timeout),
		BOTH(test_timeout_kills_group),
		BOTH(test_grandchild_holds_pipe),
		BOTH(test_big_output_truncated),
		BOTH(test_stderr),
		BOTH(test_signaled),
		BOTH(test_fifty_at_once),
		BOTH(test_cancel),
		BOTH(test_callback_reentry),
		BOTH(test_child_environment),
		cmocka_unit_test(test_which),
		/* The same through the SIGCHLD fallback (kernels before 5.3). */
		SIGCHLD_ONLY(test_true_false),
		SIGCHLD_ONLY(test_spawn_failed),
		SIGCHLD_ONLY(test_timeout),
		SIGCHLD_ONLY(test_timeout_kills_group),
		SIGCHLD_ONLY(test_grandchild_holds_pipe),
		SIGCHLD_ONLY(test_big_output_truncated),
		SIGCHLD_ONLY(test_fifty_at_once),
		SIGCHLD_ONLY(test_cancel),
		SIGCHLD_ONLY(test_callback_reentry),
		SIGCHLD_ONLY(test_child_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
