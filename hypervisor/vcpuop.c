/* vcpu_op: bring-up, vcpu_info placement, runstate and timers. */
#include "config.h"

#include <string.h>

#include "domain.h"
#include "evtglue.h"
#include "hvtime.h"
#include "hypercall.h"
#include "platform.h"
#include "vcpu.h"

/* Every op runs with the target vCPU @t and d->lock held (see do_vcpu_op). */
typedef long vcpuop_fn(struct vcpu *v, struct vcpu *t, uint64_t arg);

static long op_initialise(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_hvm_context ctx;
	struct vcpu_start st;
	int r;

	r = copy_from_guest(v, &ctx, arg, sizeof(ctx));
	if (r < 0)
		return r;
	if (t->initialised)
		return -XEN_EEXIST;
	r = vcpu_hvm_start_state(&st, &ctx);
	if (r < 0)
		return r;
	t->start = st;
	t->initialised = true;
	t->start_pending = true;
	return 0;
}

static long op_up(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	if (!t->initialised)
		return -XEN_EINVAL;
	if (t->online)
		return 0;
	return vcpu_start(t) < 0 ? -XEN_ENOMEM : 0;
}

static long op_down(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct domain *d = v->d;
	unsigned int i, others = 0;

	for (i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] != t && d->vcpus[i]->online)
			others++;
	if (!others)
		return -XEN_EINVAL; /* the last vCPU cannot go down */
	if (t->online) {
		t->online = false;
		vcpu_set_runstate(t, RUNSTATE_offline);
		vcpu_kick(t);
	}
	return 0;
}

static long op_is_up(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	return t->online ? 1 : 0;
}

static long op_get_runstate_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_runstate_info ri;
	uint64_t now = domain_system_time(v->d);

	memset(&ri, 0, sizeof(ri));
	ri.state = t->runstate;
	ri.state_entry_time = t->runstate_entry;
	memcpy(ri.time, t->runstate_time, sizeof(ri.time));
	if (now > t->runstate_entry)
		ri.time[t->runstate] += now - t->runstate_entry;
	return copy_arg_to_guest(v, &compat_vcpu_runstate_info, arg, &ri);
}

static long op_register_vcpu_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_register_vcpu_info r;
	struct vcpu_info *old, *vi;
	uint64_t gpa;
	int rc;

	rc = copy_from_guest(v, &r, arg, sizeof(r));
	if (rc < 0)
		return rc;
	if (r.rsvd != 0 || r.offset > XEN_PAGE_SIZE - sizeof(struct vcpu_info))
		return -XEN_EINVAL;
	if (t->vcpu_info_reg)
		return -XEN_EINVAL; /* once only, as on Xen */
	if (r.mfn >= (1ULL << (64 - XEN_PAGE_SHIFT)))
		return -XEN_EINVAL;
	gpa = (r.mfn << XEN_PAGE_SHIFT) + r.offset;
	vi = gm_gpa(&v->d->mem, gpa, sizeof(*vi));
	if (!vi)
		return -XEN_EINVAL;
	old = vcpu_info_of(t);
	if (old)
		memcpy(vi, old, sizeof(*vi));
	else
		memset(vi, 0, sizeof(*vi));
	t->vcpu_info_reg = vi;
	t->vcpu_info_gpa = gpa;
	/* Make the guest rescan everything that may have been pending. */
	__atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&vi->evtchn_pending_sel, ~0UL, __ATOMIC_SEQ_CST);
	time_update_vcpu(t);
	return 0;
}

static long op_set_periodic_timer(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_set_periodic_timer p;
	int r = copy_from_guest(v, &p, arg, sizeof(p));

	if (r < 0)
		return r;
	if (p.period_ns < VCPU_TIMER_PERIOD_MIN || p.period_ns > VCPU_TIMER_PERIOD_MAX)
		return -XEN_EINVAL;
	t->period = p.period_ns;
	t->periodic_next = domain_system_time(v->d) + p.period_ns;
	vcpu_timer_update(t);
	vcpu_timer_quiesce(t);
	return 0;
}

static long op_stop_periodic_timer(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	t->period = 0;
	t->periodic_next = 0;
	vcpu_timer_update(t);
	vcpu_timer_quiesce(t);
	return 0;
}

static long op_set_singleshot_timer(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_set_singleshot_timer s;
	int r;

	if (t != v)
		return -XEN_EINVAL; /* own vCPU only */
	r = copy_arg_from_guest(v, &compat_vcpu_set_singleshot_timer, &s, arg);
	if (r < 0)
		return r;
	if ((s.flags & VCPU_SSHOTTMR_future) && s.timeout_abs_ns < domain_system_time(v->d))
		return -XEN_ETIME;
	/* 0 would mean "off": a deadline at system time 0 has passed anyway. */
	t->singleshot = s.timeout_abs_ns ? s.timeout_abs_ns : 1;
	vcpu_timer_update(t);
	vcpu_timer_quiesce(t);
	return 0;
}

