/*
 * The files a domain boots from.  A client names its kernel and initrd in
 * the XML and passes them open (SCM_RIGHTS with the request, as libvirt
 * passes descriptors): the CLI opens them with the user's own rights, so
 * shojid, which runs as root, never reads a file for a client that the
 * client could not read itself.  shojid checks that what it was given is
 * the regular file the XML names and hands the descriptors to shoji-hv.
 *
 * Without descriptors (root's raw requests, autostart, a restart for
 * on_reboot or after shoji-hv died) shojid opens the paths itself, with
 * the file-system identity of the domain's owner (the client that built
 * it, recorded with the domain; for an autostart, who turned it on): a
 * reboot reads the files anew, as Xen does, and still only with the
 * owner's rights.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shojid.h"

void boot_init(struct sd_boot *b)
{
	b->kernel_fd = -1;
	b->initrd_fd = -1;
	b->owner.uid = geteuid();
	b->owner.gid = getegid();
}

void boot_close(struct sd_boot *b)
{
	if (b->kernel_fd >= 0)
		close(b->kernel_fd);
	if (b->initrd_fd >= 0)
		close(b->initrd_fd);
	b->kernel_fd = b->initrd_fd = -1;
}

/* One file of cfg (what: "kernel", "initrd") against the descriptor passed for it. */
static int check_one(const char *what, const char *path, int fd, bool trusted, struct sd_err *e)
{
	struct stat fst, pst;

	if (fd < 0) {
		if (trusted)
			return 0;
		return sd_fail(e, EACCES,
		               "%s %s: pass the file's descriptor (shoji opens it as you)", what,
		               path);
	}
	if (fstat(fd, &fst) < 0)
		return sd_fail(e, errno, "%s %s: %s", what, path, strerror(errno));
	if (!S_ISREG(fst.st_mode))
		return sd_fail(e, EINVAL, "%s %s: not a regular file", what, path);
	if (stat(path, &pst) < 0 || pst.st_dev != fst.st_dev || pst.st_ino != fst.st_ino)
		return sd_fail(e, EINVAL, "%s %s: the descriptor passed is not this file", what,
		               path);
	return 0;
}

int boot_check(const struct domain_config *cfg, const struct sd_cred *as, const struct sd_boot *b,
               struct sd_err *e)
{
	/* Root and shojid's own user may leave the opening to shojid, but not half of it. */
	bool trusted = (as->uid == 0 || as->uid == geteuid()) && b->kernel_fd < 0;
	int rc = check_one("kernel", cfg->kernel, b->kernel_fd, trusted, e);

	if (!rc && cfg->initrd)
		rc = check_one("initrd", cfg->initrd, b->initrd_fd, trusted, e);
	return rc;
}

/* Open path (what: "kernel", "initrd") for loading: never blocking, a regular file only. */
static int open_one(const char *what, const char *path, const struct sd_cred *owner, int *fd,
                    struct sd_err *e)
{
	struct sd_fs_id id = {0};
	struct stat st;
	int rc = sd_fs_id_enter(&id, owner);

	*fd = -1;
	if (rc) {
		sd_fs_id_leave(&id);
		return sd_fail(e, rc, "cannot take the identity of uid %lu to open the %s",
		               (unsigned long)owner->uid, what);
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (*fd < 0)
		rc = sd_fail(e, errno, "cannot open the %s %s: %s", what, path, strerror(errno));
	sd_fs_id_leave(&id);
	if (rc)
		return rc;
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return sd_fail(e, EINVAL, "the %s %s is not a regular file", what, path);
	}
	return 0;
}

int boot_load(struct shojid *sd, const struct sd_dom *dom, const struct sd_boot *b,
              struct sd_err *e)
{
	const struct domain_config *cfg = &dom->cfg;
	struct sd_boot own;
	char why[256] = "";
	const char *w = why;
	int rc = 0;

	boot_init(&own);
	if (b && b->kernel_fd >= 0) {
		own.kernel_fd = b->kernel_fd;
		own.initrd_fd = cfg->initrd ? b->initrd_fd : -1;
	} else {
		rc = open_one("kernel", cfg->kernel, &dom->owner, &own.kernel_fd, e);
		if (!rc && cfg->initrd)
			rc = open_one("initrd", cfg->initrd, &dom->owner, &own.initrd_fd, e);
		if (rc)
			goto out;
	}
	if (shoji_ctrl_load_fd(sd->hv, dom->domid, own.kernel_fd, own.initrd_fd, cfg->cmdline, why,
	                       sizeof(why)) < 0) {
		rc = errno;
		/* shoji-hv calls the kernel "kernel": say its path once. */
		if (!strncmp(why, "kernel: ", 8))
			w = why + 8;
		sd_fail(e, rc, "cannot load the kernel %s: %s", cfg->kernel,
		        w[0] ? w : strerror(rc));
	}
out:
	if (!(b && b->kernel_fd >= 0))
		boot_close(&own);
	return rc;
}
