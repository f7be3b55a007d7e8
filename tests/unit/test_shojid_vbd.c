/*
 * shojid's PV block layout (vbd.c) against a private shoji-xenstored: the
 * nodes of the contract with shoji-blkback and their values, the
 * permissions of both directories, close (online=0, state=5), removal, a
 * refused write that leaves nothing; and the backing-store checks (source
 * type, sharing between domains and within one).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-run.h"
#include "xsd-fixture.h"
#include "../../dom0-tools/shojid/shojid.h"

#define BE "/local/domain/0/backend/vbd/5/51728"
#define FE "/local/domain/5/device/vbd/51728"

START_TEST(test_layout)
{
	struct domain_disk file = {
	    .type = DOMAIN_DISK_FILE, .source = "/srv/a.img", .target = "xvdb"};
	struct domain_disk cd = {.type = DOMAIN_DISK_BLOCK,
	                         .device = DOMAIN_DISK_DEVICE_CDROM,
	                         .source = "/dev/sr0",
	                         .target = "xvdq",
	                         .readonly = true};
	struct sd_err e = {""};
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX];

	xsd_start("shojid-vbd");
	ck_assert_int_eq(vbd_write(xs, 5, &file, true, &e), 0);
	xsd_expect(BE "/frontend", FE);
	xsd_expect(BE "/frontend-id", "5");
	xsd_expect(BE "/online", "1");
	xsd_expect(BE "/state", "1");
	xsd_expect(BE "/params", "/srv/a.img");
	xsd_expect(BE "/type", "file");
	xsd_expect(BE "/mode", "w");
	xsd_expect(BE "/device-type", "disk");
	xsd_expect(BE "/dev", "xvdb");
	xsd_expect(BE "/removable", "0");
	xsd_expect(BE "/bootable", "1");
	xsd_expect(FE "/backend", BE);
	xsd_expect(FE "/backend-id", "0");
	xsd_expect(FE "/state", "1");
	xsd_expect(FE "/virtual-device", "51728");
	xsd_expect(FE "/device-type", "disk");
	/* Each side owns its directory, the other reads it; the nodes inherit that. */
	xsd_expect_perms(BE, 0, 5);
	xsd_expect_perms(BE "/params", 0, 5);
	xsd_expect_perms(FE, 5, 0);
	xsd_expect_perms(FE "/state", 5, 0);

	ck_assert_int_eq(vbd_write(xs, 5, &cd, false, &e), 0);
	vbd_paths(5, 268439552, be, fe);
	ck_assert_str_eq(be, "/local/domain/0/backend/vbd/5/268439552");
	ck_assert_str_eq(fe, "/local/domain/5/device/vbd/268439552");
	xsd_expect("/local/domain/0/backend/vbd/5/268439552/type", "phy");
	xsd_expect("/local/domain/0/backend/vbd/5/268439552/mode", "r");
	xsd_expect("/local/domain/0/backend/vbd/5/268439552/device-type", "cdrom");
	xsd_expect("/local/domain/0/backend/vbd/5/268439552/removable", "1");
	xsd_expect("/local/domain/0/backend/vbd/5/268439552/bootable", "0");
	xsd_expect("/local/domain/5/device/vbd/268439552/device-type", "cdrom");
	xsd_expect("/local/domain/5/device/vbd/268439552/virtual-device", "268439552");

	/* The same device again: refused, the first one untouched. */
	file.source = "/srv/other.img";
	ck_assert_int_eq(vbd_write(xs, 5, &file, false, &e), EEXIST);
	xsd_expect(BE "/params", "/srv/a.img");
	xsd_expect(BE "/bootable", "1");

	/* Close: the backend is told, the frontend is the guest's business. */
	ck_assert_int_eq(vbd_backend_state(xs, 5, 51728), 1);
	ck_assert_int_eq(vbd_close(xs, 5, 51728, &e), 0);
	xsd_expect(BE "/online", "0");
	xsd_expect(BE "/state", "5");
	ck_assert_int_eq(vbd_backend_state(xs, 5, 51728), 5);
	xsd_expect(FE "/state", "1");
	/* Closing a device that is not there creates nothing. */
	ck_assert_int_ne(vbd_close(xs, 5, 51984, &e), 0);
	ck_assert(!xsd_exists("/local/domain/0/backend/vbd/5/51984"));

	vbd_remove(xs, 5, 51728);
	ck_assert(!xsd_exists(BE));
	ck_assert(!xsd_exists(FE));
	ck_assert_int_eq(vbd_backend_state(xs, 5, 51728), -1);
	ck_assert(xsd_exists("/local/domain/0/backend/vbd/5/268439552"));
	vbd_remove_all(xs, 5);
	ck_assert(!xsd_exists("/local/domain/0/backend/vbd/5"));
	ck_assert(!xsd_exists("/local/domain/5/device/vbd"));
	xsd_stop();
}
END_TEST

