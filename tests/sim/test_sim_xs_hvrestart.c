/*
 * shoji-xenstored across a shoji-hv that dies and comes back (issue 15,
 * finding 7).  shoji-hv is hvsim in a child process, so that it can be
 * killed with SIGKILL as a crashed shoji-hv would be; the child also plays
 * its domain's guest, which asks for its domain path over the store ring.
 *
 *  1. child A: hvsim and a domain; the test INTRODUCEs it; its ring answers.
 *  2. SIGKILL of A: xenstored must notice the lost link by itself, close the
 *     domain's ring and fire @releaseDomain (nobody destroyed the domain:
 *     only the dead link tells).
 *  3. child B: a new hvsim on the same socket, whose first domain has the
 *     same id as A's; INTRODUCE must work and the new ring must answer.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shoji/io/xs_wire.h>
#include <shoji/xs.h>

#include "check-run.h"
#include "hvsim.h"
#include "simtest.h"

#define STORE_GFN HVSIM_GFN_FREE

struct child {
	pid_t pid;
	int to, from; /* pipes: commands to it, reports from it */
};

/* The guest's side: XS_GET_DOMAIN_PATH over the ring; 0 when the answer is right. */
static int guest_ask(struct hvsim *sim, uint32_t domid, uint32_t port)
{
	struct xenstore_domain_interface *intf =
	    hvsim_guest_mem(sim, domid, (uint64_t)STORE_GFN << 12, 4096);
	struct xsd_sockmsg m = {.type = XS_GET_DOMAIN_PATH, .req_id = 7};
	char arg[16], want[32], got[64];
	uint32_t i, n;

	n = (uint32_t)snprintf(arg, sizeof(arg), "%u", domid) + 1;
	m.len = n;
	snprintf(want, sizeof(want), "/local/domain/%u", domid);
	for (i = 0; i < sizeof(m); i++)
		intf->req[MASK_XENSTORE_IDX(intf->req_prod + i)] = ((char *)&m)[i];
	for (i = 0; i < n; i++)
		intf->req[MASK_XENSTORE_IDX(intf->req_prod + sizeof(m) + i)] = arg[i];
	__atomic_store_n(&intf->req_prod, intf->req_prod + (uint32_t)sizeof(m) + n,
	                 __ATOMIC_RELEASE);
	if (hvsim_evtchn_send(sim, domid, port) != 0)
		return -1;
	for (i = 0; i < 100; i++) { /* 10 s */
		uint32_t avail =
		    __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE) - intf->rsp_cons;

		if (avail >= sizeof(m)) {
			for (n = 0; n < sizeof(m); n++)
				((char *)&m)[n] = intf->rsp[MASK_XENSTORE_IDX(intf->rsp_cons + n)];
			if (avail < sizeof(m) + m.len || m.len >= sizeof(got))
				continue;
			for (n = 0; n < m.len; n++)
				got[n] =
				    intf->rsp[MASK_XENSTORE_IDX(intf->rsp_cons + sizeof(m) + n)];
			got[m.len] = '\0';
			intf->rsp_cons += (uint32_t)sizeof(m) + m.len;
			return m.type == XS_GET_DOMAIN_PATH && m.req_id == 7 && !strcmp(got, want)
			           ? 0
			           : -1;
		}
		hvsim_evtchn_wait(sim, domid, port, 100);
	}
	return -1;
}

/* A child: hvsim in @dir, one domain; reports "DOMID GFN PORT", then answers each 'a' command. */
static void child_main(const char *dir, int in, int out)
{
	struct hvsim *sim = hvsim_start(dir);
	int domid, port;
	char cmd, line[64];

	if (!sim)
		_exit(2);
	domid = hvsim_domain_new(sim, 16u << 20);
	if (domid < 0)
		_exit(3);
	memset(hvsim_guest_mem(sim, (uint32_t)domid, (uint64_t)STORE_GFN << 12, 4096), 0, 4096);
	port = hvsim_evtchn_alloc(sim, (uint32_t)domid, 0);
	if (port < 0)
		_exit(4);
	snprintf(line, sizeof(line), "%d %d %d\n", domid, STORE_GFN, port);
	if (write(out, line, strlen(line)) < 0)
		_exit(5);
	while (read(in, &cmd, 1) == 1) {
		char r = guest_ask(sim, (uint32_t)domid, (uint32_t)port) == 0 ? 'y' : 'n';

		if (write(out, &r, 1) != 1)
			_exit(6);
	}
	_exit(0); /* the test closed the pipe: as if shoji-hv died (no domain is destroyed) */
}

