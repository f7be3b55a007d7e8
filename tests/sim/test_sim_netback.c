/*
 * test_sim_netback: shoji-netback end to end without KVM.  The unchanged
 * daemon runs against hvsim (shoji-hv's own grant tables and event
 * channels) and a private shoji-xenstored, in a network namespace of the
 * test's own (with its own sysfs), so every TAP and bridge it makes is
 * private and goes away with the test.  The test is the toolstack (the vif
 * layout of issue 14's contract) and xen-netfront of a simulated guest:
 * it grants its rings and pages, goes through the xenbus handshake, sends
 * frames of every size on the tx ring and reads them off the TAP with an
 * AF_PACKET socket, writes frames into the TAP the same way and finds them
 * byte-exact in its rx buffers; it sends hostile requests beside a healthy
 * vif, kills the daemon mid-traffic and checks a new one adopts the vif,
 * and detaches it.  Skipped (loudly) without root or /dev/net/tun.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shoji/io/netif.h>
#include <shoji/io/xenbus.h>
#include <shoji/xs.h>

#include "check-run.h"
#include "hvsim.h"
#include "simtest.h"

#define MEMORY    (16u << 20)
#define ETHERTYPE 0x88b5 /* IEEE local experimental: only the test's frames */
#define TX_PAGES  64
#define RX_BUFS   256
#define VIF_PAGES (2 + TX_PAGES + RX_BUFS)
#define VIF_REFS  400

static struct simtest t;
static char nb_log[sizeof(t.dir) + 16];
static pid_t nb_pid = -1;
static uint32_t domid;

/* One vif as xen-netfront sees it. */
struct nf {
	unsigned int k; /* its slot in guest memory and grant refs */
	uint32_t devid;
	char fe[64], be[64], ifname[IFNAMSIZ];
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	evtchn_port_t port_tx, port_rx; /* the same unless split */
	int sock;                       /* AF_PACKET on its TAP */
	uint16_t next_id;
};

static uint64_t gfn(const struct nf *n, unsigned int i)
{
	return HVSIM_GFN_FREE + (uint64_t)n->k * 512 + i;
}

static grant_ref_t gref(const struct nf *n, unsigned int i)
{
	return 8 + n->k * VIF_REFS + i;
}

static uint8_t *gpage(const struct nf *n, unsigned int i)
{
	uint8_t *p = hvsim_guest_mem(t.sim, domid, gfn(n, i) << XEN_PAGE_SHIFT, 4096);

	ck_assert_ptr_nonnull(p);
	return p;
}

#define TX_PAGE(i) (2 + (i))
#define RX_PAGE(i) (2 + TX_PAGES + (i))

static void start_netback(const char *log_name)
{
	char bin[512];

	snprintf(nb_log, sizeof(nb_log), "%s/%s", t.dir, log_name);
	nb_pid =
	    simtest_spawn((char *[]){(char *)simtest_built(bin, sizeof(bin),
	                                                   "pv-drivers/dom0/netback/shoji-netback"),
	                             "--xs-socket", t.xs_socket, "--hv-socket",
	                             (char *)hvsim_socket(t.sim), "--state-dir", t.dir, NULL},
	                  nb_log);
}

static char *node(const char *dir, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return shoji_xs_read(t.xs, SHOJI_XS_NO_TX, path, NULL);
}

static void put(const char *dir, const char *name, const char *value)
{
	simtest_put(&t, dir, name, "%s", value);
}

static void wait_state(const char *dir, enum xenbus_state want)
{
	char v[8], *got = NULL;

	snprintf(v, sizeof(v), "%d", (int)want);
	for (int i = 0; i < SIMTEST_WAIT_MS / 10; i++) {
		free(got);
		got = node(dir, "state");
		if (got && !strcmp(got, v))
			break;
		usleep(10000);
	}
	ck_assert_msg(got && !strcmp(got, v), "%s/state is '%s', not %s (log %s)", dir,
	              got ? got : "(none)", v, nb_log);
	free(got);
}

/* Wait until backend node @name of @n reads at least @min (a counter). */
static unsigned long wait_counter(const struct nf *n, const char *name, unsigned long min)
{
	unsigned long v = 0;

	for (int i = 0; i < SIMTEST_WAIT_MS / 10; i++) {
		char *s = node(n->be, name);

		v = s ? strtoul(s, NULL, 10) : 0;
		free(s);
		if (v >= min)
			break;
		usleep(10000);
	}
	ck_assert_msg(v >= min, "%s/%s is %lu, not >= %lu", n->be, name, v, min);
	return v;
}

/* Post rx buffer @i (id i, its page). */
static void post_rx(struct nf *n, unsigned int i)
{
	netif_rx_request_t *r = RING_GET_REQUEST(&n->rx, n->rx.req_prod_pvt++);

	r->id = (uint16_t)i;
	r->gref = gref(n, RX_PAGE(i));
}

