# dom0-tools/libctrl/local.mk: libshoji-ctrl, the Dom0 client of shoji-hv's control socket.
lib_LTLIBRARIES += dom0-tools/libctrl/libshoji-ctrl.la
dom0_tools_libctrl_libshoji_ctrl_la_SOURCES = dom0-tools/libctrl/ctrl.c include/proto/hv-ctrl.h
dom0_tools_libctrl_libshoji_ctrl_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
shojiinclude_HEADERS += include/shoji/ctrl.h
