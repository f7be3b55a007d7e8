/*
 * test_hv_domain: the parts of domain.c and vcpu.c that need no KVM, on a
 * hand-built domain (no VM, no vCPU thread): domain_load's file handling,
 * the vCPU timer's deadline, and the port and MMIO exits on a kvm_run of
 * our own.  Each test fails on a mutant of
 * tests/mutants/mutants.txt (issue 18: #2 and #10; issue 15: #3, #4).
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <shoji/version.h>

#include "check-run.h"
#include "domain.h"
#include "hv.h"
#include "hypercall.h"
#include "platform.h"
#include "vcpu.h"

#define MEM (16u << 20)

static struct hv host; /* no KVM, no event loop: what domain_crash reaches */
static struct domain dom;
static struct vcpu vcpu0;
#define RUN_SIZE 8192
static struct kvm_run *run; /* RUN_SIZE bytes, as KVM maps them */
static char hello[PATH_MAX], tmpdir[PATH_MAX];

static void setup(void)
{
	const char *top = getenv("top_builddir");

	memset(&dom, 0, sizeof(dom));
	memset(&vcpu0, 0, sizeof(vcpu0));
	pthread_mutex_init(&dom.lock, NULL);
	pthread_cond_init(&dom.cond, NULL);
	dom.hv = &host;
	dom.domid = 1;
	dom.mem.size = MEM;
	dom.mem.base = calloc(1, MEM);
	ck_assert_ptr_nonnull(dom.mem.base);
	dom.nr_vcpus = 1;
	dom.vcpus[0] = &vcpu0;
	vcpu0.d = &dom;
	vcpu0.timerfd = -1;
	vcpu0.kvm.fd = -1;
	run = calloc(1, RUN_SIZE);
	ck_assert_ptr_nonnull(run);
	vcpu0.kvm.run = run;
	vcpu0.kvm.run_size = RUN_SIZE;
	vcpu0.regs = &run->s.regs;
	snprintf(hello, sizeof(hello), "%s/tests/guests/hello", top ? top : ".");
	ck_assert_msg(access(hello, R_OK) == 0, "%s is not built", hello);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_hv_domain.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/initrd", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	free(dom.mem.base);
	free(run);
	pthread_cond_destroy(&dom.cond);
	pthread_mutex_destroy(&dom.lock);
}

/* A valid kernel with an initrd that cannot be read: an error naming the initrd, nothing set up. */
START_TEST(test_load_missing_initrd)
{
	char initrd[PATH_MAX + 16], err[256] = "";
	FILE *f;

	snprintf(initrd, sizeof(initrd), "%s/initrd", tmpdir);
	/* the control: the same kernel with a readable initrd loads */
	f = fopen(initrd, "w");
	ck_assert_ptr_nonnull(f);
	fputs("initrd contents\n", f);
	fclose(f);
	ck_assert_int_eq(domain_load(&dom, hello, initrd, "", err, sizeof(err)), 0);
	ck_assert(vcpu0.initialised);

	memset(&vcpu0.start, 0, sizeof(vcpu0.start));
	vcpu0.initialised = vcpu0.start_pending = false;
	unlink(initrd);
	ck_assert_int_lt(domain_load(&dom, hello, initrd, "", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, initrd) && strstr(err, "No such file"), "error: %s", err);
	ck_assert(!vcpu0.initialised && !vcpu0.start_pending);
}
END_TEST

/*
 * A FIFO as kernel or initrd (issue 15 #4): refused at once as "not a
 * regular file", naming it, with nothing set up.  Opening a FIFO that has
 * no writer without O_NONBLOCK blocks forever (shoji-hv's control loop with
 * it): the alarm turns such a hang into a failure.
 */
START_TEST(test_load_fifo_refused)
{
	char fifo[PATH_MAX + 16], err[256] = "";

	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	alarm(5);
	ck_assert_int_lt(domain_load(&dom, fifo, NULL, "", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, fifo) && strstr(err, "not a regular file"), "kernel: %s", err);
	ck_assert(!vcpu0.initialised && !vcpu0.start_pending);

	err[0] = '\0';
	ck_assert_int_lt(domain_load(&dom, hello, fifo, "", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, fifo) && strstr(err, "not a regular file"), "initrd: %s", err);
	ck_assert(!vcpu0.initialised && !vcpu0.start_pending);
	alarm(0);
}
END_TEST

/* Nanoseconds until timerfd fires (0 if disarmed). */
static uint64_t timer_remaining(int fd)
{
	struct itimerspec its;

	ck_assert_int_eq(timerfd_gettime(fd, &its), 0);
	return (uint64_t)its.it_value.tv_sec * 1000000000ULL + (uint64_t)its.it_value.tv_nsec;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#define MS 1000000ULL

/* A periodic and a single-shot timer together: the earlier deadline is armed, not the later. */
START_TEST(test_timer_earlier_deadline)
{
	uint64_t left;

	vcpu0.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ck_assert_int_ge(vcpu0.timerfd, 0);
	dom.start_ns = now_ns(); /* system time 0 is now */

	/* 10 ms periodic, single-shot at +500 ms: wake at ~10 ms */
	vcpu0.period = 10 * MS;
	vcpu0.periodic_next = 10 * MS;
	vcpu0.singleshot = 500 * MS;
	vcpu_timer_update(&vcpu0);
	left = timer_remaining(vcpu0.timerfd);
	ck_assert_msg(left > 0 && left <= 10 * MS, "armed %llu ns ahead, not <= 10 ms",
	              (unsigned long long)left);

	/* single-shot at +20 ms before a 400 ms period: wake at ~20 ms */
	vcpu0.period = 400 * MS;
	vcpu0.periodic_next = 400 * MS;
	vcpu0.singleshot = 20 * MS;
	vcpu_timer_update(&vcpu0);
	left = timer_remaining(vcpu0.timerfd);
	ck_assert_msg(left > 0 && left <= 20 * MS, "armed %llu ns ahead, not <= 20 ms",
	              (unsigned long long)left);

	/* the periodic one alone, and nothing at all */
	vcpu0.singleshot = 0;
	vcpu_timer_update(&vcpu0);
	left = timer_remaining(vcpu0.timerfd);
	ck_assert(left > 300 * MS && left <= 400 * MS);
	vcpu0.period = 0;
	vcpu_timer_update(&vcpu0);
	ck_assert_uint_eq(timer_remaining(vcpu0.timerfd), 0);
	close(vcpu0.timerfd);
}
END_TEST

/* KVM_EXIT_IO: @count accesses of @size bytes at @port; the data area follows kvm_run. */
static uint8_t *io_exit(uint16_t port, uint8_t size, uint32_t count, bool out)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = 4096;
	return (uint8_t *)run + run->io.data_offset;
}