static void push_rx(struct nf *n)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&n->rx, notify);
	if (notify)
		ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, n->port_rx), 0);
}

/* The toolstack's vif layout (before the backend sees it); NULL bridge: no node. */
static void vif_layout(struct nf *n, unsigned int k, const char *bridge)
{
	char v[96];

	memset(n, 0, sizeof(*n));
	n->k = k;
	n->devid = k;
	n->sock = -1;
	snprintf(n->ifname, sizeof(n->ifname), "nbt%u.%u", (unsigned int)getpid() % 10000, k);
	snprintf(n->fe, sizeof(n->fe), "/local/domain/%u/device/vif/%u", domid, n->devid);
	snprintf(n->be, sizeof(n->be), "/local/domain/0/backend/vif/%u/%u", domid, n->devid);
	put(n->fe, "backend", n->be);
	put(n->fe, "backend-id", "0");
	put(n->fe, "state", "1");
	snprintf(v, sizeof(v), "%u", n->devid);
	put(n->fe, "handle", v);
	put(n->fe, "mac", "00:16:3e:00:00:01");
	snprintf(v, sizeof(v), "%u", domid);
	put(n->be, "frontend-id", v);
	put(n->be, "online", "1");
	put(n->be, "state", "1");
	snprintf(v, sizeof(v), "%u", n->devid);
	put(n->be, "handle", v);
	put(n->be, "mac", "00:16:3e:00:00:01");
	if (bridge)
		put(n->be, "bridge", bridge);
	put(n->be, "vifname", n->ifname);
	put(n->be, "type", "vif");
	put(n->be, "frontend", n->fe);
}

/* One queue's rings, grants and port(s), published under frontend directory @dir. */
static void queue_init(struct nf *n, bool split, const char *dir)
{
	char v[32];
	void *s;
	int r;

	s = gpage(n, 0);
	SHARED_RING_INIT((netif_tx_sring_t *)s);
	FRONT_RING_INIT(&n->tx, (netif_tx_sring_t *)s, 4096);
	s = gpage(n, 1);
	SHARED_RING_INIT((netif_rx_sring_t *)s);
	FRONT_RING_INIT(&n->rx, (netif_rx_sring_t *)s, 4096);
	for (unsigned int i = 0; i < VIF_PAGES; i++)
		ck_assert_int_eq(hvsim_grant(t.sim, domid, gref(n, i), 0, gfn(n, i), false), 0);
	r = hvsim_evtchn_alloc(t.sim, domid, 0);
	ck_assert_int_gt(r, 0);
	n->port_tx = n->port_rx = (evtchn_port_t)r;
	if (split) {
		r = hvsim_evtchn_alloc(t.sim, domid, 0);
		ck_assert_int_gt(r, 0);
		n->port_rx = (evtchn_port_t)r;
		snprintf(v, sizeof(v), "%u", n->port_tx);
		put(dir, "event-channel-tx", v);
		snprintf(v, sizeof(v), "%u", n->port_rx);
		put(dir, "event-channel-rx", v);
	} else {
		snprintf(v, sizeof(v), "%u", n->port_tx);
		put(dir, "event-channel", v);
	}
	snprintf(v, sizeof(v), "%u", gref(n, 0));
	put(dir, "tx-ring-ref", v);
	snprintf(v, sizeof(v), "%u", gref(n, 1));
	put(dir, "rx-ring-ref", v);
}

/* What xen-netfront writes about itself, then Connected. */
static void vif_features(const struct nf *n)
{
	put(n->fe, "request-rx-copy", "1");
	put(n->fe, "feature-rx-notify", "1");
	put(n->fe, "feature-sg", "1");
	put(n->fe, "feature-gso-tcpv4", "1");
	put(n->fe, "feature-ipv6-csum-offload", "1");
	put(n->fe, "state", "4");
	wait_state(n->be, XenbusStateConnected);
}

/* The guest's side of the handshake: rings, ports, features, Connected, rx buffers. */
static void vif_connect(struct nf *n, bool split)
{
	wait_state(n->be, XenbusStateInitWait);
	queue_init(n, split, n->fe);
	vif_features(n);
	for (unsigned int i = 0; i < RX_BUFS; i++)
		post_rx(n, i);
	push_rx(n);
}

/* An AF_PACKET socket on @n's TAP for the test's ethertype. */
static void vif_socket(struct nf *n)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETHERTYPE)};
	int big = 4 << 20;

	sll.sll_ifindex = (int)if_nametoindex(n->ifname);
	ck_assert_msg(sll.sll_ifindex > 0, "no TAP %s", n->ifname);
	n->sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETHERTYPE));
	ck_assert_int_ge(n->sock, 0);
	setsockopt(n->sock, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	ck_assert_int_eq(bind(n->sock, (struct sockaddr *)&sll, sizeof(sll)), 0);
}

