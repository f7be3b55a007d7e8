/*
 * test_backend: libshoji-backend's xenbus state machine against a real
 * shoji-xenstored, started on a private socket, and hvsim (shoji-hv without
 * KVM, tests/sim/hvsim.h) for the library's handles.  The "frontend" is this
 * test writing the nodes a guest would write, so no guest runs: connect()
 * here maps nothing.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include <shoji/backend.h>
#include <shoji/xs.h>

#include "check-run.h"
#include "hvsim.h"

#define FE "/local/domain/7/device/ping"
#define BE "/local/domain/0/backend/ping/7"

struct counts {
	int probe, connect, disconnect, remove;
	int fail_connect_devid; /* connect() fails for this devid */
};

static struct counts counts;
static char dir[] = "/tmp/test_backend.XXXXXX";
static struct hvsim *sim;
static pid_t xsd_pid = -1;
static struct shoji_backend *be;
static struct shoji_xs *xs;
static char xs_sock[600];

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void wait_path(const char *path)
{
	struct stat st;

	for (int i = 0; i < 200 && stat(path, &st) < 0; i++)
		usleep(50000);
	ck_assert_msg(stat(path, &st) == 0, "%s did not appear", path);
}

static int t_probe(struct shoji_backend_dev *dev)
{
	counts.probe++;
	return 0;
}

static int t_connect(struct shoji_backend_dev *dev)
{
	counts.connect++;
	if ((int)shoji_backend_dev_devid(dev) == counts.fail_connect_devid) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

static void t_disconnect(struct shoji_backend_dev *dev)
{
	counts.disconnect++;
}

static void t_remove(struct shoji_backend_dev *dev)
{
	counts.remove++;
}

static const struct shoji_backend_ops ping_ops = {
    .type = "ping",
    .probe = t_probe,
    .connect = t_connect,
    .disconnect = t_disconnect,
    .remove = t_remove,
};

static void put(const char *path, const char *value)
{
	ck_assert_int_eq(shoji_xs_write(xs, SHOJI_XS_NO_TX, path, value, strlen(value)), 0);
}

/* Run the backend's loop until @path reads @want (10 s at most). */
static void pump_until(const char *path, const char *want)
{
	for (int i = 0; i < 1000; i++) {
		char *v;

		event_base_loop(shoji_backend_event_base(be), EVLOOP_NONBLOCK);
		v = shoji_xs_read(xs, SHOJI_XS_NO_TX, path, NULL);
		if (v && strcmp(v, want) == 0) {
			free(v);
			return;
		}
		free(v);
		usleep(10000);
	}
	ck_abort_msg("%s never became '%s'", path, want);
}

static void pump(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		event_base_loop(shoji_backend_event_base(be), EVLOOP_NONBLOCK);
		usleep(10000);
	}
}

static void setup(void)
{
	const char *b = getenv("top_builddir");
	char xsd[512], st[600];
	char *xss = xs_sock;

	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(xsd, sizeof(xsd), "%s/xenstore/xenstored/shoji-xenstored", b);
	snprintf(xss, sizeof(xs_sock), "%s/xs.sock", dir);
	snprintf(st, sizeof(st), "%s/xsstate", dir);
	mkdir(st, 0700);
	sim = hvsim_start(dir);
	ck_assert_ptr_nonnull(sim);
	xsd_pid = spawn((char *[]){xsd, "--socket", xss, "--state-dir", st, NULL});
	wait_path(xss);
	be = shoji_backend_new(
	    &(struct shoji_backend_config){.xs_socket = xss, .hv_socket = hvsim_socket(sim)});
	ck_assert_ptr_nonnull(be);
	xs = shoji_xs_open(xss);
	ck_assert_ptr_nonnull(xs);
	memset(&counts, 0, sizeof(counts));
	counts.fail_connect_devid = -1;
}

