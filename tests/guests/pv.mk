# tests/guests/pv.mk: guests and system tests for the guest runtime's event
# channel and grant table layers (tests/system/pv-*.sh), and pvrun, the
# libshoji-ctrl driver that runs several guests in one shoji-hv.
# Included from tests/guests/local.mk.  The guests' cmdline keys and output
# are described at the top of each .c file.  pv-xenstore and pv-console
# exercise the runtime's xenstore client and PV console frontend.

check_LIBRARIES += tests/guests/libguest-pv.a
tests_guests_libguest_pv_a_SOURCES = tests/guests/evtchn-lib.c tests/guests/evtchn-lib.h
tests_guests_libguest_pv_a_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_libguest_pv_a_CFLAGS = $(GUEST_CFLAGS)
GUEST_PV_LIBS = tests/guests/libguest-pv.a $(GUEST_CHECK_LIB)

check_PROGRAMS += tests/guests/evtchn-dom0
tests_guests_evtchn_dom0_SOURCES = tests/guests/evtchn-dom0.c
tests_guests_evtchn_dom0_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_evtchn_dom0_CFLAGS = $(GUEST_CFLAGS)
tests_guests_evtchn_dom0_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_evtchn_dom0_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_evtchn_dom0_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/gnttab-dom0
tests_guests_gnttab_dom0_SOURCES = tests/guests/gnttab-dom0.c
tests_guests_gnttab_dom0_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_gnttab_dom0_CFLAGS = $(GUEST_CFLAGS)
tests_guests_gnttab_dom0_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_gnttab_dom0_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_gnttab_dom0_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/evtchn-pingpong
tests_guests_evtchn_pingpong_SOURCES = tests/guests/evtchn-pingpong.c
tests_guests_evtchn_pingpong_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_evtchn_pingpong_CFLAGS = $(GUEST_CFLAGS)
tests_guests_evtchn_pingpong_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_evtchn_pingpong_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_evtchn_pingpong_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/evtchn-timer
tests_guests_evtchn_timer_SOURCES = tests/guests/evtchn-timer.c
tests_guests_evtchn_timer_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_evtchn_timer_CFLAGS = $(GUEST_CFLAGS)
tests_guests_evtchn_timer_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_evtchn_timer_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_evtchn_timer_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/evtchn-ipi
tests_guests_evtchn_ipi_SOURCES = tests/guests/evtchn-ipi.c
tests_guests_evtchn_ipi_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_evtchn_ipi_CFLAGS = $(GUEST_CFLAGS)
tests_guests_evtchn_ipi_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_evtchn_ipi_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_evtchn_ipi_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/evtchn-hostile
tests_guests_evtchn_hostile_SOURCES = tests/guests/evtchn-hostile.c
tests_guests_evtchn_hostile_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_evtchn_hostile_CFLAGS = $(GUEST_CFLAGS)
tests_guests_evtchn_hostile_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_evtchn_hostile_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_evtchn_hostile_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/evtchn-close
tests_guests_evtchn_close_SOURCES = tests/guests/evtchn-close.c
tests_guests_evtchn_close_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_evtchn_close_CFLAGS = $(GUEST_CFLAGS)
tests_guests_evtchn_close_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_evtchn_close_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_evtchn_close_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/evtchn-flood
tests_guests_evtchn_flood_SOURCES = tests/guests/evtchn-flood.c
tests_guests_evtchn_flood_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_evtchn_flood_CFLAGS = $(GUEST_CFLAGS)
tests_guests_evtchn_flood_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_evtchn_flood_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_evtchn_flood_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/gnttab-copy
tests_guests_gnttab_copy_SOURCES = tests/guests/gnttab-copy.c
tests_guests_gnttab_copy_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_gnttab_copy_CFLAGS = $(GUEST_CFLAGS)
tests_guests_gnttab_copy_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_gnttab_copy_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_gnttab_copy_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/gnttab-map
tests_guests_gnttab_map_SOURCES = tests/guests/gnttab-map.c
tests_guests_gnttab_map_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_gnttab_map_CFLAGS = $(GUEST_CFLAGS)
tests_guests_gnttab_map_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_gnttab_map_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_gnttab_map_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/pv-xenstore
tests_guests_pv_xenstore_SOURCES = tests/guests/pv-xenstore.c
tests_guests_pv_xenstore_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_pv_xenstore_CFLAGS = $(GUEST_CFLAGS)
tests_guests_pv_xenstore_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_pv_xenstore_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_pv_xenstore_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/pv-console
tests_guests_pv_console_SOURCES = tests/guests/pv-console.c
tests_guests_pv_console_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_pv_console_CFLAGS = $(GUEST_CFLAGS)
tests_guests_pv_console_LDADD = $(GUEST_PV_LIBS) $(GUEST_RUNTIME)
tests_guests_pv_console_DEPENDENCIES = $(GUEST_PV_LIBS) $(GUEST_PROG_DEPS)
tests_guests_pv_console_LINK = $(GUEST_PROG_LINK)

# pvrun: several guests in one shoji-hv daemon (a libshoji-ctrl client).
check_PROGRAMS += tests/system/pvrun
tests_system_pvrun_SOURCES = tests/system/pvrun.c
tests_system_pvrun_LDADD = dom0-tools/libctrl/libshoji-ctrl.la

# pv-xenstore.sh and pv-console.sh also need shoji-xenstored (and
# shoji-consoled): they reuse xs-ring-lib.sh / console-lib.sh.
PV_SYSTEM_TESTS = \
	tests/system/pv-pingpong.sh \
	tests/system/pv-timer.sh \
	tests/system/pv-ipi.sh \
	tests/system/pv-hostile.sh \
	tests/system/pv-flood.sh \
	tests/system/pv-gnttab-copy.sh \
	tests/system/pv-gnttab-map.sh \
	tests/system/pv-xenstore.sh \
	tests/system/pv-console.sh
TESTS += $(PV_SYSTEM_TESTS)
EXTRA_DIST += $(PV_SYSTEM_TESTS) tests/system/pv-lib.sh
