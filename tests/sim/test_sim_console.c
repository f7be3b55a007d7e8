/*
 * test_sim_console: shoji-consoled, unchanged, against hvsim (shoji-hv
 * without KVM, tests/sim/hvsim.h) and a private shoji-xenstored.  This test
 * is the toolstack (console/ring-ref and console/port in xenstore, as shojid
 * writes them) and the guest of a simulated domain: it writes through the
 * console ring page, notifies on its port and reads what a console client
 * types.  consoled maps the page with the privileged foreign map and binds
 * the port interdomain, both through hvsim's real Dom0 socket.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shoji/io/console.h>

#include "check-run.h"
#include "hvsim.h"
#include "simtest.h"

#define MEMORY   (16u << 20)
#define CON_GFN  HVSIM_GFN_FREE
#define OUT_SIZE 6000 /* about three times the out ring */

static struct simtest t;
static char cd_log[sizeof(t.dir) + 16], log_dir[sizeof(t.dir) + 8], run_dir[sizeof(t.dir) + 8];
static pid_t cd_pid = -1;

/* One simulated guest's console. */
struct guest {
	uint32_t domid;
	evtchn_port_t port;
	struct xencons_interface *ring;
	char name[32];
};

/* A guest whose console page and port are in xenstore as the toolstack writes them. */
static void guest_start(struct guest *g)
{
	char path[96];
	int r = hvsim_domain_new(t.sim, MEMORY);

	ck_assert_int_gt(r, 0);
	g->domid = (uint32_t)r;
	g->ring =
	    hvsim_guest_mem(t.sim, g->domid, (uint64_t)CON_GFN << XEN_PAGE_SHIFT, sizeof(*g->ring));
	ck_assert_ptr_nonnull(g->ring);
	r = hvsim_evtchn_alloc(t.sim, g->domid, 0);
	ck_assert_int_gt(r, 0);
	g->port = (evtchn_port_t)r;
	snprintf(g->name, sizeof(g->name), "simcon-%u", g->domid);
	snprintf(path, sizeof(path), "/local/domain/%u", g->domid);
	simtest_put(&t, path, "name", "%s", g->name);
	simtest_put(&t, path, "console/port", "%u", g->port);
	simtest_put(&t, path, "console/ring-ref", "%u", CON_GFN);
}

/* The guest's console driver: put @len bytes in the out ring, waiting for room. */
static void guest_write(struct guest *g, const char *buf, size_t len)
{
	struct xencons_interface *r = g->ring;
	XENCONS_RING_IDX prod = r->out_prod;

	while (len > 0) {
		XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);

		ck_assert_uint_le(prod - cons, XENCONS_OUT_SIZE);
		if (prod - cons == XENCONS_OUT_SIZE) {
			ck_assert_msg(
			    hvsim_evtchn_wait(t.sim, g->domid, g->port, SIMTEST_WAIT_MS) == 0,
			    "consoled never made room in the out ring");
			continue;
		}
		while (len > 0 && prod - cons < XENCONS_OUT_SIZE) {
			r->out[MASK_XENCONS_IDX(prod, r->out)] = *buf++;
			prod++;
			len--;
		}
		__atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
		ck_assert_int_eq(hvsim_evtchn_send(t.sim, g->domid, g->port), 0);
	}
}

