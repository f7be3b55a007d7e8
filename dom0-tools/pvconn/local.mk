# dom0-tools/pvconn: the client side of shoji-hv's Dom0 event-channel and grant
# socket, a convenience library built into libshoji-evtchn and libshoji-gnttab
# (each exports only its shoji_* API).
noinst_LTLIBRARIES += dom0-tools/pvconn/libpvconn.la
dom0_tools_pvconn_libpvconn_la_SOURCES = dom0-tools/pvconn/pvconn.c dom0-tools/pvconn/pvconn.h \
	include/proto/hv-ctrl.h include/proto/hv-dom0.h
PVCONN_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/pvconn