/* A private network namespace and sysfs; IPv6 off so the kernel sends nothing itself. */
static void private_net(void)
{
	int fd;

	ck_assert_int_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("sysfs", "/sys", "sysfs", 0, NULL), 0);
	fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
	if (fd >= 0) {
		ck_assert_int_eq(write(fd, "1", 1), 1);
		close(fd);
	}
}

static struct nf a, b;

static void setup(void)
{
	int r;

	a.sock = b.sock = -1;
	private_net();
	simtest_begin(&t, "test_sim_netback");
	start_netback("netback.log");
	r = hvsim_domain_new(t.sim, MEMORY);
	ck_assert_int_gt(r, 0);
	domid = (uint32_t)r;
	vif_layout(&a, 0, NULL);
	vif_connect(&a, false);
	vif_socket(&a);
}

static void teardown(void)
{
	if (a.sock >= 0)
		close(a.sock);
	if (b.sock >= 0)
		close(b.sock);
	a.sock = b.sock = -1;
	ck_assert_int_eq(simtest_stop(&nb_pid, nb_log), 0);
	simtest_end(&t);
}

/* --- tx: guest -> TAP --- */

static uint8_t pat(unsigned int seed, size_t pos)
{
	return (uint8_t)(seed * 131 + pos * 7 + (pos >> 8));
}

/* Frame @seed of @len bytes: broadcast, the test's ethertype, a pattern. */
static void make_frame(uint8_t *f, size_t len, unsigned int seed)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x00\x16\x3e\x00\x00\x01", 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	for (size_t i = 14; i < len; i++)
		f[i] = pat(seed, i);
}

/*
 * Queue frame @f (@len) on @n's tx ring from tx page @pg: one slot, or two
 * (split at half) when @two; returns the first slot's id.
 */
static uint16_t tx_frame(struct nf *n, const uint8_t *f, uint16_t len, unsigned int pg, bool two)
{
	uint16_t off = (uint16_t)((pg * 97) % (4096 - 1514));
	uint16_t first = two ? (uint16_t)(len / 2) : len;
	netif_tx_request_t *r = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt++);
	uint16_t id = n->next_id++;

	memcpy(gpage(n, TX_PAGE(pg)) + off, f, first);
	*r = (netif_tx_request_t){.gref = gref(n, TX_PAGE(pg)),
	                          .offset = off,
	                          .flags = two ? NETTXF_more_data : 0,
	                          .id = id,
	                          .size = len};
	if (two) {
		unsigned int pg2 = (pg + TX_PAGES / 2) % TX_PAGES;

		memcpy(gpage(n, TX_PAGE(pg2)), f + first, (size_t)(len - first));
		r = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt++);
		*r = (netif_tx_request_t){.gref = gref(n, TX_PAGE(pg2)),
		                          .id = n->next_id++,
		                          .size = (uint16_t)(len - first)};
	}
	return id;
}

static void tx_push(struct nf *n)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&n->tx, notify);
	if (notify)
		ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, n->port_tx), 0);
}

/* Wait for @count tx responses; their statuses by slot order into @st (may be NULL). */
static void tx_wait(struct nf *n, unsigned int count, int16_t *st, uint16_t *ids)
{
	unsigned int got = 0;

	while (got < count) {
		int more;

		while (RING_HAS_UNCONSUMED_RESPONSES(&n->tx) && got < count) {
			netif_tx_response_t r;

			RING_COPY_RESPONSE(&n->tx, n->tx.rsp_cons, &r);
			n->tx.rsp_cons++;
			if (st)
				st[got] = r.status;
			if (ids)
				ids[got] = r.id;
			got++;
		}
		if (got == count)
			break;
		RING_FINAL_CHECK_FOR_RESPONSES(&n->tx, more);
		if (!more)
			ck_assert_msg(
			    hvsim_evtchn_wait(t.sim, domid, n->port_tx, SIMTEST_WAIT_MS) == 0,
			    "%u of %u tx responses (log %s)", got, count, nb_log);
	}
}

/* The next frame of the test's ethertype the TAP received, into @buf: its length. */
static ssize_t tap_recv(int sock, uint8_t *buf, size_t len)
{
	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		struct pollfd p = {.fd = sock, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, SIMTEST_WAIT_MS) != 1)
			return -1;
		n = recvfrom(sock, buf, len, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return -1;
		if (from.sll_pkttype != PACKET_OUTGOING)
			return n;
	}
}

/* Send frames of sizes [lo, hi] through @n's tx ring, in batches; each comes out exact. */
static void tx_sizes(struct nf *n, unsigned int lo, unsigned int hi)
{
	uint8_t f[1514], got[2048];
	int16_t st[64];

	for (unsigned int len = lo; len <= hi;) {
		unsigned int batch = 0, slots = 0, first = len;

		while (len <= hi && batch < 32) {
			make_frame(f, len, len);
			tx_frame(n, f, (uint16_t)len, batch, len > 100 && len % 3 == 0);
			slots += len > 100 && len % 3 == 0 ? 2 : 1;
			batch++;
			len++;
		}
		tx_push(n);
		tx_wait(n, slots, st, NULL);
		for (unsigned int i = 0; i < slots; i++)
			ck_assert_msg(st[i] == NETIF_RSP_OKAY, "tx status %d (log %s)", st[i],
			              nb_log);
		for (unsigned int l = first; l < len; l++) {
			ssize_t m = tap_recv(n->sock, got, sizeof(got));

			ck_assert_msg(m == (ssize_t)l, "frame of %u bytes came out as %zd", l, m);
			make_frame(f, l, l);
			ck_assert_msg(!memcmp(got, f, l), "frame of %u bytes differs", l);
		}
	}
}