/* Whole contents of file @path (NUL-terminated, at most @len - 1 bytes). */
static size_t read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/* A client of @g's console socket. */
static int client_open(const struct guest *g)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/console/%u.sock", run_dir, g->domid);
	simtest_wait_path(sa.sun_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Start shoji-consoled, with --group @group unless it is NULL. */
static void consoled_start(const char *group)
{
	char cd[512];

	cd_pid = simtest_spawn(
	    (char *[]){
	        (char *)simtest_built(cd, sizeof(cd), "pv-drivers/dom0/consoled/shoji-consoled"),
	        "--xs-socket", t.xs_socket, "--hv-socket", (char *)hvsim_socket(t.sim), "--log-dir",
	        log_dir, "--run-dir", run_dir, "--verbose", group ? "--group" : NULL, (char *)group,
	        NULL},
	    cd_log);
	simtest_wait_file(cd_log, "shoji-consoled: ready");
}

static void setup(void)
{
	simtest_begin(&t, "test_sim_console");
	snprintf(cd_log, sizeof(cd_log), "%s/consoled.err", t.dir);
	snprintf(log_dir, sizeof(log_dir), "%s/log", t.dir);
	snprintf(run_dir, sizeof(run_dir), "%s/run", t.dir);
	consoled_start(NULL);
}

static void teardown(void)
{
	int status = simtest_stop(&cd_pid, cd_log);

	simtest_end(&t);
	ck_assert_msg(status == 0, "shoji-consoled did not exit cleanly (wait status %#x)", status);
}

START_TEST(output_reaches_the_log)
{
	static char out[OUT_SIZE + 1], got[2 * OUT_SIZE];
	char path[sizeof(log_dir) + 48], last[64] = "";
	struct guest g;
	size_t n = 0;

	guest_start(&g);
	for (unsigned int i = 0; n + sizeof(last) < OUT_SIZE; i++) {
		snprintf(last, sizeof(last), "line %u of the sim guest", i);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n", last);
	}
	guest_write(&g, out, n);
	/* The last line, then all of it, byte for byte. */
	snprintf(path, sizeof(path), "%s/%s.log", log_dir, g.name);
	simtest_wait_file(path, last);
	ck_assert_uint_eq(read_file(path, got, sizeof(got)), n);
	ck_assert_str_eq(got, out);
	ck_assert(simtest_alive(cd_pid));
}
END_TEST

START_TEST(input_reaches_the_guest)
{
	static const char typed[] = "typed at the console\n";
	struct guest g;
	char in[sizeof(typed)];
	int fd;

	guest_start(&g);
	guest_write(&g, "login: ", 7);
	fd = client_open(&g);
	/* What the guest wrote before anyone attached is handed to the first client. */
	{
		char buf[16] = {0};
		size_t have = 0;

		while (have < 7) {
			ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);

			ck_assert_int_gt(r, 0);
			have += (size_t)r;
		}
		ck_assert_str_eq(buf, "login: ");
	}
	ck_assert_int_eq(write(fd, typed, strlen(typed)), (ssize_t)strlen(typed));
	while (g.ring->in_prod - g.ring->in_cons < strlen(typed))
		ck_assert_msg(hvsim_evtchn_wait(t.sim, g.domid, g.port, SIMTEST_WAIT_MS) == 0,
		              "no input came");
	ck_assert_uint_eq(g.ring->in_prod - g.ring->in_cons, strlen(typed));
	for (size_t i = 0; i < strlen(typed); i++)
		in[i] = g.ring->in[MASK_XENCONS_IDX(g.ring->in_cons + i, g.ring->in)];
	in[strlen(typed)] = '\0';
	ck_assert_str_eq(in, typed);
	close(fd);
}
END_TEST

START_TEST(hostile_ring_drops_only_its_console)
{
	struct guest h, ok;
	char line[96], path[sizeof(log_dir) + 48];

	guest_start(&h);
	snprintf(line, sizeof(line), "domain %u: console gfn", h.domid);
	simtest_wait_file(cd_log, line);
	h.ring->out_prod = h.ring->out_cons + 100000u;
	ck_assert_int_eq(hvsim_evtchn_send(t.sim, h.domid, h.port), 0);
	snprintf(line, sizeof(line), "domain %u: impossible output ring indexes: console dropped",
	         h.domid);
	simtest_wait_file(cd_log, line);
	ck_assert(simtest_alive(cd_pid));

	guest_start(&ok);
	guest_write(&ok, "still served\n", 13);
	snprintf(path, sizeof(path), "%s/%s.log", log_dir, ok.name);
	simtest_wait_file(path, "still served");

	/* A console goes with its domain. */
	ck_assert_int_eq(hvsim_domain_destroy(t.sim, ok.domid), 0);
	snprintf(line, sizeof(line), "domain %u: gone, console closed", ok.domid);
	simtest_wait_file(cd_log, line);
}
END_TEST

