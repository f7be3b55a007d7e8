/*
 * Unit tests of the Linux hypercall-stub rewrite (hcpatch.c) on synthetic
 * ELF64 images laid out as Linux's xen-head.S assembles: the signature
 * found once gives exactly the two 3-byte rewrites; absent, ambiguous or
 * not-quite-matching images are left byte for byte as they were.
 */
#include "config.h"

#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "hcpatch.h"
#include "kvm.h"
#include "check-run.h"

#define IMG_SIZE 8192
#define CODE_OFF 0x1000
#define CODE_LEN 0x800
#define VBASE    0xffffffff81000000ULL
#define PBASE    0x1000000ULL
#define DISP_AT  0x100 /* the dispatcher's lea, in the code */
#define THUNK_AT 0x600 /* __x86_return_thunk stand-in */
#define DECOY_AT 0x400 /* a KVM-style "vmcall; ret" that is not Xen's */

struct img {
	uint8_t b[IMG_SIZE];
	uint8_t *code;
	/* Where emit() put the stubs (code offsets). */
	size_t amd, intel;
};

/* How the dispatcher and stubs are encoded. */
struct variant {
	bool rbx;     /* lea/cmp on %rbx (the first upstream form) instead of %rcx */
	bool near;    /* je/jmp with rel32 instead of rel8 */
	bool thunk;   /* returns are jmp __x86_return_thunk instead of ret */
	bool fp;      /* CONFIG_FRAME_POINTER: a dummy pop and pop %rbp before the je */
	size_t shift; /* extra padding between the two stubs (CONFIG_CALL_PADDING) */
};

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

static void make_elf(struct img *im, bool exec)
{
	Elf64_Ehdr *eh;
	Elf64_Phdr ph;

	memset(im, 0, sizeof(*im));
	eh = (Elf64_Ehdr *)im->b;
	im->code = im->b + CODE_OFF;
	memset(im->code, 0xcc, CODE_LEN);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = 64;
	eh->e_phentsize = sizeof(ph);
	eh->e_phnum = 1;
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_flags = PF_R | (exec ? PF_X : PF_W);
	ph.p_offset = CODE_OFF;
	ph.p_vaddr = VBASE;
	ph.p_paddr = PBASE;
	ph.p_filesz = CODE_LEN;
	ph.p_memsz = CODE_LEN;
	memcpy(im->b + 64, &ph, sizeof(ph));
	im->code[THUNK_AT] = 0xc3;
}

/* A stub's return at @at: ret, or jmp rel32 to the thunk. */
static size_t emit_ret(struct img *im, size_t at, const struct variant *v)
{
	if (!v->thunk) {
		im->code[at] = 0xc3;
		return at + 1;
	}
	im->code[at] = 0xe9;
	put32(im->code + at + 1, (int32_t)THUNK_AT - (int32_t)(at + 5));
	return at + 5;
}

/* xen_hypercall_hvm's tail and the two stubs, starting with the lea at @at. */
static void emit(struct img *im, size_t at, const struct variant *v)
{
	static const uint8_t pops[] = {0x41, 0x58, 0x41, 0x59, 0x41, 0x5a, 0x41,
	                               0x5b, 0x5e, 0x5f, 0x5a, 0x59, 0x58};
	uint8_t *c = im->code;
	size_t p = at, lea_end, je, jmp, end;

	c[p++] = 0x48;
	c[p++] = 0x8d;
	c[p++] = v->rbx ? 0x1d : 0x0d;
	p += 4; /* rel32, below */
	lea_end = p;
	c[p++] = 0x48;
	c[p++] = 0x39;
	c[p++] = v->rbx ? 0xc3 : 0xc1;
	if (v->fp)
		c[p++] = 0x58; /* dummy pop %rax */
	memcpy(c + p, pops, sizeof(pops));
	p += sizeof(pops);
	if (v->fp)
		c[p++] = 0x5d; /* pop %rbp */
	je = p;
	p += v->near ? 6 : 2;
	jmp = p;
	p += v->near ? 5 : 2;
	end = p;
	im->amd = (end + 15) & ~(size_t)15;
	memset(c + end, 0x90, im->amd - end);
	memcpy(c + im->amd, (uint8_t[]){0x0f, 0x01, 0xd9}, 3);
	p = emit_ret(im, im->amd + 3, v);
	im->intel = ((p + 15) & ~(size_t)15) + v->shift;
	memset(c + p, 0x90, im->intel - p);
	memcpy(c + im->intel, (uint8_t[]){0x0f, 0x01, 0xc1}, 3);
	emit_ret(im, im->intel + 3, v);

	put32(c + at + 3, (int32_t)(im->amd - lea_end));
	if (v->near) {
		c[je] = 0x0f;
		c[je + 1] = 0x84;
		put32(c + je + 2, (int32_t)(im->amd - (je + 6)));
		c[jmp] = 0xe9;
		put32(c + jmp + 1, (int32_t)(im->intel - (jmp + 5)));
	} else {
		c[je] = 0x74;
		c[je + 1] = (uint8_t)(im->amd - (je + 2));
		c[jmp] = 0xeb;
		c[jmp + 1] = (uint8_t)(im->intel - (jmp + 2));
	}
}