START_TEST(test_nodes)
{
	static const char *const want[][2] = {
	    {"feature-rx-copy", "1"},
	    {"feature-rx-flip", "0"},
	    {"feature-sg", "1"},
	    {"feature-gso-tcpv4", "1"},
	    {"feature-gso-tcpv6", "1"},
	    {"feature-ipv6-csum-offload", "1"},
	    {"feature-rx-notify", "1"},
	    {"feature-split-event-channels", "1"},
	    {"multi-queue-max-queues", "4"},
	};
	char path[96], c = 0;
	int fd;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *v = node(a.be, want[i][0]);

		ck_assert_msg(v && !strcmp(v, want[i][1]), "%s is '%s', not %s", want[i][0],
		              v ? v : "(none)", want[i][1]);
		free(v);
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", a.ifname);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	close(fd);
	ck_assert_int_eq(c, '1');
	/* the frontend closes: the carrier goes */
	put(a.fe, "state", "5");
	wait_state(a.be, XenbusStateClosing);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	close(fd);
	ck_assert_int_eq(c, '0');
}
END_TEST

/* Every frame size from 14 to 1514 bytes, guest -> TAP, byte-exact. */
START_TEST(test_tx_every_size)
{
	tx_sizes(&a, 14, 1514);
	ck_assert_uint_eq(wait_counter(&a, "statistics/tx-packets", 1501), 1501);
}
END_TEST

/* --- rx: TAP -> guest --- */

static void tap_send(const struct nf *n, const uint8_t *f, size_t len)
{
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
	                         .sll_protocol = htons(ETHERTYPE),
	                         .sll_ifindex = (int)if_nametoindex(n->ifname),
	                         .sll_halen = 6};

	memset(to.sll_addr, 0xff, 6);
	ck_assert_int_eq(sendto(n->sock, f, len, 0, (struct sockaddr *)&to, sizeof(to)),
	                 (ssize_t)len);
}

/*
 * The next frame on @n's rx ring, into @buf (its length), reposting the
 * buffers it used.  -1 when none came in @ms.
 */
static ssize_t rx_frame(struct nf *n, uint8_t *buf, int ms, uint16_t *flags)
{
	size_t len = 0;
	bool more = true, first = true;

	while (more) {
		netif_rx_response_t r;
		int pending;

		RING_FINAL_CHECK_FOR_RESPONSES(&n->rx, pending);
		if (!pending) {
			if (hvsim_evtchn_wait(t.sim, domid, n->port_rx, ms) != 0)
				return -1;
			continue;
		}
		RING_COPY_RESPONSE(&n->rx, n->rx.rsp_cons, &r);
		n->rx.rsp_cons++;
		ck_assert_msg(r.status > 0, "rx status %d (log %s)", r.status, nb_log);
		ck_assert_uint_lt(r.id, RX_BUFS);
		memcpy(buf + len, gpage(n, RX_PAGE(r.id)) + r.offset, (size_t)r.status);
		len += (size_t)r.status;
		if (first && flags)
			*flags = r.flags;
		ck_assert_msg(!(r.flags & NETRXF_extra_info), "an extra slot for a plain frame");
		more = r.flags & NETRXF_more_data;
		first = false;
		post_rx(n, r.id);
	}
	push_rx(n);
	return (ssize_t)len;
}

/* Every frame size from 14 to 1514 bytes, TAP -> guest, byte-exact. */
START_TEST(test_rx_every_size)
{
	uint8_t f[1514], got[4096];

	for (unsigned int len = 14; len <= 1514; len++) {
		ssize_t m;

		make_frame(f, len, len + 7);
		tap_send(&a, f, len);
		m = rx_frame(&a, got, SIMTEST_WAIT_MS, NULL);
		ck_assert_msg(m == (ssize_t)len, "frame of %u bytes came in as %zd (log %s)", len,
		              m, nb_log);
		ck_assert_msg(!memcmp(got, f, len), "frame of %u bytes differs", len);
	}
	ck_assert_uint_eq(wait_counter(&a, "statistics/rx-packets", 1501), 1501);
}
END_TEST

/*
 * The guest's buffers run out: shoji-netback stops reading the TAP (it
 * keeps what the largest frame needs in reserve), the frames wait there,
 * none lost, and come in order once the guest posts buffers again.
 */
