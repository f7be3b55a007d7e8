/*
 * pv_bench SOCKET EVTCHN_GUEST GNTTAB_GUEST [ROUNDS [SPIN_US]]: Dom0-side
 * event channel and grant figures, each beside its host comparison from
 * the same run:
 *  - notify round trip Dom0 <-> guest (tests/guests/evtchn-dom0) vs an
 *    eventfd ping-pong between two host threads pinned like the caller
 *    (same CPU when shoji-hv runs on this CPU);
 *  - grant copy of 4 KiB segments from and to a guest grant (3 or 2048 per
 *    call, ordinary or copy-arena buffers) vs memcpy of 4 KiB;
 *  - Dom0 map + unmap of one grant per second.
 * SPIN_US > 0 polls for that long before sleeping on each wait (both sides
 * of the host comparison do the same).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <shoji/libevtchn.h>
#include <shoji/libgnttab.h>

#include "dom0-util.h"

static uint64_t spin_ns;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Consume one event on non-blocking @fd: spin up to spin_ns, then sleep. */
static void wait_event(int fd)
{
	uint64_t count, until = spin_ns ? dom0_now_ns() + spin_ns : 0;

	for (;;) {
		if (read(fd, &count, sizeof(count)) == (ssize_t)sizeof(count))
			return;
		if (until && dom0_now_ns() < until)
			continue;
		if (!dom0_wait_fd(fd, 10000))
			dom0_fail("timed out waiting for an event");
	}
}

static void report(const char *what, uint64_t *lat, unsigned long n, uint64_t *median)
{
	qsort(lat, n, sizeof(*lat), cmp_u64);
	*median = lat[n / 2];
	printf("%-44s median %8.1f us  p99 %8.1f us\n", what, lat[n / 2] / 1000.0,
	       lat[n * 99 / 100] / 1000.0);
}

/* --- eventfd ping-pong between two threads --- */

struct efd_pair {
	int ping, pong;
	unsigned long rounds;
	int cpu;
};

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *efd_echo(void *arg)
{
	struct efd_pair *p = arg;
	uint64_t one = 1;
	unsigned long i;

	pin(p->cpu);
	for (i = 0; i < p->rounds; i++) {
		wait_event(p->ping);
		if (write(p->pong, &one, sizeof(one)) < 0)
			break;
	}
	return NULL;
}

static uint64_t eventfd_pingpong(unsigned long rounds, int my_cpu, int peer_cpu, const char *what)
{
	struct efd_pair p = {eventfd(0, EFD_NONBLOCK), eventfd(0, EFD_NONBLOCK), rounds, peer_cpu};
	uint64_t *lat = calloc(rounds, sizeof(*lat)), one = 1, med;
	pthread_t t;
	unsigned long i;

	if (p.ping < 0 || p.pong < 0 || !lat)
		dom0_fail("eventfd: %s", strerror(errno));
	pin(my_cpu);
	pthread_create(&t, NULL, efd_echo, &p);
	for (i = 0; i < rounds; i++) {
		uint64_t t0 = dom0_now_ns();

		if (write(p.ping, &one, sizeof(one)) < 0)
			dom0_fail("eventfd write");
		wait_event(p.pong);
		lat[i] = dom0_now_ns() - t0;
	}
	pthread_join(t, NULL);
	close(p.ping);
	close(p.pong);
	report(what, lat, rounds, &med);
	free(lat);
	return med;
}

/* --- Dom0 <-> guest --- */

static uint64_t guest_pingpong(const char *sock, const char *image, unsigned long rounds)
{
	struct dom0_guest *g = malloc(sizeof(*g));
	uint64_t *lat = calloc(rounds, sizeof(*lat)), med;
	struct shoji_evtchn *x = shoji_evtchn_open(sock);
	unsigned int domid, rport;
	char cmdline[64];
	unsigned long i;
	int lport, fd;

	if (!g || !lat || !x)
		dom0_fail("set-up: %s", strerror(errno));
	snprintf(cmdline, sizeof(cmdline), "rounds=%lu", rounds);
	dom0_guest_start(g, sock, image, cmdline);
	if (sscanf(dom0_console_wait(g, "evtchn-dom0: domid=", 30000),
	           "evtchn-dom0: domid=%u port=%u", &domid, &rport) != 2)
		dom0_fail("no port from the guest");
	lport = shoji_evtchn_bind_interdomain(x, domid, rport);
	if (lport < 0)
		dom0_fail("bind: %s", strerror(errno));
	fd = shoji_evtchn_port_fd(x, (shoji_evtchn_port_t)lport);
	while (shoji_evtchn_pending(x) >= 0)
		;
	for (i = 0; i < rounds; i++) {
		uint64_t t0 = dom0_now_ns();

		if (shoji_evtchn_notify(x, (shoji_evtchn_port_t)lport) < 0)
			dom0_fail("notify: %s", strerror(errno));
		wait_event(fd);
		lat[i] = dom0_now_ns() - t0;
	}
	report("notify round trip Dom0<->guest", lat, rounds, &med);
	shoji_evtchn_close(x);
	dom0_guest_destroy(g);
	free(lat);
	free(g);
	return med;
}