/* KVM_EXIT_MMIO of @len bytes at @gpa. */
static void mmio_exit(uint64_t gpa, uint32_t len, bool write)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = write;
	memset(run->mmio.data, write ? 0x5a : 0, sizeof(run->mmio.data));
}

/*
 * Unbacked MMIO (a device probe, as of the HPET at 0xfed00000): a read is
 * all-ones, a write is dropped, and the domain runs on (issue 12 #5).
 */
START_TEST(test_exit_mmio_unbacked)
{
	static const uint8_t ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	mmio_exit(0xfed00000, 4, false);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	ck_assert_int_eq(memcmp(run->mmio.data, ones, 4), 0);
	ck_assert_uint_eq(run->mmio.data[4], 0);
	mmio_exit(0x100000000ULL, 8, false);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	ck_assert_int_eq(memcmp(run->mmio.data, ones, 8), 0);
	mmio_exit(0xfed00000, 4, true);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	ck_assert_msg(!dom.crashed, "crashed: %s", dom.crash_msg);
	ck_assert_uint_eq(dom.pio.unclaimed_mmio, 3);
}
END_TEST

/*
 * A write to a read-only grant mapping still takes the #GP path, never the
 * all-ones default: with no KVM to inject it the domain crashes instead.
 */
START_TEST(test_exit_mmio_readonly_grant)
{
	static uint8_t page[4096];

	dom.gmap_max = 1;
	dom.gmaps[0] = (struct domain_grant_map){.gfn = 0x80000, .host = page, .readonly = true};
	mmio_exit(0x80000010, 4, false);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0); /* a read of it is not the write path */
	mmio_exit(0x80000010, 4, true);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), -1);
	ck_assert(dom.crashed);
	ck_assert_msg(strstr(dom.crash_msg, "#GP"), "crash: %s", dom.crash_msg);
	ck_assert_uint_eq(dom.pio.unclaimed_mmio, 1);
}
END_TEST

/*
 * Port exits reach pio.c's devices one access at a time (rep ins/outs
 * included), and the hypercall port still makes hypercalls.
 */
START_TEST(test_exit_io)
{
	uint64_t pos = 0;
	uint32_t nr = 17; /* xen_version */
	uint8_t *data;
	char out[16];

	data = io_exit(0x70, 1, 1, true);
	data[0] = 0x0d;
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	data = io_exit(0x71, 1, 1, false);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	ck_assert_uint_eq(data[0], 0x80); /* CMOS register D: valid */

	data = io_exit(0x1234, 2, 3, false); /* rep insw from nothing */
	memset(data, 0, 8);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	ck_assert_uint_eq(data[0] & data[1] & data[2] & data[3] & data[4] & data[5], 0xff);
	ck_assert_uint_eq(data[6], 0);
	ck_assert_uint_eq(dom.pio.unclaimed_ports, 3);

	data = io_exit(0xe9, 1, 3, true); /* rep outsb to the debug port */
	memcpy(data, "hi\n", 3);
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	ck_assert_uint_eq(console_ring_read(&dom.console, &pos, out, sizeof(out)), 3);
	ck_assert_int_eq(memcmp(out, "hi\n", 3), 0);

	data = io_exit(0xe5, 4, 1, true);
	memcpy(data, &nr, sizeof(nr));
	run->s.regs.sregs.cs.l = 1;
	run->s.regs.regs.rdi = 0; /* XENVER_version */
	ck_assert_int_eq(vcpu_handle_exit(&vcpu0), 0);
	ck_assert_uint_eq(run->s.regs.regs.rax, (4u << 16) | 17u);
	ck_assert_msg(!dom.crashed, "crashed: %s", dom.crash_msg);
}
END_TEST

/*
 * Issue 15 #3: a pause, like a shutdown or destroy, kicks the vCPUs, and a
 * kicked vCPU's long hypercall stops after the item it is on, however few
 * it has done; the run loop's next look clears the kick.
 */
START_TEST(test_pause_preempts_hypercall)
{
	static const uint64_t a[5] = {XENVER_pagesize};

	ck_assert_int_eq(hypercall_dispatch(&vcpu0, __HYPERVISOR_xen_version, a), 4096);
	ck_assert(!hypercall_preempt_check(&vcpu0));
	domain_pause(&dom);
	ck_assert(hypercall_preempt_check(&vcpu0));
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "hv_domain", .name = "nokvm", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, test_load_missing_initrd, test_load_fifo_refused,
	                  test_timer_earlier_deadline, test_exit_mmio_unbacked,
	                  test_exit_mmio_readonly_grant, test_exit_io,
	                  test_pause_preempts_hypercall);
}