START_TEST(test_rx_backpressure)
{
	enum { N = RX_BUFS + 20 };
	uint8_t f[200], got[4096];
	unsigned int consumed = 0;

	for (unsigned int i = 0; i < N; i++) {
		make_frame(f, 60 + i % 100, i);
		tap_send(&a, f, 60 + i % 100);
	}
	for (;;) {
		int pending;

		RING_FINAL_CHECK_FOR_RESPONSES(&a.rx, pending);
		if (!pending) {
			if (hvsim_evtchn_wait(t.sim, domid, a.port_rx, 300) != 0)
				break;
			continue;
		}
		a.rx.rsp_cons++;
		consumed++;
	}
	ck_assert_msg(consumed >= RX_BUFS - 18 && consumed < RX_BUFS, "%u frames with %u buffers",
	              consumed, RX_BUFS);
	for (unsigned int i = 0; i < consumed; i++) /* the buffers the responses gave back */
		post_rx(&a, i);
	push_rx(&a);
	for (unsigned int i = consumed; i < N; i++) {
		ssize_t m = rx_frame(&a, got, SIMTEST_WAIT_MS, NULL);

		make_frame(f, 60 + i % 100, i);
		ck_assert_msg(m == 60 + i % 100, "frame %u: %zd bytes (log %s)", i, m, nb_log);
		ck_assert_msg(!memcmp(got, f, (size_t)m), "frame %u differs", i);
	}
}
END_TEST

/* --- hostile frontend beside a healthy one --- */

static void hostile(struct nf *n, netif_tx_request_t *reqs, unsigned int nreq)
{
	int16_t st[32];

	for (unsigned int i = 0; i < nreq; i++)
		*RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt++) = reqs[i];
	tx_push(n);
	tx_wait(n, nreq, st, NULL);
	for (unsigned int i = 0; i < nreq; i++)
		ck_assert_msg(st[i] == NETIF_RSP_ERROR, "hostile slot %u answered %d", i, st[i]);
}

START_TEST(test_hostile)
{
	grant_ref_t g = gref(&a, TX_PAGE(0));
	netif_tx_request_t many[XEN_NETIF_NR_SLOTS_MIN + 1];
	char *st;

	vif_layout(&b, 1, NULL);
	vif_connect(&b, true);
	vif_socket(&b);
	tx_sizes(&b, 60, 70);
	/* bad offset, size overflow (later slots hold more than the packet), too many slots, bad gref */
	hostile(&a, (netif_tx_request_t[]){{.gref = g, .offset = 4000, .id = 1, .size = 200}}, 1);
	tx_sizes(&b, 71, 80);
	hostile(&a,
	        (netif_tx_request_t[]){{.gref = g, .flags = NETTXF_more_data, .id = 2, .size = 100},
	                               {.gref = g, .id = 3, .size = 0xf000}},
	        2);
	for (unsigned int i = 0; i <= XEN_NETIF_NR_SLOTS_MIN; i++)
		many[i] =
		    (netif_tx_request_t){.gref = g,
		                         .flags = i < XEN_NETIF_NR_SLOTS_MIN ? NETTXF_more_data : 0,
		                         .id = (uint16_t)(10 + i),
		                         .size = i == 0 ? 1000 : 10};
	hostile(&a, many, XEN_NETIF_NR_SLOTS_MIN + 1);
	hostile(&a, (netif_tx_request_t[]){{.gref = 5000, .id = 40, .size = 60}}, 1);
	tx_sizes(&b, 81, 90);
	ck_assert_uint_eq(wait_counter(&a, "statistics/tx-errors", 4), 4);
	/* a healthy frame on the hostile vif still goes */
	tx_sizes(&a, 100, 101);
	/* a corrupt producer: that vif goes, the other flows on */
	a.tx.sring->req_prod = a.tx.req_prod_pvt + 1000;
	ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, a.port_tx), 0);
	wait_state(a.be, XenbusStateClosing);
	st = node(a.be, "error");
	ck_assert_msg(st && strstr(st, "corrupt ring"), "error node '%s'", st ? st : "(none)");
	free(st);
	tx_sizes(&b, 200, 260);
	ck_assert(simtest_alive(nb_pid));
}
END_TEST