/* --- grants --- */

/* Rounds of the grant copy figures; each figure is the best of these, as is its memcpy. */
#define ROUNDS   5
#define ROUND_NS 100000000ULL

/* MB/s of grant copies: @n segments per call, repeated for about ROUND_NS. */
static double copy_rate(struct shoji_gnttab *gt, struct shoji_gnttab_copy_seg *segs, unsigned int n)
{
	uint64_t t0 = dom0_now_ns(), t, bytes = 0;
	unsigned int i, k;

	do {
		for (k = 0; k < 16; k++) {
			if (shoji_gnttab_grant_copy(gt, n, segs) < 0)
				dom0_fail("grant copy: %s", strerror(errno));
			for (i = 0; i < n; i++) {
				if (segs[i].status != 0)
					dom0_fail("grant copy: status %d", segs[i].status);
				bytes += segs[i].len;
			}
		}
		t = dom0_now_ns() - t0;
	} while (t < ROUND_NS);
	return bytes / (t / 1e9) / 1e6;
}

/* memcpy of one hot 4 KiB buffer, MB/s over about ROUND_NS. */
static double memcpy_rate(void)
{
	static uint8_t src[4096], dst[4096];
	uint64_t t0, t, bytes = 0;
	unsigned int n;

	memset(src, 1, sizeof(src));
	t0 = dom0_now_ns();
	do {
		for (n = 0; n < 4096; n++) {
			memcpy(dst, src, sizeof(dst));
			__asm__ volatile("" : : "r"(dst) : "memory");
			bytes += 4096;
		}
		t = dom0_now_ns() - t0;
	} while (t < ROUND_NS);
	return bytes / (t / 1e9) / 1e6;
}

#define BATCH   2048 /* segments per call in the batched figures (one request) */
#define NR_BUFS 3    /* local buffers they cycle through (12 KiB, as the 3-per-call figure) */

/*
 * Fill @segs with @n 4 KiB copies of grant (@domid, @ref) in direction
 * @to_guest, cycling through the NR_BUFS buffers @bufs.
 */
static void copy_segs(struct shoji_gnttab_copy_seg *segs, unsigned int n, unsigned int domid,
                      unsigned int ref, int to_guest, uint8_t *const *bufs)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		segs[i] = (struct shoji_gnttab_copy_seg){.domid = domid,
		                                         .ref = ref,
		                                         .len = 4096,
		                                         .to_guest = to_guest,
		                                         .buf = bufs[i % NR_BUFS]};
}

/*
 * Print the grant copy rate of @segs (@n per call) beside memcpy's: ROUNDS
 * rounds of one then the other, the best of each, so that both see the
 * same interference from the rest of the machine.
 */
static void copy_figure(const char *what, struct shoji_gnttab *gt,
                        struct shoji_gnttab_copy_seg *segs, unsigned int n)
{
	double mbs = 0, memcpy_mbs = 0, r;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		r = copy_rate(gt, segs, n);
		mbs = r > mbs ? r : mbs;
		r = memcpy_rate();
		memcpy_mbs = r > memcpy_mbs ? r : memcpy_mbs;
	}
	printf("%-44s %10.1f MB/s  (memcpy 4 KiB: %.1f MB/s, ratio %.3f)\n", what, mbs, memcpy_mbs,
	       mbs / memcpy_mbs);
}

