# dom0-tools/ctrl.mk: libshoji-ctrl, the Dom0 client of shoji-hv's control socket.
lib_LTLIBRARIES += dom0-tools/libshoji-ctrl.la
dom0_tools_libshoji_ctrl_la_SOURCES = dom0-tools/ctrl.c hypervisor/ctrl-proto.h
dom0_tools_libshoji_ctrl_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor
dom0_tools_libshoji_ctrl_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
shojiinclude_HEADERS += include/shoji/ctrl.h