/* kill -9 mid-traffic: a new shoji-netback adopts the Connected vif, TAP and rings. */
START_TEST(test_restart_adopts)
{
	uint8_t f[1514], got[4096];
	int16_t st[64];
	uint16_t ids[64];
	unsigned int seen = 0;
	int status;
	char *s;

	for (unsigned int i = 0; i < 32; i++) {
		make_frame(f, 500 + i, i);
		tx_frame(&a, f, (uint16_t)(500 + i), i, false);
	}
	tx_push(&a);
	kill(nb_pid, SIGKILL);
	waitpid(nb_pid, &status, 0);
	nb_pid = -1;
	ck_assert_msg(if_nametoindex(a.ifname) > 0, "the TAP went with the backend");
	start_netback("netback2.log");
	tx_wait(&a, 32, st, ids);
	for (unsigned int i = 0; i < 32; i++)
		ck_assert_int_eq(st[i], NETIF_RSP_OKAY);
	s = node(a.be, "state");
	ck_assert_str_eq(s, "4");
	free(s);
	/* every frame came out (those sent before the kill may come out twice) */
	while (seen < 32) {
		ssize_t m = tap_recv(a.sock, got, sizeof(got));

		ck_assert_int_ge(m, 500);
		ck_assert_int_lt(m, 532);
		if (m == 500 + seen)
			seen++;
	}
	tx_sizes(&a, 600, 640);
	make_frame(f, 333, 9);
	tap_send(&a, f, 333);
	ck_assert_int_eq(rx_frame(&a, got, SIMTEST_WAIT_MS, NULL), 333);
	ck_assert(!memcmp(got, f, 333));
}
END_TEST

/*
 * Hot-detach: online=0 + Closing: Closed, the TAP removed, the grants
 * released; nothing written into the directory once the toolstack removed it.
 */
START_TEST(test_hot_detach)
{
	char *st;

	tx_sizes(&a, 60, 70);
	put(a.be, "online", "0");
	put(a.be, "state", "5");
	wait_state(a.be, XenbusStateClosed);
	for (int i = 0; i < 200 && if_nametoindex(a.ifname) > 0; i++)
		usleep(10000);
	ck_assert_msg(if_nametoindex(a.ifname) == 0, "TAP %s is still there", a.ifname);
	for (unsigned int r = 0; r < 2; r++)
		ck_assert_int_eq(
		    hvsim_grant_flags(t.sim, domid, gref(&a, r)) & (GTF_reading | GTF_writing), 0);
	/* the toolstack removes the directory: the counters do not bring it back */
	ck_assert_int_eq(shoji_xs_rm(t.xs, SHOJI_XS_NO_TX, a.be), 0);
	usleep(1500000);
	st = node(a.be, "statistics/tx-packets");
	ck_assert_msg(st == NULL, "%s/statistics/tx-packets came back: %s", a.be, st);
}
END_TEST

/* A vif on a bridge is its port; one naming a bridge that does not exist leaves no TAP. */
START_TEST(test_bridge)
{
	char br[IFNAMSIZ], path[96], link[256], *err = NULL;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n;

	snprintf(br, sizeof(br), "nbtbr%u", (unsigned int)getpid() % 10000);
	ck_assert_int_eq(ioctl(s, SIOCBRADDBR, br), 0);
	vif_layout(&b, 1, br);
	vif_connect(&b, false);
	snprintf(path, sizeof(path), "/sys/class/net/%s/master", b.ifname);
	n = readlink(path, link, sizeof(link) - 1);
	ck_assert_int_gt(n, 0);
	link[n] = '\0';
	ck_assert_str_eq(strrchr(link, '/') + 1, br);
	{
		struct nf c;

		vif_layout(&c, 2, "nbtnobridge");
		for (int i = 0; i < SIMTEST_WAIT_MS / 10 && !err; i++) {
			err = node(c.be, "error");
			if (!err)
				usleep(10000);
		}
		ck_assert_msg(err && strstr(err, "bridge"), "error node '%s'",
		              err ? err : "(none)");
		/* the error is written before the TAP is closed: give it a moment to go */
		for (int i = 0; i < 200 && if_nametoindex(c.ifname) > 0; i++)
			usleep(10000);
		ck_assert_msg(if_nametoindex(c.ifname) == 0, "TAP %s is still there", c.ifname);
		free(err);
	}
	close(s);
}
END_TEST

/* --- checksum and GSO offload, both ways --- */

/* A TCP/IPv4 frame of @len bytes (headers 14 + 20 + 20), its checksum left blank. */
static void tcp_frame(uint8_t *f, size_t len, unsigned int seed)
{
	make_frame(f, len, seed);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 40);
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	f[34 + 12] = 0x50; /* 20-byte TCP header */
	f[34 + 13] = 0x10; /* ACK */
}

/* A socket for every frame on @n's TAP, with the virtio-net header before each. */
static int vnet_socket(const struct nf *n)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)), one = 1;

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)), 0);
	sll.sll_ifindex = (int)if_nametoindex(n->ifname);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return s;
}

/*
 * tx: a 3000-byte TCP packet in two slots with a GSO extra and csum_blank
 * comes out of the TAP as one GSO frame whose header asks for the checksum
 * at the TCP header and segments of 1448; a plain one comes out without
 * either; csum_blank on a frame that is not TCP or UDP is refused.
 */
