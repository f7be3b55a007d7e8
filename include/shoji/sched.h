/*
 * shoji/sched.h - __HYPERVISOR_sched_op(cmd, arg) sub-operations.
 */
#ifndef SHOJI_SCHED_H
#define SHOJI_SCHED_H

#include <shoji/xen.h>

#define SCHEDOP_yield           0 /* give up the CPU; arg unused */
#define SCHEDOP_block           1 /* sleep until an event is pending; arg unused */
#define SCHEDOP_shutdown        2 /* arg: struct sched_shutdown */
#define SCHEDOP_poll            3 /* arg: struct sched_poll */
#define SCHEDOP_remote_shutdown 4 /* arg: struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code   5 /* arg: struct sched_shutdown; records the reason only */
#define SCHEDOP_watchdog        6 /* arg: struct sched_watchdog */
#define SCHEDOP_pin_override    7 /* arg: struct sched_pin_override */

/* Shutdown reasons (sched_shutdown.reason). */
#define SHUTDOWN_poweroff   0 /* stop and destroy the domain */
#define SHUTDOWN_reboot     1 /* restart the domain */
#define SHUTDOWN_suspend    2 /* save state, then stop */
#define SHUTDOWN_crash      3 /* the guest crashed */
#define SHUTDOWN_watchdog   4 /* a watchdog expired */
#define SHUTDOWN_soft_reset 5 /* reset the domain keeping its memory */
#define SHUTDOWN_MAX        5

#ifndef __ASSEMBLY__

struct sched_shutdown {
	unsigned int reason; /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
SHOJI_ABI_SIZE(struct sched_shutdown, 4);

/* Block until one of the ports is pending or the absolute timeout (ns of
 * system time; 0 = none) passes. */
struct sched_poll {
	XEN_GUEST_HANDLE(evtchn_port_t) ports;
	unsigned int nr_ports;
	uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;
SHOJI_ABI_SIZE(struct sched_poll, 24);
SHOJI_ABI_OFFSET(struct sched_poll, nr_ports, 8);
SHOJI_ABI_OFFSET(struct sched_poll, timeout, 16);

struct sched_remote_shutdown {
	domid_t domain_id;   /* domain to shut down */
	unsigned int reason; /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
SHOJI_ABI_SIZE(struct sched_remote_shutdown, 8);
SHOJI_ABI_OFFSET(struct sched_remote_shutdown, reason, 4);

/* id 0 creates a watchdog (its id is returned); timeout 0 destroys it. */
struct sched_watchdog {
	uint32_t id;
	uint32_t timeout; /* seconds */
};
typedef struct sched_watchdog sched_watchdog_t;
SHOJI_ABI_SIZE(struct sched_watchdog, 8);

struct sched_pin_override {
	int32_t pcpu; /* negative: remove the override */
};
typedef struct sched_pin_override sched_pin_override_t;
SHOJI_ABI_SIZE(struct sched_pin_override, 4);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_SCHED_H */
