/* The daemons' log family: see log.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *prog = "shoji";
static bool verbose, use_syslog;

void log_init(const char *progname)
{
	prog = progname;
}

void log_set_verbose(bool on)
{
	verbose = on;
}

void log_set_syslog(bool on)
{
	use_syslog = on;
	if (on)
		openlog(prog, LOG_PID, LOG_DAEMON);
}

/* One line: the message, then ": strerror(err)" when err is set. */
static void __attribute__((format(printf, 2, 0)))
vlog(int prio, const char *fmt, va_list ap, int err)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (use_syslog) {
		if (err)
			syslog(prio, "%s: %s", buf, strerror(err));
		else
			syslog(prio, "%s", buf);
	} else if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog, buf, strerror(err));
	} else {
		fprintf(stderr, "%s: %s\n", prog, buf);
	}
}

void log_warnx_limited(struct log_limit *l, const char *fmt, ...)
{
	struct timespec now;
	char buf[1024];
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < l->next) {
		l->skipped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (l->skipped)
		log_warnx("%s (%lu more like it in the last %u s)", buf, l->skipped, l->interval);
	else
		log_warnx("%s", buf);
	l->skipped = 0;
	l->next = (long long)now.tv_sec + l->interval;
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, err);
	va_end(ap);
	exit(1);
}
