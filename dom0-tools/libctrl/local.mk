# dom0-tools/libctrl/local.mk: libshoji-ctrl, the Dom0 client of shoji-hv's control socket.
lib_LTLIBRARIES += dom0-tools/libctrl/libshoji-ctrl.la
dom0_tools_libctrl_libshoji_ctrl_la_SOURCES = dom0-tools/libctrl/ctrl.c include/proto/hv-ctrl.h \
	dom0-tools/util/scmfd.c dom0-tools/util/scmfd.h
dom0_tools_libctrl_libshoji_ctrl_la_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
dom0_tools_libctrl_libshoji_ctrl_la_LDFLAGS = $(AM_LDFLAGS) -version-info 2:0:1 -export-symbols-regex '^shoji_'
shojiinclude_HEADERS += include/shoji/ctrl.h include/shoji/limits.h
dist_man_MANS += dom0-tools/libctrl/libshoji-ctrl.3

# A domain at the limits of <shoji/limits.h> goes from XML through CTRL_CREATE
# intact (a fake shoji-hv on a socket: no KVM).
check_PROGRAMS += tests/unit/test_ctrl_limits
TESTS += tests/unit/test_ctrl_limits
tests_unit_test_ctrl_limits_SOURCES = tests/unit/test_ctrl_limits.c tests/unit/limits-xml.h
tests_unit_test_ctrl_limits_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml
tests_unit_test_ctrl_limits_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS)
tests_unit_test_ctrl_limits_LDADD = dom0-tools/libctrl/libshoji-ctrl.la \
	dom0-tools/domxml/libshoji-domxml.la $(XML2_LIBS) $(UUID_LIBS) $(CHECK_LIBS)

# shoji_ctrl_load sends descriptors, never paths, and refuses a FIFO before
# sending anything (a fake shoji-hv on a socket: no KVM).
check_PROGRAMS += tests/unit/test_ctrl_load
TESTS += tests/unit/test_ctrl_load
tests_unit_test_ctrl_load_SOURCES = tests/unit/test_ctrl_load.c
tests_unit_test_ctrl_load_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_ctrl_load_LDADD = dom0-tools/libctrl/libshoji-ctrl.la $(CHECK_LIBS)
