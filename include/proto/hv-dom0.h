/*
 * Control-socket messages for Dom0 event channels and grants (shoji-hv <->
 * libshoji-evtchn / libshoji-gnttab), carried as CTRL_EVTCHN and
 * CTRL_GNTTAB in the framing of hv-ctrl.h; the op field picks the request
 * (in shoji-hv, one ctrl_ops entry per op in control.c, served by
 * dom0port.c).  A reply has the request's type and seq, status 0 or
 * -errno, and the same struct back with the OUT fields filled
 * (CTRL_EVTCHN_SEND alone gets no reply: Dom0 ports are never masked, so
 * the client checks everything that could fail).  Descriptors travel as
 * SCM_RIGHTS ancillary data on the reply: the port's eventfd for the bind
 * operations, the guest's memory memfd for maps when the request asks for
 * it (CTRL_GNT_WANT_FD), the copy arena for CTRL_GNT_ARENA.
 */
#ifndef SHOJI_HV_EVTDOM0_PROTO_H
#define SHOJI_HV_EVTDOM0_PROTO_H

#include <stdint.h>

enum ctrl_evtchn_op {
	CTRL_EVTCHN_BIND_UNBOUND = 1, /* IN domid (remote); OUT port; fd */
	CTRL_EVTCHN_BIND_INTERDOMAIN, /* IN domid, remote_port; OUT port; fd */
	CTRL_EVTCHN_BIND_VIRQ,        /* IN virq (global VIRQs: VIRQ_DOM_EXC); OUT port; fd */
	CTRL_EVTCHN_SEND,             /* IN port: an event to its peer; NO reply is sent */
	CTRL_EVTCHN_UNBIND,           /* IN port */
	CTRL_EVTCHN_SET_MAX_PORT,     /* IN domid, remote_port = highest port (before it runs) */
	CTRL_EVTCHN_ALLOC_IN,         /* IN domid, remote_port = remote domid; OUT port (domid's) */
};

struct ctrl_evtchn {
	uint32_t op; /* enum ctrl_evtchn_op */
	uint32_t domid;
	uint32_t remote_port;
	uint32_t virq;
	uint32_t port; /* Dom0 port: IN for notify/unmask/unbind, OUT for binds */
	uint32_t pad;
};

enum ctrl_gnttab_op {
	CTRL_GNT_MAP = 1, /* IN domid, ref, flags, mem_id; OUT handle, gfn, mem_size, gntst,
	                     mem_id; fd */
	CTRL_GNT_UNMAP,   /* IN handle; OUT gntst */
	/* 3 was a copy with the data inline (retired with the copy arena). */
	CTRL_GNT_FOREIGN = 4, /* IN domid, gfn, count, flags, mem_id; OUT mem_size, mem_id; fd */
	CTRL_GNT_ARENA,       /* IN count = arena bytes; OUT mem_size; fd (the arena) */
	CTRL_GNT_COPY,        /* IN nr_segs, segs_off; OUT the segments' status (in the arena) */
};

#define CTRL_GNT_READONLY 1u /* map read-only */
#define CTRL_GNT_WANT_FD  2u /* send the guest memfd with the reply */

/*
 * The copy arena: a memfd shoji-hv creates for one client connection
 * (CTRL_GNT_ARENA, once per connection), sealed against shrinking and
 * growing, and mapped by both sides.  A CTRL_GNT_COPY names an array of
 * nr_segs struct ctrl_gnt_copy at arena offset segs_off (8-aligned), and
 * each segment names its Dom0 side by an arena offset too, so a batch
 * crosses the socket as a small request and shoji-hv copies between the
 * grants and the arena.  shoji-hv reads the array once into its own memory
 * before looking at it (the client may change the arena at any time), runs
 * the segments in order and writes the array back with every status set;
 * then it replies.  An array outside the arena or too long refuses the
 * request (-EFAULT, -EINVAL).  The arena dies with the connection.
 */
#define CTRL_GNT_ARENA_MAX (64u << 20) /* bytes; a multiple of 4096 */
#define CTRL_GNT_COPY_SEGS 4096u       /* segments per CTRL_GNT_COPY */

#define CTRL_GNT_TO_GUEST  1u /* ctrl_gnt_copy.flags: arena -> grant (else grant -> arena) */

/*
 * One grant copy: @len bytes between grant @ref of @domid at @offset and
 * the arena at @arena_off.  shoji-hv checks the arena range (else
 * GNTST_bad_virt_addr), offset + len <= 4096 (GNTST_bad_copy_arg) and the
 * grant (as GNTTABOP_copy); the result goes to @status.
 */
struct ctrl_gnt_copy {
	uint64_t arena_off;
	uint32_t ref;
	uint16_t domid;
	uint16_t flags; /* CTRL_GNT_TO_GUEST */
	uint16_t offset;
	uint16_t len;
	int16_t status; /* OUT: GNTST_* */
	uint16_t pad;
};

/* The message (both ways, every op). */
struct ctrl_gnttab {
	uint32_t op; /* enum ctrl_gnttab_op */
	uint32_t domid;
	uint32_t ref;
	uint32_t flags; /* CTRL_GNT_* */
	uint64_t gfn;   /* foreign: first frame; map OUT: the granted frame (memfd offset >> 12) */
	uint64_t count; /* foreign: frames; arena: bytes */
	uint64_t mem_size; /* OUT: size of the memfd */
	uint32_t handle;
	int32_t gntst;    /* OUT: GNTST_* of a map/unmap */
	uint32_t nr_segs; /* copy: segments */
	uint32_t pad;
	uint64_t segs_off; /* copy: arena offset of the segments */
	uint64_t mem_id;   /* map, foreign: the memfd's identity (its inode), 0 = none known */
};

_Static_assert(sizeof(struct ctrl_gnt_copy) == 24, "ctrl_gnt_copy is part of the wire format");

#endif
