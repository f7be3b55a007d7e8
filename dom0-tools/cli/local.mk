# dom0-tools/cli: shoji, the command-line client of shojid (and validate, which
# needs no daemon).  One command table in cli-table.c.
bin_PROGRAMS += dom0-tools/cli/shoji
dom0_tools_cli_shoji_SOURCES = \
	dom0-tools/cli/shoji.c \
	dom0-tools/cli/cli-table.c \
	dom0-tools/cli/cli-validate.c \
	dom0-tools/cli/cli-json.c \
	dom0-tools/cli/cli.h \
	dom0-tools/cli/cli-domain.c \
	dom0-tools/cli/cli-client.c \
	dom0-tools/cli/cli-host.c \
	dom0-tools/cli/cli-stats.c \
	dom0-tools/cli/cli-vcpu.c \
	dom0-tools/cli/cli-save.c \
	dom0-tools/cli/cli-console.c dom0-tools/cli/cli-console.h \
	include/proto/shojid-api.h
dom0_tools_cli_shoji_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml \
	$(DOMXML_SCHEMA_DEFS)
dom0_tools_cli_shoji_CFLAGS = $(AM_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS)
dom0_tools_cli_shoji_LDADD = dom0-tools/domxml/libshoji-domxml.la $(UTIL_LIB) $(UUID_LIBS)

dist_man_MANS += dom0-tools/cli/shoji.1 dom0-tools/domxml/shoji-domain.xml.5

# bash completion, installed under the command's name.
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = dom0-tools/cli/bash-completion/shoji
dom0-tools/cli/bash-completion/shoji: $(srcdir)/dom0-tools/cli/shoji.bash-completion
	$(AM_V_GEN)$(MKDIR_P) dom0-tools/cli/bash-completion && cp $(srcdir)/dom0-tools/cli/shoji.bash-completion $@
CLEANFILES += dom0-tools/cli/bash-completion/shoji
EXTRA_DIST += dom0-tools/cli/shoji.bash-completion

