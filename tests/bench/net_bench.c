/*
 * net_bench: shoji-netback's packet paths beside a plain program moving
 * the same packets through a TAP with write() and read(), in the same run.
 *
 * The backend is the real daemon, on hvsim (shoji-hv's grant tables and
 * event channels without KVM) and a private shoji-xenstored, in a network
 * namespace of its own; this program plays the guest's netfront (one vif,
 * one queue, split event channels) on the simulated domain.
 *   tx: the guest fills its tx ring (one slot per packet), notifies, waits
 *       for the responses; the backend grant-copies and writes each packet
 *       to the TAP (the kernel then drops it: nothing listens).
 *       plain: write() of the same frames (behind a virtio-net header) to
 *       a second TAP.
 *   rx: frames are written into the vif's TAP through an AF_PACKET socket
 *       in batches of 128; the backend reads them and grant-copies them into
 *       the guest's rx buffers, which the guest reposts.
 *       plain: a thread read()s the same frames, written the same way, from
 *       a second TAP.
 * "backend CPU" is shoji-netback's own CPU time (/proc/PID/schedstat) per
 * packet; "plain CPU" the plain loop's thread CPU time per packet;
 * "hvsim+guest" this process's CPU per packet in the netback phases: the
 * guest's ring work and hvsim's grant copies (shoji-hv's share).  The
 * guest side here is Dom0 code calling hvsim's handlers, not guest figures.
 *
 * Usage: net_bench SECONDS_PER_LINE (needs root and /dev/net/tun)
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shoji/io/netif.h>
#include <shoji/io/xenbus.h>
#include <shoji/xs.h>

#include "hvsim.h"

#define ETHERTYPE 0x88b5
#define STOPTYPE  0x88b6 /* ends the plain reader */
#define RX_BUFS   256
#define TX_PAGES  64
#define RX_BATCH  128
#define REF0      8
#define GFN0      HVSIM_GFN_FREE
#define VIFNAME   "nbench0"
#define PLAINNAME "nbplain0"

static struct hvsim *sim;
static struct shoji_xs *xs;
static uint32_t domid;
static pid_t nb_pid = -1, xsd_pid = -1;
static char dir[64];
static netif_tx_front_ring_t tx;
static netif_rx_front_ring_t rx;
static evtchn_port_t port_tx, port_rx;
static double secs = 1.0;
static double sim_cpu; /* this process's CPU in the last netback phase: hvsim + the guest */

static void die(const char *what)
{
	fprintf(stderr, "net_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double process_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* shoji-netback's CPU time so far, in seconds. */
static double backend_cpu(void)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)nb_pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &ns) != 1)
		die("schedstat");
	fclose(f);
	return (double)ns / 1e9;
}

static pid_t spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		die("fork");
	return pid;
}

static void put(const char *d, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put(const char *d, const char *node, const char *fmt, ...)
{
	char path[192], v[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", d, node);
	if (shoji_xs_write(xs, SHOJI_XS_NO_TX, path, v, (unsigned int)strlen(v)) < 0)
		die(path);
}

static void wait_state(const char *d, int want)
{
	char path[192], *v = NULL;

	snprintf(path, sizeof(path), "%s/state", d);
	for (int i = 0; i < 1000; i++) {
		free(v);
		v = shoji_xs_read(xs, SHOJI_XS_NO_TX, path, NULL);
		if (v && atoi(v) == want)
			break;
		usleep(10000);
	}
	if (!v || atoi(v) != want) {
		fprintf(stderr, "net_bench: %s is %s, not %d (log %s/netback.log)\n", path,
		        v ? v : "(none)", want, dir);
		exit(1);
	}
	free(v);
}

static uint8_t *page(unsigned int i)
{
	return hvsim_guest_mem(sim, domid, (uint64_t)(GFN0 + i) << XEN_PAGE_SHIFT, 4096);
}

static void post_rx(unsigned int id)
{
	netif_rx_request_t *r = RING_GET_REQUEST(&rx, rx.req_prod_pvt++);

	r->id = (uint16_t)id;
	r->gref = REF0 + 2 + TX_PAGES + id;
}

static void push(bool is_tx)
{
	int notify;

	if (is_tx)
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&tx, notify);
	else
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&rx, notify);
	if (notify)
		hvsim_evtchn_send(sim, domid, is_tx ? port_tx : port_rx);
}

