/*
 * The 32-bit (compat) layouts of the hypercall arguments whose layout
 * differs from the native 64-bit one: a 32-bit guest's guest handles,
 * xen_ulong_t and xen_pfn_t are 4 bytes, and its uint64_t fields are only
 * 4-byte aligned.  Structures that are the same in both ABIs (event
 * channel ops, hvm_param, grant map/unmap, ...) are not listed.
 *
 * X-macro lists, so that one list feeds both compat.c's translation tables
 * and tests/headers/xen-compat.sh, which compiles them with -m32 against
 * Xen's own public headers: every offset and size below is checked there.
 *
 *   S(type, compat_size, FIELDS)         a structure
 *   F(type, field, compat_off, compat_size)  each of its fields, all of them
 */
#ifndef SHOJI_HV_COMPAT_LAYOUT_H
#define SHOJI_HV_COMPAT_LAYOUT_H

#define COMPAT_XEN_MEMORY_MAP(F)                                                                   \
	F(xen_memory_map, nr_entries, 0, 4)                                                        \
	F(xen_memory_map, buffer, 4, 4)

#define COMPAT_XEN_ADD_TO_PHYSMAP(F)                                                               \
	F(xen_add_to_physmap, domid, 0, 2)                                                         \
	F(xen_add_to_physmap, size, 2, 2)                                                          \
	F(xen_add_to_physmap, space, 4, 4)                                                         \
	F(xen_add_to_physmap, idx, 8, 4)                                                           \
	F(xen_add_to_physmap, gpfn, 12, 4)

#define COMPAT_XEN_MEMORY_RESERVATION(F)                                                           \
	F(xen_memory_reservation, extent_start, 0, 4)                                              \
	F(xen_memory_reservation, nr_extents, 4, 4)                                                \
	F(xen_memory_reservation, extent_order, 8, 4)                                              \
	F(xen_memory_reservation, mem_flags, 12, 4)                                                \
	F(xen_memory_reservation, domid, 16, 2)

#define COMPAT_SCHED_POLL(F)                                                                       \
	F(sched_poll, ports, 0, 4)                                                                 \
	F(sched_poll, nr_ports, 4, 4)                                                              \
	F(sched_poll, timeout, 8, 8)

#define COMPAT_GNTTAB_SETUP_TABLE(F)                                                               \
	F(gnttab_setup_table, dom, 0, 2)                                                           \
	F(gnttab_setup_table, nr_frames, 4, 4)                                                     \
	F(gnttab_setup_table, status, 8, 2)                                                        \
	F(gnttab_setup_table, frame_list, 12, 4)

#define COMPAT_GNTTAB_COPY(F)                                                                      \
	F(gnttab_copy, source.u, 0, 4)                                                             \
	F(gnttab_copy, source.domid, 4, 2)                                                         \
	F(gnttab_copy, source.offset, 6, 2)                                                        \
	F(gnttab_copy, dest.u, 8, 4)                                                               \
	F(gnttab_copy, dest.domid, 12, 2)                                                          \
	F(gnttab_copy, dest.offset, 14, 2)                                                         \
	F(gnttab_copy, len, 16, 2)                                                                 \
	F(gnttab_copy, flags, 18, 2)                                                               \
	F(gnttab_copy, status, 20, 2)

#define COMPAT_XEN_PLATFORM_PARAMETERS(F) F(xen_platform_parameters, virt_start, 0, 4)

#define COMPAT_VCPU_SET_SINGLESHOT_TIMER(F)                                                        \
	F(vcpu_set_singleshot_timer, timeout_abs_ns, 0, 8)                                         \
	F(vcpu_set_singleshot_timer, flags, 8, 4)

#define COMPAT_GNTTAB_GET_STATUS_FRAMES(F)                                                         \
	F(gnttab_get_status_frames, nr_frames, 0, 4)                                               \
	F(gnttab_get_status_frames, dom, 4, 2)                                                     \
	F(gnttab_get_status_frames, status, 6, 2)                                                  \
	F(gnttab_get_status_frames, frame_list, 8, 4)

#define COMPAT_VCPU_RUNSTATE_INFO(F)                                                               \
	F(vcpu_runstate_info, state, 0, 4)                                                         \
	F(vcpu_runstate_info, state_entry_time, 4, 8)                                              \
	F(vcpu_runstate_info, time, 12, 32)

#define COMPAT_STRUCTS(S)                                                                          \
	S(xen_memory_map, 8, COMPAT_XEN_MEMORY_MAP)                                                \
	S(xen_add_to_physmap, 16, COMPAT_XEN_ADD_TO_PHYSMAP)                                       \
	S(xen_memory_reservation, 20, COMPAT_XEN_MEMORY_RESERVATION)                               \
	S(sched_poll, 16, COMPAT_SCHED_POLL)                                                       \
	S(gnttab_setup_table, 16, COMPAT_GNTTAB_SETUP_TABLE)                                       \
	S(gnttab_copy, 24, COMPAT_GNTTAB_COPY)                                                     \
	S(gnttab_get_status_frames, 12, COMPAT_GNTTAB_GET_STATUS_FRAMES)                           \
	S(xen_platform_parameters, 4, COMPAT_XEN_PLATFORM_PARAMETERS)                              \
	S(vcpu_set_singleshot_timer, 12, COMPAT_VCPU_SET_SINGLESHOT_TIMER)                         \
	S(vcpu_runstate_info, 44, COMPAT_VCPU_RUNSTATE_INFO)

/* A 32-bit guest's xen_pfn_t (extent lists, setup_table's frame list). */
#define COMPAT_PFN_SIZE 4

#endif
