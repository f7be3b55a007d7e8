# dom0-tools/util: libshoji-util, the internal library every daemon shares
# (the log family; mkdir -p for state and socket directories; the checked
# number parser of their options; the pid file; a private directory's checks
# and lock; the listening Unix socket; edit distance for hints; the framing
# of the save/migration stream; descriptors sent with a message; the listener's
# client maximum and accept back-off; the seccomp sandbox, whose users link
# $(SANDBOX_LIBS)).  Not installed.
noinst_LIBRARIES += dom0-tools/util/libshoji-util.a
dom0_tools_util_libshoji_util_a_SOURCES = dom0-tools/util/log.c dom0-tools/util/log.h \
	dom0-tools/util/mkdir-p.c dom0-tools/util/mkdir-p.h \
	dom0-tools/util/number.c dom0-tools/util/number.h \
	dom0-tools/util/pidfile.c dom0-tools/util/pidfile.h \
	dom0-tools/util/safedir.c dom0-tools/util/safedir.h \
	dom0-tools/util/strdist.c dom0-tools/util/strdist.h \
	dom0-tools/util/cpulist.c dom0-tools/util/cpulist.h \
	dom0-tools/util/usock.c dom0-tools/util/usock.h \
	dom0-tools/util/migstream.c dom0-tools/util/migstream.h \
	dom0-tools/util/scmfd.c dom0-tools/util/scmfd.h \
	dom0-tools/util/acceptgate.c dom0-tools/util/acceptgate.h \
	dom0-tools/util/sandbox.c dom0-tools/util/sandbox.h
dom0_tools_util_libshoji_util_a_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(EVENT_CFLAGS) $(SECCOMP_CFLAGS)
UTIL_CPPFLAGS = -I$(top_srcdir)/dom0-tools/util
UTIL_LIB = dom0-tools/util/libshoji-util.a
SANDBOX_LIBS = $(SECCOMP_LIBS)

check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
tests_unit_test_util_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_util_LDADD = $(UTIL_LIB) $(CHECK_LIBS)
# rename() is wrapped: the test connects to a socket the instant it is renamed into place.
tests_unit_test_util_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=rename
TESTS += tests/system/daemon-numbers.sh
EXTRA_DIST += tests/system/daemon-numbers.sh

check_PROGRAMS += tests/unit/test_migstream
TESTS += tests/unit/test_migstream
tests_unit_test_migstream_SOURCES = tests/unit/test_migstream.c
tests_unit_test_migstream_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
tests_unit_test_migstream_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_migstream_LDADD = $(UTIL_LIB) $(ZLIB_LIBS) $(CHECK_LIBS)

# The sandbox with each daemon's own table: a forbidden call kills (SIGSYS).
check_PROGRAMS += tests/unit/test_sandbox
TESTS += tests/unit/test_sandbox
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c \
	xenstore/xenstored/sandbox-xenstored.c pv-drivers/dom0/consoled/sandbox-consoled.c \
	pv-drivers/dom0/blkback/sandbox-blkback.c pv-drivers/dom0/netback/sandbox-netback.c \
	dom0-tools/shojid/sandbox-shojid.c
tests_unit_test_sandbox_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
tests_unit_test_sandbox_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SECCOMP_CFLAGS)
tests_unit_test_sandbox_LDADD = $(UTIL_LIB) $(SANDBOX_LIBS) $(CHECK_LIBS) -lpthread
# Every Dom0 daemon runs filtered, keeps serving and exits cleanly (on hvsim).
TESTS += tests/system/sandbox-daemons.sh
EXTRA_DIST += tests/system/sandbox-daemons.sh
