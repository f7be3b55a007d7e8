/*
 * An out-of-tree Dom0 program linked with `pkg-config --cflags --libs shoji`
 * against an installed tree: proves the Dom0 libraries and their headers are
 * installed and link.  Run with no daemon, each open must fail cleanly.
 */
#include <errno.h>
#include <stdio.h>

#include <shoji/backend.h>
#include <shoji/ctrl.h>
#include <shoji/libevtchn.h>
#include <shoji/libgnttab.h>
#include <shoji/xs.h>

int main(int argc, char **argv)
{
	const char *nowhere = argc > 1 ? argv[1] : "/nonexistent/shoji.sock";
	struct shoji_xs *xs = shoji_xs_open(nowhere);
	struct shoji_evtchn *ev = shoji_evtchn_open(nowhere);
	struct shoji_ctrl *ctrl = shoji_ctrl_open(nowhere);

	if (xs || ev || ctrl) {
		fprintf(stderr, "backend: opening %s succeeded without a daemon\n", nowhere);
		return 1;
	}
	printf("backend: libshoji-xs/-evtchn/-ctrl linked; opens fail without a daemon (%d)\n",
	       errno);
	return 0;
}