/* Daemons, domain, vif, handshake. */
static void setup(void)
{
	const char *top = getenv("top_builddir");
	char bin[512], bin2[512], log[128], log2[128], sock[96], fe[64], be[64];
	int r;

	if (!top)
		top = ".";
	snprintf(dir, sizeof(dir), "/tmp/net_bench.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	sim = hvsim_start(dir);
	if (!sim)
		die("hvsim");
	snprintf(bin, sizeof(bin), "%s/xenstore/xenstored/shoji-xenstored", top);
	snprintf(sock, sizeof(sock), "%s/xs.sock", dir);
	snprintf(log, sizeof(log), "%s/xsstate", dir);
	mkdir(log, 0700);
	snprintf(log2, sizeof(log2), "%s/xenstored.log", dir);
	xsd_pid = spawn((char *[]){bin, "--socket", sock, "--state-dir", log, NULL}, log2);
	for (int i = 0; i < 500 && !xs; i++) {
		xs = shoji_xs_open(sock);
		if (!xs)
			usleep(10000);
	}
	if (!xs)
		die("xenstored");
	snprintf(bin2, sizeof(bin2), "%s/pv-drivers/dom0/netback/shoji-netback", top);
	snprintf(log, sizeof(log), "%s/netback.log", dir);
	nb_pid = spawn(
	    (char *[]){bin2, "--xs-socket", sock, "--hv-socket", (char *)hvsim_socket(sim), NULL},
	    log);
	r = hvsim_domain_new(sim, 16u << 20);
	if (r < 0)
		die("domain");
	domid = (uint32_t)r;
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/0", domid);
	snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/0", domid);
	put(fe, "backend", "%s", be);
	put(fe, "backend-id", "0");
	put(fe, "state", "1");
	put(be, "frontend-id", "%u", domid);
	put(be, "online", "1");
	put(be, "vifname", VIFNAME);
	put(be, "frontend", "%s", fe);
	wait_state(be, XenbusStateInitWait);
	SHARED_RING_INIT((netif_tx_sring_t *)page(0));
	FRONT_RING_INIT(&tx, (netif_tx_sring_t *)page(0), 4096);
	SHARED_RING_INIT((netif_rx_sring_t *)page(1));
	FRONT_RING_INIT(&rx, (netif_rx_sring_t *)page(1), 4096);
	for (unsigned int i = 0; i < 2 + TX_PAGES + RX_BUFS; i++)
		if (hvsim_grant(sim, domid, REF0 + i, 0, GFN0 + i, false) < 0)
			die("grant");
	port_tx = (evtchn_port_t)hvsim_evtchn_alloc(sim, domid, 0);
	port_rx = (evtchn_port_t)hvsim_evtchn_alloc(sim, domid, 0);
	put(fe, "tx-ring-ref", "%d", REF0);
	put(fe, "rx-ring-ref", "%d", REF0 + 1);
	put(fe, "event-channel-tx", "%u", port_tx);
	put(fe, "event-channel-rx", "%u", port_rx);
	put(fe, "request-rx-copy", "1");
	put(fe, "feature-rx-notify", "1");
	put(fe, "feature-sg", "1");
	put(fe, "state", "4");
	wait_state(be, XenbusStateConnected);
	for (unsigned int i = 0; i < RX_BUFS; i++)
		post_rx(i);
	push(false);
}

static void frame(uint8_t *f, size_t len)
{
	memset(f, 0xff, 6);
	memset(f + 6, 0x02, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)i;
}

/* Guest -> TAP through shoji-netback for secs: packets, backend CPU seconds, wall seconds. */
static void bench_tx(size_t len, double *pkts, double *cpu, double *wall)
{
	double t0 = now(), c0 = backend_cpu(), p0 = process_cpu(), t;
	uint64_t n = 0;
	uint16_t id = 0;

	for (unsigned int i = 0; i < TX_PAGES; i++)
		frame(page(2 + i), len);
	do {
		unsigned int batch = RING_FREE_REQUESTS(&tx);

		for (unsigned int i = 0; i < batch; i++) {
			netif_tx_request_t *r = RING_GET_REQUEST(&tx, tx.req_prod_pvt++);

			*r = (netif_tx_request_t){
			    .gref = REF0 + 2 + i % TX_PAGES, .id = id, .size = (uint16_t)len};
			id++;
		}
		push(true);
		while (tx.rsp_cons != tx.req_prod_pvt) {
			int more;

			RING_FINAL_CHECK_FOR_RESPONSES(&tx, more);
			if (!more) {
				if (hvsim_evtchn_wait(sim, domid, port_tx, 5000) < 0) {
					fprintf(stderr, "net_bench: tx stalled\n");
					exit(1);
				}
				continue;
			}
			tx.rsp_cons = tx.sring->rsp_prod;
		}
		n += batch;
		t = now();
	} while (t - t0 < secs);
	*pkts = (double)n;
	*cpu = backend_cpu() - c0;
	*wall = t - t0;
	sim_cpu = process_cpu() - p0;
}

static int tap_plain(const char *name)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), s;

	if (fd < 0)
		die("/dev/net/tun");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die("link up");
	close(s);
	return fd;
}

