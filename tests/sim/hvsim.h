/*
 * hvsim: shoji-hv without KVM, for testing Dom0 backends end to end on a
 * host with no /dev/kvm.  A test library (tests/sim/libhvsim.a), never
 * installed.
 *
 * What runs: inside the test process, shoji-hv's own code -- the control
 * socket (control.c), Dom0's event channels and grants (dom0port.c), the
 * event channel and grant table cores, the hypercall handlers, domain.c,
 * vcpu.c and hv.c's event loop in a thread -- on a simulated KVM layer
 * (simkvm.c: guest RAM in a memfd as in shoji-hv, no /dev/kvm).  Unmodified
 * Dom0 clients (libshoji-ctrl, -evtchn, -gnttab, hence libshoji-backend and
 * backend processes such as shoji-pingback) connect to hvsim_socket()
 * exactly as to shoji-hv, and map guest grants from the same memfd.
 *
 * What does not: guest code.  A sim domain has RAM and a vCPU 0 that runs
 * no guest code; the test plays its guest: it reads and writes guest memory
 * (hvsim_guest_mem) and makes the guest's hypercalls through the real
 * handlers, on vCPU 0, with paging off (guest-virtual == guest-physical).
 * By default the calls run on the test's thread and the domain stays
 * paused; after hvsim_vcpu_start() they trap through the vCPU's own thread
 * and run loop, as a guest's do (continuations of long calls included).
 * Times measured through hvsim are Dom0 figures, not guest figures.
 *
 * A domain from hvsim_domain_new() is created through the control socket
 * (as shojid does) and set up as a guest sets itself up:
 *   GFN HVSIM_GFN_SHARED_INFO   shared_info (XENMEM_add_to_physmap space 0),
 *                                2-level event channels, upcall by
 *                                HVM_PARAM_CALLBACK_IRQ vector HVSIM_UPCALL_VECTOR
 *   GFN HVSIM_GFN_HYPERCALL     hvsim's own hypercall argument page
 *   GFN HVSIM_GFN_GNTTAB + i    grant table frame i, i < HVSIM_GNTTAB_FRAMES
 *                                (space 1): grant references 0 .. HVSIM_GRANT_REFS - 1
 *   GFN HVSIM_GFN_FREE ..       the test's (ring pages, data pages)
 * It stays paused (it has no entry point); Dom0 sees it as shoji-hv shows
 * any domain (libshoji-ctrl's info, list, events).
 *
 * A frontend in a test (see test_sim_ping.c; simtest.h adds a private
 * shoji-xenstored, daemons and the xenbus layout):
 *   sim = hvsim_start(dir);          the backend runs with --hv-socket hvsim_socket(sim)
 *   dom = hvsim_domain_new(sim, 16 << 20);
 *   ring = hvsim_guest_mem(sim, dom, HVSIM_GFN_FREE << XEN_PAGE_SHIFT, XEN_PAGE_SIZE);
 *   hvsim_grant(sim, dom, 8, 0, HVSIM_GFN_FREE, false);   ring-ref 8 for Dom0
 *   port = hvsim_evtchn_alloc(sim, dom, 0);               event-channel
 *   ... requests on the ring; hvsim_evtchn_send(sim, dom, port);
 *   hvsim_evtchn_wait(sim, dom, port, 10000); ... responses
 *   hvsim_ungrant(sim, dom, 8) == 0 once the backend has let go
 * and link $(HVSIM_LDADD) (tests/sim/local.mk).
 *
 * Errors: functions return 0 or a value >= 0, or -errno (hypercall results
 * are Xen's errno values, which are Linux's).  Calls on one domain may come
 * from any thread (they are serialized), but only one thread at a time may
 * wait in hvsim_evtchn_wait() (an upcall wakes one waiter, as one vCPU);
 * destroy a domain only once no other thread uses it.
 */
#ifndef SHOJI_HVSIM_H
#define SHOJI_HVSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoji/xen.h>
#include <shoji/grant_table.h>

#define HVSIM_GFN_SHARED_INFO 1
#define HVSIM_GFN_HYPERCALL   2
#define HVSIM_GFN_GNTTAB      3
#define HVSIM_GNTTAB_FRAMES   4
#define HVSIM_GRANT_REFS      (HVSIM_GNTTAB_FRAMES * GNTTAB_NR_ENTRIES_V1)
#define HVSIM_GFN_FREE        16
#define HVSIM_UPCALL_VECTOR   0xf3

struct hvsim;

/*
 * Start a simulated shoji-hv listening on @dir/hv.sock (@dir exists).
 * NULL + errno on failure (the reason is logged on stderr).
 */
struct hvsim *hvsim_start(const char *dir);
/* The control socket's path, for Dom0 clients (--hv-socket). */
const char *hvsim_socket(const struct hvsim *sim);
/* Destroy the domains left, stop serving and remove the socket. */
void hvsim_stop(struct hvsim *sim);

/* A new domain with @mem_bytes of RAM (1 MiB .. 3 GiB), set up as above: its domid or -errno. */
int hvsim_domain_new(struct hvsim *sim, uint64_t mem_bytes);
/*
 * Play the guest of domain @domid, which came some other way than
 * hvsim_domain_new (a restore): this file's calls work on it as it is,
 * with no set-up.  0, -ESRCH (no such domain) or -ENOSPC.
 */
int hvsim_domain_adopt(struct hvsim *sim, uint32_t domid);
/* Destroy it as the toolstack would (Dom0 sees it go).  0 or -errno. */
int hvsim_domain_destroy(struct hvsim *sim, uint32_t domid);

/* Host pointer to @len bytes of @domid's RAM at guest-physical @gpa; NULL outside RAM. */
void *hvsim_guest_mem(struct hvsim *sim, uint32_t domid, uint64_t gpa, size_t len);

