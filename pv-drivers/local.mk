# pv-drivers: split drivers, the guest side apart from the Dom0 side (paths
# relative to the top).
#   guest/runtime/    the freestanding PVH guest runtime every guest program links
#   guest/demo/       the demo guest
#   guest/ping-front/ the example frontend
#   dom0/libbackend/  libshoji-backend, the backend SDK (installed)
#   dom0/consoled/    shoji-consoled, the PV console backend
#   dom0/ping-back/   the example backend
#   dom0/blkback/     shoji-blkback, the PV block backend
#   dom0/netback/     shoji-netback, the PV network backend
# Test guests live in tests/guests/.
include $(srcdir)/pv-drivers/guest/runtime/local.mk
include $(srcdir)/pv-drivers/guest/demo/local.mk
include $(srcdir)/pv-drivers/guest/ping-front/local.mk
include $(srcdir)/tests/guests/local.mk
# libshoji-backend links libshoji-xs/-evtchn/-gnttab/-ctrl: the top Makefile.am
# includes this folder after dom0-tools and xenstore, so it installs after them.
include $(srcdir)/pv-drivers/dom0/libbackend/local.mk
include $(srcdir)/pv-drivers/dom0/consoled/local.mk
include $(srcdir)/pv-drivers/dom0/ping-back/local.mk
include $(srcdir)/pv-drivers/dom0/blkback/local.mk
include $(srcdir)/pv-drivers/dom0/netback/local.mk
