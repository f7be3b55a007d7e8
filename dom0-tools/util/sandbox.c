/*
 * sandbox: no_new_privs and a per-daemon seccomp allow-list (see sandbox.h).
 */
#include "config.h"

#include "sandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"

/* ASan's leak check traces the process (clone + ptrace) at exit. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/*
 * What every daemon does after set-up, all of them being a libevent loop on
 * Unix sockets that logs to stderr: memory (malloc, the guest pages it maps),
 * the loop, socket I/O, signals (libevent's, and abort()'s), time, threads'
 * locks, exit.
 */
static const int base_calls[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(close),
    SCMP_SYS(newfstatat),
    SCMP_SYS(fstat),
    SCMP_SYS(brk),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(mprotect),
    SCMP_SYS(madvise),
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(epoll_ctl),
    SCMP_SYS(poll),
    SCMP_SYS(sendmsg),
    SCMP_SYS(recvmsg),
    SCMP_SYS(sendto),
    SCMP_SYS(recvfrom),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(tgkill),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(futex),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
};
const struct sandbox_policy sandbox_base = {
    .name = "base",
    .syscalls = base_calls,
    .nsyscalls = sizeof(base_calls) / sizeof(base_calls[0]),
};

/* Add ioctl with p's request numbers only (its second argument). */
static int allow_ioctls(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
	for (size_t i = 0; i < p->nioctls; i++) {
		const struct scmp_arg_cmp request = {
		    .arg = 1, .op = SCMP_CMP_EQ, .datum_a = p->ioctls[i], .datum_b = 0};
		int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &request);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Allow p's calls (ioctl limited to p's requests when it lists them). */
static int allow(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
	int rc = 0;

	for (size_t i = 0; i < p->nsyscalls && rc == 0; i++) {
		if (p->syscalls[i] == SCMP_SYS(ioctl) && p->ioctls)
			rc = allow_ioctls(ctx, p);
		else
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, p->syscalls[i], 0);
	}
	return rc;
}

int sandbox_install(const struct sandbox_policy *p)
{
	scmp_filter_ctx ctx = NULL;
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		errno = ENOMEM;
		return -1;
	}
	/* every thread, the ones already running (I/O workers, vCPUs) included */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc < 0)
		goto out;
	rc = allow(ctx, &sandbox_base);
	if (rc == 0)
		rc = allow(ctx, p);
	if (rc == 0)
		rc = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

int sandbox_enter(const struct sandbox_policy *p, bool off)
{
	const char *env = getenv("SHOJI_NO_SANDBOX");

	if (off) {
		log_info("seccomp filter off: --no-sandbox");
		return 0;
	}
	if (env && strcmp(env, "") != 0 && strcmp(env, "0") != 0) {
		log_info("seccomp filter off: SHOJI_NO_SANDBOX is set");
		return 0;
	}
	if (SANITIZED) {
		log_info("seccomp filter off: sanitizer build");
		return 0;
	}
	if (sandbox_install(p) != 0)
		return -1;
	log_debug("seccomp filter on (%zu system calls)", sandbox_base.nsyscalls + p->nsyscalls);
	return 0;
}
