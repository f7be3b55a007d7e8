/*
 * Domains: one KVM VM each, with guest RAM, vCPUs, shared_info, HVM params,
 * the console ring and the lifecycle state (paused / running / shutdown /
 * crashed / dying).
 *
 * Locking: d->lock protects every mutable field below, the shared_info and
 * vcpu_info pointers included (shared_info can move).  It is never held
 * across KVM_RUN.  Guest memory itself is shared with the guest and needs no
 * lock to touch; use the guestmem helpers for anything a guest names.
 */
#ifndef SHOJI_HV_DOMAIN_H
#define SHOJI_HV_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include <shoji/xen.h>
#include <shoji/hvm.h>
#include <shoji/limits.h>

#include "console.h"
#include "guestmem.h"
#include "kvm.h"
#include "pio.h"

struct hv;
struct vcpu;

/* The limits are <shoji/limits.h>'s; memory here is in bytes. */
#define HV_MAX_VCPUS  SHOJI_DOMAIN_VCPUS_MAX
#define HV_NAME_MAX   (SHOJI_DOMAIN_NAME_MAX + 1) /* with the NUL */
#define HV_MEMORY_MIN (SHOJI_DOMAIN_MEMORY_MIN_KIB << 10)
#define HV_MEMORY_MAX (SHOJI_DOMAIN_MEMORY_MAX_KIB << 10) /* below the 4 GiB MMIO hole */
_Static_assert(HV_MAX_VCPUS <= XEN_LEGACY_MAX_VCPUS, "a vcpu_info in shared_info each");
/* Grant mappings a guest may hold in its physmap (each is a KVM memslot). */
#define HV_MAX_GRANT_MAPS  1024u
#define HV_GRANT_SLOT_BASE 3u /* memslot of grant handle 0: 0 is RAM, 1-2 shared_info */
/* Own grant-table frames a guest may place above RAM; memslot HV_GFRAME_SLOT_BASE + index. */
#define HV_MAX_GRANT_FRAMES 64u
#define HV_GFRAME_SLOT_BASE (HV_GRANT_SLOT_BASE + HV_MAX_GRANT_MAPS)

/* One grant mapping in a guest's physmap: a 1-page memslot at @gfn. */
struct domain_grant_map {
	uint64_t gfn;
	void *host; /* the granter's page, our own mmap of its memfd; NULL = free */
	bool readonly;
};

/* What the toolstack asks for when it creates a domain. */
struct domain_config {
	char name[HV_NAME_MAX];
	uint64_t memory;       /* bytes, page aligned */
	unsigned int nr_vcpus; /* 1 .. HV_MAX_VCPUS */
	uint64_t cpuid_hide;   /* cpuid_parse_hide() mask */
	bool console_stdout;   /* run mode: console_io also goes to stdout */
	uuid_t uuid;           /* all zero: generate one */
	uint32_t domid;        /* the id wanted (restore): 0 = any free one; -EEXIST when taken */
	uint32_t evtchn_max_port; /* highest event channel port; 0 = the default */
};

/* Externally visible state, in the order the control protocol reports it. */
enum domain_state {
	DOMAIN_RUNNING = 0,
	DOMAIN_BLOCKED = 1,
	DOMAIN_PAUSED = 2,
	DOMAIN_SHUTDOWN = 3,
	DOMAIN_CRASHED = 4,
	DOMAIN_DYING = 5,
};

struct domain {
	struct hv *hv;
	uint32_t domid;
	uuid_t uuid;
	char name[HV_NAME_MAX];
	unsigned int refs; /* protected by hv->lock */
	bool ready;        /* built: visible to hv_domain_get (hv->lock) */

	pthread_mutex_t lock;
	pthread_cond_t cond; /* broadcast on every state change */

	struct kvm_vm vm;    /* fds are -1 in unit tests and fuzzers */
	struct guestmem mem; /* RAM [0, memory) */
	uint64_t max_pages;  /* balloon ceiling (XENMEM_maximum_reservation) */
	uint64_t tot_pages;  /* populated pages (XENMEM_current_reservation) */
	uint8_t *populated;  /* one bit per RAM page */
	uint64_t cpuid_hide;
	bool boot_cpuid_set;     /* vCPU 0 came from the pool with this domain's CPUID */
	bool boot_pvh_preloaded; /* ... and with the PVH segment state loaded */

	unsigned int nr_vcpus;
	struct vcpu *vcpus[HV_MAX_VCPUS];

