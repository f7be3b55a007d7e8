/*
 * shoji-netback's seccomp allow-list, beyond sandbox_base (see sandbox.h):
 * the calls it makes once connected to xenstore and shoji-hv.  Found with
 * strace -f over tests/sim/test_sim_netback and toolstack-netback.sh.
 */
#include "config.h"

#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include "sandbox.h"

static const int calls[] = {
    /* a new vif's TAP (/dev/net/tun) and the socket its interface ioctls go through (tap.c) */
    SCMP_SYS(openat),
    SCMP_SYS(socket),
    SCMP_SYS(ioctl),
};

static const unsigned long ioctls[] = {
    /* the TAP */
    TUNSETIFF,
    TUNSETPERSIST,
    TUNSETOFFLOAD,
    TUNSETCARRIER,
    /* its interface: MAC, bridge port, up; if_nametoindex */
    SIOCSIFHWADDR,
    SIOCBRADDIF,
    SIOCGIFFLAGS,
    SIOCSIFFLAGS,
    SIOCGIFINDEX,
};

const struct sandbox_policy sandbox_netback = {
    .name = "shoji-netback",
    .syscalls = calls,
    .nsyscalls = sizeof(calls) / sizeof(calls[0]),
    .ioctls = ioctls,
    .nioctls = sizeof(ioctls) / sizeof(ioctls[0]),
};
