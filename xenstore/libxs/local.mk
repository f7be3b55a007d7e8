# xenstore/libxs: libshoji-xs, the xenstore client library (public header include/shoji/xs.h).
lib_LTLIBRARIES += xenstore/libxs/libshoji-xs.la
xenstore_libxs_libshoji_xs_la_SOURCES = xenstore/libxs/xs.c
xenstore_libxs_libshoji_xs_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 -export-symbols-regex '^shoji_'
shojiinclude_HEADERS += include/shoji/xs.h
dist_man_MANS += xenstore/libxs/libshoji-xs.3
