# xenstore: one folder per product (paths relative to the top).
#   libxs/      libshoji-xs, the client library (installed)
#   xenstored/  shoji-xenstored and its store core
#   cli/        shoji-xenstore, the command-line client
include $(srcdir)/xenstore/libxs/local.mk
include $(srcdir)/xenstore/xenstored/local.mk
include $(srcdir)/xenstore/cli/local.mk