START_TEST(test_tx_offload)
{
	static uint8_t f[3000], got[4000];
	struct netif_extra_info x = {.type = XEN_NETIF_EXTRA_TYPE_GSO};
	struct virtio_net_hdr_ {
		uint8_t flags, gso_type;
		uint16_t hdr_len, gso_size, csum_start, csum_offset;
	} h;
	int s = vnet_socket(&a);
	int16_t st[3];
	netif_tx_request_t *r;
	ssize_t m;

	tcp_frame(f, sizeof(f), 5);
	memcpy(gpage(&a, TX_PAGE(0)), f, 1500);
	memcpy(gpage(&a, TX_PAGE(1)), f + 1500, 1500);
	r = RING_GET_REQUEST(&a.tx, a.tx.req_prod_pvt++);
	*r = (netif_tx_request_t){.gref = gref(&a, TX_PAGE(0)),
	                          .flags = NETTXF_csum_blank | NETTXF_data_validated |
	                                   NETTXF_extra_info | NETTXF_more_data,
	                          .id = 1,
	                          .size = sizeof(f)};
	x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	x.u.gso.size = 1448;
	memcpy(RING_GET_REQUEST(&a.tx, a.tx.req_prod_pvt++), &x, sizeof(x));
	r = RING_GET_REQUEST(&a.tx, a.tx.req_prod_pvt++);
	*r = (netif_tx_request_t){.gref = gref(&a, TX_PAGE(1)), .id = 2, .size = 1500};
	tx_push(&a);
	tx_wait(&a, 3, st, NULL);
	ck_assert_int_eq(st[0], NETIF_RSP_OKAY);
	ck_assert_int_eq(st[1], NETIF_RSP_NULL);
	ck_assert_int_eq(st[2], NETIF_RSP_OKAY);
	do
		m = recv(s, got, sizeof(got), 0);
	while (m > 0 && (size_t)m != sizeof(h) + sizeof(f));
	ck_assert_int_eq(m, sizeof(h) + sizeof(f));
	memcpy(&h, got, sizeof(h));
	ck_assert_uint_eq(h.flags, 1);    /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	ck_assert_uint_eq(h.gso_type, 1); /* VIRTIO_NET_HDR_GSO_TCPV4 */
	ck_assert_uint_eq(h.gso_size, 1448);
	ck_assert_uint_eq(h.csum_start, 34);
	ck_assert_uint_eq(h.csum_offset, 16);
	ck_assert(!memcmp(got + sizeof(h), f, sizeof(f)));
	/* plain, data_validated */
	tcp_frame(f, 200, 6);
	memcpy(gpage(&a, TX_PAGE(2)), f, 200);
	r = RING_GET_REQUEST(&a.tx, a.tx.req_prod_pvt++);
	*r = (netif_tx_request_t){
	    .gref = gref(&a, TX_PAGE(2)), .flags = NETTXF_data_validated, .id = 3, .size = 200};
	tx_push(&a);
	tx_wait(&a, 1, st, NULL);
	ck_assert_int_eq(st[0], NETIF_RSP_OKAY);
	do
		m = recv(s, got, sizeof(got), 0);
	while (m > 0 && (size_t)m != sizeof(h) + 200);
	memcpy(&h, got, sizeof(h));
	/* (the TAP does not keep VIRTIO_NET_HDR_F_DATA_VALID: the kernel checks it again) */
	ck_assert_uint_eq(h.flags & 1, 0);
	ck_assert_uint_eq(h.gso_type, 0);
	ck_assert(!memcmp(got + sizeof(h), f, 200));
	/* csum_blank on a frame that is not TCP or UDP: refused and counted */
	make_frame(f, 100, 1);
	memcpy(gpage(&a, TX_PAGE(3)), f, 100);
	r = RING_GET_REQUEST(&a.tx, a.tx.req_prod_pvt++);
	*r = (netif_tx_request_t){
	    .gref = gref(&a, TX_PAGE(3)), .flags = NETTXF_csum_blank, .id = 4, .size = 100};
	tx_push(&a);
	tx_wait(&a, 1, st, NULL);
	ck_assert_int_eq(st[0], NETIF_RSP_ERROR);
	close(s);
}
END_TEST

/*
 * rx: a GSO TCP frame of 6000 bytes written into the TAP (the frontend
 * takes sg and gso-tcpv4) reaches the guest whole: a full page, a GSO extra
 * slot, the rest; csum_blank and data_validated on the first.
 */
