# dom0-tools/shojid: the toolstack daemon, its unit test, system tests and benchmark.
sbin_PROGRAMS += dom0-tools/shojid/shojid
dom0_tools_shojid_shojid_SOURCES = \
	dom0-tools/shojid/main.c \
	dom0-tools/shojid/api.c \
	dom0-tools/shojid/dom.c \
	dom0-tools/shojid/boot.c \
	dom0-tools/shojid/build.c \
	dom0-tools/shojid/save.c \
	dom0-tools/shojid/lifecycle.c \
	dom0-tools/shojid/action.c \
	dom0-tools/shojid/coredump.c \
	dom0-tools/shojid/fsid.c \
	dom0-tools/shojid/state.c \
	dom0-tools/shojid/xslayout.c \
	dom0-tools/shojid/xsdev.c \
	dom0-tools/shojid/vbd.c \
	dom0-tools/shojid/vif.c \
	dom0-tools/shojid/detach.c \
	dom0-tools/shojid/block.c \
	dom0-tools/shojid/net.c \
	dom0-tools/shojid/spawn.c \
	dom0-tools/shojid/err.c \
	dom0-tools/shojid/sandbox-shojid.c \
	dom0-tools/shojid/shojid.h \
	include/proto/shojid-api.h
dom0_tools_shojid_shojid_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml $(UTIL_CPPFLAGS) $(DOMXML_SCHEMA_DEFS) -DSHOJI_SBINDIR='"$(sbindir)"'
dom0_tools_shojid_shojid_CFLAGS = $(AM_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) $(EVENT_CFLAGS) $(SECCOMP_CFLAGS)
dom0_tools_shojid_shojid_LDADD = dom0-tools/domxml/libshoji-domxml.la $(UTIL_LIB) dom0-tools/libctrl/libshoji-ctrl.la \
	dom0-tools/libevtchn/libshoji-evtchn.la dom0-tools/libgnttab/libshoji-gnttab.la xenstore/libxs/libshoji-xs.la \
	$(EVENT_LIBS) $(UUID_LIBS) $(ZLIB_LIBS) $(SANDBOX_LIBS)
dist_man_MANS += dom0-tools/shojid/shojid.8

# Unit test of the state directory (state.c, with dom.c, err.c, the log family and stubs for the rest).
check_PROGRAMS += tests/unit/test_shojid_state
TESTS += tests/unit/test_shojid_state
tests_unit_test_shojid_state_SOURCES = tests/unit/test_shojid_state.c \
	dom0-tools/shojid/state.c dom0-tools/shojid/dom.c dom0-tools/shojid/err.c \
	dom0-tools/shojid/shojid.h
tests_unit_test_shojid_state_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml $(UTIL_CPPFLAGS)
tests_unit_test_shojid_state_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) \
	$(EVENT_CFLAGS)
tests_unit_test_shojid_state_LDADD = dom0-tools/domxml/libshoji-domxml.la $(UTIL_LIB) $(UUID_LIBS) $(CHECK_LIBS)

# Unit test of the on_* decision for a stopped domain (action.c alone).
check_PROGRAMS += tests/unit/test_shojid_action
TESTS += tests/unit/test_shojid_action
tests_unit_test_shojid_action_SOURCES = tests/unit/test_shojid_action.c \
	dom0-tools/shojid/action.c dom0-tools/shojid/shojid.h
tests_unit_test_shojid_action_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml $(UTIL_CPPFLAGS)
tests_unit_test_shojid_action_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) \
	$(EVENT_CFLAGS)
tests_unit_test_shojid_action_LDADD = $(CHECK_LIBS)

# Unit test of the PV block layout in xenstore (vbd.c) against a private shoji-xenstored.
check_PROGRAMS += tests/unit/test_shojid_vbd
TESTS += tests/unit/test_shojid_vbd
tests_unit_test_shojid_vbd_SOURCES = tests/unit/test_shojid_vbd.c tests/unit/xsd-fixture.c \
	tests/unit/xsd-fixture.h \
	dom0-tools/shojid/vbd.c dom0-tools/shojid/xsdev.c dom0-tools/shojid/fsid.c \
	dom0-tools/shojid/err.c dom0-tools/shojid/shojid.h
