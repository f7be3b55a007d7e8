/*
 * Control-socket messages for Dom0 event channels and grants (shoji-hv <->
 * libshoji-evtchn / libshoji-gnttab), carried as CTRL_EVTCHN and
 * CTRL_GNTTAB in the framing of ctrl-proto.h.  A reply has the request's
 * type and seq, status 0 or -errno, and the same struct back with the OUT
 * fields filled (CTRL_EVTCHN_SEND alone gets no reply: Dom0 ports are never
 * masked, so the client checks everything that could fail).  Descriptors travel as SCM_RIGHTS ancillary data on the
 * reply: the port's eventfd for the bind operations, the guest's memory
 * memfd for maps when the request asks for it (CTRL_GNT_WANT_FD).
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
	CTRL_GNT_MAP = 1, /* IN domid, ref, flags; OUT handle, gfn, mem_size, gntst; fd */
	CTRL_GNT_UNMAP,   /* IN handle; OUT gntst */
	CTRL_GNT_COPY,    /* IN nr_segs, seg[], data; OUT seg[].status, data */
	CTRL_GNT_FOREIGN, /* IN domid, gfn, count, flags; OUT mem_size; fd */
};

#define CTRL_GNT_READONLY  1u /* map read-only */
#define CTRL_GNT_WANT_FD   2u /* send the guest memfd with the reply */
#define CTRL_GNT_COPY_SEGS 8
#define CTRL_GNT_COPY_DATA 12288

/* One grant copy segment; its bytes follow struct ctrl_gnttab in order. */
struct ctrl_gnt_seg {
	uint32_t ref;
	uint16_t domid;
	uint16_t to_guest; /* 1: data -> grant, 0: grant -> data */
	uint16_t offset;
	uint16_t len;
	int16_t status; /* OUT: GNTST_* */
	uint16_t pad;
};

/* The message; for CTRL_GNT_COPY the segments' bytes follow (request and reply). */
struct ctrl_gnttab {
	uint32_t op; /* enum ctrl_gnttab_op */
	uint32_t domid;
	uint32_t ref;
	uint32_t flags; /* CTRL_GNT_* */
	uint64_t gfn;   /* foreign: first frame; map OUT: the granted frame (memfd offset >> 12) */
	uint64_t count; /* foreign: frames */
	uint64_t mem_size; /* OUT: size of the memfd */
	uint32_t handle;
	int32_t gntst; /* OUT: GNTST_* of a map/unmap */
	uint32_t nr_segs;
	uint32_t pad;
	struct ctrl_gnt_seg seg[CTRL_GNT_COPY_SEGS];
};

#endif
