/* log: the daemon's small logging API. syslog (tag "autonomyd") when running
 * as a daemon, stderr in the foreground. Levels follow syslog's. */
#ifndef AUTONOMY_CORE_LOG_H
#define AUTONOMY_CORE_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_NOTICE = 5,
                 LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/* to_stderr: foreground mode. ident: syslog tag. */
void log_open(const char *ident, bool to_stderr, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "err", "warn", "notice", "info", "debug" → level; -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);
void log_close(void);
/* Also append every line to path (NULL or "": stop); reopened on each
 * call, so a reload after logrotate starts a fresh file. 0 or -1 (errno). */
int log_set_file(const char *path);
/* One more destination for every message that passes the level (starwatch
 * keeps its own size-bounded log file this way); NULL removes it. */
typedef void (*log_sink_fn)(enum log_level level, const char *text);
void log_set_sink(log_sink_fn fn);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends ": strerror(errno)" using the errno current at the call. */
void log_errno(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)    log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
