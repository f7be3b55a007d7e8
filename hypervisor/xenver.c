/* xen_version: identification the guest reads at boot. */
#include "config.h"

#include <string.h>

#include <shoji/version.h>

#include "cpuid.h"
#include "domain.h"
#include "hypercall.h"
#include "vcpu.h"

#define HV_EXTRAVERSION      ".0-shoji"
#define HV_CAPABILITIES      "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"
#define HV_VIRT_START        0xffff800000000000ULL /* x86-64 hypervisor hole */
#define HV_COMPAT_VIRT_START 0xf5800000ULL         /* Xen's hole for 32-bit guests */

/* Features every Shoji domain has (submap 0). */
#define HV_FEATURES                                                                                \
	((1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_writable_descriptor_tables) |       \
	 (1u << XENFEAT_auto_translated_physmap) | (1u << XENFEAT_supervisor_mode_kernel) |        \
	 (1u << XENFEAT_hvm_callback_vector) | (1u << XENFEAT_hvm_safe_pvclock))

/* Copy @str into a zero-filled @size-byte guest buffer: NUL-terminated, nothing after. */
static long put_string(struct vcpu *v, uint64_t arg, const char *str, size_t size)
{
	char buf[XEN_CAPABILITIES_INFO_LEN];

	memset(buf, 0, size);
	strncpy(buf, str, size - 1);
	return copy_to_guest(v, arg, buf, size);
}

static long ver_version(struct vcpu *v, uint64_t arg)
{
	return (HV_XEN_MAJOR << 16) | HV_XEN_MINOR;
}

static long ver_extraversion(struct vcpu *v, uint64_t arg)
{
	return put_string(v, arg, HV_EXTRAVERSION, sizeof(xen_extraversion_t));
}

static long ver_compile_info(struct vcpu *v, uint64_t arg)
{
	struct xen_compile_info ci;

	memset(&ci, 0, sizeof(ci));
	strncpy(ci.compiler, "shoji-hv " PACKAGE_VERSION, sizeof(ci.compiler) - 1);
	strncpy(ci.compile_by, "shoji", sizeof(ci.compile_by) - 1);
	strncpy(ci.compile_domain, "shoji", sizeof(ci.compile_domain) - 1);
	strncpy(ci.compile_date, "unknown", sizeof(ci.compile_date) - 1);
	return copy_to_guest(v, arg, &ci, sizeof(ci));
}

static long ver_capabilities(struct vcpu *v, uint64_t arg)
{
	return put_string(v, arg, HV_CAPABILITIES, sizeof(xen_capabilities_info_t));
}

static long ver_changeset(struct vcpu *v, uint64_t arg)
{
	return put_string(v, arg, "shoji " PACKAGE_VERSION, sizeof(xen_changeset_info_t));
}

static long ver_platform_parameters(struct vcpu *v, uint64_t arg)
{
	struct xen_platform_parameters pp = {.virt_start =
	                                         v->compat ? HV_COMPAT_VIRT_START : HV_VIRT_START};

	return copy_arg_to_guest(v, &compat_xen_platform_parameters, arg, &pp);
}

static long ver_get_features(struct vcpu *v, uint64_t arg)
{
	struct xen_feature_info fi;
	int r = copy_from_guest(v, &fi, arg, sizeof(fi));

	if (r < 0)
		return r;
	if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
		return -XEN_EINVAL;
	fi.submap = HV_FEATURES;
	return copy_to_guest(v, arg, &fi, sizeof(fi));
}

static long ver_pagesize(struct vcpu *v, uint64_t arg)
{
	return XEN_PAGE_SIZE;
}

static long ver_guest_handle(struct vcpu *v, uint64_t arg)
{
	xen_domain_handle_t h;

	memcpy(h, v->d->uuid, sizeof(h));
	return copy_to_guest(v, arg, h, sizeof(h));
}

/* The hypervisor command line and build id are for Dom0 only, as on Xen. */
static long ver_privileged(struct vcpu *v, uint64_t arg)
{
	return -XEN_EPERM;
}

typedef long xenver_fn(struct vcpu *v, uint64_t arg);

static xenver_fn *const xenver_table[] = {
    [XENVER_version] = ver_version,
    [XENVER_extraversion] = ver_extraversion,
    [XENVER_compile_info] = ver_compile_info,
    [XENVER_capabilities] = ver_capabilities,
    [XENVER_changeset] = ver_changeset,
    [XENVER_platform_parameters] = ver_platform_parameters,
    [XENVER_get_features] = ver_get_features,
    [XENVER_pagesize] = ver_pagesize,
    [XENVER_guest_handle] = ver_guest_handle,
    [XENVER_commandline] = ver_privileged,
    [XENVER_build_id] = ver_privileged,
};

long do_xen_version(struct vcpu *v, const uint64_t a[5])
{
	uint32_t cmd = (uint32_t)a[0]; /* an int in the ABI */

	return SUBOP_HAS(xenver_table, cmd) ? xenver_table[cmd](v, a[1]) : -XEN_ENOSYS;
}
