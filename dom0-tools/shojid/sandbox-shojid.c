/*
 * shojid's seccomp allow-list, beyond sandbox_base (see sandbox.h): the
 * calls it makes once connected to shoji-hv and xenstored, the domains
 * re-adopted and its socket listening.  Installed only when it starts no
 * service (a filter is inherited across fork and exec).  Found with strace -f
 * over the toolstack tests on hvsim, completed from the code paths they do
 * not reach (core dumps, --daemon's syslog).
 */
#include "config.h"

#include <seccomp.h>
#include <sys/ioctl.h>

#include "sandbox.h"

static const int calls[] = {
    /* CLI clients: accept, SO_PEERCRED (api.c); libevent's buffered reads */
    SCMP_SYS(accept4),
    SCMP_SYS(getsockopt),
    SCMP_SYS(fcntl),
    SCMP_SYS(ioctl),
    /* shoji-hv's control and event-channel sockets again when it comes back
     * (libctrl, libevtchn); syslog after --daemon */
    SCMP_SYS(socket),
    SCMP_SYS(connect),
    SCMP_SYS(epoll_create1),
    /* definitions and records in the state directory (state.c), core files
     * (coredump.c), a domain's kernel and disks checked (domxml, vbd.c) */
    SCMP_SYS(openat),
    SCMP_SYS(getdents64),
    SCMP_SYS(lseek),
    SCMP_SYS(access),
    SCMP_SYS(faccessat),
    SCMP_SYS(faccessat2),
    SCMP_SYS(readlink),
    /* a --group client's groups: NSS reads passwd and group (nss-systemd
     * resolves its paths), loaded before the filter (main.c) */
    SCMP_SYS(readlinkat),
    SCMP_SYS(mkdir),
    SCMP_SYS(rename),
    SCMP_SYS(unlink),
    SCMP_SYS(fsync),
    SCMP_SYS(ftruncate),
    SCMP_SYS(pwrite64),
    SCMP_SYS(clock_nanosleep),
    /* a new domain's UUID, a vif's MAC (libuuid: random bytes mixed with
     * its own generator, seeded from pid, ppid, uid and time) */
    SCMP_SYS(getrandom),
    SCMP_SYS(getppid),
    SCMP_SYS(getuid),
    /* acting in the file system as the client (fsid.c): fsuid, fsgid, groups */
    SCMP_SYS(geteuid),
    SCMP_SYS(getegid),
    SCMP_SYS(getgroups),
    SCMP_SYS(setgroups),
    SCMP_SYS(setfsuid),
    SCMP_SYS(setfsgid),
};

static const unsigned long ioctls[] = {FIONREAD};

const struct sandbox_policy sandbox_shojid = {
    .name = "shojid",
    .syscalls = calls,
    .nsyscalls = sizeof(calls) / sizeof(calls[0]),
    .ioctls = ioctls,
    .nioctls = sizeof(ioctls) / sizeof(ioctls[0]),
};