/* The image must be refused (or have nothing to patch) and stay exactly as it was. */
static void expect_unchanged(struct img *im, int want, const char *msg)
{
	struct hcpatch_result res;
	uint8_t before[IMG_SIZE];
	char err[256] = "";

	memcpy(before, im->b, IMG_SIZE);
	ck_assert_int_eq(hcpatch_apply(im->b, IMG_SIZE, &res, err, sizeof(err)), want);
	ck_assert_int_eq(memcmp(before, im->b, IMG_SIZE), 0);
	ck_assert_uint_eq(res.nsites, 0);
	if (msg)
		ck_assert_msg(strstr(err, msg) != NULL, "error '%s' lacks '%s'", err, msg);
}

/* The image must be patched at exactly the two stubs, and nowhere else. */
static void expect_patched(struct img *im)
{
	static const uint8_t trap[3] = {0xe7, HV_HYPERCALL_PORT, 0x90};
	struct hcpatch_result res;
	uint8_t want[IMG_SIZE];
	char err[256] = "";

	memcpy(want, im->b, IMG_SIZE);
	memcpy(want + CODE_OFF + im->amd, trap, 3);
	memcpy(want + CODE_OFF + im->intel, trap, 3);
	ck_assert_msg(hcpatch_apply(im->b, IMG_SIZE, &res, err, sizeof(err)) == 1, "refused: %s",
	              err);
	ck_assert_int_eq(memcmp(want, im->b, IMG_SIZE), 0);
	ck_assert_uint_eq(res.anchors, 1);
	ck_assert_uint_eq(res.nsites, 2);
	ck_assert_str_eq(res.sites[0].insn, "vmmcall");
	ck_assert_uint_eq(res.sites[0].offset, CODE_OFF + im->amd);
	ck_assert_uint_eq(res.sites[0].vaddr, VBASE + im->amd);
	ck_assert_uint_eq(res.sites[0].paddr, PBASE + im->amd);
	ck_assert_str_eq(res.sites[1].insn, "vmcall");
	ck_assert_uint_eq(res.sites[1].offset, CODE_OFF + im->intel);
	ck_assert_uint_eq(res.sites[1].vaddr, VBASE + im->intel);
	ck_assert_uint_eq(res.sites[1].paddr, PBASE + im->intel);
	/* Patched once, the image has no signature left: a second pass changes nothing. */
	expect_unchanged(im, 0, NULL);
}

/* Debian 6.1's bytes: lea/cmp on %rcx, short je/jmp, returns through the thunk. */
START_TEST(debian_form_patched)
{
	struct img im;

	make_elf(&im, true);
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	ck_assert_uint_eq(im.intel - im.amd, 16);
	expect_patched(&im);
}
END_TEST

START_TEST(other_forms_patched)
{
	static const struct variant vs[] = {
	    {0},
	    {.rbx = true},
	    {.near = true, .thunk = true},
	    {.fp = true, .thunk = true},
	    {.rbx = true, .fp = true, .shift = 16},
	};
	struct img im;
	size_t i;

	for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		make_elf(&im, true);
		emit(&im, DISP_AT, &vs[i]);
		expect_patched(&im);
	}
}
END_TEST

