# pv-drivers/dom0/consoled: shoji-consoled, the PV console backend.
sbin_PROGRAMS += pv-drivers/dom0/consoled/shoji-consoled
pv_drivers_dom0_consoled_shoji_consoled_SOURCES = pv-drivers/dom0/consoled/console.c \
	pv-drivers/dom0/consoled/sandbox-consoled.c
pv_drivers_dom0_consoled_shoji_consoled_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
pv_drivers_dom0_consoled_shoji_consoled_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(SECCOMP_CFLAGS)
pv_drivers_dom0_consoled_shoji_consoled_LDADD = pv-drivers/dom0/libbackend/libshoji-backend.la \
	xenstore/libxs/libshoji-xs.la dom0-tools/libgnttab/libshoji-gnttab.la $(UTIL_LIB) $(EVENT_LIBS) \
	$(SANDBOX_LIBS)
dist_man_MANS += pv-drivers/dom0/consoled/shoji-consoled.8
# Unit test of the console's input ring copy: console.c compiled into the test (its main
# renamed), no guest and no daemon.
check_PROGRAMS += tests/unit/test_console_input
TESTS += tests/unit/test_console_input
tests_unit_test_console_input_SOURCES = tests/unit/test_console_input.c \
	pv-drivers/dom0/consoled/sandbox-consoled.c
tests_unit_test_console_input_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
tests_unit_test_console_input_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(CHECK_CFLAGS) $(SECCOMP_CFLAGS)
tests_unit_test_console_input_LDADD = pv-drivers/dom0/libbackend/libshoji-backend.la \
	xenstore/libxs/libshoji-xs.la dom0-tools/libgnttab/libshoji-gnttab.la $(UTIL_LIB) $(EVENT_LIBS) $(CHECK_LIBS) \
	$(SANDBOX_LIBS)


# Its system tests, with a hostile console guest (tests/guests/console-hostile.c).
check_PROGRAMS += tests/guests/console-hostile
tests_guests_console_hostile_SOURCES = tests/guests/console-hostile.c
tests_guests_console_hostile_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_console_hostile_CFLAGS = $(GUEST_CFLAGS)
tests_guests_console_hostile_LDADD = $(GUEST_RUNTIME)
tests_guests_console_hostile_DEPENDENCIES = $(GUEST_PROG_DEPS)
tests_guests_console_hostile_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/system/console-dom
tests_system_console_dom_SOURCES = tests/system/console-dom.c
tests_system_console_dom_LDADD = dom0-tools/libctrl/libshoji-ctrl.la dom0-tools/libevtchn/libshoji-evtchn.la \
	xenstore/libxs/libshoji-xs.la
CONSOLE_TESTS = tests/system/console-basic.sh tests/system/console-hostile.sh tests/system/console-flood.sh \
	tests/system/demo-control.sh tests/system/demo-ping.sh tests/system/demo-shojid.sh \
	tests/system/console-cli.sh
TESTS += $(CONSOLE_TESTS)
EXTRA_DIST += $(CONSOLE_TESTS) tests/system/console-lib.sh
