# dom0-tools/libevtchn: libshoji-evtchn, Dom0 event channels over shoji-hv's Dom0 socket.
lib_LTLIBRARIES += dom0-tools/libevtchn/libshoji-evtchn.la
dom0_tools_libevtchn_libshoji_evtchn_la_SOURCES = dom0-tools/libevtchn/evtchn.c
dom0_tools_libevtchn_libshoji_evtchn_la_CPPFLAGS = $(PVCONN_CPPFLAGS)
dom0_tools_libevtchn_libshoji_evtchn_la_LIBADD = dom0-tools/pvconn/libpvconn.la
dom0_tools_libevtchn_libshoji_evtchn_la_LDFLAGS = $(AM_LDFLAGS) -version-info 1:0:0 -export-symbols-regex '^shoji_'
shojiinclude_HEADERS += include/shoji/libevtchn.h
dist_man_MANS += dom0-tools/libevtchn/libshoji-evtchn.3
