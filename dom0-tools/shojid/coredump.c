/*
 * Core files of a domain's memory (`shoji dump-core`, on_* coredump-destroy
 * and coredump-restart), in the ELF64 ET_CORE format readelf and gdb read:
 *
 *   ELF header | program headers | PT_NOTE data | pad to 4 KiB | RAM...
 *
 * One PT_NOTE holds an NT_PRSTATUS note (owner "CORE") per online vCPU
 * with its registers, as in a Linux process core (pr_pid = vCPU + 1), then
 * a "SHOJI" note describing the domain (struct core_note_domain); then one
 * PT_LOAD per RAM range, with p_paddr and p_vaddr the guest-physical
 * address.  Guest pages that read as zero are left as holes, so the file
 * is sparse.  Memory is read through
 * libshoji-gnttab's privileged foreign mapping, one bounded window at a
 * time.  The file appears atomically: it is written under a temporary name
 * in the target directory, synced and renamed; on any error the temporary
 * file is removed and nothing is left behind.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <time.h>
#include <unistd.h>

#include <shoji/libgnttab.h>
#include <shoji/xen.h>

#include "shojid.h"

#define PAGE        4096u
#define WINDOW      (16u << 20) /* bytes of guest memory read at a time */
#define NOTE_NAME   "SHOJI"
#define NOTE_DOMAIN 0x53484f4au /* n_type of struct core_note_domain ("SHOJ") */
#define VCPU_TRIES  500         /* 1 ms apart: a pause reaching every vCPU */

/* The "SHOJI" note: which domain the core holds (documented in shojid(8)). */
struct core_note_domain {
	uint32_t domid;
	uint32_t vcpus;
	uint32_t state;           /* enum shoji_domain_state at dump time */
	uint32_t shutdown_reason; /* SHUTDOWN_*, when shut down or crashed */
	uint64_t memory_bytes;    /* RAM, the sum of the PT_LOAD sizes */
	uint8_t uuid[16];
	char name[64];
};
_Static_assert(sizeof(struct core_note_domain) == 104, "core note layout");

/* One guest-physical RAM range: one PT_LOAD. */
struct ram_range {
	uint64_t gpa, len;
};

/* RAM is GPA [0, size): the kernel's memory plus the store and console
 * pages shoji-hv keeps at its top. */
#define MAX_RANGES 1

static size_t ram_ranges(const struct shoji_dominfo *hi, struct ram_range *r)
{
	r[0].gpa = 0;
	r[0].len = hi->max_kib * 1024;
	return 1;
}

_Static_assert(sizeof(struct elf_prstatus) == 336, "x86-64 elf_prstatus layout");
_Static_assert(sizeof(struct user_regs_struct) == sizeof(elf_gregset_t), "pr_reg layout");

/* A note: header, name padded to 4 bytes, descriptor (as in Linux cores). */
#define NOTE_PAD(n)           (((n) + 3) / 4 * 4)
#define NOTE_SIZE(name, desc) (sizeof(Elf64_Nhdr) + NOTE_PAD(sizeof(name)) + NOTE_PAD(desc))

/* What goes into a core besides the memory. */
struct core_layout {
	struct ram_range ram[MAX_RANGES];
	size_t n_ram;
	struct elf_prstatus prs[XEN_LEGACY_MAX_VCPUS]; /* one per online vCPU with registers */
	size_t n_prs;
};

static int pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;

	for (size_t i = 0; i < PAGE / sizeof(*w); i++)
		if (w[i])
			return false;
	return true;
}

/*
 * Copy RAM range r of domid to fd at off through buf (WINDOW bytes), skipping
 * zero pages; pages the guest never backed stay unbacked.  0 or -1 + errno.
 */
