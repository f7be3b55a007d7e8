# dom0-tools: the Dom0 toolstack, one folder per product (paths relative to the top).
#   util/       libshoji-util.a: what every daemon shares (not installed)
#   libctrl/    libshoji-ctrl: the client of shoji-hv's control socket
#   pvconn/     the client of shoji-hv's Dom0 socket, built into the next two
#   libevtchn/  libshoji-evtchn: Dom0 event channels
#   libgnttab/  libshoji-gnttab: Dom0 grant maps, copies and foreign maps
#   domxml/     the domain XML library and its schema
#   cli/        shoji, the command-line client
#   shojid/     the toolstack daemon
# Libraries install in the order listed (libtool relinks each against the ones
# already installed).
include $(srcdir)/dom0-tools/util/local.mk
include $(srcdir)/dom0-tools/libctrl/local.mk
include $(srcdir)/dom0-tools/pvconn/local.mk
include $(srcdir)/dom0-tools/libevtchn/local.mk
include $(srcdir)/dom0-tools/libgnttab/local.mk
include $(srcdir)/dom0-tools/domxml/local.mk
include $(srcdir)/dom0-tools/cli/local.mk
include $(srcdir)/dom0-tools/shojid/local.mk
include $(srcdir)/tests/dom0/local.mk
