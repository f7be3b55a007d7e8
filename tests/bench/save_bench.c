/*
 * make bench: shoji-hv's save and restore (hypervisor/save.c) on hvsim, for
 * a 1 GiB domain of which 64 MiB was written by its guest, beside a plain
 * program that writes the same 64 MiB to a file in the same directory and
 * reads it back, in the same run.  Prints the median of ROUNDS of each:
 * save (CTRL_SAVE to a file, then fsync, as shojid does), the file's size
 * and allocated blocks, and restore (CTRL_RESTORE from it into a new
 * domain).  What it measures is Dom0's side: no guest runs, so the figures
 * leave out a real vCPU's pause and resume.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <shoji/ctrl.h>

#include "hvsim.h"

#define MEM     (1ULL << 30)
#define TOUCHED (64u << 20)
#define AT      (16u << 20) /* the guest's written range starts here */
#define ROUNDS  5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp);
	return v[ROUNDS / 2];
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "save_bench: %s: %s\n", what, why);
	exit(1);
}

int main(void)
{
	char dir[] = "/tmp/save_bench.XXXXXX", file[64], plain[64], err[256];
	double save_s[ROUNDS], restore_s[ROUNDS], write_s[ROUNDS], read_s[ROUNDS];
	uint8_t uuid[16] = {1};
	struct shoji_ctrl *c;
	struct hvsim *sim;
	struct stat st = {0};
	uint64_t pages = 0, zero = 0;
	uint8_t *buf;

	if (!mkdtemp(dir))
		die("mkdtemp", strerror(errno));
	snprintf(file, sizeof(file), "%s/dom.save", dir);
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	sim = hvsim_start(dir);
	c = sim ? shoji_ctrl_open(hvsim_socket(sim)) : NULL;
	buf = malloc(TOUCHED);
	if (!sim || !c || !buf)
		die("hvsim", strerror(errno));
	for (size_t i = 0; i < TOUCHED; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	for (int r = 0; r < ROUNDS; r++) {
		int dom = hvsim_domain_new(sim, MEM), fd;
		uint32_t back;
		uint8_t *ram;
		double t;

		if (dom < 0)
			die("domain", strerror(-dom));
		ram = hvsim_guest_mem(sim, (uint32_t)dom, AT, TOUCHED);
		if (!ram)
			die("guest memory", "outside RAM");
		memcpy(ram, buf, TOUCHED); /* the guest writes its 64 MiB */
		fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		t = now();
		if (fd < 0 ||
		    shoji_ctrl_save(c, (uint32_t)dom, fd, &pages, &zero, err, sizeof(err)) < 0 ||
		    fsync(fd) < 0)
			die("save", err);
		save_s[r] = now() - t;
		fstat(fd, &st);
		if (hvsim_domain_destroy(sim, (uint32_t)dom) < 0)
			die("destroy", strerror(errno));
		lseek(fd, 0, SEEK_SET);
		t = now();
		if (shoji_ctrl_restore(c, fd, SHOJI_CTRL_DOMID_ANY, "restored", uuid, &back, err,
		                       sizeof(err)) < 0)
			die("restore", err);
		restore_s[r] = now() - t;
		close(fd);
		ram = hvsim_guest_mem(sim, back, AT, TOUCHED);
		if (!ram && hvsim_domain_adopt(sim, back) == 0)
			ram = hvsim_guest_mem(sim, back, AT, TOUCHED);
		if (!ram || memcmp(ram, buf, TOUCHED) != 0)
			die("restore", "the guest's 64 MiB came back different");
		if (hvsim_domain_destroy(sim, back) < 0)
			die("destroy", strerror(errno));

		/* The plain program: the same bytes to a file and back. */
		fd = open(plain, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		t = now();
		if (fd < 0 || write(fd, buf, TOUCHED) != (ssize_t)TOUCHED || fsync(fd) < 0)
			die("plain write", strerror(errno));
		write_s[r] = now() - t;
		t = now();
		if (pread(fd, ram = malloc(TOUCHED), TOUCHED, 0) != (ssize_t)TOUCHED)
			die("plain read", strerror(errno));
		read_s[r] = now() - t;
		free(ram);
		close(fd);
	}
	printf("save/restore, 1 GiB domain, 64 MiB written by the guest (hvsim), median of %d:\n",
	       ROUNDS);
	printf("  save    %7.1f ms (%llu frames with data, %llu zero); file %.1f MiB, %.1f MiB "
	       "allocated\n",
	       median(save_s) * 1e3, (unsigned long long)pages, (unsigned long long)zero,
	       (double)st.st_size / (1 << 20), (double)st.st_blocks * 512 / (1 << 20));
	printf("  restore %7.1f ms\n", median(restore_s) * 1e3);
	printf("  plain write+fsync of the 64 MiB %7.1f ms, read back %7.1f ms\n",
	       median(write_s) * 1e3, median(read_s) * 1e3);
	shoji_ctrl_close(c);
	hvsim_stop(sim);
	unlink(file);
	unlink(plain);
	rmdir(dir);
	free(buf);
	return 0;
}