static int write_range(struct shoji_gnttab *g, uint32_t domid, const struct ram_range *r, int fd,
                       off_t off, uint8_t *buf)
{
	for (uint64_t done = 0; done < r->len;) {
		size_t len = r->len - done > WINDOW ? WINDOW : (size_t)(r->len - done);
		size_t run = 0; /* start of the pending run of non-zero pages */
		int rc = shoji_foreign_read(g, domid, (r->gpa + done) / PAGE, buf, len / PAGE);

		for (size_t p = 0; p <= len && !rc; p += PAGE) {
			if (p < len && !page_is_zero(buf + p))
				continue;
			if (p > run)
				rc = pwrite_full(fd, buf + run, p - run, off + (off_t)(done + run));
			run = p + PAGE;
		}
		if (rc)
			return -1;
		done += len;
	}
	return 0;
}

/* One vCPU's registers as a Linux NT_PRSTATUS descriptor. */
static void fill_prstatus(struct elf_prstatus *pr, const struct shoji_vcpu_context *v)
{
	struct user_regs_struct u = {
	    .r15 = v->r15,
	    .r14 = v->r14,
	    .r13 = v->r13,
	    .r12 = v->r12,
	    .rbp = v->rbp,
	    .rbx = v->rbx,
	    .r11 = v->r11,
	    .r10 = v->r10,
	    .r9 = v->r9,
	    .r8 = v->r8,
	    .rax = v->rax,
	    .rcx = v->rcx,
	    .rdx = v->rdx,
	    .rsi = v->rsi,
	    .rdi = v->rdi,
	    .orig_rax = ~0ULL, /* not in a system call */
	    .rip = v->rip,
	    .cs = v->cs,
	    .eflags = v->rflags,
	    .rsp = v->rsp,
	    .ss = v->ss,
	    .fs_base = v->fs_base,
	    .gs_base = v->gs_base,
	    .ds = v->ds,
	    .es = v->es,
	    .fs = v->fs,
	    .gs = v->gs,
	};

	memset(pr, 0, sizeof(*pr));
	pr->pr_pid = (pid_t)v->vcpu + 1;
	memcpy(&pr->pr_reg, &u, sizeof(u));
}

/*
 * The registers of hi's online vCPUs into l->prs (the domain is paused or
 * stopped).  A vCPU whose registers cannot be read is left out with a
 * warning: the memory matters more.
 */
static void collect_vcpus(struct shojid *sd, const struct shoji_dominfo *hi, struct core_layout *l)
{
	const size_t max = sizeof(l->prs) / sizeof(l->prs[0]);

	for (uint32_t i = 0; i < hi->vcpus && l->n_prs < max; i++) {
		struct shoji_vcpu_context v;
		int rc, tries = 0;

		while ((rc = shoji_ctrl_vcpu_context(sd->hv, hi->domid, i, &v)) < 0 &&
		       errno == EBUSY && ++tries < VCPU_TRIES)
			usleep(1000);
		if (rc < 0) {
			log_warnx("core of domain %" PRIu32 ": no registers of vCPU %" PRIu32
			          ": %s",
			          hi->domid, i, strerror(errno));
			continue;
		}
		if (v.online)
			fill_prstatus(&l->prs[l->n_prs++], &v);
	}
}

/* Write one note at buf; returns its size. */
static size_t put_note(uint8_t *buf, const char *name, uint32_t type, const void *desc, size_t len)
{
	Elf64_Nhdr nh = {
	    .n_namesz = (Elf64_Word)strlen(name) + 1, .n_descsz = (Elf64_Word)len, .n_type = type};
	size_t at = sizeof(nh);

	memcpy(buf, &nh, sizeof(nh));
	memcpy(buf + at, name, nh.n_namesz);
	at += NOTE_PAD(nh.n_namesz);
	memcpy(buf + at, desc, len);
	return at + NOTE_PAD(len);
}

/* Bytes of the headers and notes build_headers writes for l. */
static size_t headers_size(const struct core_layout *l)
{
	return sizeof(Elf64_Ehdr) + (l->n_ram + 1) * sizeof(Elf64_Phdr) +
	       l->n_prs * NOTE_SIZE("CORE", sizeof(struct elf_prstatus)) +
	       NOTE_SIZE(NOTE_NAME, sizeof(struct core_note_domain));
}

/* ELF header, program headers and notes for l into buf (headers_size(l)
 * zeroed bytes); returns where RAM data begins (page-aligned). */
