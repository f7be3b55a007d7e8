/*
 * shojid's PV network layout (vif.c) against a private shoji-xenstored: the
 * nodes of the contract with shoji-netback and their values, the
 * permissions of both directories, close (online=0, state=5), removal, a
 * refused write that leaves nothing; and the host checks (a bridge that is
 * one, a TAP name that is not another interface, the TAP's counters) on a
 * sysfs-shaped tree.
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

#define BE "/local/domain/0/backend/vif/5/0"
#define FE "/local/domain/5/device/vif/0"

/* Two interfaces: the nodes of the contract, their values and permissions; close; removal. */
START_TEST(test_layout)
{
	struct domain_nic br = {.type = DOMAIN_NIC_BRIDGE,
	                        .mac = {0x00, 0x16, 0x3e, 0x01, 0xab, 0xcd},
	                        .bridge = "br0"};
	struct domain_nic tap = {.type = DOMAIN_NIC_ETHERNET,
	                         .mac = {0x00, 0x16, 0x3e, 0x02, 0x00, 0x01},
	                         .target = "tap-web"};
	struct sd_err e = {""};
	char name[DOMAIN_IFNAME_MAX + 1], *v;
	long ids[8];
	size_t n = 0;

	xsd_start("shojid-vif");
	ck_assert_int_eq(vif_write(xs, 5, 0, &br, &e), 0);
	xsd_expect(BE "/frontend", FE);
	xsd_expect(BE "/frontend-id", "5");
	xsd_expect(BE "/online", "1");
	xsd_expect(BE "/state", "1");
	xsd_expect(BE "/handle", "0");
	xsd_expect(BE "/mac", "00:16:3e:01:ab:cd");
	xsd_expect(BE "/bridge", "br0");
	xsd_expect(BE "/vifname", "vif5.0");
	xsd_expect(BE "/type", "vif");
	xsd_expect(FE "/backend", BE);
	xsd_expect(FE "/backend-id", "0");
	xsd_expect(FE "/state", "1");
	xsd_expect(FE "/handle", "0");
	xsd_expect(FE "/mac", "00:16:3e:01:ab:cd");
	/* Each side owns its directory, the other reads it; the nodes inherit that. */
	xsd_expect_perms(BE, 0, 5);
	xsd_expect_perms(BE "/mac", 0, 5);
	xsd_expect_perms(FE, 5, 0);
	xsd_expect_perms(FE "/state", 5, 0);

	ck_assert_int_eq(vif_write(xs, 5, 1, &tap, &e), 0);
	xsd_expect("/local/domain/0/backend/vif/5/1/bridge", "");
	xsd_expect("/local/domain/0/backend/vif/5/1/vifname", "tap-web");
	xsd_expect("/local/domain/0/backend/vif/5/1/handle", "1");
	xsd_expect("/local/domain/5/device/vif/1/mac", "00:16:3e:02:00:01");
	vif_name(5, 1, &tap, name);
	ck_assert_str_eq(name, "tap-web");
	vif_name(32751, 65535, &br, name);
	ck_assert_str_eq(name, "vif32751.65535");

	/* Listing and finding by MAC. */
	ck_assert_int_eq(vif_devids(xs, 5, ids, 8, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(vif_find_mac(xs, 5, tap.mac), 1);
	ck_assert_int_eq(vif_find_mac(xs, 5, br.mac), 0);
	ck_assert_int_eq(vif_find_mac(xs, 6, br.mac), -1);
	v = vif_read(xs, 5, 1, "vifname");
	ck_assert_str_eq(v, "tap-web");
	free(v);

	/* The same device again: refused, the first one untouched. */
	ck_assert_int_eq(vif_write(xs, 5, 0, &tap, &e), EEXIST);
	xsd_expect(BE "/mac", "00:16:3e:01:ab:cd");

	/* Close: the backend is told; then removal. */
	ck_assert_int_eq(vif_close(xs, 5, 0, &e), 0);
	xsd_expect(BE "/online", "0");
	xsd_expect(BE "/state", "5");
	ck_assert_int_eq(xsdev_backend_state(xs, "vif", 5, 0), 5);
	ck_assert_int_ne(vif_close(xs, 5, 7, &e), 0);
	ck_assert(!xsd_exists("/local/domain/0/backend/vif/5/7"));
	vif_remove(xs, 5, 0);
	ck_assert(!xsd_exists(BE));
	ck_assert(!xsd_exists(FE));
	ck_assert(xsd_exists("/local/domain/0/backend/vif/5/1"));
	vif_remove_all(xs, 5);
	ck_assert(!xsd_exists("/local/domain/0/backend/vif/5"));
	ck_assert(!xsd_exists("/local/domain/5/device/vif"));
	ck_assert_int_eq(vif_devids(xs, 5, ids, 8, &n), 0);
	ck_assert_uint_eq(n, 0);
	xsd_stop();
}
END_TEST

/* A write that fails half-way (a stale frontend directory) or is not valid leaves nothing. */
START_TEST(test_refused_leaves_nothing)
{
	struct domain_nic br = {.type = DOMAIN_NIC_BRIDGE,
	                        .mac = {0x00, 0x16, 0x3e, 0x01, 0xab, 0xcd},
	                        .bridge = "br0"};
	struct domain_nic nobr = {.type = DOMAIN_NIC_BRIDGE, .mac = {0x00, 0x16, 0x3e, 1, 2, 3}};
	struct sd_err e = {""};

	xsd_start("shojid-vif");
	ck_assert_int_eq(
	    shoji_xs_write(xs, SHOJI_XS_NO_TX, "/local/domain/7/device/vif/0/state", "6", 1), 0);
	ck_assert_int_eq(vif_write(xs, 7, 0, &br, &e), EEXIST);
	ck_assert_msg(strstr(e.msg, "/local/domain/7/device/vif/0") != NULL, "%s", e.msg);
	ck_assert(!xsd_exists("/local/domain/0/backend/vif/7"));
	ck_assert_int_eq(vif_write(xs, 7, 1, &nobr, &e), EINVAL);
	ck_assert_int_eq(vif_write(xs, 7, -1, &br, &e), EINVAL);
	ck_assert_int_eq(vif_write(xs, 7, VIF_DEVID_MAX + 1, &br, &e), EINVAL);
	ck_assert(!xsd_exists("/local/domain/0/backend/vif/7"));
	xsd_stop();
}
END_TEST

static char dir[] = "/tmp/test-shojid-vif-sys.XXXXXX"; /* test_host_checks' sysfs */

/* mkdir -p of DIR/REL and, when leaf, a file in it. */
static void fake(const char *rel, const char *leaf, const char *content)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	if (!leaf)
		return;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", leaf);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

/* The host checks against a sysfs-shaped tree: a bridge must be one, a TAP name must not be
 * another kind of interface; counters are read or -1. */
START_TEST(test_host_checks)
{
	struct domain_nic br = {.type = DOMAIN_NIC_BRIDGE, .bridge = "br0"};
	struct domain_nic eth = {.type = DOMAIN_NIC_ETHERNET};
	struct sd_err e = {""};
	char sys[300], cmd[320];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sys, sizeof(sys), "%s/net", dir);
	fake("eth0", "mtu", "1500\n");
	ck_assert_int_eq(vif_check_bridge(sys, &br, &e), ENODEV);
	ck_assert_str_eq(e.msg,
	                 "bridge 'br0' does not exist (create it: ip link add br0 type bridge)");
	br.bridge = "eth0";
	ck_assert_int_eq(vif_check_bridge(sys, &br, &e), ENODEV);
	ck_assert_str_eq(e.msg, "'eth0' is not a bridge");
	fake("br0/bridge", NULL, NULL);
	br.bridge = "br0";
	ck_assert_int_eq(vif_check_bridge(sys, &br, &e), 0);
	ck_assert_int_eq(vif_check_bridge(sys, &eth, &e), 0); /* no bridge to check */

	ck_assert_int_eq(vif_check_ifname(sys, "tap9", &e), 0);
	ck_assert_int_eq(vif_check_ifname(sys, "eth0", &e), EEXIST);
	fake("tap9", "tun_flags", "0x1002\n");
	ck_assert_int_eq(vif_check_ifname(sys, "tap9", &e), 0);

	fake("tap9/statistics", "rx_packets", "12\n");
	fake("tap9/statistics", "tx_bytes", "34567\n");
	fake("tap9/statistics", "rx_bytes", "junk\n");
	ck_assert_int_eq(vif_counter(sys, "tap9", "rx_packets"), 12);
	ck_assert_int_eq(vif_counter(sys, "tap9", "tx_bytes"), 34567);
	ck_assert_int_eq(vif_counter(sys, "tap9", "rx_bytes"), -1);
	ck_assert_int_eq(vif_counter(sys, "tap9", "tx_packets"), -1);
	ck_assert_int_eq(vif_counter(sys, "nope", "rx_packets"), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shojid_vif");
	TCase *tc = tcase_create("vif");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_refused_leaves_nothing);
	tcase_add_test(tc, test_host_checks);
	suite_add_tcase(s, tc);
	return check_run(s);
}
