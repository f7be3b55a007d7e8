/*
 * Acting on a client's behalf in the file system: fsuid and fsgid become
 * the client's (which drops root's file capabilities) and the supplementary
 * groups just its group, so no group of shojid's lends a permission the
 * client lacks.  coredump.c writes core files so, block.c checks disk
 * sources so.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "shojid.h"

int sd_fs_id_enter(struct sd_fs_id *f, const struct sd_cred *as)
{
	f->switched = false;
	if (!as || (as->uid == geteuid() && as->gid == getegid()))
		return 0;
	f->n_groups = getgroups(SD_GROUPS_MAX, f->groups);
	if (f->n_groups < 0 || setgroups(1, &as->gid) < 0)
		return EPERM;
	f->uid = (uid_t)setfsuid(as->uid);
	f->gid = (gid_t)setfsgid(as->gid);
	f->switched = true;
	if ((uid_t)setfsuid(as->uid) != as->uid || (gid_t)setfsgid(as->gid) != as->gid)
		return EPERM;
	return 0;
}

void sd_fs_id_leave(struct sd_fs_id *f)
{
	if (!f->switched)
		return;
	setfsgid(f->gid);
	setfsuid(f->uid);
	if (setgroups((size_t)f->n_groups, f->groups) < 0)
		log_warnx("cannot restore shojid's groups: %s", strerror(errno));
	f->switched = false;
}
