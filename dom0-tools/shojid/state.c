/*
 * The state directory: persistent definitions (defs/NAME.xml), autostart
 * marks (autostart/NAME) and one record per running domain
 * (run/DOMID.rec: a header line, then the domain's XML).  Every file is
 * written atomically: a temporary file, fsync, rename, fsync of the directory.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shojid.h"

#define RECORD_MAGIC "shojid-record 1"

char *state_path(const struct shojid *sd, const char *dir, const char *name, const char *suffix)
{
	char *p = NULL;

	if (asprintf(&p, "%s%s%s%s%s%s", sd->state_dir, dir ? "/" : "", dir ? dir : "",
	             name ? "/" : "", name ? name : "", suffix ? suffix : "") < 0)
		return NULL;
	return p;
}

int state_init(struct shojid *sd)
{
	static const char *const dirs[] = {NULL, "defs", "autostart", "run", "xenstored"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = state_path(sd, dirs[i], NULL, NULL);
		int rc = p ? mkdir(p, 0700) : -1;

		if (rc < 0 && errno != EEXIST) {
			log_warnx("cannot create %s: %s", p ? p : sd->state_dir, strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

char *state_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

void state_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Make a rename into @path's directory durable (best effort, as the rename already happened). */
static void fsync_dir_of(const char *path)
{
	char *dir = state_dir_of(path);

	if (dir)
		state_fsync_dir(dir);
	free(dir);
}

int state_write_atomic(const char *path, const void *buf, size_t len)
{
	char *tmp = NULL;
	const char *p = buf;
	int fd = -1, rc = -1, err = 0;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return -1;
	unlink(tmp); /* a stale one of an earlier shojid with this pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto out;
	fsync_dir_of(path);
	rc = 0;
out:
	err = errno;
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	errno = err;
	return rc;
}

/* The whole file at path, NUL-terminated; NULL with errno on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= API_MSG_MAX &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
			errno = EIO;
		} else if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	} else {
		errno = EFBIG;
	}
	fclose(f);
	return buf;
}

int sd_parse_xml(struct shojid *sd, const char *xml, size_t len, struct domain_config *cfg,
                 struct sd_err *e)
{
	struct domxml_options opt = {0};
	struct domxml_errors errs;

	if (domxml_parse_memory(sd->parser, xml, len, &opt, cfg, &errs) != 0) {
		if (errs.count && errs.items[0].line > 0)
			return sd_fail(e, EINVAL, "line %d: %s", errs.items[0].line,
			               errs.items[0].msg);
		return sd_fail(e, EINVAL, "%s", errs.count ? errs.items[0].msg : "invalid XML");
	}
	return 0;
}

int state_save_def(struct shojid *sd, const struct domain_config *cfg)
{
	char *xml = domxml_serialise(cfg), *path = state_path(sd, "defs", cfg->name, ".xml");
	int rc = -1;

	if (xml && path)
		rc = state_write_atomic(path, xml, strlen(xml));
	free(xml);
	free(path);
	return rc;
}

int state_load_def(struct shojid *sd, const char *name, struct domain_config *cfg, struct sd_err *e)
{
	char *path = state_path(sd, "defs", name, ".xml"), *xml = NULL;
	size_t len = 0;
	int rc;

	if (!path)
		return sd_fail(e, ENOMEM, "out of memory");
	xml = slurp(path, &len);
	if (!xml)
		rc = errno == ENOENT
		         ? sd_fail(e, ENOENT, "no domain named '%s' is defined", name)
		         : sd_fail(e, errno, "cannot read %s: %s", path, strerror(errno));
	else
		rc = sd_parse_xml(sd, xml, len, cfg, e);
	free(path);
	free(xml);
	return rc;
}

bool state_has_def(const struct shojid *sd, const char *name)
{
	char *path = state_path(sd, "defs", name, ".xml");
	bool yes = path && access(path, F_OK) == 0;

	free(path);
	return yes;
}

int state_remove_def(struct shojid *sd, const char *name)
{
	char *path = state_path(sd, "defs", name, ".xml");
	int rc = path ? unlink(path) : -1;

	free(path);
	state_set_autostart(sd, name, false);
	return rc;
}

int state_set_autostart(struct shojid *sd, const char *name, bool on)
{
	char *path = state_path(sd, "autostart", name, NULL);
	int rc = -1;

	if (!path)
		return -1;
	if (on)
		rc = state_write_atomic(path, "", 0);
	else if (unlink(path) == 0 || errno == ENOENT)
		rc = 0;
	free(path);
	return rc;
}

int state_mark_autostart(struct shojid *sd, const char *name, const struct sd_cred *who)
{
	char *path = state_path(sd, "autostart", name, NULL), line[64];
	int rc = -1, n;

	if (!path)
		return -1;
	n = snprintf(line, sizeof(line), "%lu %lu\n", (unsigned long)who->uid,
	             (unsigned long)who->gid);
	rc = state_write_atomic(path, line, (size_t)n);
	free(path);
	return rc;
}

void state_autostart_owner(const struct shojid *sd, const char *name, struct sd_cred *who)
{
	char *path = state_path(sd, "autostart", name, NULL), *buf;
	unsigned long uid, gid;
	size_t len = 0;

	who->uid = geteuid(); /* an empty (older) mark: shojid's own */
	who->gid = getegid();
	buf = path ? slurp(path, &len) : NULL;
	if (buf && sscanf(buf, "%lu %lu", &uid, &gid) == 2) {
		who->uid = (uid_t)uid;
		who->gid = (gid_t)gid;
	}
	free(buf);
	free(path);
}