static long op_stop_singleshot_timer(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	if (t != v)
		return -XEN_EINVAL;
	t->singleshot = 0;
	vcpu_timer_update(t);
	vcpu_timer_quiesce(t);
	return 0;
}

static vcpuop_fn *const vcpuop_table[] = {
    [VCPUOP_initialise] = op_initialise,
    [VCPUOP_up] = op_up,
    [VCPUOP_down] = op_down,
    [VCPUOP_is_up] = op_is_up,
    [VCPUOP_get_runstate_info] = op_get_runstate_info,
    [VCPUOP_set_periodic_timer] = op_set_periodic_timer,
    [VCPUOP_stop_periodic_timer] = op_stop_periodic_timer,
    [VCPUOP_set_singleshot_timer] = op_set_singleshot_timer,
    [VCPUOP_stop_singleshot_timer] = op_stop_singleshot_timer,
    [VCPUOP_register_vcpu_info] = op_register_vcpu_info,
};

long do_vcpu_op(struct vcpu *v, const uint64_t a[5])
{
	uint32_t cmd = (uint32_t)a[0]; /* an int in the ABI */
	uint32_t id = (uint32_t)a[1];
	struct domain *d = v->d;
	long r;

	if (!SUBOP_HAS(vcpuop_table, cmd))
		return -XEN_ENOSYS;
	if (id >= d->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&d->lock);
	r = vcpuop_table[cmd](v, d->vcpus[id], a[2]);
	pthread_mutex_unlock(&d->lock);
	if (r == 0 && cmd == VCPUOP_register_vcpu_info)
		evtglue_vcpu_info_moved(d->vcpus[id]); /* outside d->lock: it kicks */
	return r;
}

/* --- vCPU state shared by vcpu_op and the run loop (no KVM calls). --- */

struct vcpu_info *vcpu_info_of(struct vcpu *v)
{
	if (v->vcpu_info_reg)
		return v->vcpu_info_reg;
	if (v->d->shared_info && v->id < XEN_LEGACY_MAX_VCPUS)
		return &v->d->shared_info->vcpu_info[v->id];
	return NULL;
}

void vcpu_set_runstate(struct vcpu *v, int state)
{
	uint64_t now;

	if (v->runstate == state)
		return;
	now = domain_system_time(v->d);
	if (now > v->runstate_entry)
		v->runstate_time[v->runstate] += now - v->runstate_entry;
	v->runstate = state;
	v->runstate_entry = now;
}

/* Segment attribute bits as vcpu_hvm_context encodes them (the VMX "ar" layout). */
#define AR_TYPE(ar)  ((ar)&0xf)
#define AR_S         (1u << 4)
#define AR_DPL(ar)   (((ar) >> 5) & 3)
#define AR_P         (1u << 7)
#define AR_AVL       (1u << 8)
#define AR_L         (1u << 9)
#define AR_DB        (1u << 10)
#define AR_G         (1u << 11)

#define X86_CR0_PE   (1ULL << 0)
#define X86_CR0_PG   (1ULL << 31)
#define X86_CR4_PAE  (1ULL << 5)
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)

static void seg_from_ar(struct kvm_segment *s, uint64_t base, uint32_t limit, uint16_t ar,
                        uint16_t sel)
{
	memset(s, 0, sizeof(*s));
	s->base = base;
	s->limit = limit;
	s->selector = sel;
	s->type = AR_TYPE(ar);
	s->s = !!(ar & AR_S);
	s->dpl = AR_DPL(ar);
	s->present = !!(ar & AR_P);
	s->avl = !!(ar & AR_AVL);
	s->l = !!(ar & AR_L);
	s->db = !!(ar & AR_DB);
	s->g = !!(ar & AR_G);
	s->unusable = !(ar & AR_P);
}

/* Flat 32-bit code/data and an idle TSS: the PVH entry environment. */
#define AR_CODE32 (0xb | AR_S | AR_P | AR_DB | AR_G)
#define AR_DATA32 (0x3 | AR_S | AR_P | AR_DB | AR_G)
#define AR_CODE64 (0xb | AR_S | AR_P | AR_L | AR_G)
#define AR_TSS    (0xb | AR_P)

static void set_segments(struct kvm_sregs *s, uint16_t cs_ar, uint16_t data_ar)
{
	seg_from_ar(&s->cs, 0, 0xffffffff, cs_ar, 0x08);
	seg_from_ar(&s->ds, 0, 0xffffffff, data_ar, 0x10);
	s->es = s->ds;
	s->ss = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	seg_from_ar(&s->tr, 0, 0x67, AR_TSS, 0x18);
	seg_from_ar(&s->ldt, 0, 0, 0x2, 0);
	s->ldt.unusable = 1;
	s->gdt.base = 0;
	s->gdt.limit = 0xffff;
	s->idt.base = 0;
	s->idt.limit = 0xffff;
}

