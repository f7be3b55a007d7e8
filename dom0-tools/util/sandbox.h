/*
 * sandbox: a daemon's last set-up step, after which it can only do what its
 * allow-list names.  PR_SET_NO_NEW_PRIVS, then a seccomp filter (libseccomp)
 * on every thread of the process: a system call not in the daemon's table
 * kills the whole process (SIGSYS).  Each daemon defines its own table in
 * its folder (sandbox-NAME.c) and calls sandbox_enter() once its sockets are
 * bound and its files and devices open.
 */
#ifndef SHOJI_UTIL_SANDBOX_H
#define SHOJI_UTIL_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/* One daemon's allow-list: system call numbers (SCMP_SYS(name)) of this architecture. */
struct sandbox_policy {
	const char *name;    /* the daemon, for messages */
	const int *syscalls; /* every call the daemon makes after set-up */
	size_t nsyscalls;
	/* When not NULL: ioctl (if listed above) only with these request numbers. */
	const unsigned long *ioctls;
	size_t nioctls;
};

/*
 * Set no_new_privs and install p's filter (default action: kill the process)
 * on every thread.  0, or -1 with errno.  Irreversible.
 */
int sandbox_install(const struct sandbox_policy *p);

/*
 * The daemons' entry: install p's filter unless it is turned off, by the
 * daemon's --no-sandbox (off = true), by SHOJI_NO_SANDBOX=1 in the
 * environment or because this is a sanitizer build (ASan's leak check at
 * exit traces the process with ptrace from a clone: no filter of ours can
 * allow that and mean anything).  Logs "seccomp filter off: REASON" when
 * it is off, "seccomp filter on (N system calls)" when verbose.
 * 0, or -1 with errno when the filter could not be installed.
 */
int sandbox_enter(const struct sandbox_policy *p, bool off);

/* What every filter allows besides its own table (sandbox.c says why). */
extern const struct sandbox_policy sandbox_base;

/* The daemons' tables, each defined in its daemon's folder. */
extern const struct sandbox_policy sandbox_xenstored; /* xenstore/xenstored/sandbox-xenstored.c */
extern const struct sandbox_policy
    sandbox_consoled; /* pv-drivers/dom0/consoled/sandbox-consoled.c */
extern const struct sandbox_policy sandbox_blkback; /* pv-drivers/dom0/blkback/sandbox-blkback.c */
extern const struct sandbox_policy sandbox_netback; /* pv-drivers/dom0/netback/sandbox-netback.c */
extern const struct sandbox_policy sandbox_shojid;  /* dom0-tools/shojid/sandbox-shojid.c */

#endif