START_TEST(test_rx_gso)
{
	enum { LEN = 6000 };
	static uint8_t pkt[10 + LEN], got[LEN];
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
	                         .sll_protocol = htons(0x0800),
	                         .sll_ifindex = (int)if_nametoindex(a.ifname),
	                         .sll_halen = 6};
	const uint8_t h[10] = {1, 1, 54, 0, 0xa8, 0x05, 34, 0, 16, 0}; /* NEEDS_CSUM, TCPV4, 1448 */
	int s = vnet_socket(&a);
	netif_rx_response_t r[3];
	struct netif_extra_info x;
	int pending;

	memcpy(pkt, h, sizeof(h));
	tcp_frame(pkt + 10, LEN, 8);
	memset(to.sll_addr, 0xff, 6);
	ck_assert_int_eq(sendto(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)),
	                 sizeof(pkt));
	for (unsigned int i = 0; i < 3;) {
		RING_FINAL_CHECK_FOR_RESPONSES(&a.rx, pending);
		if (!pending) {
			ck_assert_msg(hvsim_evtchn_wait(t.sim, domid, a.port_rx, SIMTEST_WAIT_MS) ==
			                  0,
			              "%u of 3 rx slots (log %s)", i, nb_log);
			continue;
		}
		RING_COPY_RESPONSE(&a.rx, a.rx.rsp_cons, &r[i]);
		a.rx.rsp_cons++;
		i++;
	}
	ck_assert_uint_eq(r[0].flags, NETRXF_csum_blank | NETRXF_data_validated | NETRXF_more_data |
	                                  NETRXF_extra_info);
	ck_assert_int_eq(r[0].status, 4096);
	memcpy(&x, &r[1], sizeof(x));
	ck_assert_uint_eq(x.type, XEN_NETIF_EXTRA_TYPE_GSO);
	ck_assert_uint_eq(x.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	ck_assert_uint_eq(x.u.gso.size, 1448);
	ck_assert_uint_eq(r[2].flags, 0);
	ck_assert_int_eq(r[2].status, LEN - 4096);
	memcpy(got, gpage(&a, RX_PAGE(r[0].id)), 4096);
	memcpy(got + 4096, gpage(&a, RX_PAGE(r[2].id)), LEN - 4096);
	ck_assert(!memcmp(got, pkt + 10, LEN));
	close(s);
}
END_TEST

/* Two queues (queue-0/ one port, queue-1/ split ports): both carry tx; rx comes on either. */
START_TEST(test_multi_queue)
{
	struct nf q0, q1;
	char dir[96];
	uint8_t f[1514], got[4096];

	vif_layout(&q0, 3, NULL);
	q1 = q0;
	q1.k = 4;
	wait_state(q0.be, XenbusStateInitWait);
	snprintf(dir, sizeof(dir), "%s/queue-0", q0.fe);
	queue_init(&q0, false, dir);
	snprintf(dir, sizeof(dir), "%s/queue-1", q1.fe);
	queue_init(&q1, true, dir);
	put(q0.fe, "multi-queue-num-queues", "2");
	vif_features(&q0);
	for (unsigned int i = 0; i < 32; i++) {
		post_rx(&q0, i);
		post_rx(&q1, i);
	}
	push_rx(&q0);
	push_rx(&q1);
	vif_socket(&q0);
	q1.sock = q0.sock;
	tx_sizes(&q0, 60, 100);
	tx_sizes(&q1, 101, 140);
	for (unsigned int i = 0; i < 8; i++) {
		int pending = 0;
		ssize_t m;

		make_frame(f, 80 + i, 50 + i);
		tap_send(&q0, f, 80 + i);
		for (int w = 0; w < SIMTEST_WAIT_MS / 10 && !pending; w++) {
			RING_FINAL_CHECK_FOR_RESPONSES(&q0.rx, pending);
			if (!pending)
				RING_FINAL_CHECK_FOR_RESPONSES(&q1.rx, pending);
			if (!pending)
				usleep(10000);
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&q0.rx, pending);
		m = rx_frame(pending ? &q0 : &q1, got, SIMTEST_WAIT_MS, NULL);
		ck_assert_int_eq(m, 80 + i);
		ck_assert(!memcmp(got, f, (size_t)m));
	}
	close(q0.sock);
}
END_TEST

/* A frontend without request-rx-copy (rx-flip only) or feature-rx-notify is refused. */
START_TEST(test_refuse_frontend)
{
	static const char *const need[] = {"request-rx-copy", "feature-rx-notify"};

	for (unsigned int i = 0; i < 2; i++) {
		char *err;

		vif_layout(&b, 1 + i, NULL);
		wait_state(b.be, XenbusStateInitWait);
		queue_init(&b, false, b.fe);
		put(b.fe, need[1 - i], "1");
		put(b.fe, "state", "4");
		wait_state(b.be, XenbusStateClosing);
		err = node(b.be, "error");
		ck_assert_ptr_nonnull(err);
		free(err);
	}
	tx_sizes(&a, 60, 61); /* the other vif is untouched */
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "sim_netback",
	                             .name = "vif",
	                             .setup = setup,
	                             .teardown = teardown,
	                             .timeout = 120};

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		const char *why = geteuid() ? "not root" : "no /dev/net/tun";

		fprintf(stderr, "SKIP: NETBACK TEST NOT RUN: %s\n", why);
		printf("SKIP: NETBACK TEST NOT RUN: %s\n", why);
		return 77;
	}
	return CHECK_MAIN(c, test_nodes, test_tx_every_size, test_rx_every_size,
	                  test_rx_backpressure, test_hostile, test_restart_adopts, test_hot_detach,
	                  test_bridge, test_tx_offload, test_rx_gso, test_multi_queue,
	                  test_refuse_frontend);
}
