/* Hypercall dispatch table and the guest copy helpers (see hypercall.h). */
#include "config.h"

#include <string.h>
#include <time.h>

#include "domain.h"
#include "hv.h"
#include "hypercall.h"
#include "kvm.h"
#include "platform.h"
#include "vcpu.h"

/* Gaps answer -XEN_ENOSYS. */
static hypercall_fn *const hypercall_table[HYPERCALL_NR] = {
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_grant_table_op] = do_grant_table_op,
    [__HYPERVISOR_memory_op] = do_memory_op,
    [__HYPERVISOR_xen_version] = do_xen_version,
    [__HYPERVISOR_console_io] = do_console_io,
    [__HYPERVISOR_vcpu_op] = do_vcpu_op,
    [__HYPERVISOR_sched_op] = do_sched_op,
    [__HYPERVISOR_hvm_op] = do_hvm_op,
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t a[5])
{
	memset(&v->hcall, 0, sizeof(v->hcall));
	if (nr >= HYPERCALL_NR || !hypercall_table[nr])
		return -XEN_ENOSYS;
	v->hcall.start_ns = now_ns();
	return hypercall_table[nr](v, a);
}

bool hypercall_preempt_check(struct vcpu *v)
{
	struct hypercall_state *h = &v->hcall;

	/* Kicked: paused, shut down, crashed, dying or taken offline (without d->lock, hot). */
	if (__atomic_load_n(&v->kicked, __ATOMIC_ACQUIRE))
		return true;
	if (++h->items < HYPERCALL_ITEMS_MIN)
		return false;
	return h->items >= HYPERCALL_ITEMS_MAX || now_ns() >= h->start_ns + HYPERCALL_SLICE_NS;
}

long hypercall_create_continuation(struct vcpu *v, const uint64_t a[5])
{
	v->hcall.continued = true;
	memcpy(v->hcall.args, a, sizeof(v->hcall.args));
	return 0;
}

bool hypercall_continued(const struct vcpu *v, uint64_t a[5])
{
	if (v->hcall.continued)
		memcpy(a, v->hcall.args, sizeof(v->hcall.args));
	return v->hcall.continued;
}

void hypercall_page_fill(uint8_t *page)
{
	unsigned int nr;

	memset(page, 0xcc, GM_PAGE_SIZE); /* int3 between stubs */
	for (nr = 0; nr < XEN_HYPERCALL_PAGE_NR; nr++) {
		uint8_t *p = page + nr * XEN_HYPERCALL_STUB_SIZE;

		p[0] = 0xb8; /* mov $nr, %eax */
		p[1] = (uint8_t)nr;
		p[2] = 0;
		p[3] = 0;
		p[4] = 0;
		p[5] = 0xe7; /* out %eax, $HV_HYPERCALL_PORT */
		p[6] = HV_HYPERCALL_PORT;
		p[7] = 0xc3; /* ret */
	}
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len)
{
	return gm_copy_from(&v->d->mem, &v->paging, dst, gva, len);
}

int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
	return gm_copy_to(&v->d->mem, &v->paging, gva, src, len);
}

int hypercall_check_domid(struct vcpu *v, uint32_t domid)
{
	struct domain *other;

	if (domid == DOMID_SELF || domid == v->d->domid)
		return 0;
	other = hv_domain_get(v->d->hv, domid);
	if (!other)
		return -XEN_ESRCH;
	domain_put(other);
	return -XEN_EPERM;
}

int copy_domid_arg(struct vcpu *v, void *dst, uint64_t gva, size_t len, domid_t *domid)
{
	int r = copy_from_guest(v, dst, gva, len);

	return r < 0 ? r : hypercall_check_domid(v, *domid);
}

size_t guest_pfn_size(const struct vcpu *v)
{
	return v->compat ? COMPAT_PFN_SIZE : sizeof(xen_pfn_t);
}

int copy_arg_from_guest(struct vcpu *v, const struct compat_layout *l, void *native, uint64_t gva)
{
	unsigned char buf[COMPAT_MAX_SIZE];
	int r;

	if (!v->compat)
		return copy_from_guest(v, native, gva, l->native_size);
	r = copy_from_guest(v, buf, gva, l->compat_size);
	if (r == 0)
		compat_to_native(l, native, buf);
	return r;
}

int copy_arg_to_guest(struct vcpu *v, const struct compat_layout *l, uint64_t gva,
                      const void *native)
{
	unsigned char buf[COMPAT_MAX_SIZE];

	if (!v->compat)
		return copy_to_guest(v, gva, native, l->native_size);
	compat_from_native(l, buf, native);
	return copy_to_guest(v, gva, buf, l->compat_size);
}

int copy_field_to_guest(struct vcpu *v, const struct compat_layout *l, uint64_t gva,
                        const void *native, size_t off)
{
	unsigned char buf[COMPAT_MAX_SIZE];
	const struct compat_field *f = compat_field(l, off);

	if (!f)
		return -XEN_EFAULT; /* not a field of @l: a bug of the caller */
	if (!v->compat)
		return copy_to_guest(v, gva + off, (const char *)native + off, f->native_size);
	compat_from_native(l, buf, native);
	return copy_to_guest(v, gva + f->compat_off, buf + f->compat_off, f->compat_size);
}
