/* Load-time rewrite of Linux's vmcall/vmmcall hypercall stubs (see hcpatch.h). */
#include "config.h"

#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hcpatch.h"
#include "kvm.h"
#include "loader.h"

#define ANCHOR_LEN    10 /* lea rel32(%rip),%reg (7) + cmp %rax,%reg (3) */
#define BRANCH_WINDOW 32 /* bytes after the cmp where je/jmp may start */
#define STUB_GAP      32 /* at most between the jmp and the first stub */
#define STUB_SPAN     64 /* at most between the two stubs */

static const uint8_t op_vmmcall[3] = {0x0f, 0x01, 0xd9};
static const uint8_t op_vmcall[3] = {0x0f, 0x01, 0xc1};
/* out %eax,$HV_HYPERCALL_PORT; nop */
static const uint8_t op_trap[HCPATCH_LEN] = {0xe7, HV_HYPERCALL_PORT, 0x90};

/* Bytes of one executable segment, positions relative to its start. */
struct text {
	const uint8_t *b;
	uint64_t n;
};

static int32_t rel32(const uint8_t *p)
{
	uint32_t v =
	    (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return (int32_t)v;
}

/* The position @from + @disp, if it lies inside the text with @room bytes after it. */
static bool target(const struct text *t, uint64_t from, int64_t disp, uint64_t room, uint64_t *out)
{
	int64_t to = (int64_t)from + disp;

	if (to < 0 || (uint64_t)to > t->n || room > t->n - (uint64_t)to)
		return false;
	*out = (uint64_t)to;
	return true;
}

static bool has(const struct text *t, uint64_t at, const uint8_t *bytes, size_t len)
{
	return at <= t->n && len <= t->n - at && memcmp(t->b + at, bytes, len) == 0;
}

/*
 * An anchor at @i: lea rel32(%rip),%rcx/%rbx then cmp %rax,%rcx/%rbx, the
 * lea pointing at a vmmcall.  Sets *amd to the vmmcall's position.
 */
static bool anchor_at(const struct text *t, uint64_t i, uint64_t *amd)
{
	const uint8_t *b = t->b + i;
	uint8_t cmp_modrm;

	if (i + ANCHOR_LEN > t->n || b[0] != 0x48 || b[1] != 0x8d)
		return false;
	if (b[2] == 0x0d)
		cmp_modrm = 0xc1; /* %rcx */
	else if (b[2] == 0x1d)
		cmp_modrm = 0xc3; /* %rbx */
	else
		return false;
	if (b[7] != 0x48 || b[8] != 0x39 || b[9] != cmp_modrm)
		return false;
	return target(t, i + 7, rel32(b + 3), sizeof(op_vmmcall), amd) &&
	       has(t, *amd, op_vmmcall, sizeof(op_vmmcall));
}

/* A je to @amd at @k followed by a jmp: *intel gets the jmp's target, *end its end. */
static bool branches_at(const struct text *t, uint64_t k, uint64_t amd, uint64_t *intel,
                        uint64_t *end)
{
	uint64_t je_to, jl;

	if (k + 2 <= t->n && t->b[k] == 0x74) {
		jl = k + 2;
		if (!target(t, jl, (int8_t)t->b[k + 1], 0, &je_to))
			return false;
	} else if (k + 6 <= t->n && t->b[k] == 0x0f && t->b[k + 1] == 0x84) {
		jl = k + 6;
		if (!target(t, jl, rel32(t->b + k + 2), 0, &je_to))
			return false;
	} else {
		return false;
	}
	if (je_to != amd)
		return false;
	if (jl + 2 <= t->n && t->b[jl] == 0xeb) {
		*end = jl + 2;
		return target(t, *end, (int8_t)t->b[jl + 1], 0, intel);
	}
	if (jl + 5 <= t->n && t->b[jl] == 0xe9) {
		*end = jl + 5;
		return target(t, *end, rel32(t->b + jl + 1), 0, intel);
	}
	return false;
}

/* The return after a stub's instruction: 1 for ret, 2 for a jmp to a thunk (*thunk). */
static int return_at(const struct text *t, uint64_t at, uint64_t *thunk)
{
	if (at < t->n && t->b[at] == 0xc3)
		return 1;
	if (at + 5 <= t->n && t->b[at] == 0xe9 && target(t, at + 5, rel32(t->b + at + 1), 0, thunk))
		return 2;
	return 0;
}

/* Does the anchor at @i (vmmcall at @amd) satisfy the rest of the signature? */
static bool stubs_match(const struct text *t, uint64_t i, uint64_t amd, uint64_t *intel)
{
	uint64_t k, end = 0, thunk_a = 0, thunk_i = 0;
	int ra, ri;
	bool found = false;

	for (k = i + ANCHOR_LEN; k <= i + ANCHOR_LEN + BRANCH_WINDOW && k < t->n; k++) {
		if (branches_at(t, k, amd, intel, &end)) {
			found = true;
			break;
		}
	}
	if (!found || amd < end || amd - end > STUB_GAP || *intel <= amd ||
	    *intel - amd > STUB_SPAN || *intel - amd < sizeof(op_vmmcall) + 1)
		return false;
	if (!has(t, *intel, op_vmcall, sizeof(op_vmcall)))
		return false;
	ra = return_at(t, amd + sizeof(op_vmmcall), &thunk_a);
	ri = return_at(t, *intel + sizeof(op_vmcall), &thunk_i);
	return ra != 0 && ra == ri && thunk_a == thunk_i;
}

int hcpatch_scan(const uint8_t *img, size_t len, struct hcpatch_result *res, char *err,
                 size_t errlen)
{
	struct loader_seg segs[LOADER_MAX_SEGMENTS];
	unsigned int n = 0, s, matched = 0;
	char ignored[8];
	uint64_t i;

	memset(res, 0, sizeof(*res));
	if (len < EI_NIDENT || img[EI_CLASS] != ELFCLASS64 ||
	    loader_segments(img, len, segs, &n, ignored, sizeof(ignored)) < 0)
		return 0; /* not a 64-bit x86 image (the loader says what is wrong with it) */
	for (s = 0; s < n; s++) {
		const struct loader_seg *g = &segs[s];
		const struct text t = {img + g->offset, g->filesz};

		if (g->type != PT_LOAD || !(g->flags & PF_X))
			continue;
		for (i = 0; i + ANCHOR_LEN <= t.n; i++) {
			uint64_t amd, intel;

			if (t.b[i] != 0x48 || !anchor_at(&t, i, &amd))
				continue;
			if (res->anchors++ == 0)
				res->anchor_vaddr = g->vaddr + i;
			if (!stubs_match(&t, i, amd, &intel))
				continue;
			matched++;
			res->sites[0] = (struct hcpatch_site){"vmmcall", g->offset + amd,
			                                      g->vaddr + amd, g->paddr + amd};
			res->sites[1] = (struct hcpatch_site){"vmcall", g->offset + intel,
			                                      g->vaddr + intel, g->paddr + intel};
		}
	}
	if (res->anchors == 0)
		return 0;
	if (res->anchors > 1) {
		memset(res->sites, 0, sizeof(res->sites));
		return loader_errf(err, errlen,
		                   "ambiguous: %u places look like Linux's hypercall dispatcher "
		                   "(first at 0x%llx); not patching",
		                   res->anchors, (unsigned long long)res->anchor_vaddr);
	}
	if (matched != 1)
		return loader_errf(err, errlen,
		                   "Linux's hypercall dispatcher at 0x%llx is not followed by the "
		                   "vmmcall/vmcall stubs in the expected form; not patching",
		                   (unsigned long long)res->anchor_vaddr);
	res->nsites = HCPATCH_SITES;
	return 1;
}

int hcpatch_apply(uint8_t *img, size_t len, struct hcpatch_result *res, char *err, size_t errlen)
{
	unsigned int i;
	int r = hcpatch_scan(img, len, res, err, errlen);

	if (r != 1)
		return r;
	for (i = 0; i < res->nsites; i++)
		memcpy(img + res->sites[i].offset, op_trap, sizeof(op_trap));
	return 1;
}
