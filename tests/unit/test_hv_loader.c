/* Unit tests of shoji-hv's PVH loader: good images load, every bad one fails cleanly. */
#include "config.h"

#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/elfnote.h>
#include <shoji/start_info.h>

#include "loader.h"
#include "check-run.h"

#define MEM     (4u << 20)
#define IMG_MAX 8192
#define ENTRY   0x100010u
#define LOAD    0x100000u
#define FILL    0xa5

/* A test image: ELF header, up to 4 program headers, a PVH note, one segment of code. */
struct img {
	uint8_t b[IMG_MAX];
	size_t len;
};

static uint8_t *ram;
static struct guestmem mem;

static void setup(void)
{
	ram = malloc(MEM);
	ck_assert_ptr_nonnull(ram);
	memset(ram, FILL, MEM);
	mem.base = ram;
	mem.size = MEM;
}

static void teardown(void)
{
	free(ram);
}

/* Offsets inside the image. */
#define PH_OFF   64
#define NOTE_OFF 512
#define CODE_OFF 1024
#define CODE_LEN 256

static size_t put_note(uint8_t *p, uint32_t type, uint32_t desc)
{
	uint32_t w[3] = {4, 4, type};

	memcpy(p, w, 12);
	memcpy(p + 12, "Xen", 4);
	memcpy(p + 16, &desc, 4);
	return 20;
}

/* A valid ELF64 PVH image: PT_LOAD [LOAD, LOAD + 0x2000) (256 bytes in the file), PT_NOTE. */
static void make64(struct img *im)
{
	Elf64_Ehdr *eh;
	Elf64_Phdr ph[2];
	size_t nlen;

	memset(im, 0, sizeof(*im));
	eh = (Elf64_Ehdr *)im->b;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ENTRY;
	eh->e_phoff = PH_OFF;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	nlen = put_note(im->b + NOTE_OFF, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY);
	memset(ph, 0, sizeof(ph));
	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = CODE_OFF;
	ph[0].p_paddr = ph[0].p_vaddr = LOAD;
	ph[0].p_filesz = CODE_LEN;
	ph[0].p_memsz = 0x2000;
	ph[1].p_type = PT_NOTE;
	ph[1].p_offset = NOTE_OFF;
	ph[1].p_filesz = nlen;
	memcpy(im->b + PH_OFF, ph, sizeof(ph));
	memset(im->b + CODE_OFF, 0x90, CODE_LEN);
	im->len = CODE_OFF + CODE_LEN;
}

static Elf64_Phdr *ph64(struct img *im, int i)
{
	return (Elf64_Phdr *)(im->b + PH_OFF) + i;
}

static void add_load64(struct img *im, uint64_t paddr, uint64_t memsz)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)im->b;
	Elf64_Phdr *ph = ph64(im, eh->e_phnum++);

	memset(ph, 0, sizeof(*ph));
	ph->p_type = PT_LOAD;
	ph->p_offset = CODE_OFF;
	ph->p_paddr = paddr;
	ph->p_filesz = 16;
	ph->p_memsz = memsz;
}

/* Load must fail with a message containing @want and leave RAM untouched. */
static void expect_fail(struct img *im, const char *want)
{
	struct pvh_boot boot;
	char err[256] = "";
	size_t i;

	ck_assert_int_eq(pvh_load(&mem, im->b, im->len, NULL, 0, NULL, &boot, err, sizeof(err)),
	                 -1);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
	for (i = 0; i < MEM; i += 4096)
		ck_assert_uint_eq(ram[i], FILL);
	ck_assert_uint_eq(ram[LOAD], FILL);
}

