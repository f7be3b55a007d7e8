# dom0-tools/util: libshoji-util, the internal library every daemon shares
# (the log family; mkdir -p for state and socket directories; a private
# directory's checks and lock; the listening Unix socket).  Not installed.
noinst_LIBRARIES += dom0-tools/util/libshoji-util.a
dom0_tools_util_libshoji_util_a_SOURCES = dom0-tools/util/log.c dom0-tools/util/log.h \
	dom0-tools/util/mkdir-p.c dom0-tools/util/mkdir-p.h
dom0_tools_util_libshoji_util_a_SOURCES += dom0-tools/util/safedir.c dom0-tools/util/safedir.h \
	dom0-tools/util/usock.c dom0-tools/util/usock.h
UTIL_CPPFLAGS = -I$(top_srcdir)/dom0-tools/util
UTIL_LIB = dom0-tools/util/libshoji-util.a
