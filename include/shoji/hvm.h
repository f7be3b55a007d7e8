/*
 * shoji/hvm.h - __HYPERVISOR_hvm_op(cmd, arg) sub-operations and the HVM
 * parameters a guest reads with HVMOP_get_param.
 */
#ifndef SHOJI_HVM_H
#define SHOJI_HVM_H

#include <shoji/xen.h>

#define HVMOP_set_param                0 /* arg: struct xen_hvm_param */
#define HVMOP_get_param                1 /* arg: struct xen_hvm_param */
#define HVMOP_flush_tlbs               5 /* arg must be NULL */
#define HVMOP_pagetable_dying          9
#define HVMOP_get_time                 10 /* arg: struct xen_hvm_get_time */
#define HVMOP_xentrace                 11
#define HVMOP_get_mem_type             15
#define HVMOP_set_evtchn_upcall_vector 23 /* arg: struct xen_hvm_evtchn_upcall_vector */
#define HVMOP_guest_request_vm_event   24
#define HVMOP_altp2m                   25

/*
 * HVM parameters (xen_hvm_param.index).
 *
 * HVM_PARAM_CALLBACK_IRQ selects how event-channel upcalls reach the guest:
 * the type sits in bits 63:56 and the rest is type-specific.  With
 * HVM_PARAM_CALLBACK_TYPE_VECTOR bits 7:0 hold the LAPIC vector injected
 * into the vCPU.
 */
#define HVM_PARAM_CALLBACK_IRQ            0
#define HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT 56
#define HVM_PARAM_CALLBACK_IRQ_TYPE_MASK  xen_mk_ullong(0xFF00000000000000)
#define HVM_PARAM_CALLBACK_TYPE_GSI       0 /* bits 55:0: a GSI (0 disables) */
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX  1 /* a PCI INTx line */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR    2 /* bits 7:0: a LAPIC vector */
#define HVM_PARAM_CALLBACK_TYPE_PPI       3 /* Arm: a PPI */
/* The value of HVM_PARAM_CALLBACK_IRQ that selects vector delivery. */
#define HVM_PARAM_CALLBACK_VECTOR(v)                                                               \
	((xen_mk_ullong(2) << HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT) | ((v)&0xff))

#define HVM_PARAM_STORE_PFN             1 /* GFN of the xenstore ring page */
#define HVM_PARAM_STORE_EVTCHN          2 /* event channel to xenstored */
#define HVM_PARAM_PAE_ENABLED           4
#define HVM_PARAM_IOREQ_PFN             5
#define HVM_PARAM_BUFIOREQ_PFN          6
#define HVM_PARAM_VIRIDIAN              9
#define HVM_PARAM_TIMER_MODE            10
#define HVM_PARAM_HPET_ENABLED          11
#define HVM_PARAM_IDENT_PT              12
#define HVM_PARAM_DM_DOMAIN             13
#define HVM_PARAM_ACPI_S_STATE          14
#define HVM_PARAM_VM86_TSS              15
#define HVM_PARAM_VPT_ALIGN             16
#define HVM_PARAM_CONSOLE_PFN           17 /* GFN of the console ring page */
#define HVM_PARAM_CONSOLE_EVTCHN        18 /* event channel to the console backend */
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19
#define HVM_PARAM_NESTEDHVM             24
#define HVM_PARAM_BUFIOREQ_EVTCHN       26
#define HVM_PARAM_PAGING_RING_PFN       27
#define HVM_PARAM_MONITOR_RING_PFN      28
#define HVM_PARAM_SHARING_RING_PFN      29
#define HVM_PARAM_TRIPLE_FAULT_REASON   31
#define HVM_PARAM_IOREQ_SERVER_PFN      32
#define HVM_PARAM_NR_IOREQ_SERVER_PAGES 33
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34
#define HVM_PARAM_ALTP2M                35
#define HVM_PARAM_X87_FIP_WIDTH         36
#define HVM_PARAM_VM86_TSS_SIZED        37
#define HVM_PARAM_MCA_CAP               38
#define HVM_NR_PARAMS                   39

#ifndef __ASSEMBLY__

struct xen_hvm_param {
	domid_t domid;  /* IN: usually DOMID_SELF */
	uint32_t index; /* IN: HVM_PARAM_* */
	uint64_t value; /* IN for set_param, OUT for get_param */
};
typedef struct xen_hvm_param xen_hvm_param_t;
SHOJI_ABI_SIZE(struct xen_hvm_param, 16);
SHOJI_ABI_OFFSET(struct xen_hvm_param, index, 4);
SHOJI_ABI_OFFSET(struct xen_hvm_param, value, 8);

/* Deliver event upcalls for one vCPU as LAPIC vector `vector`. */
struct xen_hvm_evtchn_upcall_vector {
	uint32_t vcpu;
	uint8_t vector;
};
typedef struct xen_hvm_evtchn_upcall_vector xen_hvm_evtchn_upcall_vector_t;
SHOJI_ABI_SIZE(struct xen_hvm_evtchn_upcall_vector, 8);
SHOJI_ABI_OFFSET(struct xen_hvm_evtchn_upcall_vector, vector, 4);

struct xen_hvm_get_time {
	uint64_t now; /* OUT: system time in ns */
};
typedef struct xen_hvm_get_time xen_hvm_get_time_t;
SHOJI_ABI_SIZE(struct xen_hvm_get_time, 8);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_HVM_H */
