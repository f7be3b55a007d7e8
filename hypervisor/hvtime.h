/*
 * Guest time: pvclock (vcpu_time_info) and the shared_info wallclock.
 * System time is ns of CLOCK_MONOTONIC since the domain was created; the
 * guest extrapolates it from its TSC with tsc_to_system_mul/shift.
 */
#ifndef SHOJI_HV_HVTIME_H
#define SHOJI_HV_HVTIME_H

#include <stdint.h>

struct domain;
struct vcpu;

/* CLOCK_MONOTONIC / CLOCK_REALTIME in ns. */
uint64_t time_mono_ns(void);
uint64_t time_real_ns(void);

/* Derive mul/shift such that ns = ((tsc << shift) * mul) >> 32 (right shift if negative). */
void time_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift);

/* Set the domain's TSC parameters (and start time when not yet set). */
void time_init(struct domain *d, uint32_t tsc_khz, int64_t tsc_offset);

/* Refresh @v's vcpu_time_info wherever it lives now (no-op if nowhere). d->lock held. */
void time_update_vcpu(struct vcpu *v);
/* Refresh the wallclock in shared_info (no-op when unmapped). d->lock held. */
void time_update_wallclock(struct domain *d);

#endif