START_TEST(good_elf64)
{
	struct img im;
	struct pvh_boot boot;
	struct hvm_start_info si;
	struct hvm_memmap_table_entry mm;
	struct hvm_modlist_entry mod;
	const uint8_t initrd[5000] = {1, 2, 3};
	char err[256];

	make64(&im);
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, initrd, sizeof(initrd), "console=hvc0", &boot,
	                          err, sizeof(err)),
	                 0);
	ck_assert_uint_eq(boot.entry, ENTRY);
	ck_assert_uint_eq(boot.start_info, LOADER_START_INFO);
	ck_assert_uint_eq(ram[LOAD], 0x90);
	ck_assert_uint_eq(ram[LOAD + CODE_LEN], 0); /* bss zeroed */
	ck_assert_uint_eq(ram[LOAD + 0x1fff], 0);
	ck_assert_uint_eq(ram[LOAD + 0x2000], FILL); /* nothing beyond */
	memcpy(&si, ram + LOADER_START_INFO, sizeof(si));
	ck_assert_uint_eq(si.magic, XEN_HVM_START_MAGIC_VALUE);
	ck_assert_uint_eq(si.version, 1);
	ck_assert_uint_eq(si.nr_modules, 1);
	ck_assert_str_eq((char *)ram + si.cmdline_paddr, "console=hvc0");
	ck_assert_uint_eq(si.memmap_entries, 2);
	memcpy(&mm, ram + si.memmap_paddr, sizeof(mm));
	ck_assert_uint_eq(mm.addr, 0);
	ck_assert_uint_eq(mm.size, MEM - 2 * 4096);
	ck_assert_uint_eq(mm.type, XEN_HVM_MEMMAP_TYPE_RAM);
	memcpy(&mm, ram + si.memmap_paddr + sizeof(mm), sizeof(mm));
	ck_assert_uint_eq(mm.addr, MEM - 2 * 4096);
	ck_assert_uint_eq(mm.size, 2 * 4096);
	ck_assert_uint_eq(mm.type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	ck_assert_uint_eq(ram[MEM - 2 * 4096], 0); /* special pages zeroed */
	ck_assert_uint_eq(ram[MEM - 1], 0);
	memcpy(&mod, ram + si.modlist_paddr, sizeof(mod));
	ck_assert_uint_eq(mod.size, sizeof(initrd));
	ck_assert_uint_eq(mod.paddr % 4096, 0);
	ck_assert_uint_le(mod.paddr + mod.size, MEM - 2 * 4096); /* below the special pages */
	ck_assert_uint_ge(mod.paddr + mod.size, MEM - 3 * 4096);
	ck_assert_int_eq(memcmp(ram + mod.paddr, initrd, sizeof(initrd)), 0);
}
END_TEST

START_TEST(good_elf32_x86_64)
{
	struct img im;
	Elf32_Ehdr *eh = (Elf32_Ehdr *)im.b;
	Elf32_Phdr ph[2];
	struct pvh_boot boot;
	char err[256];
	size_t nlen;

	memset(&im, 0, sizeof(im));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = PH_OFF;
	eh->e_phentsize = sizeof(Elf32_Phdr);
	eh->e_phnum = 2;
	nlen = put_note(im.b + NOTE_OFF, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY);
	memset(ph, 0, sizeof(ph));
	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = CODE_OFF;
	ph[0].p_paddr = LOAD;
	ph[0].p_filesz = CODE_LEN;
	ph[0].p_memsz = CODE_LEN;
	ph[1].p_type = PT_NOTE;
	ph[1].p_offset = NOTE_OFF;
	ph[1].p_filesz = (Elf32_Word)nlen;
	memcpy(im.b + PH_OFF, ph, sizeof(ph));
	im.len = CODE_OFF + CODE_LEN;
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, NULL, 0, NULL, &boot, err, sizeof(err)), 0);
	ck_assert_uint_eq(boot.entry, ENTRY);
}
END_TEST

START_TEST(not_elf)
{
	struct img im;

	make64(&im);
	im.b[1] = 'X';
	expect_fail(&im, "not an ELF file");
	im.len = 3;
	expect_fail(&im, "not an ELF file");
}
END_TEST

START_TEST(wrong_class_and_machine)
{
	struct img im;

	make64(&im);
	im.b[EI_CLASS] = 7;
	expect_fail(&im, "ELF class");
	make64(&im);
	((Elf64_Ehdr *)im.b)->e_machine = EM_386;
	expect_fail(&im, "wrong machine");
	make64(&im);
	im.b[EI_DATA] = ELFDATA2MSB;
	expect_fail(&im, "little-endian");
}
END_TEST

START_TEST(truncated)
{
	struct img im;

	make64(&im);
	im.len = 40;
	expect_fail(&im, "truncated");
	make64(&im);
	im.len = PH_OFF + 10;
	expect_fail(&im, "truncated");
	make64(&im);
	im.len = CODE_OFF + 10;
	expect_fail(&im, "truncated");
	make64(&im);
	ph64(&im, 0)->p_offset = ~0ULL - 4;
	expect_fail(&im, "truncated");
	make64(&im);
	((Elf64_Ehdr *)im.b)->e_phoff = ~0ULL - 8;
	expect_fail(&im, "truncated");
}
END_TEST

START_TEST(overlapping)
{
	struct img im;

	make64(&im);
	add_load64(&im, LOAD + 0x1000, 0x100);
	expect_fail(&im, "overlap");
}
END_TEST

