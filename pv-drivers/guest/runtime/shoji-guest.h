/*
 * shoji-guest.h: the Shoji guest runtime, a small freestanding x86-64 PVH
 * environment for test guests and unikernel-style programs.
 *
 * A guest program links with libshoji-guest.a and guest.lds and defines
 *
 *	int guest_main(const struct hvm_start_info *si);
 *
 * It runs on vCPU 0 in 64-bit mode with interrupts off, the first 4 GiB
 * identity-mapped, an IDT whose exception handlers print the fault and
 * crash the domain, and the hypercall page installed.  When guest_main
 * returns 0 the domain powers off (SHUTDOWN_poweroff); any other value is
 * printed ("guest_main returned N") and the domain crashes (SHUTDOWN_crash).
 *
 * Errors: hypercall wrappers return the hypervisor's result (negative Xen
 * errno); other functions document their own convention.
 */
#ifndef SHOJI_GUEST_H
#define SHOJI_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoji/xen.h>
#include <shoji/errno.h>
#include <shoji/start_info.h>

#define GUEST_PAGE_SIZE  4096UL
#define GUEST_STACK_SIZE 16384UL /* per vCPU; struct guest_cpu sits at its base */

/* The program's entry point (see above). */
int guest_main(const struct hvm_start_info *si);

/* --- hypercall.c --- */
struct xen_info {
	bool ready;          /* hypercall page installed */
	uint32_t cpuid_base; /* 0x40000x00 where "XenVMMXenVMM" was found */
	uint32_t max_leaf;
	uint32_t version; /* (major << 16) | minor from CPUID */
	uint32_t hypercall_msr;
	uint32_t hvm_features; /* EAX of base+4 */
	bool have_domid;       /* XEN_HVM_CPUID_DOMID_PRESENT was set */
	uint16_t domid;
};

/* Find Xen's CPUID leaves and install the hypercall page; -1 if not found. */
int hypercall_init(void);
const struct xen_info *xen_get_info(void);

/* Call hypercall nr (< XEN_HYPERCALL_PAGE_NR, else -XEN_ENOSYS) with raw arguments. */
long hypercall_raw(unsigned int nr, unsigned long a1, unsigned long a2, unsigned long a3,
                   unsigned long a4, unsigned long a5);
long hyp_memory_op(unsigned int cmd, void *arg);
long hyp_xen_version(int cmd, void *arg);
long hyp_console_io(int cmd, unsigned int count, const void *buf);
long hyp_grant_table_op(unsigned int cmd, void *uop, unsigned int count);
long hyp_vcpu_op(int cmd, unsigned int vcpu, void *arg);
long hyp_sched_op(int cmd, void *arg);
long hyp_event_channel_op(int cmd, void *arg);
long hyp_hvm_op(unsigned int cmd, void *arg);
/*
 * The ring page and event channel of a PV device, from the HVM params
 * pfn_index and port_index: 0, -XEN_ENOENT when either is unset or out of
 * reach (the image's identity map covers the first 4 GiB), or the
 * hypercall's error.
 */
long hvm_ring_params(uint32_t pfn_index, uint32_t port_index, void **page, evtchn_port_t *port);

/* --- console.c: one printf call = one console_io write (max 511 bytes) --- */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void console_write(const char *s, size_t len);

/* --- time.c: pvclock.  The first call maps shared_info (crashes if it can't). --- */
struct shared_info *shared_info_get(void);
uint64_t rdtsc(void);
uint64_t monotonic_ns(void); /* this vCPU's Xen system time, ns since boot */
/* System time from one vcpu_time_info (retries while the hypervisor updates it). */
uint64_t pvclock_read(const volatile struct vcpu_time_info *t);
/* Wall-clock time now: seconds and nanoseconds since the Unix epoch. */
void wallclock(uint64_t *sec, uint32_t *nsec);

/* --- sched.c --- */
void shutdown(unsigned int reason) __attribute__((noreturn));
long sched_yield(void);
long sched_block(void);
long sched_poll(evtchn_port_t *ports, unsigned int nr_ports, uint64_t timeout_abs_ns);

