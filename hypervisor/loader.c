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

#include "loader.h"

#define MAX_SEGMENTS 64

/* One PT_LOAD or PT_NOTE, class-independent. */
struct seg {
	uint32_t type;
	uint64_t offset;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Read the program headers into @segs (PT_LOAD and PT_NOTE only). */
static int read_phdrs(const uint8_t *img, size_t len, struct seg *segs, unsigned int *nsegs,
                      char *err, size_t errlen)
{
	bool is64 = img[EI_CLASS] == ELFCLASS64;
	uint64_t phoff, phentsize, phnum, need, i;
	uint16_t machine;
	unsigned int n = 0;

	if (is64) {
		Elf64_Ehdr eh;

		if (len < sizeof(eh))
			return fail(err, errlen, "truncated ELF header");
		memcpy(&eh, img, sizeof(eh));
		machine = eh.e_machine;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		need = sizeof(Elf64_Phdr);
	} else {
		Elf32_Ehdr eh;

		if (len < sizeof(eh))
			return fail(err, errlen, "truncated ELF header");
		memcpy(&eh, img, sizeof(eh));
		machine = eh.e_machine;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		need = sizeof(Elf32_Phdr);
	}
	if (machine != EM_X86_64)
		return fail(err, errlen,
		            "wrong machine type %u in the ELF header (need x86-64, %u)", machine,
		            EM_X86_64);
	if (phnum == 0)
		return fail(err, errlen, "no program headers");
	if (phentsize != need)
		return fail(err, errlen, "bad program header size %llu",
		            (unsigned long long)phentsize);
	if (phoff > len || phnum * phentsize > len - phoff)
		return fail(err, errlen, "truncated: program headers end beyond the file");

	for (i = 0; i < phnum; i++) {
		const uint8_t *p = img + phoff + i * phentsize;
		struct seg s;

		if (is64) {
			Elf64_Phdr ph;

			memcpy(&ph, p, sizeof(ph));
			s = (struct seg){ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz,
			                 ph.p_memsz};
		} else {
			Elf32_Phdr ph;

			memcpy(&ph, p, sizeof(ph));
			s = (struct seg){ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz,
			                 ph.p_memsz};
		}
		if (s.type != PT_LOAD && s.type != PT_NOTE)
			continue;
		if (n == MAX_SEGMENTS)
			return fail(err, errlen, "too many segments (more than %d)", MAX_SEGMENTS);
		if (s.offset > len || s.filesz > len - s.offset)
			return fail(err, errlen, "truncated: segment %llu ends beyond the file",
			            (unsigned long long)i);
		segs[n++] = s;
	}
	*nsegs = n;
	return 0;
}

/* Find XEN_ELFNOTE_PHYS32_ENTRY in the PT_NOTE segments. */
static int find_pvh_entry(const uint8_t *img, const struct seg *segs, unsigned int n,
                          uint32_t *entry)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const uint8_t *p = img + segs[i].offset;
		uint64_t left = segs[i].filesz;

		if (segs[i].type != PT_NOTE)
			continue;
		while (left >= 12) {
			uint32_t namesz, descsz, type;
			uint64_t nlen, dlen;

			memcpy(&namesz, p, 4);
			memcpy(&descsz, p + 4, 4);
			memcpy(&type, p + 8, 4);
			nlen = ((uint64_t)namesz + 3) & ~3ULL;
			dlen = ((uint64_t)descsz + 3) & ~3ULL;
			if (nlen + dlen > left - 12)
				break;
			if (namesz == 4 && memcmp(p + 12, "Xen", 4) == 0 &&
			    type == XEN_ELFNOTE_PHYS32_ENTRY && (descsz == 4 || descsz == 8)) {
				uint64_t e = 0;

				memcpy(&e, p + 12 + nlen, descsz);
				if (e > UINT32_MAX)
					return -1;
				*entry = (uint32_t)e;
				return 0;
			}
			p += 12 + nlen + dlen;
			left -= 12 + nlen + dlen;
		}
	}
	return -1;
}