tests_unit_test_shojid_vbd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml $(UTIL_CPPFLAGS)
tests_unit_test_shojid_vbd_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) \
	$(EVENT_CFLAGS)
tests_unit_test_shojid_vbd_LDADD = dom0-tools/domxml/libshoji-domxml.la $(UTIL_LIB) \
	xenstore/libxs/libshoji-xs.la $(UUID_LIBS) $(CHECK_LIBS)

# Unit test of the PV network layout in xenstore (vif.c) against a private shoji-xenstored.
check_PROGRAMS += tests/unit/test_shojid_vif
TESTS += tests/unit/test_shojid_vif
tests_unit_test_shojid_vif_SOURCES = tests/unit/test_shojid_vif.c tests/unit/xsd-fixture.c \
	tests/unit/xsd-fixture.h \
	dom0-tools/shojid/vif.c dom0-tools/shojid/xsdev.c dom0-tools/shojid/err.c \
	dom0-tools/shojid/shojid.h
tests_unit_test_shojid_vif_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml $(UTIL_CPPFLAGS)
tests_unit_test_shojid_vif_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) \
	$(EVENT_CFLAGS)
tests_unit_test_shojid_vif_LDADD = dom0-tools/domxml/libshoji-domxml.la $(UTIL_LIB) \
	xenstore/libxs/libshoji-xs.la $(UUID_LIBS) $(CHECK_LIBS)

# toolstack system tests and benchmark
TOOLSTACK_TESTS = \
	tests/system/toolstack-basic.sh \
	tests/system/toolstack-bad.sh \
	tests/system/toolstack-restart.sh \
	tests/system/toolstack-parallel.sh \
	tests/system/toolstack-coredump.sh \
	tests/system/toolstack-disk.sh \
	tests/system/toolstack-net.sh \
	tests/system/toolstack-netback.sh \
	tests/system/toolstack-uuid.sh \
	tests/system/toolstack-messages.sh \
	tests/system/toolstack-reasons.sh \
	tests/system/toolstack-dumpxml.sh \
	tests/system/toolstack-kill.sh \
	tests/system/toolstack-events.sh \
	tests/system/toolstack-hvlost.sh \
	tests/system/toolstack-ident.sh \
	tests/system/toolstack-stats.sh \
	tests/system/toolstack-vcpu.sh \
	tests/system/toolstack-hints.sh \
	tests/system/toolstack-unmanaged.sh \
	tests/system/toolstack-clients.sh \
	tests/system/toolstack-statedir.sh \
	tests/system/toolstack-fdpass.sh \
	tests/system/toolstack-save.sh \
	tests/system/toolstack-save-kvm.sh
TESTS += $(TOOLSTACK_TESTS)
EXTRA_DIST += $(TOOLSTACK_TESTS) tests/system/toolstack-lib.sh tests/bench/toolstack.sh
noinst_PROGRAMS += tests/bench/toolstack_bench
tests_bench_toolstack_bench_SOURCES = tests/bench/toolstack_bench.c include/proto/shojid-api.h
tests_bench_toolstack_bench_LDADD = dom0-tools/libctrl/libshoji-ctrl.la
BENCH_BINS += tests/bench/toolstack_bench dom0-tools/shojid/shojid dom0-tools/cli/shoji
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/bench/toolstack.sh"

# The systemd unit (configure --with-systemdsystemunitdir; none with =no).
if SYSTEMD_UNITS
systemdsystemunit_DATA = dom0-tools/shojid/shojid.service
endif
dom0-tools/shojid/shojid.service: $(srcdir)/dom0-tools/shojid/shojid.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dom0-tools/shojid && \
		sed 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/dom0-tools/shojid/shojid.service.in >$@
CLEANFILES += dom0-tools/shojid/shojid.service
EXTRA_DIST += dom0-tools/shojid/shojid.service.in
