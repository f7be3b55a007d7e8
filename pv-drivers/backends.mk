# pv-drivers/backends.mk: libshoji-backend (the Dom0 PV backend SDK), the
# backends built on it, the demo guest and their tests.  Included at the
# end of pv-drivers/local.mk; paths relative to the top of the tree.

# --- libshoji-backend ---
# Listed after libshoji-xs/-evtchn/-gnttab/-ctrl (the top Makefile.am includes
# this folder last), so libtool relinks it against them once they are installed.
lib_LTLIBRARIES += pv-drivers/backend/libshoji-backend.la
pv_drivers_backend_libshoji_backend_la_SOURCES = \
	pv-drivers/backend/backend.c \
	pv-drivers/backend/xenbus.c \
	pv-drivers/backend/backend-internal.h
pv_drivers_backend_libshoji_backend_la_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
pv_drivers_backend_libshoji_backend_la_LIBADD = xenstore/libshoji-xs.la \
	dom0-tools/libshoji-evtchn.la dom0-tools/libshoji-gnttab.la \
	dom0-tools/libshoji-ctrl.la $(EVENT_LIBS)
pv_drivers_backend_libshoji_backend_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
shojiinclude_HEADERS += include/shoji/backend.h
dist_man_MANS += pv-drivers/backend/libshoji-backend.3

# --- shoji-consoled: the console backend ---
sbin_PROGRAMS += pv-drivers/backends/shoji-consoled
pv_drivers_backends_shoji_consoled_SOURCES = pv-drivers/backends/console.c \
	dom0-tools/mkdir-p.c dom0-tools/mkdir-p.h
pv_drivers_backends_shoji_consoled_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools
pv_drivers_backends_shoji_consoled_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
pv_drivers_backends_shoji_consoled_LDADD = pv-drivers/backend/libshoji-backend.la \
	xenstore/libshoji-xs.la dom0-tools/libshoji-gnttab.la $(EVENT_LIBS)
dist_man_MANS += pv-drivers/backends/shoji-consoled.8
# Unit test of the console's input ring copy: console.c compiled into the test (its main
# renamed), no guest and no daemon.
check_PROGRAMS += tests/unit/test_console_input
TESTS += tests/unit/test_console_input
tests_unit_test_console_input_SOURCES = tests/unit/test_console_input.c \
	dom0-tools/mkdir-p.c dom0-tools/mkdir-p.h
tests_unit_test_console_input_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools
tests_unit_test_console_input_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_console_input_LDADD = pv-drivers/backend/libshoji-backend.la \
	xenstore/libshoji-xs.la dom0-tools/libshoji-gnttab.la $(EVENT_LIBS) $(CHECK_LIBS)

# --- The demo guest (installed, for examples/demo.xml) and a hostile console guest ---
guestsdir = $(pkglibdir)/guests
guests_PROGRAMS = pv-drivers/demo/demo
pv_drivers_demo_demo_SOURCES = pv-drivers/demo/demo.c
pv_drivers_demo_demo_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
pv_drivers_demo_demo_CFLAGS = $(GUEST_CFLAGS)
pv_drivers_demo_demo_LDADD = $(GUEST_RUNTIME)
pv_drivers_demo_demo_DEPENDENCIES = $(GUEST_PROG_DEPS)
pv_drivers_demo_demo_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += pv-drivers/demo/console-hostile
pv_drivers_demo_console_hostile_SOURCES = pv-drivers/demo/console-hostile.c
pv_drivers_demo_console_hostile_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
pv_drivers_demo_console_hostile_CFLAGS = $(GUEST_CFLAGS)
pv_drivers_demo_console_hostile_LDADD = $(GUEST_RUNTIME)
pv_drivers_demo_console_hostile_DEPENDENCIES = $(GUEST_PROG_DEPS)
pv_drivers_demo_console_hostile_LINK = $(GUEST_PROG_LINK)

# --- Tests ---
check_PROGRAMS += tests/system/console-dom
tests_system_console_dom_SOURCES = tests/system/console-dom.c
tests_system_console_dom_LDADD = dom0-tools/libshoji-ctrl.la dom0-tools/libshoji-evtchn.la \
	xenstore/libshoji-xs.la
CONSOLE_TESTS = tests/system/console-basic.sh tests/system/console-hostile.sh tests/system/console-flood.sh \
	tests/system/demo-control.sh tests/system/demo-ping.sh tests/system/demo-shojid.sh
TESTS += $(CONSOLE_TESTS)
EXTRA_DIST += $(CONSOLE_TESTS) tests/system/console-lib.sh
check_PROGRAMS += tests/unit/test_backend
TESTS += tests/unit/test_backend
tests_unit_test_backend_SOURCES = tests/unit/test_backend.c
tests_unit_test_backend_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(EVENT_CFLAGS)
tests_unit_test_backend_LDADD = pv-drivers/backend/libshoji-backend.la xenstore/libshoji-xs.la \
	$(EVENT_LIBS) $(CHECK_LIBS)

# --- The "ping" example device class (docs/writing-a-pv-driver.md) ---
noinst_PROGRAMS += pv-drivers/example/shoji-pingback
pv_drivers_example_shoji_pingback_SOURCES = pv-drivers/example/ping-back.c \
	pv-drivers/example/ping.h
pv_drivers_example_shoji_pingback_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
pv_drivers_example_shoji_pingback_LDADD = pv-drivers/backend/libshoji-backend.la $(EVENT_LIBS)

noinst_PROGRAMS += pv-drivers/example/ping-front
pv_drivers_example_ping_front_SOURCES = pv-drivers/example/ping-front.c pv-drivers/example/ping.h
pv_drivers_example_ping_front_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
pv_drivers_example_ping_front_CFLAGS = $(GUEST_CFLAGS)
pv_drivers_example_ping_front_LDADD = $(GUEST_RUNTIME)
pv_drivers_example_ping_front_DEPENDENCIES = $(GUEST_PROG_DEPS)
pv_drivers_example_ping_front_LINK = $(GUEST_PROG_LINK)
EXTRA_DIST += docs/writing-a-pv-driver.md