/* --- timer.c: timers of the calling vCPU --- */
long timer_set_singleshot(uint64_t deadline_ns, bool future_only);
long timer_stop_singleshot(void);
long timer_set_periodic(uint64_t period_ns);
long timer_stop_periodic(void);
/* Block until monotonic_ns() >= deadline_ns (never returns earlier). */
void sleep_until(uint64_t deadline_ns);
void sleep_ns(uint64_t ns);

/* --- irq.c --- */
#define GUEST_UPCALL_VECTOR 0xf3
void irq_init(void);
void irq_load_idt(void); /* on this vCPU */
static inline void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}
static inline void irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}
/*
 * Route event upcalls to GUEST_UPCALL_VECTOR and call fn, with interrupts
 * off, for each upcall; fn clears this vCPU's evtchn_upcall_pending itself.
 * How the vector arrives is irq_set_upcall_mode()'s (before evtchn_init()):
 *   IRQ_UPCALL_CALLBACK  HVM_PARAM_CALLBACK_IRQ; the LAPIC is enabled and
 *                        EOIed after each upcall (the default)
 *   IRQ_UPCALL_NO_LAPIC  HVM_PARAM_CALLBACK_IRQ; the LAPIC is never touched
 *                        (Xen injects this vector past the LAPIC)
 *   IRQ_UPCALL_PER_VCPU  HVMOP_set_evtchn_upcall_vector for the calling
 *                        vCPU; the LAPIC is enabled and EOIed
 * Returns the hypercall result.
 */
enum irq_upcall_mode { IRQ_UPCALL_CALLBACK, IRQ_UPCALL_NO_LAPIC, IRQ_UPCALL_PER_VCPU };
void irq_set_upcall_mode(enum irq_upcall_mode mode);
long irq_set_upcall_handler(void (*fn)(void));

/* --- alloc.c: bump allocation from RAM above the image; never freed --- */
void alloc_init(const struct hvm_start_info *si);
/* Zeroed memory, or NULL when exhausted.  Not SMP-safe: call from one vCPU at a time. */
void *mem_alloc(size_t size, size_t align);
void *page_alloc(size_t npages);

/* --- smp.c --- */
unsigned int smp_cpu_id(void);
/* The number of vCPUs the domain has (VCPUOP_is_up probe). */
unsigned int smp_nr_vcpus(void);
/*
 * Start vCPU `vcpu` in 64-bit mode on its own stack running fn(vcpu, arg);
 * when fn returns the vCPU takes itself down.  Returns a hypercall result.
 */
long smp_start_vcpu(unsigned int vcpu, void (*fn)(unsigned int vcpu, void *arg), void *arg);

/* --- start.c --- */
/* Copy the value of "key=value" from the command line into buf; false if absent. */
bool cmdline_get(const struct hvm_start_info *si, const char *key, char *buf, size_t len);
const char *cmdline_string(const struct hvm_start_info *si); /* "" when none */

/* --- string.c --- */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
unsigned long strtoul_simple(const char *s, const char **end);

/*
 * ===== Event channels, grant tables, xenstore, PV console =====
 * (evtchn.c, gnttab.c, xenstore.c, pvconsole.c)
 */
#include <shoji/grant_table.h>

/* --- evtchn.c: event channels, 2-level ABI --- */
typedef void evtchn_handler_fn(evtchn_port_t port, void *arg);

/* Route upcalls to the event dispatcher on this vCPU (call on every vCPU). */
long evtchn_init(void);
/*
 * Bind calls return 0 or a negative Xen errno.  A new port comes back
 * masked, owned by the vCPU it notifies: set its handler, then unmask it.
 */
long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *port);
long evtchn_bind_virq(uint32_t virq, unsigned int vcpu, evtchn_port_t *port);
long evtchn_bind_ipi(unsigned int vcpu, evtchn_port_t *port);
/*
 * Handler run with interrupts off on the port's vCPU, from the upcall or
 * from inside evtchn_wait().  It must not block or re-arm the single-shot
 * timer (evtchn_wait's deadline lives there).
 */