static off_t build_headers(const struct shoji_dominfo *hi, const struct core_layout *l,
                           uint8_t *buf)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(buf + sizeof(*eh));
	const struct ram_range *r = l->ram;
	size_t n = l->n_ram, note_off = sizeof(*eh) + (n + 1) * sizeof(*ph), at = note_off;
	size_t total = headers_size(l);
	struct core_note_domain desc = {0};
	off_t first = (off_t)((total + PAGE - 1) / PAGE * PAGE), data = first;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = (Elf64_Half)(n + 1);

	ph[0] = (Elf64_Phdr){
	    .p_type = PT_NOTE, .p_offset = note_off, .p_filesz = total - note_off, .p_align = 4};
	for (size_t i = 0; i < n; i++) {
		ph[i + 1] = (Elf64_Phdr){.p_type = PT_LOAD,
		                         .p_flags = PF_R | PF_W | PF_X,
		                         .p_offset = (Elf64_Off)data,
		                         .p_vaddr = r[i].gpa,
		                         .p_paddr = r[i].gpa,
		                         .p_filesz = r[i].len,
		                         .p_memsz = r[i].len,
		                         .p_align = PAGE};
		data += (off_t)r[i].len;
	}

	desc.domid = hi->domid;
	desc.vcpus = hi->vcpus;
	desc.state = hi->state;
	desc.shutdown_reason = hi->shutdown_reason;
	for (size_t i = 0; i < n; i++)
		desc.memory_bytes += r[i].len;
	memcpy(desc.uuid, hi->uuid, sizeof(desc.uuid));
	snprintf(desc.name, sizeof(desc.name), "%s", hi->name);
	for (size_t i = 0; i < l->n_prs; i++)
		at += put_note(buf + at, "CORE", NT_PRSTATUS, &l->prs[i], sizeof(l->prs[i]));
	put_note(buf + at, NOTE_NAME, NOTE_DOMAIN, &desc, sizeof(desc));
	return first;
}