int pvh_load(const struct guestmem *m, const uint8_t *img, size_t len, const uint8_t *initrd,
             size_t initrd_len, const char *cmdline, struct pvh_boot *out, char *err, size_t errlen)
{
	struct seg segs[MAX_SEGMENTS];
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry mm[2];
	uint64_t ram_end = LOADER_RAM_END(m->size);
	uint64_t total = 0, end = 0, initrd_gpa = 0;
	unsigned int n = 0, i, j, nload = 0;
	size_t cmdlen = cmdline ? strlen(cmdline) : 0;
	bool entry_in_image = false;
	uint32_t entry;

	if (len < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file");
	if (img[EI_CLASS] != ELFCLASS64 && img[EI_CLASS] != ELFCLASS32)
		return fail(err, errlen, "unknown ELF class %u", img[EI_CLASS]);
	if (img[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "not a little-endian ELF file");
	if (read_phdrs(img, len, segs, &n, err, errlen) < 0)
		return -1;

	for (i = 0; i < n; i++) {
		const struct seg *s = &segs[i];

		if (s->type != PT_LOAD || s->memsz == 0)
			continue;
		nload++;
		if (s->filesz > s->memsz)
			return fail(err, errlen, "segment %u: file size exceeds memory size", i);
		if (s->paddr + s->memsz < s->paddr)
			return fail(err, errlen, "segment %u: address range wraps", i);
		total += s->memsz;
		if (s->paddr + s->memsz > end)
			end = s->paddr + s->memsz;
	}
	if (nload == 0)
		return fail(err, errlen, "no loadable segments");
	if (total > m->size)
		return fail(err, errlen, "image needs %llu KiB but the domain has only %llu KiB",
		            (unsigned long long)(total >> 10), (unsigned long long)(m->size >> 10));
	for (i = 0; i < n; i++) {
		const struct seg *s = &segs[i];

		if (s->type != PT_LOAD || s->memsz == 0)
			continue;
		if (s->paddr < LOADER_MIN_PADDR)
			return fail(err, errlen, "segment %u at 0x%llx is below 1 MiB", i,
			            (unsigned long long)s->paddr);
		if (s->paddr + s->memsz > m->size)
			return fail(err, errlen,
			            "segment %u [0x%llx, 0x%llx) is outside guest RAM (%llu MiB)",
			            i, (unsigned long long)s->paddr,
			            (unsigned long long)(s->paddr + s->memsz),
			            (unsigned long long)(m->size >> 20));
		for (j = 0; j < i; j++) {
			const struct seg *o = &segs[j];

			if (o->type != PT_LOAD || o->memsz == 0)
				continue;
			if (s->paddr < o->paddr + o->memsz && o->paddr < s->paddr + s->memsz)
				return fail(err, errlen, "segments %u and %u overlap", j, i);
		}
	}
	if (find_pvh_entry(img, segs, n, &entry) < 0)
		return fail(err, errlen, "no PVH entry point (ELF note XEN_ELFNOTE_PHYS32_ENTRY)");
	for (i = 0; i < n; i++)
		if (segs[i].type == PT_LOAD && entry >= segs[i].paddr &&
		    entry < segs[i].paddr + segs[i].memsz)
			entry_in_image = true;
	if (!entry_in_image)
		return fail(err, errlen, "PVH entry point 0x%x is outside the loaded segments",
		            entry);
	if (cmdlen >= LOADER_CMDLINE_MAX)
		return fail(err, errlen, "command line too long (%zu bytes, at most %u)", cmdlen,
		            LOADER_CMDLINE_MAX - 1);
	if (end > ram_end)
		return fail(err, errlen,
		            "image (up to 0x%" PRIx64 ") overlaps the special pages at 0x%" PRIx64,
		            end, ram_end);
	if (initrd) {
		if (initrd_len > ram_end || ((ram_end - initrd_len) & ~(GM_PAGE_SIZE - 1)) < end)
			return fail(err, errlen,
			            "initrd (%zu bytes) does not fit in guest RAM above the kernel",
			            initrd_len);
		initrd_gpa = (ram_end - initrd_len) & ~(GM_PAGE_SIZE - 1);
	}

	/* Everything checked: now write guest memory. */
	memset(gm_gpa(m, LOADER_START_INFO, 0x2000), 0, 0x2000);
	for (i = 0; i < n; i++) {
		const struct seg *s = &segs[i];
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
		memcpy(gm_gpa(m, LOADER_CMDLINE, cmdlen + 1), cmdline, cmdlen + 1);
		si.cmdline_paddr = LOADER_CMDLINE;
	}
	if (initrd) {
		memcpy(gm_gpa(m, initrd_gpa, initrd_len), initrd, initrd_len);
		memset(&mod, 0, sizeof(mod));
		mod.paddr = initrd_gpa;
		mod.size = initrd_len;
		memcpy(gm_gpa(m, LOADER_MODLIST, sizeof(mod)), &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = LOADER_MODLIST;
	}
	memset(gm_gpa(m, ram_end, m->size - ram_end), 0, m->size - ram_end);
	memset(mm, 0, sizeof(mm));
	mm[0].addr = 0;
	mm[0].size = ram_end;
	mm[0].type = XEN_HVM_MEMMAP_TYPE_RAM;
	mm[1].addr = ram_end;
	mm[1].size = m->size - ram_end;
	mm[1].type = XEN_HVM_MEMMAP_TYPE_RESERVED;
	memcpy(gm_gpa(m, LOADER_MEMMAP, sizeof(mm)), mm, sizeof(mm));
	si.memmap_paddr = LOADER_MEMMAP;
	si.memmap_entries = 2;
	memcpy(gm_gpa(m, LOADER_START_INFO, sizeof(si)), &si, sizeof(si));

	out->entry = entry;
	out->start_info = LOADER_START_INFO;
	out->image_end = end;
	return 0;
}

int loader_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, char *err,
                     size_t errlen)
{
	uint8_t *data = NULL;
	struct stat st;
	size_t done = 0;
	int fd, r = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		fail(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		fail(err, errlen, "%s: file (%llu bytes) is larger than guest memory", path,
		     (unsigned long long)st.st_size);
		goto out;
	}
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t k = read(fd, data + done, (size_t)st.st_size - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			fail(err, errlen, "cannot read %s: %s", path,
			     k < 0 ? strerror(errno) : "unexpected end of file");
			goto out;
		}
		done += (size_t)k;
	}
	*buf = data;
	*len = done;
	data = NULL;
	r = 0;
out:
	free(data);
	close(fd);
	return r;
}
