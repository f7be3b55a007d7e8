/* Unit tests of shoji-hv's PVH loader: good images load, every bad one fails cleanly. */
#include "config.h"

#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/elfnote.h>
#include <shoji/start_info.h>

#include "acpi.h"
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

	ck_assert_int_eq(pvh_load(&mem, im->b, im->len, NULL, 0, NULL, 1, &boot, err, sizeof(err)),
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
	uint64_t xsdt;
	const uint8_t initrd[5000] = {1, 2, 3};
	char err[256];

	make64(&im);
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, initrd, sizeof(initrd), "console=hvc0", 2,
	                          &boot, err, sizeof(err)),
	                 0);
	ck_assert_uint_eq(boot.entry, ENTRY);
	ck_assert_uint_eq(boot.start_info, MEM - 5 * 4096); /* the layout loader.h documents */
	ck_assert_uint_eq(boot.start_info, LOADER_START_INFO(MEM));
	ck_assert_uint_eq(ram[LOAD], 0x90);
	ck_assert_uint_eq(ram[LOAD + CODE_LEN], 0); /* bss zeroed */
	ck_assert_uint_eq(ram[LOAD + 0x1fff], 0);
	ck_assert_uint_eq(ram[LOAD + 0x2000], FILL); /* nothing beyond */
	ck_assert_uint_eq(ram[0], FILL);             /* nor below */
	memcpy(&si, ram + boot.start_info, sizeof(si));
	ck_assert_uint_eq(si.magic, XEN_HVM_START_MAGIC_VALUE);
	ck_assert_uint_eq(si.version, 1);
	ck_assert_uint_eq(si.nr_modules, 1);
	ck_assert_str_eq((char *)ram + si.cmdline_paddr, "console=hvc0");
	ck_assert_uint_eq(si.memmap_entries, 3);
	memcpy(&mm, ram + si.memmap_paddr, sizeof(mm));
	ck_assert_uint_eq(mm.addr, 0);
	ck_assert_uint_eq(mm.size, MEM - 3 * 4096); /* the boot information is RAM, as on Xen */
	ck_assert_uint_eq(mm.type, XEN_HVM_MEMMAP_TYPE_RAM);
	memcpy(&mm, ram + si.memmap_paddr + sizeof(mm), sizeof(mm));
	ck_assert_uint_eq(mm.addr, MEM - 3 * 4096);
	ck_assert_uint_eq(mm.size, 4096);
	ck_assert_uint_eq(mm.type, XEN_HVM_MEMMAP_TYPE_ACPI);
	memcpy(&mm, ram + si.memmap_paddr + 2 * sizeof(mm), sizeof(mm));
	ck_assert_uint_eq(mm.addr, MEM - 2 * 4096);
	ck_assert_uint_eq(mm.size, 2 * 4096);
	ck_assert_uint_eq(mm.type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	ck_assert_uint_eq(ram[MEM - 2 * 4096], 0); /* special pages zeroed */
	ck_assert_uint_eq(ram[MEM - 1], 0);
	/* The RSDP heads the ACPI region and names an XSDT next to it. */
	ck_assert_uint_eq(si.rsdp_paddr, MEM - 3 * 4096);
	ck_assert_uint_eq(boot.rsdp, si.rsdp_paddr);
	ck_assert_int_eq(memcmp(ram + si.rsdp_paddr, "RSD PTR ", 8), 0);
	ck_assert_uint_eq(acpi_sum(ram + si.rsdp_paddr, ACPI_RSDP_LEN), 0);
	memcpy(&xsdt, ram + si.rsdp_paddr + 24, 8);
	ck_assert_uint_ge(xsdt, MEM - 3 * 4096);
	ck_assert_uint_lt(xsdt, MEM - 2 * 4096);
	ck_assert_int_eq(memcmp(ram + xsdt, "XSDT", 4), 0);
	memcpy(&mod, ram + si.modlist_paddr, sizeof(mod));
	ck_assert_uint_eq(mod.size, sizeof(initrd));
	ck_assert_uint_eq(mod.paddr % 4096, 0);
	ck_assert_uint_le(mod.paddr + mod.size, MEM - 5 * 4096); /* below the boot information */
	ck_assert_uint_ge(mod.paddr + mod.size, MEM - 6 * 4096);
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
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, NULL, 0, NULL, 1, &boot, err, sizeof(err)),
	                 0);
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
	((Elf64_Ehdr *)im.b)->e_machine = EM_386; /* i386 code only in a 32-bit file */
	expect_fail(&im, "wrong machine");
	make64(&im);
	((Elf64_Ehdr *)im.b)->e_machine = EM_AARCH64;
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
	add_load64(&im, MEM - 6 * 4096, 0x1001); /* one byte into the boot information */
	expect_fail(&im, "overlaps what shoji-hv places");
	make64(&im);
	add_load64(&im, MEM - 2 * 4096, 0x100); /* on the special pages */
	expect_fail(&im, "overlaps what shoji-hv places");
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
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, NULL, 0, longcmd, 1, &boot, err, sizeof(err)),
	                 -1);
	ck_assert_ptr_nonnull(strstr(err, "command line too long"));
	ck_assert_int_eq(
	    pvh_load(&mem, im.b, im.len, ram, MEM - 0x10000, NULL, 1, &boot, err, sizeof(err)), -1);
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

