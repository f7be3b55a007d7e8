# dom0-tools: domain XML, the shoji CLI, shojid and the Dom0 libraries.
include $(srcdir)/dom0-tools/ctrl.mk
