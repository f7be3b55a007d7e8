/*
 * Unit tests of the seccomp sandbox (dom0-tools/util/sandbox.c) with every
 * daemon's own table: a child process installs a daemon's filter and makes
 * a call the daemon never makes; the filter must kill it with SIGSYS.  The
 * calls every daemon does make (read, write, close, exit) still work, threads
 * that already ran before the filter are filtered too, and the switches that
 * turn the filter off do.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-run.h"
#include "sandbox.h"

static const struct sandbox_policy *const policies[] = {
    &sandbox_xenstored, &sandbox_consoled, &sandbox_blkback, &sandbox_netback, &sandbox_shojid,
};
#define NPOLICIES (int)(sizeof(policies) / sizeof(policies[0]))

/* Calls no Shoji daemon needs once it is set up; each harmless if it is let through. */
static void probe_execve(void)
{
	char *const argv[] = {"true", NULL};

	execve("/bin/true", argv, NULL);
}
static void probe_ptrace(void)
{
	syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
}
static void probe_mount(void)
{
	mount("none", "/nonexistent-shoji-sandbox", "tmpfs", MS_RDONLY, NULL);
}
static void probe_unshare(void)
{
	syscall(SYS_unshare, 0);
}
static void (*const probes[])(void) = {probe_execve, probe_ptrace, probe_mount, probe_unshare};
#define NPROBES (int)(sizeof(probes) / sizeof(probes[0]))

/*
 * A child's end: the exit_group call itself, as a daemon's exit ends (a sanitizer build's
 * _exit() and syscall() first call sigaltstack, which no daemon needs).  x86-64 only, as Shoji.
 */
static __attribute__((noreturn)) void child_exit(int status)
{
	__asm__ volatile("syscall"
	                 :
	                 : "a"((long)SYS_exit_group), "D"((long)status)
	                 : "rcx", "r11", "memory");
	abort();
}

/* Run fn(p) in a child process; its wait status. */
static int in_child(void (*fn)(const struct sandbox_policy *), const struct sandbox_policy *p)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn(p);
		child_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void (*the_probe)(void);

static void install_then_probe(const struct sandbox_policy *p)
{
	if (sandbox_install(p) != 0)
		child_exit(10);
	the_probe();
	child_exit(0); /* the probe was let through */
}

/* Each daemon's filter kills the process on each forbidden call. */
START_TEST(test_forbidden_call_kills)
{
	const struct sandbox_policy *p = policies[_i / NPROBES];
	int status;

	the_probe = probes[_i % NPROBES];
	status = in_child(install_then_probe, p);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	              "%s: probe %d not killed by SIGSYS (status %#x)", p->name, _i % NPROBES,
	              status);
}
END_TEST

static void install_then_work(const struct sandbox_policy *p)
{
	int fds[2];
	char c = 0;

	if (pipe(fds) != 0)
		child_exit(11);
	if (sandbox_install(p) != 0)
		child_exit(10);
	if (write(fds[1], "x", 1) != 1 || read(fds[0], &c, 1) != 1 || c != 'x')
		child_exit(12);
	close(fds[0]);
	close(fds[1]);
	child_exit(0);
}

/* What every daemon does all the time is let through. */
START_TEST(test_allowed_calls_run)
{
	int status = in_child(install_then_work, policies[_i]);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status %#x",
	              policies[_i]->name, status);
}
END_TEST

static int go[2];

static void *late_prober(void *arg)
{
	char c;

	if (read(go[0], &c, 1) == 1)
		probe_mount();
	return NULL;
}

static void thread_then_install(const struct sandbox_policy *p)
{
	pthread_t t;

	if (pipe(go) != 0 || pthread_create(&t, NULL, late_prober, NULL) != 0)
		child_exit(11);
	if (sandbox_install(p) != 0)
		child_exit(10);
	if (write(go[1], "g", 1) != 1)
		child_exit(12);
	pthread_join(t, NULL);
	child_exit(0);
}

/* A thread started before the filter (blkback's I/O workers) is filtered too. */
START_TEST(test_running_threads_filtered)
{
	int status = in_child(thread_then_install, policies[_i]);

	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "%s: status %#x",
	              policies[_i]->name, status);
}
END_TEST

