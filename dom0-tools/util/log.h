/*
 * The one log family of Shoji's daemons (shoji-hv, shojid, shoji-xenstored,
 * shoji-consoled): a line per message on stderr prefixed with the program's
 * name, or syslog once a daemon has detached.
 */
#ifndef SHOJI_UTIL_LOG_H
#define SHOJI_UTIL_LOG_H

#include <stdbool.h>

/* Name the program (the prefix of every line); call first in main(). */
void log_init(const char *progname);
/* Show log_debug lines. */
void log_set_verbose(bool on);
/* Send lines to syslog (daemon facility) instead of stderr. */
void log_set_syslog(bool on);

/* An informational line. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line shown only when verbose. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning followed by ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A warning that a client can provoke at will (a refused connection, an
 * accept that fails for want of descriptors): at most one line every
 * interval seconds; the next line says how many were left out meanwhile.
 */
struct log_limit {
	unsigned interval;     /* seconds between two lines */
	long long next;        /* CLOCK_MONOTONIC second before which lines are left out */
	unsigned long skipped; /* lines left out since the last one */
};
void log_warnx_limited(struct log_limit *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An error, then exit(1). */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* An error followed by ": strerror(errno)", then exit(1). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