/* A write that fails half-way (a stale frontend directory) leaves no backend. */
START_TEST(test_refused_leaves_nothing)
{
	struct domain_disk file = {
	    .type = DOMAIN_DISK_FILE, .source = "/srv/a.img", .target = "xvdb"};
	struct domain_disk bad = {
	    .type = DOMAIN_DISK_FILE, .source = "/srv/a.img", .target = "sda"};
	struct sd_err e = {""};

	xsd_start("shojid-vbd");
	ck_assert_int_eq(
	    shoji_xs_write(xs, SHOJI_XS_NO_TX, "/local/domain/7/device/vbd/51728/state", "6", 1),
	    0);
	ck_assert_int_eq(vbd_write(xs, 7, &file, true, &e), EEXIST);
	ck_assert_msg(strstr(e.msg, "/local/domain/7/device/vbd/51728") != NULL, "%s", e.msg);
	ck_assert(!xsd_exists("/local/domain/0/backend/vbd/7/51728"));
	ck_assert(!xsd_exists("/local/domain/0/backend/vbd/7"));
	ck_assert_int_eq(vbd_write(xs, 7, &bad, true, &e), EINVAL);
	ck_assert_str_eq(e.msg, "'sda' is not a Xen PV disk name");
	ck_assert(!xsd_exists("/local/domain/0/backend/vbd/7"));
	xsd_stop();
}
END_TEST

START_TEST(test_source)
{
	char tmp[] = "/tmp/test-shojid-vbd-src.XXXXXX", path[64];
	struct domain_disk d = {.type = DOMAIN_DISK_FILE, .target = "xvda"};
	struct sd_err e = {""};
	struct stat st;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/img", tmp);
	d.source = path;
	ck_assert_int_eq(vbd_check_source(&d, &st, &e), ENODEV);
	ck_assert_msg(strstr(e.msg, "No such file") != NULL, "%s", e.msg);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vbd_check_source(&d, &st, &e), 0);
	d.source = tmp;
	ck_assert_int_eq(vbd_check_source(&d, &st, &e), EINVAL);
	ck_assert_msg(strstr(e.msg, "is not a regular file") != NULL, "%s", e.msg);
	d.type = DOMAIN_DISK_BLOCK;
	d.source = path;
	ck_assert_int_eq(vbd_check_source(&d, &st, &e), EINVAL);
	ck_assert_msg(strstr(e.msg, "is not a block device") != NULL, "%s", e.msg);
	d.source = "relative.img";
	ck_assert_int_eq(vbd_check_source(&d, &st, &e), EINVAL);
	unlink(path);
	rmdir(tmp);
}
END_TEST

/* Read-only sharing only: a store (by inode, so a hard link is the same one)
 * is refused when either user has it read-write. */
