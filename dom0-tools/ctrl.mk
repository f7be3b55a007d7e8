# dom0-tools/ctrl.mk: libshoji-ctrl, the Dom0 client of shoji-hv's control socket.
