# pv-drivers/dom0/libbackend: libshoji-backend, the Dom0 PV backend SDK (include/shoji/backend.h).
# Listed after libshoji-xs/-evtchn/-gnttab/-ctrl (the top Makefile.am includes
# this folder last), so libtool relinks it against them once they are installed.
lib_LTLIBRARIES += pv-drivers/dom0/libbackend/libshoji-backend.la
pv_drivers_dom0_libbackend_libshoji_backend_la_SOURCES = \
	pv-drivers/dom0/libbackend/backend.c \
	pv-drivers/dom0/libbackend/xenbus.c \
	pv-drivers/dom0/libbackend/backend-internal.h
pv_drivers_dom0_libbackend_libshoji_backend_la_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
pv_drivers_dom0_libbackend_libshoji_backend_la_LIBADD = xenstore/libxs/libshoji-xs.la \
	dom0-tools/libevtchn/libshoji-evtchn.la dom0-tools/libgnttab/libshoji-gnttab.la \
	dom0-tools/libctrl/libshoji-ctrl.la $(EVENT_LIBS)
pv_drivers_dom0_libbackend_libshoji_backend_la_LDFLAGS = $(AM_LDFLAGS) -version-info 2:0:1 \
	-export-symbols-regex '^shoji_'
shojiinclude_HEADERS += include/shoji/backend.h
dist_man_MANS += pv-drivers/dom0/libbackend/libshoji-backend.3


# Unit test of the xenbus state machine against a private xenstored and hvsim
# (shoji-hv without KVM, tests/sim/hvsim.h).
check_PROGRAMS += tests/unit/test_backend
TESTS += tests/unit/test_backend
tests_unit_test_backend_SOURCES = tests/unit/test_backend.c
tests_unit_test_backend_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_unit_test_backend_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(EVENT_CFLAGS)
tests_unit_test_backend_LDADD = pv-drivers/dom0/libbackend/libshoji-backend.la xenstore/libxs/libshoji-xs.la \
	$(HVSIM_LDADD) $(EVENT_LIBS) $(CHECK_LIBS)