static void install_then_bad_ioctl(const struct sandbox_policy *p)
{
	char c = 'x';

	if (sandbox_install(p) != 0)
		child_exit(10);
	ioctl(-1, TIOCSTI, &c); /* push input into a terminal: no daemon does */
	child_exit(0);
}

/* A daemon that lists its ioctl requests is killed on any other request. */
START_TEST(test_unlisted_ioctl_kills)
{
	const struct sandbox_policy *p = policies[_i];
	int status;

	if (!p->ioctls)
		return;
	status = in_child(install_then_bad_ioctl, p);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "%s: status %#x", p->name,
	              status);
}
END_TEST

/* No table lets through a call that would undo the sandbox or reach past the daemon. */
START_TEST(test_tables_hold_no_escape)
{
	static const int never[] = {
	    SCMP_SYS(execve),
	    SCMP_SYS(execveat),
	    SCMP_SYS(ptrace),
	    SCMP_SYS(mount),
	    SCMP_SYS(umount2),
	    SCMP_SYS(unshare),
	    SCMP_SYS(setns),
	    SCMP_SYS(pivot_root),
	    SCMP_SYS(chroot),
	    SCMP_SYS(init_module),
	    SCMP_SYS(finit_module),
	    SCMP_SYS(delete_module),
	    SCMP_SYS(kexec_load),
	    SCMP_SYS(kexec_file_load),
	    SCMP_SYS(bpf),
	    SCMP_SYS(process_vm_readv),
	    SCMP_SYS(process_vm_writev),
	    SCMP_SYS(personality),
	    SCMP_SYS(keyctl),
	    SCMP_SYS(add_key),
	    SCMP_SYS(request_key),
	    SCMP_SYS(reboot),
	    SCMP_SYS(swapon),
	    SCMP_SYS(swapoff),
	    SCMP_SYS(setuid),
	    SCMP_SYS(setgid),
	    SCMP_SYS(setresuid),
	    SCMP_SYS(setresgid),
	    SCMP_SYS(setreuid),
	    SCMP_SYS(capset),
	    SCMP_SYS(perf_event_open),
	    SCMP_SYS(userfaultfd),
	    SCMP_SYS(seccomp),
	    SCMP_SYS(prctl),
	};
	const struct sandbox_policy *p = _i < NPOLICIES ? policies[_i] : &sandbox_base;

	ck_assert_uint_gt(p->nsyscalls, 0);
	for (size_t i = 0; i < p->nsyscalls; i++)
		for (size_t j = 0; j < sizeof(never) / sizeof(never[0]); j++)
			ck_assert_msg(
			    p->syscalls[i] != never[j], "%s allows %s", p->name,
			    seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, p->syscalls[i]));
}
END_TEST

static void enter_off_then_exec(const struct sandbox_policy *p)
{
	if (sandbox_enter(p, true) != 0)
		child_exit(10);
	probe_execve();
	child_exit(13); /* execve failed */
}

static void enter_env_off_then_exec(const struct sandbox_policy *p)
{
	setenv("SHOJI_NO_SANDBOX", "1", 1);
	if (sandbox_enter(p, false) != 0)
		child_exit(10);
	probe_execve();
	child_exit(13);
}

/* --no-sandbox and SHOJI_NO_SANDBOX=1 leave the process unfiltered (/bin/true runs). */
START_TEST(test_switches_turn_it_off)
{
	int status = in_child(enter_off_then_exec, &sandbox_xenstored);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "--no-sandbox: %#x", status);
	status = in_child(enter_env_off_then_exec, &sandbox_xenstored);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "SHOJI_NO_SANDBOX: %#x",
	              status);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_add_loop_test(tc, test_forbidden_call_kills, 0, NPOLICIES * NPROBES);
	tcase_add_loop_test(tc, test_allowed_calls_run, 0, NPOLICIES);
	tcase_add_loop_test(tc, test_running_threads_filtered, 0, NPOLICIES);
	tcase_add_loop_test(tc, test_unlisted_ioctl_kills, 0, NPOLICIES);
	tcase_add_loop_test(tc, test_tables_hold_no_escape, 0, NPOLICIES + 1);
	tcase_add_test(tc, test_switches_turn_it_off);
	suite_add_tcase(s, tc);
	return check_run(s);
}
