# dom0-tools/libgnttab: libshoji-gnttab, Dom0 grant maps and copies and foreign
# maps over shoji-hv's Dom0 socket.
lib_LTLIBRARIES += dom0-tools/libgnttab/libshoji-gnttab.la
dom0_tools_libgnttab_libshoji_gnttab_la_SOURCES = dom0-tools/libgnttab/gnttab.c
dom0_tools_libgnttab_libshoji_gnttab_la_CPPFLAGS = $(PVCONN_CPPFLAGS)
dom0_tools_libgnttab_libshoji_gnttab_la_LIBADD = dom0-tools/pvconn/libpvconn.la
dom0_tools_libgnttab_libshoji_gnttab_la_LDFLAGS = $(AM_LDFLAGS) -version-info 2:0:0 -export-symbols-regex '^shoji_'
shojiinclude_HEADERS += include/shoji/libgnttab.h
dist_man_MANS += dom0-tools/libgnttab/libshoji-gnttab.3