static void teardown(void)
{
	char cmd[600];

	shoji_xs_close(xs);
	shoji_backend_free(be);
	if (xsd_pid > 0)
		kill(xsd_pid, SIGTERM), waitpid(xsd_pid, NULL, 0);
	hvsim_stop(sim);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_register_rejects_bad_ops)
{
	static const struct shoji_backend_ops bad = {.type = "a/b", .connect = t_connect};
	static const struct shoji_backend_ops none = {.type = "x"};

	errno = 0;
	ck_assert_int_eq(shoji_backend_register(be, &bad), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(shoji_backend_register(be, &none), -1);
	ck_assert_int_eq(shoji_backend_register(be, NULL), -1);
}
END_TEST

START_TEST(test_handshake)
{
	ck_assert_int_eq(shoji_backend_register(be, &ping_ops), 0);
	put(FE "/0/state", "1");
	put(BE "/0/frontend", FE "/0");
	pump_until(BE "/0/state", "2"); /* InitWait */
	ck_assert_int_eq(counts.probe, 1);
	ck_assert_int_eq(counts.connect, 0);

	put(FE "/0/state", "3"); /* Initialised */
	pump_until(BE "/0/state", "4");
	ck_assert_int_eq(counts.connect, 1);

	put(FE "/0/state", "5"); /* Closing */
	pump_until(BE "/0/state", "5");
	ck_assert_int_eq(counts.disconnect, 1);
	put(FE "/0/state", "6"); /* Closed */
	pump_until(BE "/0/state", "6");
	ck_assert_int_eq(counts.disconnect, 1); /* not twice */

	/* The frontend comes back: InitWait, then Connected again. */
	put(FE "/0/state", "1");
	pump_until(BE "/0/state", "2");
	put(FE "/0/state", "4");
	pump_until(BE "/0/state", "4");
	ck_assert_int_eq(counts.connect, 2);

	/* The toolstack removes the device: disconnected and freed. */
	ck_assert_int_eq(shoji_xs_rm(xs, SHOJI_XS_NO_TX, BE "/0"), 0);
	pump(30);
	ck_assert_int_eq(counts.disconnect, 2);
	ck_assert_int_eq(counts.remove, 1);
}
END_TEST

START_TEST(test_connect_failure_and_existing_devices)
{
	/* Devices that exist before registration are picked up. */
	put(FE "/1/state", "3");
	put(BE "/1/frontend", FE "/1");
	counts.fail_connect_devid = 1;
	ck_assert_int_eq(shoji_backend_register(be, &ping_ops), 0);
	pump_until(BE "/1/state", "5"); /* connect refused: Closing + error node */
	ck_assert_int_eq(counts.connect, 1);
	ck_assert_int_eq(counts.disconnect, 0);
	{
		char *e = shoji_xs_read(xs, SHOJI_XS_NO_TX, BE "/1/error", NULL);

		ck_assert_ptr_nonnull(e);
		ck_assert_str_eq(e, strerror(ENODEV));
		free(e);
	}
	/* A frontend that vanishes closes the device. */
	counts.fail_connect_devid = -1;
	put(FE "/2/state", "4");
	put(BE "/2/frontend", FE "/2");
	pump_until(BE "/2/state", "4");
	ck_assert_int_eq(shoji_xs_rm(xs, SHOJI_XS_NO_TX, FE "/2"), 0);
	pump_until(BE "/2/state", "6");
	ck_assert_int_eq(counts.disconnect, 1);
}
END_TEST

START_TEST(test_hot_detach_and_adoption)
{
	char *v;

	ck_assert_int_eq(shoji_backend_register(be, &ping_ops), 0);
	put(FE "/3/state", "4");
	put(BE "/3/online", "1");
	put(BE "/3/frontend", FE "/3");
	pump_until(BE "/3/state", "4");
	/* Hot-detach: the toolstack writes online=0 and Closing; the backend answers Closed. */
	put(BE "/3/online", "0");
	put(BE "/3/state", "5");
	pump_until(BE "/3/state", "6");
	ck_assert_int_eq(counts.disconnect, 1);
	put(FE "/3/state", "5"); /* the frontend's later steps do not reopen it */
	pump(20);
	v = shoji_xs_read(xs, SHOJI_XS_NO_TX, BE "/3/state", NULL);
	ck_assert_str_eq(v, "6");
	free(v);
	ck_assert_int_eq(counts.connect, 1);

	/* A backend restarted finds a Connected device: it reconnects without InitWait. */
	shoji_backend_free(be);
	be = shoji_backend_new(
	    &(struct shoji_backend_config){.xs_socket = xs_sock, .hv_socket = hvsim_socket(sim)});
	ck_assert_ptr_nonnull(be);
	put(FE "/4/state", "4");
	put(BE "/4/frontend", FE "/4");
	put(BE "/4/state", "4");
	memset(&counts, 0, sizeof(counts));
	counts.fail_connect_devid = -1;
	ck_assert_int_eq(shoji_backend_register(be, &ping_ops), 0);
	for (int i = 0; i < 200 && counts.connect == 0; i++)
		pump(1);
	ck_assert_int_eq(counts.connect, 1);
	v = shoji_xs_read(xs, SHOJI_XS_NO_TX, BE "/4/state", NULL);
	ck_assert_str_eq(v, "4");
	free(v);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "backend",
	                             .name = "xenbus",
	                             .setup = setup,
	                             .teardown = teardown,
	                             .timeout = 60};

	return CHECK_MAIN(c, test_register_rejects_bad_ops, test_handshake,
	                  test_connect_failure_and_existing_devices, test_hot_detach_and_adoption);
}
