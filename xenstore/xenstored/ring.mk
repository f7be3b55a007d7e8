# xenstore/xenstored/ring.mk: the guest-ring transport of shoji-xenstored (included by xenstore/local.mk).

# The ring protocol logic is part of the store library (unit tests drive it on a plain page);
# the Dom0 plumbing (foreign map + event channel) is the daemon's only.
xenstore_xenstored_libxsd_a_SOURCES += xenstore/xenstored/ring.c xenstore/xenstored/ring.h
xenstore_xenstored_shoji_xenstored_SOURCES += xenstore/xenstored/ring-dom0.c xenstore/xenstored/ring-dom0.h
xenstore_xenstored_shoji_xenstored_LDADD += dom0-tools/libevtchn/libshoji-evtchn.la dom0-tools/libgnttab/libshoji-gnttab.la \
	dom0-tools/libctrl/libshoji-ctrl.la

check_PROGRAMS += tests/unit/test_xs_ring
TESTS += tests/unit/test_xs_ring
tests_unit_test_xs_ring_SOURCES = tests/unit/test_xs_ring.c tests/unit/test_xs_util.h
tests_unit_test_xs_ring_CFLAGS = $(XS_UNIT_CFLAGS)
tests_unit_test_xs_ring_LDADD = $(XS_UNIT_LDADD)

EXTRA_DIST += docs/xenstore-ring.md

# Live guest-ring tests: a test guest with its own ring client, and a Dom0 helper that boots it
# in shoji-hv and introduces it to shoji-xenstored.
check_PROGRAMS += tests/guests/xs-guest
tests_guests_xs_guest_SOURCES = tests/guests/xs-guest.c
tests_guests_xs_guest_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_xs_guest_CFLAGS = $(GUEST_CFLAGS)
tests_guests_xs_guest_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_xs_guest_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_xs_guest_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/dom0/xs-ring-run
tests_dom0_xs_ring_run_SOURCES = tests/dom0/xs-ring-run.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-util.h
tests_dom0_xs_ring_run_LDADD = dom0-tools/libctrl/libshoji-ctrl.la xenstore/libxs/libshoji-xs.la

XS_RING_TESTS = tests/system/xs-ring-basic.sh tests/system/xs-ring-hostile.sh \
	tests/system/xs-ring-restart.sh
TESTS += $(XS_RING_TESTS)
EXTRA_DIST += $(XS_RING_TESTS) tests/system/xs-ring-lib.sh

# make bench: guest READ round trip over the ring beside the bare event channel round trip.
BENCH_BINS += tests/guests/xs-guest tests/dom0/xs-ring-run tests/dom0/dom0-pingpong \
	tests/guests/evtchn-dom0
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/system/xs-ring-bench.sh"
EXTRA_DIST += tests/system/xs-ring-bench.sh
