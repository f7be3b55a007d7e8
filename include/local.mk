# include: the Xen-ABI headers package, installed under $(includedir)/shoji.
# Other folders add their public headers (ctrl.h, xs.h, ...) with +=.

shojiincludedir = $(includedir)/shoji
shojiinclude_HEADERS = \
	include/shoji/abi-check.h \
	include/shoji/elfnote.h \
	include/shoji/errno.h \
	include/shoji/event_channel.h \
	include/shoji/grant_table.h \
	include/shoji/hvm.h \
	include/shoji/memory.h \
	include/shoji/sched.h \
	include/shoji/start_info.h \
	include/shoji/vcpu.h \
	include/shoji/version.h \
	include/shoji/xen.h

shojiioincludedir = $(includedir)/shoji/io
shojiioinclude_HEADERS = \
	include/shoji/io/blkif.h \
	include/shoji/io/console.h \
	include/shoji/io/netif.h \
	include/shoji/io/ring.h \
	include/shoji/io/xenbus.h \
	include/shoji/io/xs_wire.h

# Tests of the package (issue 2, item 3).
TESTS += tests/headers/compile.sh tests/install/install.sh
EXTRA_DIST += tests/headers/compile.sh tests/install/install.sh tests/install/driver.c \
	tests/install/backend.c

check_PROGRAMS += tests/unit/test_ring
TESTS += tests/unit/test_ring
tests_unit_test_ring_SOURCES = tests/unit/test_ring.c
tests_unit_test_ring_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_ring_LDADD = $(CHECK_LIBS)

# Compare every ABI constant, size and offset with the Xen project's own
# public headers (Debian: libxen-dev).  Not part of `make check` because it
# needs that extra package; run it by hand after editing include/shoji.
EXTRA_DIST += tests/headers/xen-abi-compare.py
TESTS += tests/headers/xen-abi.sh
EXTRA_DIST += tests/headers/xen-abi.sh

check-xen-abi:
	python3 $(srcdir)/tests/headers/xen-abi-compare.py $(srcdir)/include /usr/include $(CC)
.PHONY: check-xen-abi

# The man pages state <shoji/limits.h>'s values (include/shoji/limits.h is
# installed with libshoji-ctrl's ctrl.h, which includes it).
TESTS += tests/headers/limits-docs.sh
EXTRA_DIST += tests/headers/limits-docs.sh