/*
 * Loading from a descriptor (issue 15 #4, #5: a client passes its kernel
 * open): the whole regular file whatever the descriptor's position, and
 * anything else (a FIFO with a writer, a character device) refused before
 * a byte is read, naming what it was called.
 */
START_TEST(read_fd)
{
	char path[] = "/tmp/test_hv_loader.XXXXXX";
	int pipefd[2], fd, dn;
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10); /* the offset is at the end now */
	ck_assert_int_eq(loader_read_fd(fd, "k", MEM, &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert_int_eq(memcmp(buf, "0123456789", 10), 0);
	free(buf);
	buf = NULL;
	ck_assert_int_eq(loader_read_fd(fd, "the kernel", 9, &buf, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the kernel: file (10 bytes) is larger than guest memory");
	close(fd);

	/* A pipe with data in it and a writer: would read, but it is no file. */
	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_int_eq(write(pipefd[1], "\177ELF", 4), 4);
	ck_assert_int_eq(loader_read_fd(pipefd[0], "fifo", MEM, &buf, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "fifo: not a regular file");
	ck_assert_ptr_null(buf);
	close(pipefd[0]);
	close(pipefd[1]);

	dn = open("/dev/zero", O_RDONLY);
	ck_assert_int_ge(dn, 0);
	ck_assert_int_eq(loader_read_fd(dn, "/dev/zero", MEM, &buf, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/dev/zero: not a regular file");
	close(dn);
	ck_assert_int_eq(loader_read_fd(dn, "closed", MEM, &buf, &len, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot stat closed"));
}
END_TEST

/* Where the section headers of the images below go. */
#define SH_OFF 1536

/* What make_img() builds. */
struct spec {
	bool is64;
	uint16_t machine;
	uint64_t load;  /* paddr of the one PT_LOAD segment (CODE_LEN bytes) */
	bool pt_note;   /* the PVH note in a PT_NOTE program header */
	bool sht_note;  /* ... and/or in an SHT_NOTE section */
	uint32_t entry; /* the note's entry */
};

/*
 * An image of either class: one PT_LOAD of CODE_LEN bytes at spec->load,
 * the note at NOTE_OFF, and three section headers (null, .text, .note.Xen,
 * the last one SHT_NOTE or SHT_PROGBITS).
 */
static void make_img(struct img *im, const struct spec *sp)
{
	size_t nlen;

	memset(im, 0, sizeof(*im));
	nlen = put_note(im->b + NOTE_OFF, XEN_ELFNOTE_PHYS32_ENTRY, sp->entry);
	memset(im->b + CODE_OFF, 0xf4, CODE_LEN);
	if (sp->is64) {
		Elf64_Ehdr *eh = (Elf64_Ehdr *)im->b;
		Elf64_Phdr ph[2];
		Elf64_Shdr sh[3];

		memcpy(eh->e_ident, ELFMAG, SELFMAG);
		eh->e_ident[EI_CLASS] = ELFCLASS64;
		eh->e_ident[EI_DATA] = ELFDATA2LSB;
		eh->e_type = ET_EXEC;
		eh->e_machine = sp->machine;
		eh->e_phoff = PH_OFF;
		eh->e_phentsize = sizeof(ph[0]);
		eh->e_phnum = sp->pt_note ? 2 : 1;
		eh->e_shoff = SH_OFF;
		eh->e_shentsize = sizeof(sh[0]);
		eh->e_shnum = 3;
		memset(ph, 0, sizeof(ph));
		ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
		                     .p_flags = PF_R | PF_X,
		                     .p_offset = CODE_OFF,
		                     .p_vaddr = sp->load,
		                     .p_paddr = sp->load,
		                     .p_filesz = CODE_LEN,
		                     .p_memsz = CODE_LEN};
		ph[1] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = NOTE_OFF, .p_filesz = nlen};
		memcpy(im->b + PH_OFF, ph, sizeof(ph));
		memset(sh, 0, sizeof(sh));
		sh[1] = (Elf64_Shdr){
		    .sh_type = SHT_PROGBITS, .sh_offset = CODE_OFF, .sh_size = CODE_LEN};
		sh[2] = (Elf64_Shdr){.sh_type = sp->sht_note ? SHT_NOTE : SHT_PROGBITS,
		                     .sh_offset = NOTE_OFF,
		                     .sh_size = nlen};
		memcpy(im->b + SH_OFF, sh, sizeof(sh));
		im->len = SH_OFF + sizeof(sh);
	} else {
		Elf32_Ehdr *eh = (Elf32_Ehdr *)im->b;
		Elf32_Phdr ph[2];
		Elf32_Shdr sh[3];

		memcpy(eh->e_ident, ELFMAG, SELFMAG);
		eh->e_ident[EI_CLASS] = ELFCLASS32;
		eh->e_ident[EI_DATA] = ELFDATA2LSB;
		eh->e_type = ET_EXEC;
		eh->e_machine = sp->machine;
		eh->e_phoff = PH_OFF;
		eh->e_phentsize = sizeof(ph[0]);
		eh->e_phnum = sp->pt_note ? 2 : 1;
		eh->e_shoff = SH_OFF;
		eh->e_shentsize = sizeof(sh[0]);
		eh->e_shnum = 3;
		memset(ph, 0, sizeof(ph));
		ph[0] = (Elf32_Phdr){.p_type = PT_LOAD,
		                     .p_flags = PF_R | PF_X,
		                     .p_offset = CODE_OFF,
		                     .p_vaddr = (Elf32_Addr)sp->load,
		                     .p_paddr = (Elf32_Addr)sp->load,
		                     .p_filesz = CODE_LEN,
		                     .p_memsz = CODE_LEN};
		ph[1] = (Elf32_Phdr){
		    .p_type = PT_NOTE, .p_offset = NOTE_OFF, .p_filesz = (Elf32_Word)nlen};
		memcpy(im->b + PH_OFF, ph, sizeof(ph));
		memset(sh, 0, sizeof(sh));
		sh[1] = (Elf32_Shdr){
		    .sh_type = SHT_PROGBITS, .sh_offset = CODE_OFF, .sh_size = CODE_LEN};
		sh[2] = (Elf32_Shdr){.sh_type = sp->sht_note ? SHT_NOTE : SHT_PROGBITS,
		                     .sh_offset = NOTE_OFF,
		                     .sh_size = (Elf32_Word)nlen};
		memcpy(im->b + SH_OFF, sh, sizeof(sh));
		im->len = SH_OFF + sizeof(sh);
	}
}

/* @sp must load; its code lands at spec->load and the entry is the note's. */
static void expect_load(const struct spec *sp)
{
	struct img im;
	struct pvh_boot boot;
	char err[256] = "";

	make_img(&im, sp);
	ck_assert_msg(pvh_load(&mem, im.b, im.len, NULL, 0, NULL, 1, &boot, err, sizeof(err)) == 0,
	              "load failed: %s", err);
	ck_assert_uint_eq(boot.entry, sp->entry);
	ck_assert_uint_eq(boot.image_end, sp->load + CODE_LEN);
	ck_assert_uint_eq(ram[sp->load], 0xf4);
	ck_assert_uint_eq(ram[sp->load + CODE_LEN - 1], 0xf4);
	if (sp->load + CODE_LEN < LOADER_INFO_BASE(MEM))
		ck_assert_uint_eq(ram[sp->load + CODE_LEN], FILL);
}

/* GRUB's i386-xen_pvh image: ELF32, EM_386, a PT_NOTE, loaded at 1 MiB. */
START_TEST(elf32_i386_pt_note)
{
	expect_load(
	    &(struct spec){.machine = EM_386, .load = LOAD, .pt_note = true, .entry = LOAD});
}
END_TEST

/* A small guest OS linked the traditional way: at physical 0, the note only in a section. */
START_TEST(elf32_i386_at_zero_sht_note_only)
{
	expect_load(&(struct spec){.machine = EM_386, .load = 0, .sht_note = true, .entry = 0x10});
}
END_TEST

START_TEST(elf64_sht_note_only)
{
	expect_load(&(struct spec){
	    .is64 = true, .machine = EM_X86_64, .load = LOAD, .sht_note = true, .entry = LOAD + 4});
}
END_TEST

/* Segments below 1 MiB load (nothing of shoji-hv's lives there any more). */
START_TEST(below_1mib)
{
	expect_load(&(struct spec){
	    .is64 = true, .machine = EM_X86_64, .load = 0x8000, .pt_note = true, .entry = 0x8000});
	expect_load(&(struct spec){
	    .machine = EM_386, .load = 0x1000, .pt_note = true, .sht_note = true, .entry = 0x1000});
}
END_TEST

/* The last byte below the boot information is fine; one more is refused. */
START_TEST(up_to_placements)
{
	struct spec sp = {
	    .machine = EM_386, .load = LOADER_INFO_BASE(MEM) - CODE_LEN, .pt_note = true};
	struct img im;

	sp.entry = (uint32_t)sp.load;
	expect_load(&sp);
	memset(ram, FILL, MEM);
	sp.load += 1;
	sp.entry += 1;
	make_img(&im, &sp);
	expect_fail(&im, "overlaps what shoji-hv places");
}
END_TEST

START_TEST(no_note_anywhere)
{
	struct img im;

	make_img(&im, &(struct spec){.machine = EM_386, .load = 0, .entry = 0});
	expect_fail(&im, "no PVH entry point");
	expect_fail(&im, "no PT_NOTE segment");
	make_img(&im,
	         &(struct spec){.is64 = true, .machine = EM_X86_64, .load = LOAD, .entry = LOAD});
	((Elf64_Ehdr *)im.b)->e_shnum = 0; /* and no section headers */
	expect_fail(&im, "no PVH entry point");
	make_img(&im, &(struct spec){.machine = EM_386, .load = 0, .sht_note = true, .entry = 0});
	im.b[NOTE_OFF + 12] = 'N'; /* a note, but not Xen's */
	expect_fail(&im, "no PVH entry point");
}
END_TEST

/* As Xen's libelf: sections are read only when the PT_NOTEs hold no Xen note at all. */
START_TEST(sections_only_without_xen_pt_notes)
{
	struct img im;
	Elf32_Phdr ph;

	make_img(
	    &im,
	    &(struct spec){
	        .machine = EM_386, .load = LOAD, .pt_note = true, .sht_note = true, .entry = LOAD});
	/* The PT_NOTE now covers a second copy of the note, of another Xen type. */
	memcpy(im.b + NOTE_OFF + 64, im.b + NOTE_OFF, 20);
	im.b[NOTE_OFF + 64 + 8] = XEN_ELFNOTE_GUEST_OS;
	memcpy(&ph, im.b + PH_OFF + sizeof(ph), sizeof(ph));
	ph.p_offset = NOTE_OFF + 64;
	memcpy(im.b + PH_OFF + sizeof(ph), &ph, sizeof(ph));
	expect_fail(&im, "in the image's Xen notes");
	/* A PT_NOTE with only a foreign note: the section's Xen note is used. */
	im.b[NOTE_OFF + 64 + 12] = 'G';
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, NULL, 0, NULL, 1, &(struct pvh_boot){0},
	                          (char[64]){0}, 64),
	                 0);
}
END_TEST

START_TEST(bad_section_headers)
{
	struct img im;
	const struct spec sp = {.machine = EM_386, .load = LOAD, .sht_note = true, .entry = LOAD};
	Elf32_Shdr sh;

	make_img(&im, &sp);
	im.len = SH_OFF + 50; /* cut inside the section headers */
	expect_fail(&im, "section headers end beyond the file");
	make_img(&im, &sp);
	((Elf32_Ehdr *)im.b)->e_shentsize = 12;
	expect_fail(&im, "bad section header size");
	make_img(&im, &sp);
	((Elf32_Ehdr *)im.b)->e_shoff = 0xfffffff0u;
	expect_fail(&im, "section headers end beyond the file");
	make_img(&im, &sp);
	memcpy(&sh, im.b + SH_OFF + 2 * sizeof(sh), sizeof(sh));
	sh.sh_size = 0xfffffff0u;
	memcpy(im.b + SH_OFF + 2 * sizeof(sh), &sh, sizeof(sh));
	expect_fail(&im, "section 2 ends beyond the file");
	/* A note section whose notes run past its end: no entry, no read past it. */
	make_img(&im, &sp);
	memcpy(im.b + NOTE_OFF + 4, (uint32_t[]){0x7ffffff0u}, 4);
	expect_fail(&im, "no PVH entry point");
}
END_TEST

START_TEST(acpi_vcpus)
{
	struct img im;
	struct pvh_boot boot;
	char err[256] = "";
	uint64_t xsdt, madt;
	uint32_t len;

	make64(&im);
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, NULL, 0, NULL, 0, &boot, err, sizeof(err)),
	                 -1);
	ck_assert_ptr_nonnull(strstr(err, "ACPI"));
	ck_assert_uint_eq(ram[LOADER_START_INFO(MEM)], FILL);
	ck_assert_int_eq(pvh_load(&mem, im.b, im.len, NULL, 0, NULL, 4, &boot, err, sizeof(err)),
	                 0);
	memcpy(&xsdt, ram + boot.rsdp + 24, 8);
	memcpy(&madt, ram + xsdt + ACPI_HEADER_LEN + 8, 8);
	ck_assert_int_eq(memcmp(ram + madt, "APIC", 4), 0);
	memcpy(&len, ram + madt + 4, 4);
	ck_assert_uint_eq(len, ACPI_MADT_LEN(4));
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
	tcase_add_test(tc, elf32_i386_pt_note);
	tcase_add_test(tc, elf32_i386_at_zero_sht_note_only);
	tcase_add_test(tc, elf64_sht_note_only);
	tcase_add_test(tc, below_1mib);
	tcase_add_test(tc, up_to_placements);
	tcase_add_test(tc, no_note_anywhere);
	tcase_add_test(tc, sections_only_without_xen_pt_notes);
	tcase_add_test(tc, bad_section_headers);
	tcase_add_test(tc, acpi_vcpus);
	tcase_add_test(tc, read_fd);
	suite_add_tcase(s, tc);
	return check_run(s);
}