/* A later segment that starts below an earlier one and covers or reaches into it. */
START_TEST(overlapping_from_below)
{
	struct img im;

	make64(&im);
	ph64(&im, 0)->p_paddr = ph64(&im, 0)->p_vaddr = LOAD + 0x1000;
	ph64(&im, 0)->p_memsz = 0x1000;
	add_load64(&im, LOAD, 0x2000); /* covers segment 0 entirely */
	expect_fail(&im, "segments 0 and 2 overlap");

	make64(&im);
	ph64(&im, 0)->p_paddr = ph64(&im, 0)->p_vaddr = LOAD + 0x1000;
	ph64(&im, 0)->p_memsz = 0x1000;
	add_load64(&im, LOAD, 0x1001); /* its last byte is segment 0's first */
	expect_fail(&im, "segments 0 and 2 overlap");
}
END_TEST

START_TEST(outside_ram)
{
	struct img im;

	make64(&im);
	add_load64(&im, MEM - 0x100, 0x200);
	expect_fail(&im, "outside guest RAM");
	make64(&im);
	add_load64(&im, ~0ULL - 0x10, 0x100);
	expect_fail(&im, "wraps");
	make64(&im);
	add_load64(&im, 0x8000, 0x100);
	expect_fail(&im, "below 1 MiB");
}
END_TEST

START_TEST(larger_than_memory)
{
	struct img im;

	make64(&im);
	ph64(&im, 0)->p_memsz = MEM + 4096;
	expect_fail(&im, "image needs");
}
END_TEST

START_TEST(no_pvh_note)
{
	struct img im;

	make64(&im);
	im.b[NOTE_OFF + 8] = XEN_ELFNOTE_ENTRY;
	expect_fail(&im, "no PVH entry");
	make64(&im);
	ph64(&im, 1)->p_type = PT_NULL;
	expect_fail(&im, "no PVH entry");
	make64(&im);
	memcpy(im.b + NOTE_OFF, (uint32_t[]){0xffffff00u}, 4); /* huge namesz */
	expect_fail(&im, "no PVH entry");
	make64(&im);
	memcpy(im.b + NOTE_OFF + 16, (uint32_t[]){0x200000u}, 4); /* entry outside image */
	expect_fail(&im, "outside the loaded segments");
}
END_TEST

START_TEST(no_segments_and_bad_args)
{
	struct img im;
	struct pvh_boot boot;
	char err[256] = "";
	static char longcmd[LOADER_CMDLINE_MAX + 1];

	make64(&im);
	ph64(&im, 0)->p_type = PT_NULL;
	expect_fail(&im, "no loadable segments");
	make64(&im);
	((Elf64_Ehdr *)im.b)->e_phnum = 0;
	expect_fail(&im, "no program headers");
	make64(&im);
	ph64(&im, 0)->p_memsz = 16;
	expect_fail(&im, "file size exceeds");

	make64(&im);
	memset(longcmd, 'x', LOADER_CMDLINE_MAX);
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, NULL, 0, longcmd, &boot, err, sizeof(err)),
	                 -1);
	ck_assert_ptr_nonnull(strstr(err, "command line too long"));
	ck_assert_int_eq(
	    pvh_load(&mem, im.b, im.len, ram, MEM - 0x10000, NULL, &boot, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "initrd"));
}
END_TEST

START_TEST(read_file_errors)
{
	char path[] = "/tmp/test_hv_loader.XXXXXX";
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];
	int fd;

	ck_assert_int_eq(loader_read_file("/nonexistent/kernel", MEM, &buf, &len, err, sizeof(err)),
	                 -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open /nonexistent/kernel"));
	ck_assert_int_eq(loader_read_file("/", MEM, &buf, &len, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	close(fd);
	ck_assert_int_eq(loader_read_file(path, 5, &buf, &len, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "larger than guest memory"));
	ck_assert_int_eq(loader_read_file(path, MEM, &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert_int_eq(memcmp(buf, "0123456789", 10), 0);
	free(buf);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_loader");
	TCase *tc = tcase_create("pvh");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_elf64);
	tcase_add_test(tc, good_elf32_x86_64);
	tcase_add_test(tc, not_elf);
	tcase_add_test(tc, wrong_class_and_machine);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, overlapping);
	tcase_add_test(tc, overlapping_from_below);
	tcase_add_test(tc, outside_ram);
	tcase_add_test(tc, larger_than_memory);
	tcase_add_test(tc, no_pvh_note);
	tcase_add_test(tc, no_segments_and_bad_args);
	tcase_add_test(tc, read_file_errors);
	suite_add_tcase(s, tc);
	return check_run(s);
}