static void child_start(struct child *c, const char *dir, uint32_t *domid, uint32_t *port)
{
	int a[2], b[2];
	char line[64];
	ssize_t n;
	unsigned int d, g, p;

	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		close(a[1]);
		close(b[0]);
		child_main(dir, a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	c->to = a[1];
	c->from = b[0];
	n = read(c->from, line, sizeof(line) - 1);
	ck_assert_int_gt(n, 0);
	line[n] = '\0';
	ck_assert_int_eq(sscanf(line, "%u %u %u", &d, &g, &p), 3);
	*domid = d;
	*port = p;
}

/* Ask the child's guest to use its ring: true when the store answered it. */
static bool child_ask(struct child *c)
{
	char r = 0;

	ck_assert_int_eq(write(c->to, "a", 1), 1);
	ck_assert_int_eq(read(c->from, &r, 1), 1);
	return r == 'y';
}

static void child_kill(struct child *c)
{
	int status;

	kill(c->pid, SIGKILL);
	ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
	close(c->to);
	close(c->from);
}

/* Wait (up to 10 s) for a watch event on @path; true when one came. */
static bool watch_fired(struct shoji_xs *xs, const char *path)
{
	struct pollfd pfd = {.fd = shoji_xs_fileno(xs), .events = POLLIN};
	int i;

	for (i = 0; i < 100; i++) {
		char **ev = shoji_xs_check_watch(xs);

		if (ev) {
			bool hit = !strcmp(ev[0], path);

			free(ev);
			if (hit)
				return true;
			continue;
		}
		poll(&pfd, 1, 100);
	}
	return false;
}

START_TEST(hv_dies_and_returns)
{
	char dir[] = "/tmp/xs-hvrestart.XXXXXX", sock[64], state[64], hv[64], xsd[512], cmd[64];
	struct shoji_xs *xs;
	struct child a, b;
	uint32_t domid, port, domid2, port2;
	pid_t xsd_pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/xs.sock", dir);
	snprintf(state, sizeof(state), "%s/xsstate", dir);
	snprintf(hv, sizeof(hv), "%s/hv.sock", dir);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	xsd_pid = simtest_spawn(
	    (char *[]){
	        (char *)simtest_built(xsd, sizeof(xsd), "xenstore/xenstored/shoji-xenstored"),
	        "--socket", sock, "--state-dir", state, "--hv-socket", hv, NULL},
	    NULL);
	xs = simtest_xs_open(sock);
	ck_assert_int_eq(shoji_xs_watch(xs, "@releaseDomain", "rel"), 0);
	ck_assert(watch_fired(xs, "@releaseDomain")); /* the event every new watch gets */

	child_start(&a, dir, &domid, &port);
	ck_assert_int_eq(shoji_xs_introduce(xs, domid, STORE_GFN, port), 0);
	ck_assert_msg(child_ask(&a), "domain %u's ring did not answer under the first shoji-hv",
	              domid);

	child_kill(&a);
	ck_assert_msg(watch_fired(xs, "@releaseDomain"),
	              "no @releaseDomain after shoji-hv died with domain %u", domid);

	child_start(&b, dir, &domid2, &port2);
	ck_assert_uint_eq(domid2, domid); /* the new shoji-hv reuses the id */
	ck_assert_msg(shoji_xs_introduce(xs, domid2, STORE_GFN, port2) == 0,
	              "INTRODUCE after shoji-hv restarted: %s", strerror(errno));
	ck_assert_msg(child_ask(&b), "domain %u's ring did not answer under the second shoji-hv",
	              domid2);
	child_kill(&b);

	shoji_xs_close(xs);
	ck_assert_int_eq(simtest_stop(&xsd_pid, NULL), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim-xs-hvrestart");
	TCase *tc = tcase_create("restart");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hv_dies_and_returns);
	suite_add_tcase(s, tc);
	return check_run(s);
}
