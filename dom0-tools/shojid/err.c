/* shojid's error replies: sd_fail fills a request's error message. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "shojid.h"

int sd_fail(struct sd_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}
