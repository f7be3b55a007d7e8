/*
 * shoji-consoled's seccomp allow-list, beyond sandbox_base (see sandbox.h):
 * the calls it makes once connected to xenstore and shoji-hv, the running
 * domains picked up.  Found with strace -f over tests/sim/test_sim_console
 * and the console tests, completed from the code (log rotation).
 */
#include "config.h"

#include <seccomp.h>
#include <sys/ioctl.h>

#include "sandbox.h"

static const int calls[] = {
    /* a new domain's console log: opened, rotated (NAME.log -> NAME.log.1) */
    SCMP_SYS(openat),
    SCMP_SYS(rename),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    /* a new domain's console socket: made with its mode (umask), its group
     * (chown), removed when the domain goes; its clients accepted */
    SCMP_SYS(socket),
    SCMP_SYS(setsockopt),
    SCMP_SYS(bind),
    SCMP_SYS(listen),
    SCMP_SYS(umask),
    SCMP_SYS(chown),
    SCMP_SYS(unlink),
    SCMP_SYS(accept4),
    SCMP_SYS(getsockopt),
    SCMP_SYS(fcntl),
    /* libevent's buffered reads */
    SCMP_SYS(ioctl),
};

static const unsigned long ioctls[] = {FIONREAD};

const struct sandbox_policy sandbox_consoled = {
    .name = "shoji-consoled",
    .syscalls = calls,
    .nsyscalls = sizeof(calls) / sizeof(calls[0]),
    .ioctls = ioctls,
    .nioctls = sizeof(ioctls) / sizeof(ioctls[0]),
};
