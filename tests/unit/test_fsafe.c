/* Files the daemon (root) writes and reads in directories an operator names
 * (issue 13, findings 4 and 5): no planted symlink followed, no foreign file
 * truncated or deleted, no FIFO blocking, no directory others can write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/pidfile.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/autonomy-fsafe-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static int teardown(void **state)
{
	return nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void path_in(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	size_t len;
	char *s = fs_read_file(path, 4096, &len);
	assert_non_null(s);
	return s;
}

/* The old temp name was <path>.tmp.<pid>, opened O_CREAT|O_TRUNC: a
 * symlink planted there truncated its target. Every name a writer could
 * predict is planted here; the victim must stay whole. */
static void test_atomic_write_ignores_planted_names(void **state)
{
	char path[256], victim[256], trap[300];
	path_in(path, sizeof(path), "state.json");
	path_in(victim, sizeof(victim), "victim");
	write_text(victim, "precious\n");
	snprintf(trap, sizeof(trap), "%s.tmp.%d", path, (int)getpid());
	assert_int_equal(symlink(victim, trap), 0);
	assert_int_equal(fs_write_atomic(path, "new\n", 4, 0644), 0);
	char *s = slurp(victim);
	assert_string_equal(s, "precious\n");
	free(s);
	s = slurp(path);
	assert_string_equal(s, "new\n");
	free(s);
	/* A symlink at the path itself is replaced, not written through. */
	unlink(path);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(fs_write_atomic(path, "again\n", 6, 0600), 0);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	s = slurp(victim);
	assert_string_equal(s, "precious\n");
	free(s);
}

/* Opening a FIFO for reading waits for a writer: state files and configs
 * are read without ever blocking. The read runs in a child so that a
 * regression fails the test (after a generous 10 s) instead of hanging it. */
static void test_read_fifo_does_not_block(void **state)
{
	char fifo[256];
	path_in(fifo, sizeof(fifo), "fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t len;
		char *s = fs_read_file(fifo, 4096, &len);
		_exit(!s && errno == EINVAL ? 0 : 1);
	}
	int status = -1;
	for (int i = 0; i < 1000 && waitpid(pid, &status, WNOHANG) == 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("fs_read_file blocked on a FIFO");
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(fs_read_strerror(EINVAL), "not a regular file");
	/* A directory is refused the same way. */
	assert_null(fs_read_file(dir, 100, NULL));
	assert_int_equal(errno, EINVAL);
}

static void test_dir_check(void **state)
{
	char sub[256], why[512];
	path_in(sub, sizeof(sub), "d");
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(fs_dir_check(sub, why, sizeof(why)), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(fs_dir_check(sub, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by others"));
	/* Sticky and world-writable like /tmp: fine above, not as the home. */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(fs_dir_check(sub, why, sizeof(why)), -1);
	char inner[300];
	snprintf(inner, sizeof(inner), "%s/in", sub);
	assert_int_equal(mkdir(inner, 0700), 0);
	assert_int_equal(fs_dir_check(inner, why, sizeof(why)), 0);
	/* World-writable without the sticky bit above: refused. */
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(fs_dir_check(inner, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not sticky"));
	/* A file is not a directory; a missing one says so. */
	char file[256], file_in[300];
	path_in(file, sizeof(file), "plain");
	write_text(file, "x");
	assert_int_equal(fs_dir_check(file, why, sizeof(why)), -1);
	snprintf(file_in, sizeof(file_in), "%s/x/y.pid", sub);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(fs_prepare_dir_of(file_in, 0755, why, sizeof(why)), 0);
	assert_int_equal(chmod(sub, 0757), 0);
	assert_int_equal(fs_prepare_dir_of(file_in, 0755, why, sizeof(why)), -1);
	assert_int_equal(chmod(sub, 0755), 0);
}

/* `-p` pointed at a config truncated it at start and deleted it at exit. */
static void test_pidfile_refuses_foreign_file(void **state)
{
	char path[256], why[512], victim[256];
	path_in(path, sizeof(path), "autonomy.conf");
	write_text(path, "config autonomy 'main'\n");
	assert_null(pidfile_acquire(path, NULL, why, sizeof(why)));
	assert_non_null(strstr(why, "not a pid file"));
	char *s = slurp(path);
	assert_string_equal(s, "config autonomy 'main'\n");
	free(s);
	/* A symlink at the pid file's path is refused, not followed. */
	path_in(victim, sizeof(victim), "victim");
	write_text(victim, "123\n");
	path_in(path, sizeof(path), "link.pid");
	assert_int_equal(symlink(victim, path), 0);
	assert_null(pidfile_acquire(path, NULL, why, sizeof(why)));
	assert_non_null(strstr(why, "symbolic link"));
	s = slurp(victim);
	assert_string_equal(s, "123\n");
	free(s);
	/* A FIFO there does not block. */
	path_in(path, sizeof(path), "fifo.pid");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(pidfile_acquire(path, NULL, why, sizeof(why)));
	/* A stale pid file (digits) is still taken over, and released. */
	path_in(path, sizeof(path), "stale.pid");
	write_text(path, "999999\n");
	struct pidfile *pf = pidfile_acquire(path, NULL, why, sizeof(why));
	assert_non_null(pf);
	/* Replaced behind our back: release leaves the newcomer alone. */
	char moved[300];
	snprintf(moved, sizeof(moved), "%s.old", path);
	assert_int_equal(rename(path, moved), 0);
	write_text(path, "not ours\n");
	pidfile_release(pf);
	s = slurp(path);
	assert_string_equal(s, "not ours\n");
	free(s);
}

/* main.log_file: root appends to a path the operator names. */
static void test_log_file_not_through_a_symlink_or_fifo(void **state)
{
	char victim[256], link[256], fifo[256], ok[256];
	path_in(victim, sizeof(victim), "victim");
	write_text(victim, "precious\n");
	path_in(link, sizeof(link), "log-link");
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(log_set_file(link), -1);
	assert_int_equal(errno, ELOOP);
	path_in(fifo, sizeof(fifo), "log-fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(log_set_file(fifo), -1);       /* at once: O_NONBLOCK */
	path_in(ok, sizeof(ok), "autonomy.log");
	assert_int_equal(log_set_file(ok), 0);
	log_msg(LOG_LVL_ERR, "a line");
	assert_int_equal(log_set_file(NULL), 0);
	char *s = slurp(victim);
	assert_string_equal(s, "precious\n");
	free(s);
	s = slurp(ok);
	assert_non_null(strstr(s, "a line"));
	free(s);
}

static void test_set_aside(void **state)
{
	char path[256], bad[300];
	path_in(path, sizeof(path), "usage.json");
	write_text(path, "{garbage");
	assert_int_equal(fs_set_aside(path, bad, sizeof(bad)), 0);
	assert_int_equal(access(path, F_OK), -1);
	char *s = slurp(bad);
	assert_string_equal(s, "{garbage");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_write_ignores_planted_names),
		cmocka_unit_test(test_read_fifo_does_not_block),
		cmocka_unit_test(test_dir_check),
		cmocka_unit_test(test_pidfile_refuses_foreign_file),
		cmocka_unit_test(test_log_file_not_through_a_symlink_or_fifo),
		cmocka_unit_test(test_set_aside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