/*
 * Grant copies of the guest's one granted page: 3 per call into ordinary
 * buffers (staged through the copy arena), BATCH per call into ordinary
 * buffers, and BATCH per call in both directions with buffers from
 * shoji_gnttab_copy_buf_alloc (copied in place); memcpy measured
 * alongside each.  Consecutive segments name the same grant, so shoji-hv pins it
 * once per request (as Xen keeps a grant within one batch).
 */
static void grant_copies(struct shoji_gnttab *gt, unsigned int domid, unsigned int ref)
{
	static struct shoji_gnttab_copy_seg segs[BATCH];
	static uint8_t heap[NR_BUFS][4096];
	uint8_t *plain[NR_BUFS], *arena[NR_BUFS];
	unsigned int i;

	for (i = 0; i < NR_BUFS; i++) {
		plain[i] = heap[i];
		arena[i] = shoji_gnttab_copy_buf_alloc(gt, 4096);
		if (!arena[i])
			dom0_fail("copy buffer: %s", strerror(errno));
	}
	copy_segs(segs, 3, domid, ref, 0, plain);
	copy_figure("grant copy 4 KiB from a guest grant", gt, segs, 3);
	copy_segs(segs, BATCH, domid, ref, 0, plain);
	copy_figure("  2048 per call, caller buffers", gt, segs, BATCH);
	copy_segs(segs, BATCH, domid, ref, 0, arena);
	copy_figure("  2048 per call, copy buffers", gt, segs, BATCH);
	copy_segs(segs, BATCH, domid, ref, 1, arena);
	copy_figure("  2048 per call, copy buffers, to the guest", gt, segs, BATCH);
	for (i = 0; i < NR_BUFS; i++)
		shoji_gnttab_copy_buf_free(gt, arena[i]);
}

static void grants(const char *sock, const char *image)
{
	struct dom0_guest *g = malloc(sizeof(*g));
	struct shoji_gnttab *gt = shoji_gnttab_open(sock);
	unsigned int domid, ref, n;
	unsigned long gfn;
	uint64_t t0, t, ops = 0;

	if (!g || !gt)
		dom0_fail("set-up: %s", strerror(errno));
	dom0_guest_start(g, sock, image, "timeout_ms=600000");
	if (sscanf(dom0_console_wait(g, "gnttab-dom0: domid=", 30000),
	           "gnttab-dom0: domid=%u ref=%u gfn=0x%lx", &domid, &ref, &gfn) != 3)
		dom0_fail("no grant from the guest");
	grant_copies(gt, domid, ref);

	t0 = dom0_now_ns();
	do {
		for (n = 0; n < 64; n++) {
			void *p =
			    shoji_gnttab_map_grant_ref(gt, domid, ref, PROT_READ | PROT_WRITE);

			if (!p || shoji_gnttab_unmap(gt, p, 1) < 0)
				dom0_fail("map/unmap: %s", strerror(errno));
			ops++;
		}
		t = dom0_now_ns() - t0;
	} while (t < 500000000ULL);
	printf("%-44s %10.0f ops/s\n", "Dom0 map+unmap of one grant", ops / (t / 1e9));
	shoji_gnttab_close(gt);
	dom0_guest_destroy(g);
	free(g);
}

int main(int argc, char **argv)
{
	unsigned long rounds;
	uint64_t host, guest;
	int cpu = -1;

	dom0_prog = "pv_bench";
	if (argc < 4) {
		fprintf(stderr, "usage: pv_bench SOCKET EVTCHN_GUEST GNTTAB_GUEST [ROUNDS [SPIN_US "
		                "[CPU PEER_CPU]]]\n");
		return 2;
	}
	rounds = argc > 4 ? strtoul(argv[4], NULL, 0) : 2000;
	spin_ns = argc > 5 ? strtoull(argv[5], NULL, 0) * 1000 : 0;
	if (argc > 7) {
		cpu = atoi(argv[6]);
		host =
		    eventfd_pingpong(rounds, cpu, atoi(argv[7]), "eventfd ping-pong, host threads");
	} else {
		host = eventfd_pingpong(rounds, -1, -1, "eventfd ping-pong, host threads");
	}
	guest = guest_pingpong(argv[1], argv[2], rounds);
	printf("%-44s %10.2fx (goal <= 3x)\n", "Dom0<->guest / eventfd median",
	       (double)guest / host);
	if (!spin_ns)
		grants(argv[1], argv[3]);
	return 0;
}