/* A KVM-style "vmcall; ret" elsewhere is not part of the signature. */
START_TEST(decoys_ignored)
{
	struct img im;

	make_elf(&im, true);
	memcpy(im.code + DECOY_AT, (uint8_t[]){0x0f, 0x01, 0xc1, 0xc3, 0x0f, 0x01, 0xd9, 0xc3}, 8);
	expect_unchanged(&im, 0, NULL);
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	expect_patched(&im);
	ck_assert_uint_eq(im.code[DECOY_AT], 0x0f); /* untouched */
}
END_TEST

START_TEST(absent_unchanged)
{
	struct img im;

	make_elf(&im, true);
	expect_unchanged(&im, 0, NULL);
	/* The stubs without the dispatcher that names them: nothing to anchor on. */
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	memset(im.code + DISP_AT, 0x90, 10);
	expect_unchanged(&im, 0, NULL);
	/* lea pointing outside the segment. */
	make_elf(&im, true);
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	put32(im.code + DISP_AT + 3, 0x7ffffff0);
	expect_unchanged(&im, 0, NULL);
	/* A non-executable segment is not looked at. */
	make_elf(&im, false);
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	expect_unchanged(&im, 0, NULL);
	/* Nor a 32-bit image, nor a broken one. */
	make_elf(&im, true);
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	im.b[EI_CLASS] = ELFCLASS32;
	expect_unchanged(&im, 0, NULL);
	make_elf(&im, true);
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	((Elf64_Ehdr *)im.b)->e_phoff = IMG_SIZE - 8;
	expect_unchanged(&im, 0, NULL);
}
END_TEST

START_TEST(ambiguous_refused)
{
	struct img im;

	make_elf(&im, true);
	emit(&im, DISP_AT, &(struct variant){.thunk = true});
	emit(&im, DISP_AT + 0x200, &(struct variant){.thunk = true});
	expect_unchanged(&im, -1, "ambiguous: 2 places");
}
END_TEST

/* One anchor, but the rest is not exactly as expected: refused, never guessed. */
START_TEST(unexpected_refused)
{
	const struct variant thunk = {.thunk = true};
	struct img im;

	make_elf(&im, true);
	emit(&im, DISP_AT, &thunk);
	im.code[im.intel + 2] = 0xd9; /* a second vmmcall where vmcall belongs */
	expect_unchanged(&im, -1, "not followed by the vmmcall/vmcall stubs");

	make_elf(&im, true);
	emit(&im, DISP_AT, &thunk);
	im.code[im.intel + 3] = 0x90; /* no return after vmcall */
	expect_unchanged(&im, -1, "expected form");

	make_elf(&im, true);
	emit(&im, DISP_AT, &(struct variant){0});
	emit_ret(&im, im.intel + 3, &thunk); /* ret after one stub, thunk after the other */
	expect_unchanged(&im, -1, "expected form");

	make_elf(&im, true);
	emit(&im, DISP_AT, &thunk);
	put32(im.code + im.amd + 4, (int32_t)THUNK_AT - (int32_t)(im.amd + 8) + 1); /* two thunks */
	expect_unchanged(&im, -1, "expected form");

	make_elf(&im, true);
	emit(&im, DISP_AT, &thunk);
	im.code[DISP_AT + 10 + 13] = 0x75; /* jne instead of je */
	expect_unchanged(&im, -1, "expected form");

	make_elf(&im, true);
	emit(&im, DISP_AT, &(struct variant){.thunk = true, .shift = 64}); /* stubs too far apart */
	expect_unchanged(&im, -1, "expected form");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_hcpatch");
	TCase *tc = tcase_create("hcpatch");

	tcase_add_test(tc, debian_form_patched);
	tcase_add_test(tc, other_forms_patched);
	tcase_add_test(tc, decoys_ignored);
	tcase_add_test(tc, absent_unchanged);
	tcase_add_test(tc, ambiguous_refused);
	tcase_add_test(tc, unexpected_refused);
	suite_add_tcase(s, tc);
	return check_run(s);
}