bool state_autostart(const struct shojid *sd, const char *name)
{
	char *path = state_path(sd, "autostart", name, NULL);
	bool yes = path && access(path, F_OK) == 0;

	free(path);
	return yes;
}

int state_each_def(struct shojid *sd, int (*fn)(struct shojid *, const char *, void *), void *arg)
{
	char *path = state_path(sd, "defs", NULL, NULL);
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *de;
	int rc = 0;

	free(path);
	if (!d)
		return -1;
	while (!rc && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char name[API_NAME_MAX + 1];

		if (n <= 4 || n - 4 > API_NAME_MAX || strcmp(de->d_name + n - 4, ".xml"))
			continue;
		memcpy(name, de->d_name, n - 4);
		name[n - 4] = '\0';
		rc = fn(sd, name, arg);
	}
	closedir(d);
	return rc;
}

int state_save_record(struct shojid *sd, const struct sd_dom *dom)
{
	char id[16], *path, *xml = domxml_serialise(&dom->cfg), *buf = NULL;
	int rc = -1, len;

	snprintf(id, sizeof(id), "%" PRIu32, dom->domid);
	path = state_path(sd, "run", id, ".rec");
	if (xml && path) {
		len = asprintf(
		    &buf, RECORD_MAGIC " %" PRIu32 " %s %" PRIu64 " %d %" PRIu64 " %lu %lu\n%s",
		    dom->domid, dom->name, dom->target_kib, dom->acted, dom->start_ns,
		    (unsigned long)dom->owner.uid, (unsigned long)dom->owner.gid, xml);
		if (len >= 0)
			rc = state_write_atomic(path, buf, (size_t)len);
	}
	free(buf);
	free(xml);
	free(path);
	return rc;
}

int state_remove_record(struct shojid *sd, uint32_t domid)
{
	char id[16], *path;
	int rc = -1;

	snprintf(id, sizeof(id), "%" PRIu32, domid);
	path = state_path(sd, "run", id, ".rec");
	if (path && (unlink(path) == 0 || errno == ENOENT))
		rc = 0;
	free(path);
	return rc;
}

/* Rebuild one sd_dom from run/FILE; NULL when the record is unreadable. */
static struct sd_dom *read_record(struct shojid *sd, const char *file)
{
	char *path = state_path(sd, "run", file, NULL), *buf = NULL, *xml;
	struct sd_dom *dom = NULL;
	struct sd_err e = {""};
	size_t len = 0;
	int used = 0, more = 0, acted = 0;
	unsigned long uid, gid;

	buf = path ? slurp(path, &len) : NULL;
	if (!buf)
		goto out;
	xml = strchr(buf, '\n');
	dom = calloc(1, sizeof(*dom));
	if (!xml || !dom)
		goto bad;
	*xml++ = '\0';
	if (sscanf(buf, RECORD_MAGIC " %" SCNu32 " %64s %" SCNu64 " %d%n", &dom->domid, dom->name,
	           &dom->target_kib, &acted, &used) != 4)
		goto bad;
	/* The start time came later: a record without it is still read. */
	if (buf[used] == ' ' && sscanf(buf + used, " %" SCNu64 "%n", &dom->start_ns, &more) == 1)
		used += more;
	/* So did the owner (boot.c): an older record's domain is shojid's own. */
	dom->owner.uid = geteuid();
	dom->owner.gid = getegid();
	if (buf[used] == ' ' && sscanf(buf + used, " %lu %lu%n", &uid, &gid, &more) == 2) {
		dom->owner.uid = (uid_t)uid;
		dom->owner.gid = (gid_t)gid;
		used += more;
	}
	if (buf[used] != '\0')
		goto bad;
	dom->acted = acted != 0;
	if (sd_parse_xml(sd, xml, len - (size_t)(xml - buf), &dom->cfg, &e) != 0) {
		log_warnx("record %s: %s", path, e.msg);
		goto bad;
	}
	goto out;
bad:
	log_warnx("ignoring the unreadable record %s", path);
	free(dom);
	dom = NULL;
out:
	free(buf);
	free(path);
	return dom;
}

void state_adopt(struct shojid *sd, sd_stopped_fn *stopped)
{
	char *path = state_path(sd, "run", NULL, NULL);
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *de;

	free(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct shoji_dominfo hi;
		struct sd_dom *dom;
		size_t n = strlen(de->d_name);

		if (n <= 4 || strcmp(de->d_name + n - 4, ".rec"))
			continue;
		dom = read_record(sd, de->d_name);
		if (!dom)
			continue;
		if (shoji_ctrl_info(sd->hv, dom->domid, &hi) < 0 || strcmp(hi.name, dom->name) ||
		    memcmp(hi.uuid, dom->cfg.uuid, 16)) {
			/* It died while we were away: clean up what is left of it. */
			log_info("domain %s (%" PRIu32 ") is gone; removing its record", dom->name,
			         dom->domid);
			xs_layout_remove(sd, dom->domid);
			state_remove_record(sd, dom->domid);
			dom_free(dom);
			continue;
		}
		dom_link(sd, dom);
		log_info("adopted domain %s (%" PRIu32 ", %s)", dom->name, dom->domid,
		         shoji_domain_state_name(hi.state));
		if (hi.state == SHOJI_DOMAIN_SHUTDOWN || hi.state == SHOJI_DOMAIN_CRASHED)
			stopped(sd, dom, hi.state, hi.shutdown_reason);
	}
	closedir(d);
}
