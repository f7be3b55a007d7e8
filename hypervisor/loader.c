/* The PVH ELF loader (see loader.h). */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shoji/elfnote.h>
#include <shoji/start_info.h>

#include "acpi.h"
#include "loader.h"

/* A section header, class-independent (only what note lookup needs). */
struct shdr {
	uint32_t type;
	uint64_t offset;
	uint64_t size;
};

int loader_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The ELF header fields the loader uses, class-independent. */
struct ehdr {
	bool is64;
	uint16_t machine;
	uint64_t phoff, phentsize, phnum;
	uint64_t shoff, shentsize, shnum;
};

static int read_ehdr(const uint8_t *img, size_t len, struct ehdr *h, char *err, size_t errlen)
{
	if (len < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) != 0)
		return loader_errf(err, errlen, "not an ELF file");
	if (img[EI_CLASS] != ELFCLASS64 && img[EI_CLASS] != ELFCLASS32)
		return loader_errf(err, errlen, "unknown ELF class %u", img[EI_CLASS]);
	if (img[EI_DATA] != ELFDATA2LSB)
		return loader_errf(err, errlen, "not a little-endian ELF file");
	h->is64 = img[EI_CLASS] == ELFCLASS64;
	if (h->is64) {
		Elf64_Ehdr eh;

		if (len < sizeof(eh))
			return loader_errf(err, errlen, "truncated ELF header");
		memcpy(&eh, img, sizeof(eh));
		*h = (struct ehdr){true,       eh.e_machine, eh.e_phoff,     eh.e_phentsize,
		                   eh.e_phnum, eh.e_shoff,   eh.e_shentsize, eh.e_shnum};
	} else {
		Elf32_Ehdr eh;

		if (len < sizeof(eh))
			return loader_errf(err, errlen, "truncated ELF header");
		memcpy(&eh, img, sizeof(eh));
		*h = (struct ehdr){false,      eh.e_machine, eh.e_phoff,     eh.e_phentsize,
		                   eh.e_phnum, eh.e_shoff,   eh.e_shentsize, eh.e_shnum};
	}
	/* x86-64 code in either class; 32-bit x86 only in a 32-bit file. */
	if (h->machine != EM_X86_64 && !(h->machine == EM_386 && !h->is64))
		return loader_errf(
		    err, errlen,
		    "wrong machine type %u in the ELF header (need x86-64, %u, or in a "
		    "32-bit image i386, %u)",
		    h->machine, EM_X86_64, EM_386);
	return 0;
}

int loader_segments(const uint8_t *img, size_t len, struct loader_seg *segs, unsigned int *nsegs,
                    char *err, size_t errlen)
{
	struct ehdr h;
	uint64_t need, i;
	unsigned int n = 0;

	if (read_ehdr(img, len, &h, err, errlen) < 0)
		return -1;
	need = h.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (h.phnum == 0)
		return loader_errf(err, errlen, "no program headers");
	if (h.phentsize != need)
		return loader_errf(err, errlen, "bad program header size %llu",
		                   (unsigned long long)h.phentsize);
	if (h.phoff > len || h.phnum * h.phentsize > len - h.phoff)
		return loader_errf(err, errlen, "truncated: program headers end beyond the file");

	for (i = 0; i < h.phnum; i++) {
		const uint8_t *p = img + h.phoff + i * h.phentsize;
		struct loader_seg s;

		if (h.is64) {
			Elf64_Phdr ph;

			memcpy(&ph, p, sizeof(ph));
			s = (struct loader_seg){ph.p_type,  ph.p_flags,  ph.p_offset, ph.p_vaddr,
			                        ph.p_paddr, ph.p_filesz, ph.p_memsz};
		} else {
			Elf32_Phdr ph;

			memcpy(&ph, p, sizeof(ph));
			s = (struct loader_seg){ph.p_type,  ph.p_flags,  ph.p_offset, ph.p_vaddr,
			                        ph.p_paddr, ph.p_filesz, ph.p_memsz};
		}
		if (s.type != PT_LOAD && s.type != PT_NOTE)
			continue;
		if (n == LOADER_MAX_SEGMENTS)
			return loader_errf(err, errlen, "too many segments (more than %d)",
			                   LOADER_MAX_SEGMENTS);
		if (s.offset > len || s.filesz > len - s.offset)
			return loader_errf(err, errlen,
			                   "truncated: segment %llu ends beyond the file",
			                   (unsigned long long)i);
		segs[n++] = s;
	}
	*nsegs = n;
	return 0;
}

