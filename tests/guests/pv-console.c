/*
 * pv-console: the guest runtime's PV console frontend and xenstore client
 * on the rings a toolstack sets up (HVM_PARAM_CONSOLE_* / STORE_*), e.g.
 * tests/system/console-dom.  On the PV console it prints
 *	pvcons: hello
 *	pvcons: name=<xenstore "name"> domid=<xenstore "domid">
 *	pvcons: ready
 * then echoes each input line as "echo: <line>" until the line "quit",
 * then "pvcons: bye" and power-off.  Setup failures go to console_io as
 * "pv-console: <what> failed rc=<rc>" and crash the domain.
 */
#include "evtchn-lib.h"

static void say(const char *s)
{
	pvcons_write(s, strlen(s));
}

static bool setup(const char *what, long rc)
{
	if (rc < 0)
		printf("pv-console: %s failed rc=%ld\n", what, rc);
	return rc >= 0;
}

int guest_main(const struct hvm_start_info *si)
{
	char name[64], domid[16], line[128], msg[256], in[64];
	size_t len = 0;

	if (!setup("evtchn_init", evtchn_init()) || !setup("pvcons_init", pvcons_init()) ||
	    !setup("xs_init", xs_init()))
		return 1;
	say("pvcons: hello\n");
	if (!setup("xs_read name", xs_read("name", name, sizeof(name))) ||
	    !setup("xs_read domid", xs_read("domid", domid, sizeof(domid))))
		return 1;
	snprintf(msg, sizeof(msg), "pvcons: name=%s domid=%s\n", name, domid);
	say(msg);
	say("pvcons: ready\n");
	for (;;) {
		long n = pvcons_read(in, sizeof(in));

		if (!setup("pvcons_read", n))
			return 1;
		if (n == 0)
			sleep_ns(MS); /* the backend's notify also ends the sleep */
		for (long i = 0; i < n; i++) {
			if (in[i] != '\r' && in[i] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = in[i];
				continue;
			}
			line[len] = '\0';
			if (strcmp(line, "quit") == 0) {
				say("pvcons: bye\n");
				return 0;
			}
			if (len > 0) {
				snprintf(msg, sizeof(msg), "echo: %s\n", line);
				say(msg);
			}
			len = 0;
		}
	}
}