START_TEST(test_sharing)
{
	char tmp[] = "/tmp/test-shojid-vbd-share.XXXXXX", img[64], link_[64], other[64];
	char want[256];
	struct domain_disk a_disk = {.type = DOMAIN_DISK_FILE, .target = "xvda"};
	struct sd_dom a = {.domid = 1, .name = "a", .cfg = {.n_disks = 1, .disks = &a_disk}};
	struct shojid sd = {.doms = &a};
	struct domain_disk mine[2] = {{.type = DOMAIN_DISK_FILE, .target = "xvda"},
	                              {.type = DOMAIN_DISK_FILE, .target = "xvdb"}};
	struct domain_config cfg = {.n_disks = 1, .disks = mine};
	struct sd_err e = {""};
	struct stat st;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(img, sizeof(img), "%s/img", tmp);
	snprintf(link_, sizeof(link_), "%s/link", tmp);
	snprintf(other, sizeof(other), "%s/other", tmp);
	fd = open(img, O_CREAT | O_WRONLY, 0600);
	close(fd);
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_eq(link(img, link_), 0);
	a_disk.source = img;
	mine[0].source = link_;
	ck_assert_int_eq(stat(link_, &st), 0);

	/* a has it read-write: refused read-write and read-only. */
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[0], &st, &e), EBUSY);
	snprintf(want, sizeof(want),
	         "disk source '%s' is already attached read-write to domain 'a' as xvda", link_);
	ck_assert_str_eq(e.msg, want);
	mine[0].readonly = true;
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[0], &st, &e), EBUSY);
	/* Both read-only: shared. */
	a_disk.readonly = true;
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[0], &st, &e), 0);
	/* a read-only, the new one read-write: refused. */
	mine[0].readonly = false;
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[0], &st, &e), EBUSY);
	snprintf(want, sizeof(want),
	         "disk source '%s' is already attached read-only to domain 'a' as xvda", link_);
	ck_assert_str_eq(e.msg, want);
	/* A stopped (preserved) domain does not count. */
	a.acted = true;
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[0], &st, &e), 0);
	/* Another file is no conflict. */
	a.acted = false;
	mine[0].source = other;
	ck_assert_int_eq(stat(other, &st), 0);
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[0], &st, &e), 0);
	/* Within one domain: the second disk on the first one's store. */
	cfg.n_disks = 2;
	mine[1].source = other;
	mine[1].readonly = true;
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[1], &st, &e), EBUSY);
	snprintf(want, sizeof(want),
	         "disk source '%s' is already attached read-write to this domain as xvda", other);
	ck_assert_str_eq(e.msg, want);
	mine[0].readonly = true;
	ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &mine[1], &st, &e), 0);
	/* A disk not yet in cfg (block-attach) is compared with all of cfg's. */
	{
		struct domain_disk extra = {
		    .type = DOMAIN_DISK_FILE, .target = "xvdc", .source = other};

		ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &extra, &st, &e), EBUSY);
		extra.readonly = true;
		ck_assert_int_eq(vbd_check_sharing(&sd, &cfg, &extra, &st, &e), 0);
	}
	unlink(img);
	unlink(link_);
	unlink(other);
	rmdir(tmp);
}
END_TEST

/* A client opens a source through shojid only as far as it could itself
 * (root switches to nobody's file-system identity for this). */
START_TEST(test_access)
{
	char tmp[] = "/tmp/test-shojid-vbd-acc.XXXXXX", img[64], want[256];
	const struct sd_cred nobody = {.uid = 65534, .gid = 65534};
	struct domain_disk d = {.type = DOMAIN_DISK_FILE, .target = "xvda"};
	struct sd_err e = {""};
	int fd;

	if (geteuid() != 0) {
		fprintf(stderr, "test_access: not root, identity switch not checked\n");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_int_eq(chmod(tmp, 0755), 0);
	snprintf(img, sizeof(img), "%s/img", tmp);
	fd = open(img, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	d.source = img;
	ck_assert_int_eq(vbd_check_access(&d, NULL, &e), 0); /* shojid itself */
	ck_assert_int_eq(vbd_check_access(&d, &nobody, &e), EACCES);
	snprintf(want, sizeof(want),
	         "disk source '%s' cannot be opened read-write by uid 65534: Permission denied",
	         img);
	ck_assert_str_eq(e.msg, want);
	d.readonly = true;
	ck_assert_int_eq(vbd_check_access(&d, &nobody, &e), EACCES);
	ck_assert_int_eq(chmod(img, 0644), 0);
	ck_assert_int_eq(vbd_check_access(&d, &nobody, &e), 0);
	d.readonly = false;
	ck_assert_int_eq(vbd_check_access(&d, &nobody, &e), EACCES);
	ck_assert_int_eq(chmod(img, 0666), 0);
	ck_assert_int_eq(vbd_check_access(&d, &nobody, &e), 0);
	/* shojid's own identity is back: a root-only file opens again. */
	ck_assert_int_eq(chmod(img, 0600), 0);
	ck_assert_int_eq(vbd_check_access(&d, NULL, &e), 0);
	unlink(img);
	rmdir(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shojid_vbd");
	TCase *tc = tcase_create("vbd");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_refused_leaves_nothing);
	tcase_add_test(tc, test_source);
	tcase_add_test(tc, test_sharing);
	tcase_add_test(tc, test_access);
	suite_add_tcase(s, tc);
	return check_run(s);
}