/* Outcome of a note search. */
enum note_find {
	NOTE_NONE,  /* no "Xen" note at all */
	NOTE_XEN,   /* "Xen" notes, but no usable PHYS32_ENTRY */
	NOTE_FOUND, /* *entry set */
};

/* Look for XEN_ELFNOTE_PHYS32_ENTRY in the notes of [p, p + size); update *state. */
static void scan_notes(const uint8_t *p, uint64_t size, uint32_t *entry, enum note_find *state)
{
	while (*state != NOTE_FOUND && size >= 12) {
		uint32_t namesz, descsz, type;
		uint64_t nlen, dlen;

		memcpy(&namesz, p, 4);
		memcpy(&descsz, p + 4, 4);
		memcpy(&type, p + 8, 4);
		nlen = ((uint64_t)namesz + 3) & ~3ULL;
		dlen = ((uint64_t)descsz + 3) & ~3ULL;
		if (nlen + dlen > size - 12)
			break;
		if (namesz == 4 && memcmp(p + 12, "Xen", 4) == 0) {
			uint64_t e = 0;

			*state = NOTE_XEN;
			if (type == XEN_ELFNOTE_PHYS32_ENTRY && (descsz == 4 || descsz == 8)) {
				memcpy(&e, p + 12 + nlen, descsz);
				if (e <= UINT32_MAX) {
					*entry = (uint32_t)e;
					*state = NOTE_FOUND;
				}
			}
		}
		p += 12 + nlen + dlen;
		size -= 12 + nlen + dlen;
	}
}

/* The SHT_NOTE sections, when the program headers had no "Xen" note. */
static int scan_note_sections(const uint8_t *img, size_t len, uint32_t *entry,
                              enum note_find *state, char *err, size_t errlen)
{
	struct ehdr h;
	uint64_t need, i;

	if (read_ehdr(img, len, &h, err, errlen) < 0)
		return -1;
	if (h.shoff == 0 || h.shnum == 0)
		return 0; /* no section headers */
	need = h.is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (h.shentsize != need)
		return loader_errf(err, errlen, "bad section header size %llu",
		                   (unsigned long long)h.shentsize);
	if (h.shoff > len || h.shnum * h.shentsize > len - h.shoff)
		return loader_errf(err, errlen, "truncated: section headers end beyond the file");
	for (i = 0; i < h.shnum && *state != NOTE_FOUND; i++) {
		const uint8_t *p = img + h.shoff + i * h.shentsize;
		struct shdr s;

		if (h.is64) {
			Elf64_Shdr sh;

			memcpy(&sh, p, sizeof(sh));
			s = (struct shdr){sh.sh_type, sh.sh_offset, sh.sh_size};
		} else {
			Elf32_Shdr sh;

			memcpy(&sh, p, sizeof(sh));
			s = (struct shdr){sh.sh_type, sh.sh_offset, sh.sh_size};
		}
		if (s.type != SHT_NOTE)
			continue;
		if (s.offset > len || s.size > len - s.offset)
			return loader_errf(err, errlen,
			                   "truncated: section %llu ends beyond the file",
			                   (unsigned long long)i);
		scan_notes(img + s.offset, s.size, entry, state);
	}
	return 0;
}

/* The PVH entry: PT_NOTE program headers first, note sections if those hold no Xen note. */
static int find_pvh_entry(const uint8_t *img, size_t len, const struct loader_seg *segs,
                          unsigned int n, uint32_t *entry, char *err, size_t errlen)
{
	enum note_find state = NOTE_NONE;
	bool have_pt_note = false;
	unsigned int i;

	for (i = 0; i < n && state != NOTE_FOUND; i++) {
		if (segs[i].type != PT_NOTE)
			continue;
		have_pt_note = true;
		scan_notes(img + segs[i].offset, segs[i].filesz, entry, &state);
	}
	if (state == NOTE_NONE && scan_note_sections(img, len, entry, &state, err, errlen) < 0)
		return -1;
	if (state == NOTE_FOUND)
		return 0;
	return loader_errf(err, errlen,
	                   "no PVH entry point (ELF note XEN_ELFNOTE_PHYS32_ENTRY) in %s",
	                   state == NOTE_XEN ? "the image's Xen notes"
	                   : have_pt_note    ? "its PT_NOTE segments or note sections"
	                                     : "its note sections (and it has no PT_NOTE segment)");
}