void vcpu_pvh_start_state(struct vcpu_start *st, uint32_t entry, uint32_t ebx)
{
	memset(st, 0, sizeof(*st));
	set_segments(&st->sregs, AR_CODE32, AR_DATA32);
	st->sregs.cr0 = X86_CR0_PE | (1ULL << 4); /* PE, ET */
	st->regs.rip = entry;
	st->regs.rbx = ebx;
	st->regs.rflags = 0x2;
}

/* A usable data segment must be a present, non-code, descriptor segment. */
static bool data_ar_ok(uint16_t ar)
{
	return !(ar & AR_P) || ((ar & AR_S) && !(AR_TYPE(ar) & 0x8));
}

int vcpu_hvm_start_state(struct vcpu_start *st, const struct vcpu_hvm_context *ctx)
{
	memset(st, 0, sizeof(*st));
	if (ctx->mode == VCPU_HVM_MODE_32B) {
		const struct vcpu_hvm_x86_32 *c = &ctx->cpu_regs.x86_32;

		if (!(c->cr0 & X86_CR0_PE) || (c->efer & X86_EFER_LME))
			return -XEN_EINVAL;
		if (!(c->cs_ar & AR_P) || !(c->cs_ar & AR_S) || !(AR_TYPE(c->cs_ar) & 0x8))
			return -XEN_EINVAL;
		if (!data_ar_ok(c->ds_ar) || !data_ar_ok(c->es_ar) || !(c->ss_ar & AR_P) ||
		    !data_ar_ok(c->ss_ar) || ((c->tr_ar & AR_P) && (c->tr_ar & AR_S)))
			return -XEN_EINVAL;
		seg_from_ar(&st->sregs.cs, c->cs_base, c->cs_limit, c->cs_ar, 0x08);
		seg_from_ar(&st->sregs.ds, c->ds_base, c->ds_limit, c->ds_ar, 0x10);
		seg_from_ar(&st->sregs.ss, c->ss_base, c->ss_limit, c->ss_ar, 0x10);
		seg_from_ar(&st->sregs.es, c->es_base, c->es_limit, c->es_ar, 0x10);
		seg_from_ar(&st->sregs.tr, c->tr_base, c->tr_limit,
		            (c->tr_ar & AR_P) ? c->tr_ar : AR_TSS, 0x18);
		st->sregs.fs = st->sregs.ds;
		st->sregs.gs = st->sregs.ds;
		seg_from_ar(&st->sregs.ldt, 0, 0, 0x2, 0);
		st->sregs.ldt.unusable = 1;
		st->sregs.gdt.limit = 0xffff;
		st->sregs.idt.limit = 0xffff;
		st->sregs.cr0 = c->cr0;
		st->sregs.cr3 = c->cr3;
		st->sregs.cr4 = c->cr4;
		st->sregs.efer = c->efer;
		st->regs.rax = c->eax;
		st->regs.rcx = c->ecx;
		st->regs.rdx = c->edx;
		st->regs.rbx = c->ebx;
		st->regs.rsp = c->esp;
		st->regs.rbp = c->ebp;
		st->regs.rsi = c->esi;
		st->regs.rdi = c->edi;
		st->regs.rip = c->eip;
		st->regs.rflags = c->eflags | 0x2;
		return 0;
	}
	if (ctx->mode == VCPU_HVM_MODE_64B) {
		const struct vcpu_hvm_x86_64 *c = &ctx->cpu_regs.x86_64;

		if ((c->cr0 & (X86_CR0_PE | X86_CR0_PG)) != (X86_CR0_PE | X86_CR0_PG) ||
		    !(c->cr4 & X86_CR4_PAE) || !(c->efer & X86_EFER_LME))
			return -XEN_EINVAL;
		set_segments(&st->sregs, AR_CODE64, AR_DATA32);
		st->sregs.cs.db = 0;
		st->sregs.cr0 = c->cr0;
		st->sregs.cr3 = c->cr3;
		st->sregs.cr4 = c->cr4;
		st->sregs.efer = c->efer | X86_EFER_LMA;
		st->regs.rax = c->rax;
		st->regs.rcx = c->rcx;
		st->regs.rdx = c->rdx;
		st->regs.rbx = c->rbx;
		st->regs.rsp = c->rsp;
		st->regs.rbp = c->rbp;
		st->regs.rsi = c->rsi;
		st->regs.rdi = c->rdi;
		st->regs.rip = c->rip;
		st->regs.rflags = c->rflags | 0x2;
		return 0;
	}
	return -XEN_EINVAL;
}
