/*
 * xs-ring-run: boot one xs-guest and connect it to shoji-xenstored, as a
 * toolstack would, then relay the guest's console.
 *
 *   xs-ring-run HV_SOCKET XS_SOCKET GUEST CMDLINE [HOOK]
 *
 * 1. Creates a 32 MiB domain from GUEST with CMDLINE and unpauses it.
 * 2. Reads "xs-guest: domid=D gfn=0xG port=P" from its console (the guest
 *    allocated its store page and its port for Dom0 itself: shoji-hv has no
 *    "alloc_unbound in domain D" control operation yet).
 * 3. Over XS_SOCKET: creates /local/domain/D owned by D (perms "nD"), then
 *    INTRODUCE D G P.
 * 4. Copies every console line to stdout; for "xs-guest: hook WORD" it runs
 *    `HOOK WORD D` and waits for it.  Stops at SUCCESS or FAILURE, waits for
 *    the shutdown, RELEASEs the domain (checking that @releaseDomain fires)
 *    and destroys it.  With XS_RING_DEATH set in the environment it destroys
 *    the domain first (the daemon must notice through VIRQ_DOM_EXC and fire
 *    @releaseDomain) and RELEASEs it afterwards.
 * Exit 0 when the guest printed SUCCESS, 1 otherwise.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <shoji/xs.h>

#include "dom0-util.h"

/* Toolstack part of connecting a domain to the store (see docs/xenstore-ring.md). */
static void introduce(const char *xs_socket, uint32_t domid, uint64_t gfn, uint32_t port)
{
	struct shoji_xs *h = shoji_xs_open(xs_socket);
	struct shoji_xs_perm perm = {.domid = domid, .perms = SHOJI_XS_PERM_NONE};
	char path[64];

	if (!h)
		dom0_fail("connect %s: %s", xs_socket, strerror(errno));
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32, domid);
	if (shoji_xs_mkdir(h, SHOJI_XS_NO_TX, path) < 0 ||
	    shoji_xs_set_perms(h, SHOJI_XS_NO_TX, path, &perm, 1) < 0)
		dom0_fail("create %s: %s", path, strerror(errno));
	if (shoji_xs_introduce(h, domid, gfn, port) < 0)
		dom0_fail("introduce %" PRIu32 ": %s", domid, strerror(errno));
	shoji_xs_close(h);
}

/*
 * Toolstack part of tearing it down: RELEASE (or, with death, destroy the
 * domain first and RELEASE after), check that @releaseDomain fires and the
 * domain is no longer introduced.
 */
static void teardown(const char *xs_socket, struct dom0_guest *g, uint32_t domid, bool death)
{
	struct shoji_xs *h = shoji_xs_open(xs_socket);
	uint64_t deadline = dom0_now_ns() + 10ULL * 1000000000ULL;
	bool fired = false;

	if (!h)
		dom0_fail("connect %s: %s", xs_socket, strerror(errno));
	if (shoji_xs_watch(h, "@releaseDomain", "rel") < 0)
		dom0_fail("watch @releaseDomain: %s", strerror(errno));
	if (death)
		dom0_guest_destroy(g); /* the daemon learns it from VIRQ_DOM_EXC */
	else if (shoji_xs_release(h, domid) < 0)
		dom0_fail("release %" PRIu32 ": %s", domid, strerror(errno));
	/* the first event is the one WATCH sends at once; the second is the release */
	for (int seen = 0; seen < 2 && dom0_now_ns() < deadline;) {
		char **ev = shoji_xs_check_watch(h);

		if (!ev) {
			dom0_wait_fd(shoji_xs_fileno(h), 200);
			continue;
		}
		seen++;
		fired = seen == 2;
		free(ev);
	}
	if (!fired)
		dom0_fail("@releaseDomain did not fire for domain %" PRIu32, domid);
	if (death && shoji_xs_release(h, domid) < 0)
		dom0_fail("release %" PRIu32 " after its death: %s", domid, strerror(errno));
	if (shoji_xs_is_domain_introduced(h, domid) != 0)
		dom0_fail("domain %" PRIu32 " still introduced after RELEASE", domid);
	shoji_xs_close(h);
	printf("xs-ring-run: %s domain %" PRIu32 ", @releaseDomain fired\n",
	       death ? "destroyed" : "released", domid);
	if (!death)
		dom0_guest_destroy(g);
}

/* Append what the guest printed since the last call; the number of new bytes. */
static size_t console_more(struct dom0_guest *g)
{
	if (g->con_len == sizeof(g->con) - 1)
		dom0_fail("console buffer full");
	return dom0_console_poll(g);
}

int main(int argc, char **argv)
{
	static struct dom0_guest g;
	const char *hook = argc > 5 ? argv[5] : NULL;
	unsigned int domid, port;
	unsigned long long gfn;
	const char *line;
	size_t done = 0;
	int ok = -1;
	uint64_t deadline;

	dom0_prog = "xs-ring-run";
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: xs-ring-run HV_SOCKET XS_SOCKET GUEST CMDLINE [HOOK]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	dom0_guest_start(&g, argv[1], argv[3], argv[4]);
	line = dom0_console_wait(&g, "xs-guest: domid=", 60000);
	if (sscanf(line, "xs-guest: domid=%u gfn=%llx port=%u", &domid, &gfn, &port) != 3)
		dom0_fail("bad line: %s", line);
	introduce(argv[2], domid, gfn, port);
	deadline = dom0_now_ns() + 240ULL * 1000000000ULL;
	while (ok < 0) {
		char *nl = strchr(g.con + done, '\n');

		if (!nl) {
			if (dom0_now_ns() > deadline)
				dom0_fail("guest %u did not finish; console:\n%s", domid, g.con);
			if (console_more(&g) == 0)
				nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
			continue;
		}
		*nl = '\0';
		printf("[dom%u] %s\n", domid, g.con + done);
		if (strncmp(g.con + done, "xs-guest: hook ", 15) == 0 && hook) {
			char cmd[1024];

			snprintf(cmd, sizeof(cmd), "'%s' '%s' %u", hook, g.con + done + 15, domid);
			if (system(cmd) != 0)
				dom0_fail("hook failed: %s", cmd);
		} else if (strcmp(g.con + done, "SUCCESS") == 0) {
			ok = 1;
		} else if (strcmp(g.con + done, "FAILURE") == 0) {
			ok = 0;
		}
		*nl = '\n';
		done = (size_t)(nl - g.con) + 1;
	}
	dom0_guest_wait_shutdown(&g, 30000);
	teardown(argv[2], &g, domid, getenv("XS_RING_DEATH") != NULL);
	printf("xs-ring-run: domain %u %s\n", domid, ok ? "SUCCESS" : "FAILURE");
	return ok ? 0 : 1;
}
