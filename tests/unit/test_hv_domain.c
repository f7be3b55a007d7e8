/*
 * test_hv_domain: the parts of domain.c and vcpu.c that need no KVM, on a
 * hand-built domain (no VM, no vCPU thread): domain_load's file handling and
 * the vCPU timer's deadline.  Each test fails on a mutant of
 * tests/mutants/mutants.txt (issue 18: #2 and #10; issue 15: #4).
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

#include "check-run.h"
#include "domain.h"
#include "platform.h"
#include "vcpu.h"

#define MEM (16u << 20)

static struct domain dom;
static struct vcpu vcpu0;
static char hello[PATH_MAX], tmpdir[PATH_MAX];

static void setup(void)
{
	const char *top = getenv("top_builddir");

	memset(&dom, 0, sizeof(dom));
	memset(&vcpu0, 0, sizeof(vcpu0));
	pthread_mutex_init(&dom.lock, NULL);
	dom.domid = 1;
	dom.mem.size = MEM;
	dom.mem.base = calloc(1, MEM);
	ck_assert_ptr_nonnull(dom.mem.base);
	dom.nr_vcpus = 1;
	dom.vcpus[0] = &vcpu0;
	vcpu0.d = &dom;
	vcpu0.timerfd = -1;
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

int main(void)
{
	Suite *s = suite_create("hv_domain");
	TCase *tc = tcase_create("nokvm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load_missing_initrd);
	tcase_add_test(tc, test_load_fifo_refused);
	tcase_add_test(tc, test_timer_earlier_deadline);
	suite_add_tcase(s, tc);
	return check_run(s);
}
