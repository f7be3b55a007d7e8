/*
 * Load-time rewrite of Linux's Xen hypercall stubs.
 *
 * Linux since the XSA-466 change (upstream 6.13, and the stable kernels it
 * was backported to, Debian's 6.1 among them) no longer calls through the
 * hypercall page: it loads the hypercall number into eax and calls, through
 * a static call, one of three functions of arch/x86/xen/xen-head.S:
 *
 *   xen_hypercall_hvm:    ... lea xen_hypercall_amd(%rip),%reg; cmp %rax,%reg;
 *                         pops; je xen_hypercall_amd; jmp xen_hypercall_intel
 *   xen_hypercall_amd:    vmmcall; ret
 *   xen_hypercall_intel:  vmcall; ret
 *
 * Where KVM has no Xen hypercall intercept, a guest vmcall/vmmcall never
 * reaches shoji-hv, so the two instructions are rewritten to the sequence
 * shoji-hv's own hypercall page uses, `out %eax, $HV_HYPERCALL_PORT`, plus
 * a nop (3 bytes for 3).  eax already holds the hypercall number and the
 * argument registers are untouched, so the ABI is the same.
 *
 * The signature (all of it must hold, in an executable PT_LOAD segment of
 * an ELF64 image; addresses are those the bytes encode, never guessed):
 *   1. an anchor: `lea rel32(%rip),%rcx` + `cmp %rax,%rcx` (48 8d 0d .. 48 39 c1),
 *      or the same with %rbx (48 8d 1d .. 48 39 c3), whose lea target A
 *      holds `vmmcall` (0f 01 d9);
 *   2. within 32 bytes after the cmp: `je A` (74 rel8 or 0f 84 rel32)
 *      immediately followed by `jmp I` (eb rel8 or e9 rel32);
 *   3. A and I after that jmp (A at most 32 bytes after it, A < I <= A + 64),
 *      `vmcall` (0f 01 c1) at I;
 *   4. each instruction followed by a return: `ret` (c3) at both, or
 *      `jmp rel32` (e9) at both to the same return thunk.
 * The image is patched only when exactly one anchor of (1) exists in the
 * whole image and it satisfies 2-4.  No anchor: nothing to patch (the
 * guest uses the hypercall page or is not Linux).  More than one, or one
 * that does not satisfy 2-4: refused, the image is left as it was.
 */
#ifndef SHOJI_HV_HCPATCH_H
#define SHOJI_HV_HCPATCH_H

#include <stddef.h>
#include <stdint.h>

#define HCPATCH_SITES 2 /* vmmcall (AMD), vmcall (Intel) */
#define HCPATCH_LEN   3 /* bytes rewritten at each site */

struct hcpatch_site {
	const char *insn; /* "vmmcall" or "vmcall" */
	uint64_t offset;  /* in the image file */
	uint64_t vaddr;   /* as linked */
	uint64_t paddr;   /* where the loader puts it */
};

struct hcpatch_result {
	unsigned int anchors; /* signature anchors (1) seen in the image */
	unsigned int nsites;  /* 0, or HCPATCH_SITES when the signature matched */
	struct hcpatch_site sites[HCPATCH_SITES];
	uint64_t anchor_vaddr; /* the (first) anchor's address */
};

/*
 * Look for the signature in ELF image @img.  Returns 1 (found: @res->sites
 * filled), 0 (no anchor, or not an ELF64 x86-64 image: nothing to patch),
 * or -1 (ambiguous or not exactly as expected: reason in @err).
 */
int hcpatch_scan(const uint8_t *img, size_t len, struct hcpatch_result *res, char *err,
                 size_t errlen);

/*
 * hcpatch_scan, then rewrite both sites in @img when it returned 1.  Same
 * return values; on 0 and -1 @img is unchanged.
 */
int hcpatch_apply(uint8_t *img, size_t len, struct hcpatch_result *res, char *err, size_t errlen);

#endif