void evtchn_set_handler(evtchn_port_t port, evtchn_handler_fn *fn, void *arg);
void evtchn_mask(evtchn_port_t port);
long evtchn_unmask(evtchn_port_t port);
long evtchn_send(evtchn_port_t port);
long evtchn_close(evtchn_port_t port);
/* Clear a port's pending bit; true if it was set (for masked, polled ports). */
bool evtchn_test_and_clear(evtchn_port_t port);
/* Run this vCPU's pending handlers now; call with interrupts off. */
void evtchn_poll(void);
/*
 * Block (SCHEDOP_block, this vCPU's pending handlers run before each
 * check) until done(arg) is true or, when deadline_ns is not 0,
 * monotonic_ns() passes it (armed with the single-shot timer).  Returns
 * done's last answer.  Interrupts are off inside; an upcall vector raised
 * meanwhile is taken (finding nothing new) when the caller's are back on.
 */
bool evtchn_wait(bool (*done)(void *arg), void *arg, uint64_t deadline_ns);
/* SCHEDOP_poll: block until one of ports is pending or deadline (0: none). */
long evtchn_poll_ports(evtchn_port_t *ports, unsigned int nr_ports, uint64_t deadline_ns);

/* --- gnttab.c: grant table v1 --- */
#define GNTTAB_GUEST_MAX_FRAMES 4
/* Place nr_frames table frames in our physmap; 0 or a negative Xen errno. */
long gnttab_init(unsigned int nr_frames);
/* Grant domid access to frame gfn; the new ref goes to *ref (-XEN_ENOSPC: table full). */
long gnttab_grant_access(domid_t domid, uint64_t gfn, bool readonly, grant_ref_t *ref);
/* Revoke a grant: -XEN_EBUSY while the peer reads or writes it, -XEN_EINVAL for a bad ref. */
long gnttab_end_access(grant_ref_t ref);
/* GNTTABOP_copy on n ops: the hypercall result; each op's status says how it went. */
long gnttab_copy(struct gnttab_copy *ops, unsigned int n);
/* Entries the table holds now (512 per frame). */
unsigned int gnttab_nr_entries(void);
/*
 * Backend side: map grant ref of domid at guest-physical gpa (a page above
 * our RAM that nothing else uses: below 0xfe000000 or in 4 GiB .. 64 GiB;
 * shoji-hv refuses RAM, which KVM cannot overlay) and put the map handle in
 * *handle.  The page is readable (and writable unless readonly) at gpa until
 * gnttab_unmap(handle, gpa).  Both return 0 or the op's negative GNTST_*
 * status (a failed hypercall as a whole gives its negative Xen errno).
 */
long gnttab_map(domid_t domid, grant_ref_t ref, uint64_t gpa, bool readonly,
                grant_handle_t *handle);
long gnttab_unmap(grant_handle_t handle, uint64_t gpa);

/* --- xenstore.c: xenstore client over the ring page (HVM_PARAM_STORE_*) --- */
struct xenstore_domain_interface;
/* Find the ring and its port; 0 or a negative Xen errno. */
long xs_init(void);
/* Use this ring page and port instead (a guest that set them up itself). */
long xs_init_ring(struct xenstore_domain_interface *ring, evtchn_port_t port);
/* Read path's value (NUL-terminated) into buf: its length or a negative Xen errno. */
long xs_read(const char *path, char *buf, size_t len);
long xs_write(const char *path, const char *value);
long xs_rm(const char *path);
long xs_watch(const char *path, const char *token);
long xs_unwatch(const char *path, const char *token);
/* Wait for a watch event (deadline 0: forever); copies its path and token. */
long xs_read_watch(char *path, size_t plen, char *token, size_t tlen, uint64_t deadline_ns);

/* --- pvconsole.c: PV console frontend (HVM_PARAM_CONSOLE_*) --- */
long pvcons_init(void);
/* Write all of buf to the out ring, waiting for room; notifies the backend. */
long pvcons_write(const char *buf, size_t len);
/* Copy what the in ring holds (up to len bytes): the count, 0 when empty. */
long pvcons_read(char *buf, size_t len);

#endif /* SHOJI_GUEST_H */