unsigned int loader_memmap(uint64_t size, struct hvm_memmap_table_entry map[LOADER_MEMMAP_NR])
{
	memset(map, 0, LOADER_MEMMAP_NR * sizeof(map[0]));
	map[0].addr = 0;
	map[0].size = LOADER_RAM_END(size);
	map[0].type = XEN_HVM_MEMMAP_TYPE_RAM;
	map[1].addr = LOADER_ACPI_BASE(size);
	map[1].size = LOADER_ACPI_SIZE;
	map[1].type = XEN_HVM_MEMMAP_TYPE_ACPI;
	map[2].addr = LOADER_SPECIAL_BASE(size);
	map[2].size = size - LOADER_SPECIAL_BASE(size);
	map[2].type = XEN_HVM_MEMMAP_TYPE_RESERVED;
	return LOADER_MEMMAP_NR;
}

int pvh_load(const struct guestmem *m, const uint8_t *img, size_t len, const uint8_t *initrd,
             size_t initrd_len, const char *cmdline, unsigned int nr_vcpus, struct pvh_boot *out,
             char *err, size_t errlen)
{
	struct loader_seg segs[LOADER_MAX_SEGMENTS];
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry mm[LOADER_MEMMAP_NR];
	uint8_t acpi[LOADER_ACPI_SIZE];
	uint64_t info = LOADER_INFO_BASE(m->size), acpi_gpa = LOADER_ACPI_BASE(m->size);
	uint64_t total = 0, end = 0, initrd_gpa = 0, below;
	unsigned int n = 0, i, j, nload = 0, nmm;
	size_t cmdlen = cmdline ? strlen(cmdline) : 0;
	bool entry_in_image = false;
	uint32_t entry;

	if (m->size < LOADER_TOP_SIZE + LOADER_PAGE || (m->size & (LOADER_PAGE - 1)))
		return loader_errf(err, errlen,
		                   "guest memory (%llu bytes) too small or not page aligned",
		                   (unsigned long long)m->size);
	if (loader_segments(img, len, segs, &n, err, errlen) < 0)
		return -1;

	for (i = 0; i < n; i++) {
		const struct loader_seg *s = &segs[i];

		if (s->type != PT_LOAD || s->memsz == 0)
			continue;
		nload++;
		if (s->filesz > s->memsz)
			return loader_errf(err, errlen, "segment %u: file size exceeds memory size",
			                   i);
		if (s->paddr + s->memsz < s->paddr)
			return loader_errf(err, errlen, "segment %u: address range wraps", i);
		total += s->memsz;
		if (s->paddr + s->memsz > end)
			end = s->paddr + s->memsz;
	}
	if (nload == 0)
		return loader_errf(err, errlen, "no loadable segments");
	if (total > m->size)
		return loader_errf(
		    err, errlen, "image needs %llu KiB but the domain has only %llu KiB",
		    (unsigned long long)(total >> 10), (unsigned long long)(m->size >> 10));
	for (i = 0; i < n; i++) {
		const struct loader_seg *s = &segs[i];

		if (s->type != PT_LOAD || s->memsz == 0)
			continue;
		if (s->paddr + s->memsz > m->size)
			return loader_errf(
			    err, errlen,
			    "segment %u [0x%llx, 0x%llx) is outside guest RAM (%llu MiB)", i,
			    (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz),
			    (unsigned long long)(m->size >> 20));
		if (s->paddr + s->memsz > info)
			return loader_errf(
			    err, errlen,
			    "segment %u [0x%llx, 0x%llx) overlaps what shoji-hv places at "
			    "[0x%" PRIx64 ", 0x%" PRIx64
			    ") (boot information, ACPI tables, special pages)",
			    i, (unsigned long long)s->paddr,
			    (unsigned long long)(s->paddr + s->memsz), info, m->size);
		for (j = 0; j < i; j++) {
			const struct loader_seg *o = &segs[j];

			if (o->type != PT_LOAD || o->memsz == 0)
				continue;
			if (s->paddr < o->paddr + o->memsz && o->paddr < s->paddr + s->memsz)
				return loader_errf(err, errlen, "segments %u and %u overlap", j, i);
		}
	}
	if (find_pvh_entry(img, len, segs, n, &entry, err, errlen) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (segs[i].type == PT_LOAD && entry >= segs[i].paddr &&
		    entry < segs[i].paddr + segs[i].memsz)
			entry_in_image = true;
	if (!entry_in_image)
		return loader_errf(err, errlen,
		                   "PVH entry point 0x%x is outside the loaded segments", entry);
	if (cmdlen >= LOADER_CMDLINE_MAX)
		return loader_errf(err, errlen, "command line too long (%zu bytes, at most %u)",
		                   cmdlen, LOADER_CMDLINE_MAX - 1);
	if (initrd) {
		below = info;
		if (initrd_len > below || ((below - initrd_len) & ~(GM_PAGE_SIZE - 1)) < end)
			return loader_errf(
			    err, errlen,
			    "initrd (%zu bytes) does not fit in guest RAM above the kernel",
			    initrd_len);
		initrd_gpa = (below - initrd_len) & ~(GM_PAGE_SIZE - 1);
	}
	if (acpi_build(acpi, sizeof(acpi), acpi_gpa, nr_vcpus) == 0)
		return loader_errf(err, errlen, "cannot describe %u vCPUs in the ACPI tables",
		                   nr_vcpus);

	/* Everything checked: now write guest memory. */
	memset(gm_gpa(m, info, m->size - info), 0, m->size - info);
	for (i = 0; i < n; i++) {
		const struct loader_seg *s = &segs[i];
		uint8_t *dst;

		if (s->type != PT_LOAD || s->memsz == 0)
			continue;
		dst = gm_gpa(m, s->paddr, s->memsz);
		memcpy(dst, img + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	memset(&si, 0, sizeof(si));
	si.magic = XEN_HVM_START_MAGIC_VALUE;
	si.version = 1;
	if (cmdline) {
		memcpy(gm_gpa(m, LOADER_CMDLINE(m->size), cmdlen + 1), cmdline, cmdlen + 1);
		si.cmdline_paddr = LOADER_CMDLINE(m->size);
	}
	if (initrd) {
		memcpy(gm_gpa(m, initrd_gpa, initrd_len), initrd, initrd_len);
		memset(&mod, 0, sizeof(mod));
		mod.paddr = initrd_gpa;
		mod.size = initrd_len;
		memcpy(gm_gpa(m, LOADER_MODLIST(m->size), sizeof(mod)), &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = LOADER_MODLIST(m->size);
	}
	nmm = loader_memmap(m->size, mm);
	memcpy(gm_gpa(m, LOADER_MEMMAP(m->size), sizeof(mm)), mm, sizeof(mm));
	si.memmap_paddr = LOADER_MEMMAP(m->size);
	si.memmap_entries = nmm;
	memcpy(gm_gpa(m, acpi_gpa, sizeof(acpi)), acpi, sizeof(acpi));
	si.rsdp_paddr = acpi_gpa; /* the RSDP is the first table */
	memcpy(gm_gpa(m, LOADER_START_INFO(m->size), sizeof(si)), &si, sizeof(si));

	out->entry = entry;
	out->start_info = (uint32_t)LOADER_START_INFO(m->size);
	out->image_end = end;
	out->rsdp = acpi_gpa;
	return 0;
}

int loader_read_fd(int fd, const char *name, size_t max, uint8_t **buf, size_t *len, char *err,
                   size_t errlen)
{
	uint8_t *data = NULL;
	struct stat st;
	size_t done = 0;

	if (fstat(fd, &st) < 0)
		return loader_errf(err, errlen, "cannot stat %s: %s", name, strerror(errno));
	/* A FIFO, socket or device could block or never end: regular files only. */
	if (!S_ISREG(st.st_mode))
		return loader_errf(err, errlen, "%s: not a regular file", name);
	if ((uint64_t)st.st_size > max)
		return loader_errf(err, errlen, "%s: file (%llu bytes) is larger than guest memory",
		                   name, (unsigned long long)st.st_size);
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data)
		return loader_errf(err, errlen, "%s: out of memory", name);
	/* pread from 0: the descriptor's offset (shared with whoever passed it) is not used. */
	while (done < (size_t)st.st_size) {
		ssize_t k = pread(fd, data + done, (size_t)st.st_size - done, (off_t)done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			loader_errf(err, errlen, "cannot read %s: %s", name,
			            k < 0 ? strerror(errno) : "unexpected end of file");
			free(data);
			return -1;
		}
		done += (size_t)k;
	}
	*buf = data;
	*len = done;
	return 0;
}

int loader_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, char *err,
                     size_t errlen)
{
	int fd, r;

	/* O_NONBLOCK: a FIFO without a writer must be refused below, not waited on. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return loader_errf(err, errlen, "cannot open %s: %s", path, strerror(errno));
	r = loader_read_fd(fd, path, max, buf, len, err, errlen);
	close(fd);
	return r;
}