/* Write the core of the domain described by hi to fd; 0 or an errno with e set. */
static int write_core(struct shojid *sd, const struct shoji_dominfo *hi, int fd, struct sd_err *e)
{
	struct core_layout *l = calloc(1, sizeof(*l));
	struct shoji_gnttab *g = NULL;
	uint8_t *hdr = NULL, *buf = malloc(WINDOW);
	off_t end;
	int rc = 0;

	if (!l || !buf) {
		rc = sd_fail(e, ENOMEM, "out of memory");
		goto out;
	}
	l->n_ram = ram_ranges(hi, l->ram);
	collect_vcpus(sd, hi, l);
	hdr = calloc(1, headers_size(l));
	if (!hdr) {
		rc = sd_fail(e, ENOMEM, "out of memory");
		goto out;
	}
	end = build_headers(hi, l, hdr);
	if (pwrite_full(fd, hdr, headers_size(l), 0) < 0) {
		rc = sd_fail(e, errno, "cannot write the core file: %s", strerror(errno));
		goto out;
	}
	g = shoji_gnttab_open(sd->hv_socket);
	if (!g) {
		rc = sd_fail(e, errno, "cannot map guest memory through shoji-hv at %s: %s",
		             sd->hv_socket, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < l->n_ram; i++) {
		if (write_range(g, hi->domid, &l->ram[i], fd, end, buf) < 0) {
			rc = sd_fail(e, errno, "cannot copy guest memory at 0x%" PRIx64 ": %s",
			             l->ram[i].gpa, strerror(errno));
			goto out;
		}
		end += (off_t)l->ram[i].len;
	}
	if (ftruncate(fd, end) < 0)
		rc = sd_fail(e, errno, "cannot size the core file: %s", strerror(errno));
	else if (fsync(fd) < 0)
		rc = sd_fail(e, errno, "cannot write the core file: %s", strerror(errno));
out:
	if (g)
		shoji_gnttab_close(g);
	free(buf);
	free(hdr);
	free(l);
	return rc;
}

/* shoji-hv's information on @domid into @hi.  0 or an errno (reported). */
static int domain_info(struct shojid *sd, uint32_t domid, struct shoji_dominfo *hi,
                       struct sd_err *e)
{
	if (shoji_ctrl_info(sd->hv, domid, hi) < 0)
		return sd_fail(e, errno, "shoji-hv: no information on domain %" PRIu32 ": %s",
		               domid, strerror(errno));
	return 0;
}

/*
 * Write the memory of the domain @hi describes (its state as the dump's
 * caller found it) to @path, atomically: a temporary name, then rename; with
 * @as's file-system identity when @as is not NULL.
 */
static int dump_to(struct shojid *sd, const struct shoji_dominfo *hi, const char *path,
                   const struct sd_cred *as, struct sd_err *e)
{
	struct sd_fs_id id = {0};
	char *tmp = NULL, *dir = NULL;
	bool created = false;
	int fd = -1, rc;

	dir = state_dir_of(path);
	if (!dir || asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		rc = sd_fail(e, ENOMEM, "out of memory");
		goto out;
	}
	rc = sd_fs_id_enter(&id, as);
	if (!rc) {
		fd = mkostemp(tmp, O_CLOEXEC);
		rc = fd < 0 ? errno : 0;
	}
	sd_fs_id_leave(&id);
	if (rc) {
		sd_fail(e, rc, "cannot create a core file in %s: %s", dir, strerror(rc));
		goto out;
	}
	created = true;
	rc = write_core(sd, hi, fd, e);
	if (rc)
		goto out;
	rc = close(fd) < 0 ? errno : 0;
	fd = -1;
	if (rc) {
		sd_fail(e, rc, "cannot write the core file: %s", strerror(rc));
		goto out;
	}
	rc = sd_fs_id_enter(&id, as);
	if (!rc && rename(tmp, path) < 0)
		rc = errno;
	sd_fs_id_leave(&id);
	if (rc) {
		sd_fail(e, rc, "cannot create %s: %s", path, strerror(rc));
		goto out;
	}
	created = false; /* it is the core file now */
	state_fsync_dir(dir);
out:
	if (fd >= 0)
		close(fd);
	if (created && sd_fs_id_enter(&id, as) == 0)
		unlink(tmp);
	sd_fs_id_leave(&id);
	free(tmp);
	free(dir);
	return rc;
}

int coredump_domain(struct shojid *sd, uint32_t domid, const char *path, const struct sd_cred *as,
                    struct sd_err *e)
{
	struct shoji_dominfo hi;
	bool paused = false;
	int rc = domain_info(sd, domid, &hi, e);

	if (rc)
		return rc;
	if (hi.state == SHOJI_DOMAIN_RUNNING || hi.state == SHOJI_DOMAIN_BLOCKED) {
		if (shoji_ctrl_pause(sd->hv, domid) < 0)
			return sd_fail(e, errno, "cannot pause domain %" PRIu32 " for the dump: %s",
			               domid, strerror(errno));
		paused = true;
	}
	rc = dump_to(sd, &hi, path, as, e); /* records the state before the pause */
	if (paused && shoji_ctrl_unpause(sd->hv, domid) < 0 && !rc)
		rc = sd_fail(e, errno, "dumped to %s, but cannot unpause domain %" PRIu32 ": %s",
		             path, domid, strerror(errno));
	return rc;
}

int coredump_action(struct shojid *sd, const struct sd_dom *dom, char *path, size_t len,
                    struct sd_err *e)
{
	time_t now = time(NULL);
	struct shoji_dominfo hi;
	struct tm tm;
	char stamp[32] = "0";
	int rc;

	if (mkdir(sd->dump_dir, 0700) < 0 && errno != EEXIST)
		return sd_fail(e, errno, "cannot create the dump directory %s: %s", sd->dump_dir,
		               strerror(errno));
	if (localtime_r(&now, &tm))
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if ((size_t)snprintf(path, len, "%s/%s-%" PRIu32 "-%s.core", sd->dump_dir, dom->name,
	                     dom->domid, stamp) >= len)
		return sd_fail(e, ENAMETOOLONG, "the dump directory's name is too long");
	rc = domain_info(sd, dom->domid, &hi, e);
	return rc ? rc : dump_to(sd, &hi, path, NULL, e);
}