/* Plain: write() to a TAP for secs: packets, CPU, wall. */
static void plain_tx(int fd, size_t len, double *pkts, double *cpu, double *wall)
{
	uint8_t buf[10 + 1514] = {0};
	double t0 = now(), c0 = thread_cpu(), t;
	uint64_t n = 0;

	frame(buf + 10, len);
	do {
		for (int i = 0; i < 256; i++)
			if (write(fd, buf, 10 + len) < 0)
				die("write");
		n += 256;
		t = now();
	} while (t - t0 < secs);
	*pkts = (double)n;
	*cpu = thread_cpu() - c0;
	*wall = t - t0;
}

/* A socket to write frames into a TAP with (sendto names the TAP). */
static int packet_socket(void)
{
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (s < 0)
		die("AF_PACKET");
	return s;
}

static void inject(int s, const char *name, const uint8_t *f, size_t len, unsigned int n)
{
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
	                         .sll_protocol = htons(ETHERTYPE),
	                         .sll_ifindex = (int)if_nametoindex(name),
	                         .sll_halen = 6};

	memset(to.sll_addr, 0xff, 6);
	for (unsigned int i = 0; i < n; i++)
		while (sendto(s, f, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			if (errno != ENOBUFS && errno != EAGAIN)
				die("sendto");
}

/* TAP -> guest through shoji-netback. */
static void bench_rx(int s, size_t len, double *pkts, double *cpu, double *wall)
{
	uint8_t f[1514];
	double t0 = now(), c0 = backend_cpu(), p0 = process_cpu(), t;
	uint64_t n = 0;

	frame(f, len);
	do {
		unsigned int got = 0;

		inject(s, VIFNAME, f, len, RX_BATCH);
		while (got < RX_BATCH) {
			int more;

			RING_FINAL_CHECK_FOR_RESPONSES(&rx, more);
			if (!more) {
				if (hvsim_evtchn_wait(sim, domid, port_rx, 5000) < 0) {
					fprintf(stderr, "net_bench: rx stalled at %u\n", got);
					exit(1);
				}
				continue;
			}
			while (rx.rsp_cons != rx.sring->rsp_prod) {
				post_rx(RING_GET_RESPONSE(&rx, rx.rsp_cons)->id);
				rx.rsp_cons++;
				got++;
			}
			push(false);
		}
		n += got;
		t = now();
	} while (t - t0 < secs);
	*pkts = (double)n;
	*cpu = backend_cpu() - c0;
	*wall = t - t0;
	sim_cpu = process_cpu() - p0;
}

struct reader {
	int fd;
	size_t len;
	volatile uint64_t n;
	double cpu;
};

/* Plain reader: read() and count the frames of the length sent, until a STOPTYPE frame. */
static void *reader(void *arg)
{
	struct reader *r = arg;
	uint8_t buf[10 + 65536];
	double c0 = thread_cpu();

	for (;;) {
		ssize_t m = read(r->fd, buf, sizeof(buf));

		if (m < 0)
			die("read");
		if (m >= 24 && buf[10 + 13] == (STOPTYPE & 0xff))
			break;
		if ((size_t)m == 10 + r->len)
			__atomic_add_fetch(&r->n, 1, __ATOMIC_RELEASE);
	}
	r->cpu = thread_cpu() - c0;
	return NULL;
}

static void plain_rx(int s, int fd, size_t len, double *pkts, double *cpu, double *wall)
{
	struct reader r = {.fd = fd, .len = len};
	uint8_t f[1514];
	pthread_t th;
	double t0, t;
	uint64_t sent = 0;

	frame(f, len);
	pthread_create(&th, NULL, reader, &r);
	t0 = now();
	do {
		inject(s, PLAINNAME, f, len, RX_BATCH);
		sent += RX_BATCH;
		while (__atomic_load_n(&r.n, __ATOMIC_ACQUIRE) < sent)
			sched_yield();
		t = now();
	} while (t - t0 < secs);
	f[13] = STOPTYPE & 0xff;
	inject(s, PLAINNAME, f, len, 1);
	pthread_join(th, NULL);
	*pkts = (double)r.n;
	*cpu = r.cpu;
	*wall = t - t0;
}

static void line(const char *what, double pkts, double cpu, double wall, double plain_cpu_pp)
{
	double pp = cpu / pkts * 1e6;

	printf("%-34s %9.0f pkt/s  %7.2f us CPU/pkt", what, pkts / wall, pp);
	if (plain_cpu_pp > 0)
		printf("  (%.2fx plain)  hvsim+guest %.2f us/pkt", pp / plain_cpu_pp,
		       sim_cpu / pkts * 1e6);
	printf("\n");
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {60, 1514};
	int plain, s, status;

	if (argc > 1)
		secs = atof(argv[1]);
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("SKIP: net_bench needs root and /dev/net/tun\n");
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)");
	s = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
	if (s >= 0) { /* the kernel sends nothing of its own on the TAPs */
		if (write(s, "1", 1) != 1)
			die("disable_ipv6");
		close(s);
	}
	setup();
	plain = tap_plain(PLAINNAME);
	s = packet_socket();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double p, c, w, pp, pc, pw;
		char what[64];

		plain_tx(plain, sizes[i], &pp, &pc, &pw);
		bench_tx(sizes[i], &p, &c, &w);
		snprintf(what, sizeof(what), "plain TAP write, %zu B", sizes[i]);
		line(what, pp, pc, pw, 0);
		snprintf(what, sizeof(what), "netback tx (guest->TAP), %zu B", sizes[i]);
		line(what, p, c, w, pc / pp * 1e6);
		plain_rx(s, plain, sizes[i], &pp, &pc, &pw);
		bench_rx(s, sizes[i], &p, &c, &w);
		snprintf(what, sizeof(what), "plain TAP read, %zu B", sizes[i]);
		line(what, pp, pc, pw, 0);
		snprintf(what, sizeof(what), "netback rx (TAP->guest), %zu B", sizes[i]);
		line(what, p, c, w, pc / pp * 1e6);
	}
	kill(nb_pid, SIGTERM);
	waitpid(nb_pid, &status, 0);
	kill(xsd_pid, SIGTERM);
	waitpid(xsd_pid, &status, 0);
	hvsim_stop(sim);
	{
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
