/*
 * A domain at exactly <shoji/limits.h>'s limits goes from domain XML to
 * shoji-hv's control socket intact: domxml validates it, the config shojid
 * builds from it packs into CTRL_CREATE through libshoji-ctrl, and what a
 * fake shoji-hv receives is within the limits shoji-hv checks (the longest
 * valid name NUL-terminated in its buffer; memory in KiB, unconverted).  One
 * byte more of name is refused by the library before anything is sent.  No
 * KVM: the fake shoji-hv is a thread on a socket.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <shoji/ctrl.h>
#include <shoji/limits.h>

#include "check-run.h"
#include "domxml.h"
#include "limits-xml.h"
#include "proto/hv-ctrl.h"

/* One CTRL_CREATE served: what came, and the domid sent back. */
struct fake_hv {
	int listen_fd;
	char path[108];
	ssize_t got_len;
	struct ctrl_hdr hdr;
	struct ctrl_create req;
};

static void *serve_one(void *arg)
{
	struct fake_hv *f = arg;
	uint8_t buf[sizeof(struct ctrl_hdr) + sizeof(struct ctrl_create) + 64];
	struct {
		struct ctrl_hdr h;
		struct ctrl_create_reply r;
	} reply;
	int fd = accept(f->listen_fd, NULL, NULL);

	if (fd < 0)
		return NULL;
	f->got_len = recv(fd, buf, sizeof(buf), 0);
	if (f->got_len >= (ssize_t)sizeof(f->hdr))
		memcpy(&f->hdr, buf, sizeof(f->hdr));
	if (f->got_len == (ssize_t)(sizeof(f->hdr) + sizeof(f->req)))
		memcpy(&f->req, buf + sizeof(f->hdr), sizeof(f->req));
	memset(&reply, 0, sizeof(reply));
	reply.h = f->hdr;
	reply.r.domid = 7;
	send(fd, &reply, sizeof(reply), MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

static void fake_hv_start(struct fake_hv *f, pthread_t *t)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/shoji-ctrl-limits.XXXXXX";

	memset(f, 0, sizeof(*f));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(f->path, sizeof(f->path), "%s/hv.sock", dir);
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	f->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(f->listen_fd, 0);
	ck_assert_int_eq(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f->listen_fd, 1), 0);
	ck_assert_int_eq(pthread_create(t, NULL, serve_one, f), 0);
}

static void fake_hv_stop(struct fake_hv *f, pthread_t t)
{
	char *slash;

	pthread_join(t, NULL);
	close(f->listen_fd);
	unlink(f->path);
	slash = strrchr(f->path, '/');
	*slash = '\0';
	rmdir(f->path);
}

/* Parse a domain at the limits the way shojid and `shoji validate` do. */
static void parse_at_limits(struct domain_config *cfg)
{
	const char *top = getenv("top_srcdir");
	struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	char schema[PATH_MAX];
	struct domxml_parser *p;
	struct domxml_errors errs;
	char *xml = limits_xml(SHOJI_DOMAIN_NAME_MAX, SHOJI_DOMAIN_MEMORY_MAX_KIB,
	                       SHOJI_DOMAIN_VCPUS_MAX, "/k");

	ck_assert_ptr_nonnull(xml);
	snprintf(schema, sizeof(schema), "%s/dom0-tools/domxml/shoji-domain.rng", top ? top : ".");
	p = domxml_parser_new(schema);
	ck_assert_msg(p != NULL, "cannot load %s", schema);
	ck_assert_msg(domxml_parse_memory(p, xml, strlen(xml), &opt, cfg, &errs) == 0, "%s",
	              errs.items[0].msg);
	free(xml);
	domxml_parser_free(p);
}

/*
 * _i 0: the longest name that validates is created, and what shoji-hv gets
 * is within what it checks.  _i 1: one byte more is refused by the library
 * (EINVAL), and nothing is sent.
 */
START_TEST(test_create_at_limits)
{
	struct domain_config cfg;
	struct shoji_domain_config hc;
	struct fake_hv f;
	struct shoji_ctrl *c;
	char longer[SHOJI_DOMAIN_NAME_MAX + 2];
	pthread_t t;
	uint32_t domid = 0;

	parse_at_limits(&cfg);
	/* what shojid's dom_build hands shoji-hv */
	hc = (struct shoji_domain_config){
	    .name = cfg.name, .memory_kib = cfg.memory_kib, .vcpus = cfg.vcpus};
	if (_i == 1) {
		snprintf(longer, sizeof(longer), "%sn", cfg.name);
		hc.name = longer;
	}
	fake_hv_start(&f, &t);
	c = shoji_ctrl_open(f.path);
	ck_assert_ptr_nonnull(c);
	errno = 0;
	ck_assert_int_eq(shoji_ctrl_create(c, &hc, &domid), _i == 0 ? 0 : -1);
	shoji_ctrl_close(c); /* a fake shoji-hv still waiting sees the close */
	fake_hv_stop(&f, t);
	if (_i == 1) {
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(f.got_len, 0);
		domain_config_free(&cfg);
		return;
	}
	ck_assert_uint_eq(domid, 7);
	/* What shoji-hv checks before it creates anything (control.c op_create). */
	ck_assert_int_eq(f.got_len, (ssize_t)(sizeof(f.hdr) + sizeof(f.req)));
	ck_assert_uint_eq(f.hdr.magic, CTRL_PROTO_MAGIC);
	ck_assert_uint_eq(f.hdr.version, CTRL_PROTO_VERSION);
	ck_assert_uint_eq(f.hdr.type, CTRL_CREATE);
	ck_assert_ptr_nonnull(memchr(f.req.name, '\0', sizeof(f.req.name)));
	ck_assert_str_eq(f.req.name, cfg.name);
	ck_assert_uint_eq(strlen(f.req.name), SHOJI_DOMAIN_NAME_MAX);
	ck_assert_uint_eq(f.req.memory_kib, SHOJI_DOMAIN_MEMORY_MAX_KIB);
	ck_assert_uint_eq(f.req.vcpus, SHOJI_DOMAIN_VCPUS_MAX);
	domain_config_free(&cfg);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "ctrl-limits",
	                             .name = "ctrl-limits",
	                             .loop = test_create_at_limits,
	                             .loops = 2};

	return CHECK_MAIN(c, test_create_at_limits);
}
