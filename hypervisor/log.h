/* shoji-hv diagnostics: every line goes to stderr prefixed "shoji-hv: ". */
#ifndef SHOJI_HV_LOG_H
#define SHOJI_HV_LOG_H

#include <stdbool.h>

/* Print a diagnostic line (printf-style, newline added). */
void hv_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, followed by ": strerror(errno)". */
void hv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Verbose-only diagnostic; silent unless hv_log_verbose is set. */
void hv_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a diagnostic line and exit with status 1 (host-side error). */
void hv_fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void hv_log_set_verbose(bool on);

#endif