/*
 * kill -9 of shoji-consoled while the guest writes (issue 15, item 16): the
 * output still in the ring is drained by the next instance, so the log holds
 * every line in order (a line may appear twice: written to the log just
 * before the kill, consumed from the ring only after it).
 */
START_TEST(kill_mid_stream_loses_no_line)
{
	static char out[16384], got[65536];
	char path[sizeof(log_dir) + 48], line[48];
	const char *p;
	struct guest g;
	pid_t old;
	int status;

	guest_start(&g);
	snprintf(path, sizeof(path), "%s/%s.log", log_dir, g.name);
	for (unsigned int part = 0; part < 2; part++) {
		size_t n = 0;

		for (unsigned int i = part * 400; i < (part + 1) * 400; i++)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "line %04u\n", i);
		/* 4 KiB, twice the ring: consoled is draining when the write returns. */
		guest_write(&g, out, n);
		if (part == 0) {
			old = cd_pid;
			ck_assert_int_eq(kill(old, SIGKILL), 0);
			ck_assert_int_eq(waitpid(old, &status, 0), old);
			cd_pid = -1;
			consoled_start(NULL);
		}
	}
	simtest_wait_file(path, "line 0799");
	read_file(path, got, sizeof(got));
	p = got;
	for (unsigned int i = 0; i < 800; i++) {
		snprintf(line, sizeof(line), "line %04u\n", i);
		p = strstr(p, line);
		ck_assert_msg(p != NULL, "the log lost '%.9s' across the kill", line);
	}
}
END_TEST

/*
 * Connect to @path as uid nobody with primary group @gid and no other
 * groups: 0 when the connection is accepted, else the errno.
 */
static int connect_as(const char *path, gid_t gid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(65534) < 0)
			_exit(255);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		_exit(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : errno);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_ne(WEXITSTATUS(status), 255);
	return WEXITSTATUS(status);
}

/* Without --group a console socket is root's alone; with it, its members' too (and no one else's). */
START_TEST(group_members_may_attach)
{
	const struct group *grp = getgrnam("nogroup");
	struct guest a, b;
	char path[sizeof(run_dir) + 32];
	struct stat st;
	mode_t mask = umask(0); /* the daemons must not depend on the umask they inherit */

	ck_assert_msg(grp, "this test needs Debian's group 'nogroup'");
	ck_assert_int_eq(chmod(t.dir, 0711), 0); /* let nobody reach run/console/ */
	guest_start(&a);
	snprintf(path, sizeof(path), "%s/console/%u.sock", run_dir, a.domid);
	simtest_wait_path(path);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(connect_as(path, grp->gr_gid), EACCES);

	ck_assert_int_eq(simtest_stop(&cd_pid, cd_log), 0);
	consoled_start("nogroup");
	guest_start(&b);
	snprintf(path, sizeof(path), "%s/console/%u.sock", run_dir, b.domid);
	simtest_wait_path(path);
	umask(mask);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	ck_assert_uint_eq(st.st_gid, grp->gr_gid);
	ck_assert_int_eq(connect_as(path, grp->gr_gid), 0);
	ck_assert_int_eq(connect_as(path, grp->gr_gid - 1), EACCES);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "sim", .name = "console", .setup = setup, .teardown = teardown, .timeout = 60};

	return CHECK_MAIN(c, output_reaches_the_log, input_reaches_the_guest,
	                  hostile_ring_drops_only_its_console, group_members_may_attach,
	                  kill_mid_stream_loses_no_line);
}