/*
 * Grant domain @to access to frame @gfn as grant @ref (a guest's
 * gnttab_grant_foreign_access: entry fields, then GTF_permit_access).
 * -EINVAL for a ref past the table, -EBUSY when @ref is in use.
 */
int hvsim_grant(struct hvsim *sim, uint32_t domid, grant_ref_t ref, domid_t to, uint64_t gfn,
                bool readonly);
/*
 * End access to @ref (gnttab_end_foreign_access_ref): 0, -EBUSY while the
 * grantee still maps or copies it (GTF_reading / GTF_writing), -ENOENT when
 * it is not granted, -EINVAL for a ref past the table.
 */
int hvsim_ungrant(struct hvsim *sim, uint32_t domid, grant_ref_t ref);
/* The GTF_* flags of @ref's entry now (GTF_reading/GTF_writing: in use), or -EINVAL. */
int hvsim_grant_flags(struct hvsim *sim, uint32_t domid, grant_ref_t ref);

/* EVTCHNOP_alloc_unbound for remote domain @remote: the new port or -errno. */
int hvsim_evtchn_alloc(struct hvsim *sim, uint32_t domid, domid_t remote);
/* EVTCHNOP_send on @port.  0 or -errno. */
int hvsim_evtchn_send(struct hvsim *sim, uint32_t domid, evtchn_port_t port);
/* EVTCHNOP_close on @port.  0 or -errno. */
int hvsim_evtchn_close(struct hvsim *sim, uint32_t domid, evtchn_port_t port);
/*
 * Wait up to @timeout_ms (0: just look) for an event on @port, as the
 * guest's upcall handler sees it, and consume it: 0, or -ETIMEDOUT.
 * Events on other ports stay pending for their own waits.
 */
int hvsim_evtchn_wait(struct hvsim *sim, uint32_t domid, evtchn_port_t port, int timeout_ms);

/*
 * Serve @domid's PV console ring on page @gfn as `shoji-hv run` does
 * (hypervisor/runcons.c): the guest's output to @out_fd, @in_fd's bytes to
 * its input.  Sets HVM_PARAM_CONSOLE_PFN (as loading a kernel does) and
 * HVM_PARAM_CONSOLE_EVTCHN.  Served until hvsim_stop().  0 or -errno.
 */
int hvsim_run_console(struct hvsim *sim, uint32_t domid, uint64_t gfn, int in_fd, int out_fd);

/*
 * Any other hypercall @nr of @domid's guest, through the real handler, with
 * argument registers @a (guest-physical addresses for buffers, which the
 * test places in its own pages).  Its result, once the guest is through:
 * a call shoji-hv continues is issued again until it returns.
 */
long hvsim_hypercall(struct hvsim *sim, uint32_t domid, unsigned int nr, const uint64_t a[5]);

/*
 * A guest's hypercall made on its running vCPU (hvsim_vcpu_call), through
 * the trap shoji-hv's vCPU thread handles: the exit, the handler, and
 * continuations, which the guest follows by issuing the call again.
 */
struct hvsim_call {
	unsigned int nr;  /* IN: the hypercall */
	uint64_t args[5]; /* IN: rdi, rsi, rdx, r10, r8 -- or ebx, ecx, edx, esi, edi */
	bool compat;      /* IN: from 32-bit code (Xen's 32-bit ABI), paging off */
	uint64_t cr3;     /* IN: 64-bit only: 4-level paging from this PML4 GPA; 0 = paging off */
	long result;      /* OUT: rax as the guest gets it (a 32-bit eax sign-extended) */
	unsigned int
	    continuations; /* OUT: times shoji-hv preempted it and the guest re-issued it */
	uint64_t last[5];  /* OUT: the argument registers it was last issued with */
};

/*
 * Run vCPU 0 of @domid: the domain is unpaused through the control socket
 * (Dom0 sees it run), and from then on its guest's hypercalls (this
 * file's functions and hvsim_vcpu_call) trap through the vCPU's thread as
 * a real guest's do.  0 or -errno.
 */
int hvsim_vcpu_start(struct hvsim *sim, uint32_t domid);
/*
 * @call on the running vCPU 0 of @domid; waits until the guest is past the
 * trapping instruction.  0 (the result in call->result), -EINVAL when the
 * vCPU was not started or @call asks for paging in 32-bit code, -ESRCH
 * when the domain was destroyed or stopped before the call returned.
 */
int hvsim_vcpu_call(struct hvsim *sim, uint32_t domid, struct hvsim_call *call);
/*
 * From any thread, while a call is under way on @domid's vCPU: how many
 * times it has been continued so far, and in @args (may be NULL) the
 * registers it was last issued with.  0 when none.
 */
unsigned int hvsim_vcpu_progress(struct hvsim *sim, uint32_t domid, uint64_t args[5]);

/*
 * vCPU @vcpu of @domid's whole state as the simulated KVM holds it
 * (hypervisor/kvm.h's struct kvm_vcpu_state): read into @get (may be NULL),
 * then, with @set, replaced (before the vCPU runs).  0 or -errno.
 */
struct kvm_vcpu_state;
int hvsim_vcpu_state(struct hvsim *sim, uint32_t domid, unsigned int vcpu,
                     struct kvm_vcpu_state *get, const struct kvm_vcpu_state *set);

/*
 * SCHEDOP_shutdown with @reason (SHUTDOWN_*) from vCPU 0 of any domain of the
 * sim, one the toolstack created too, as its guest would call it (the
 * argument in its RAM at GFN HVSIM_GFN_HYPERCALL), on the test's thread:
 * not for a domain after hvsim_vcpu_start().  The hypercall's result.
 */
int hvsim_guest_shutdown(struct hvsim *sim, uint32_t domid, unsigned int reason);

#endif
