/*
 * shoji-blkback's seccomp allow-list, beyond sandbox_base (see sandbox.h):
 * the calls it makes once its I/O engine runs (io_uring, or worker threads
 * started before the filter: it covers them too) and it is connected to
 * xenstore and shoji-hv.  Found with strace -f over tests/sim/test_sim_blkback,
 * completed from the code (the threads engine, block devices).
 * io_uring's requests are carried out by the kernel on the ring's behalf:
 * the filter sees io_uring_enter, not the reads and writes it submits.
 */
#include "config.h"

#include <linux/fs.h>
#include <seccomp.h>

#include "sandbox.h"

static const int calls[] = {
    /* a new vbd's image or block device: opened, sized (store.c) */
    SCMP_SYS(openat),
    SCMP_SYS(statx),
    SCMP_SYS(ioctl),
    /* the engines (engine.c, engine_uring.c, engine_threads.c) */
    SCMP_SYS(io_uring_enter),
    SCMP_SYS(preadv),
    SCMP_SYS(pwritev),
    SCMP_SYS(fdatasync),
    SCMP_SYS(fallocate),
};

/* sizes of a block device; BLKDISCARD for discard on one */
static const unsigned long ioctls[] = {BLKGETSIZE64, BLKPBSZGET, BLKSSZGET, BLKDISCARD};

const struct sandbox_policy sandbox_blkback = {
    .name = "shoji-blkback",
    .syscalls = calls,
    .nsyscalls = sizeof(calls) / sizeof(calls[0]),
    .ioctls = ioctls,
    .nioctls = sizeof(ioctls) / sizeof(ioctls[0]),
};
