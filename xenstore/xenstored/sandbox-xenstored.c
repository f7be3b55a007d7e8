/*
 * shoji-xenstored's seccomp allow-list, beyond sandbox_base (see sandbox.h):
 * the calls it makes once its journal is open, its socket listens and the
 * rings of the introduced domains are resumed.  Found with strace -f over
 * tests/system/xs-*.sh and the hvsim tests, completed from the code paths
 * the tests do not reach (journal compaction, --fsync, --daemon's syslog).
 */
#include "config.h"

#include <seccomp.h>

#include "sandbox.h"

static const int calls[] = {
    /* socket clients: accept, SO_PEERCRED (conn.c, xenstored.c) */
    SCMP_SYS(accept4),
    SCMP_SYS(getsockopt),
    /* shoji-hv's control socket for a newly introduced domain's ring, and
     * its event channels' epoll set (ring-dom0.c, libevtchn); syslog after --daemon */
    SCMP_SYS(socket),
    SCMP_SYS(connect),
    SCMP_SYS(epoll_create1),
    /* the journal: compaction writes a new file and renames it over the old
     * one; --fsync syncs (journal.c) */
    SCMP_SYS(openat),
    SCMP_SYS(unlinkat),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    /* at exit: its socket and pid file (usock.c) */
    SCMP_SYS(unlink),
};

const struct sandbox_policy sandbox_xenstored = {
    .name = "shoji-xenstored",
    .syscalls = calls,
    .nsyscalls = sizeof(calls) / sizeof(calls[0]),
};
