/*
 * dom0_grant_main() (see dom0-util.h), apart from dom0-util.c: only the
 * programs that link libshoji-gnttab use it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/libgnttab.h>

#include "dom0-util.h"

struct shoji_gnttab *dom0_grant_main(struct dom0_guest *g, const char *prog, int argc, char **argv,
                                     unsigned int *ref)
{
	struct shoji_gnttab *gt;

	dom0_prog = prog;
	if (argc != 3 || !g) {
		fprintf(stderr, "usage: %s SOCKET GUEST\n", prog);
		exit(2);
	}
	dom0_grant_guest_start(g, argv[1], argv[2], "", ref, NULL);
	gt = shoji_gnttab_open(argv[1]);
	if (!gt)
		dom0_fail("shoji_gnttab_open: %s", strerror(errno));
	return gt;
}