	/*
	 * shared_info: inside RAM it overlays the RAM page at shinfo_gfn
	 * (whose previous content is kept in shinfo_saved and put back when
	 * shared_info moves); above RAM it lives in shinfo_extra, mapped
	 * with an extra memslot.  NULL until the guest maps it.
	 */
	struct shared_info *shared_info;
	uint64_t shinfo_gfn;
	uint8_t *shinfo_saved; /* 4 KiB */
	uint8_t *shinfo_extra; /* 4 KiB, page aligned */
	uint32_t shinfo_slot;  /* the extra memslot in use (1 or 2), 0 = none */

	uint64_t hvm_params[HVM_NR_PARAMS];
	uint8_t callback_vector; /* HVM_PARAM_CALLBACK_IRQ vector type; 0 = none */

	struct console_ring console; /* console_io and port 0xe9 output */
	bool console_stdout;
	struct pio pio; /* the platform's ports, unclaimed port and MMIO counts */

	/* Time: system time 0 is domain creation. */
	uint64_t start_ns;      /* CLOCK_MONOTONIC at creation */
	uint64_t start_wall_ns; /* CLOCK_REALTIME at creation */
	uint32_t tsc_khz;
	int64_t tsc_offset; /* guest TSC - host TSC */
	uint32_t tsc_mul;
	int8_t tsc_shift;

	/* Lifecycle. */
	unsigned int pause_count;
	bool started; /* vCPU 0 was unpaused at least once */
	bool is_shutdown;
	unsigned int shutdown_reason; /* SHUTDOWN_* */
	unsigned int shutdown_code;   /* SCHEDOP_shutdown_code, or ~0u */
	bool crashed;
	bool dying;
	char crash_msg[160];

	/* Hooks for the event channel and grant table cores (issue 4). */
	void *evtchn;
	void *gnttab;

	/*
	 * Grants of other domains this guest mapped into its physmap
	 * (GNTTABOP_map_grant_ref, physmap.c), indexed by grant handle; memslot
	 * HV_GRANT_SLOT_BASE + handle.  gmap_max (the grant table's maptrack
	 * limit) and gmap_ro_slots are set at creation; the entries are
	 * under d->lock.
	 */
	uint32_t gmap_max;
	bool gmap_ro_slots;   /* KVM_MEM_READONLY is available */
	bool ro_write_warned; /* logged a write to a read-only mapping (once per domain) */
	struct domain_grant_map gmaps[HV_MAX_GRANT_MAPS];

	/*
	 * Frames of the guest's own grant table placed above RAM (GRUB puts
	 * them in the first hole of its memory map): GFN per frame index, 0 =
	 * not above RAM.  The page is the table's own, mapped as a memslot.
	 * Under d->lock.
	 */
	uint64_t gframe_gfn[HV_MAX_GRANT_FRAMES];
};

/*
 * Create a paused domain with RAM and vCPU 0 (others as the config asks,
 * offline).  Returns 0 and *out (one reference) or -errno.
 */
int domain_create(struct hv *hv, const struct domain_config *cfg, struct domain **out);
/* Keep @target pre-built VMs of @ram_size bytes (domids reserved, vCPU 0 made). 0 or -errno. */
int domain_pool_start(struct hv *hv, uint64_t ram_size, unsigned int target);
/* Stop every vCPU, remove @d from the table and drop the table's reference. */
void domain_destroy(struct domain *d);
/* domain_put() and domain_shutdown(), which the core calls too, are in platform.h. */

void domain_pause(struct domain *d);
/* Unpause; the first unpause starts vCPU 0 at the loaded entry point. -EINVAL if not loaded. */
int domain_unpause(struct domain *d);

/*
 * Load a PVH kernel (and initrd, command line) into a domain that has not
 * started; vCPU 0 will enter it on the first unpause.  0, or -errno with a
 * one-line reason in @err.
 */
int domain_load(struct domain *d, const char *kernel, const char *initrd, const char *cmdline,
                char *err, size_t errlen);
/* domain_load from open descriptors (@initrd_fd -1: none); @kernel and @initrd name them in
 * messages.  Only regular files are read (loader_read_fd). */
int domain_load_fd(struct domain *d, int kernel_fd, const char *kernel, int initrd_fd,
                   const char *initrd, const char *cmdline, char *err, size_t errlen);

/* The guest died (triple fault, unhandled exit): state crashed, vCPUs stop. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum domain_state domain_state(struct domain *d);
const char *domain_state_name(enum domain_state s);

/* Current system time of @d in ns (CLOCK_MONOTONIC since creation). */
uint64_t domain_system_time(const struct domain *d);

/* HVM params, for the guest (hvmop.c) and the toolstack.  d->lock held; 0 or -XEN_E*. */
int hvm_param_set(struct domain *d, uint32_t index, uint64_t value);
int hvm_param_get(struct domain *d, uint32_t index, uint64_t *value);

#endif
