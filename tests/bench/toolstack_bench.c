/*
 * toolstack_bench: what the toolstack costs on top of shoji-hv.
 *
 *   toolstack_bench create SHOJI XML NAME HV_SOCK KERNEL RUNS [LABEL]
 *     `shoji create XML` -> the guest's first console line (polled with
 *     shojid's dmesg request), median of RUNS; beside it the same with
 *     libshoji-ctrl straight to shoji-hv (create, load, unpause, console).
 *   toolstack_bench list SHOJI HV_SOCK RUNS
 *     `shoji list --json` with the domains that exist, median of RUNS;
 *     beside it one shoji_ctrl_list() call.
 *
 * SHOJID_SOCKET names shojid's socket.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shoji/ctrl.h>

#include "../../include/proto/shojid-api.h"

#define FIRST_LINE "Hello from Shoji guest"
#define MAX_RUNS   200

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run argv with stdout on /dev/null; its exit status. */
static int run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One request to shojid; the reply's status, payload copied to buf (NUL-terminated). */
static int api_call(uint16_t type, const char *target, char *buf, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct api_hdr h = {.magic = API_MAGIC,
	                    .version = API_VERSION,
	                    .type = type,
	                    .len = sizeof(struct api_req)};
	struct api_req req = {0};
	const char *path = getenv("SHOJID_SOCKET");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), status = -1;
	size_t got = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path ? path : SHOJID_DEFAULT_SOCKET);
	snprintf(req.target, sizeof(req.target), "%s", target);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, &h, sizeof(h)) != sizeof(h) || write(fd, &req, sizeof(req)) != sizeof(req))
		goto out;
	if (recv(fd, &h, sizeof(h), MSG_WAITALL) != sizeof(h))
		goto out;
	while (got < h.len) {
		char tmp[4096];
		size_t want = h.len - got < sizeof(tmp) ? h.len - got : sizeof(tmp);
		ssize_t n = recv(fd, tmp, want, 0);

		if (n <= 0)
			goto out;
		if (got < len - 1)
			memcpy(buf + got, tmp,
			       (size_t)n < len - 1 - got ? (size_t)n : len - 1 - got);
		got += (size_t)n;
	}
	buf[got < len - 1 ? got : len - 1] = '\0';
	status = h.status;
out:
	if (fd >= 0)
		close(fd);
	return status;
}

static int bench_create(char **argv, int runs, const char *label)
{
	char *create[] = {argv[0], "create", argv[1], NULL};
	const char *name = argv[2], *kernel = argv[4];
	static double t_cli[MAX_RUNS], t_ret[MAX_RUNS], t_raw[MAX_RUNS];
	static char buf[65536];
	struct shoji_ctrl *c = shoji_ctrl_open(argv[3]);

	if (!c) {
		fprintf(stderr, "toolstack_bench: cannot open %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		struct shoji_domain_config cfg = {
		    .name = "raw", .memory_kib = 16 * 1024, .vcpus = 1};
		uint64_t pos = 0;
		uint32_t id;
		double t0 = now_ms();
		int n;

		if (run(create) != 0) {
			fprintf(stderr, "toolstack_bench: shoji create failed\n");
			return 1;
		}
		t_ret[i] = now_ms() - t0;
		while (api_call(API_DMESG, name, buf, sizeof(buf)) == 0 && !strstr(buf, FIRST_LINE))
			;
		t_cli[i] = now_ms() - t0;
		if (api_call(API_DESTROY, name, buf, sizeof(buf)) != 0)
			return 1;

		t0 = now_ms();
		if (shoji_ctrl_create(c, &cfg, &id) < 0 ||
		    shoji_ctrl_load(c, id, kernel, NULL, NULL, NULL, 0) < 0 ||
		    shoji_ctrl_unpause(c, id) < 0)
			return 1;
		buf[0] = '\0';
		while ((n = shoji_ctrl_console_read(c, id, &pos, buf, sizeof(buf) - 1)) >= 0) {
			buf[n] = '\0';
			if (strstr(buf, FIRST_LINE))
				break;
		}
		t_raw[i] = now_ms() - t0;
		shoji_ctrl_destroy(c, id);
	}
	printf("shoji create -> first console line%s (median of %d): %.2f ms"
	       "  [shoji create returns: %.2f ms; libshoji-ctrl straight to shoji-hv: %.2f ms]\n",
	       label, runs, median(t_cli, runs), median(t_ret, runs), median(t_raw, runs));
	shoji_ctrl_close(c);
	return 0;
}

static int bench_list(char **argv, int runs)
{
	char *list[] = {argv[0], "list", "--json", NULL};
	static double t_cli[MAX_RUNS], t_raw[MAX_RUNS];
	static struct shoji_dominfo v[1024];
	struct shoji_ctrl *c = shoji_ctrl_open(argv[1]);
	int n = 0;

	if (!c)
		return 1;
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();

		if (run(list) != 0)
			return 1;
		t_cli[i] = now_ms() - t0;
		t0 = now_ms();
		n = shoji_ctrl_list(c, v, 1024);
		t_raw[i] = now_ms() - t0;
	}
	printf("shoji list --json with %d domains (median of %d): %.2f ms"
	       "  [shoji_ctrl_list() straight to shoji-hv: %.3f ms]\n",
	       n, runs, median(t_cli, runs), median(t_raw, runs));
	shoji_ctrl_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	int runs;

	if ((argc == 8 || argc == 9) && !strcmp(argv[1], "create")) {
		runs = atoi(argv[7]);
		return bench_create(argv + 2, runs > 0 && runs <= MAX_RUNS ? runs : 20,
		                    argc == 9 ? argv[8] : "");
	}
	if (argc == 5 && !strcmp(argv[1], "list")) {
		runs = atoi(argv[4]);
		return bench_list(argv + 2, runs > 0 && runs <= MAX_RUNS ? runs : 20);
	}
	fprintf(stderr, "usage: toolstack_bench create SHOJI XML NAME HV_SOCK KERNEL RUNS [LABEL]\n"
	                "       toolstack_bench list SHOJI HV_SOCK RUNS\n");
	return 2;
}
