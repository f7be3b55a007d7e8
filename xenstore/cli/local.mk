# xenstore/cli: shoji-xenstore, the xenstore command-line client.
bin_PROGRAMS += xenstore/cli/shoji-xenstore
xenstore_cli_shoji_xenstore_SOURCES = xenstore/cli/cli.c
xenstore_cli_shoji_xenstore_LDADD = xenstore/libxs/libshoji-xs.la

dist_man_MANS += xenstore/cli/shoji-xenstore.1
