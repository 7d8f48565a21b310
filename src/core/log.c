#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static struct {
	bool to_stderr;
	bool opened;
	enum log_level level;
	FILE *file;             /* main.log_file: a copy of every line */
	log_sink_fn sink;       /* starwatch's size-bounded log file */
} g_log = { .to_stderr = true, .level = LOG_LVL_INFO };

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "err", [LOG_LVL_WARN] = "warn", [LOG_LVL_NOTICE] = "notice",
	[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
};

void log_open(const char *ident, bool to_stderr, enum log_level level)
{
	g_log.to_stderr = to_stderr;
	g_log.level = level;
	if (!to_stderr) {
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		g_log.opened = true;
	}
}

void log_set_level(enum log_level level) { g_log.level = level; }
void log_set_sink(log_sink_fn fn) { g_log.sink = fn; }
enum log_level log_get_level(void) { return g_log.level; }

int log_level_parse(const char *name)
{
	for (int i = LOG_LVL_ERR; i <= LOG_LVL_DEBUG; i++)
		if (level_names[i] && strcmp(level_names[i], name) == 0)
			return i;
	if (strcmp(name, "error") == 0)
		return LOG_LVL_ERR;
	if (strcmp(name, "warning") == 0)
		return LOG_LVL_WARN;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	if (level < LOG_LVL_ERR || level > LOG_LVL_DEBUG)
		return "?";
	return level_names[level];
}

void log_close(void)
{
	if (g_log.opened)
		closelog();
	g_log.opened = false;
	log_set_file(NULL);
}

/* (Re)opens the file: after logrotate moved it away, a reload starts a new
 * one. Appends, line-buffered, close-on-exec. The daemon is root and the path
 * the operator's: a symlink there is not followed (ELOOP), and anything but a
 * regular file (a FIFO would block the loop) is refused (EINVAL). */
int log_set_file(const char *path)
{
	if (g_log.file)
		fclose(g_log.file);
	g_log.file = NULL;
	if (!path || !*path)
		return 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		      O_CLOEXEC, 0640);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0 || !(g_log.file = fdopen(fd, "a"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	setvbuf(g_log.file, NULL, _IOLBF, 0);
	return 0;
}

static void log_to_file(enum log_level level, const char *text)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(g_log.file, "%s %s autonomyd: %s\n", when, log_level_name(level), text);
}

static void log_emit(enum log_level level, const char *text)
{
	if (g_log.file)
		log_to_file(level, text);
	if (g_log.sink)
		g_log.sink(level, text);
	if (!g_log.to_stderr) {
		syslog((int)level, "%s", text);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld %-6s %s\n", tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000000, log_level_name(level), text);
}

static void __attribute__((format(printf, 3, 0)))
log_vmsg(enum log_level level, int err, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(err));
	log_emit(level, buf);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > g_log.level)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, 0, fmt, ap);
	va_end(ap);
}

void log_errno(enum log_level level, const char *fmt, ...)
{
	int err = errno;
	if (level > g_log.level)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, err, fmt, ap);
	va_end(ap);
	errno = err;
}
