# dom0-tools: domain XML, the shoji CLI, shojid and the Dom0 libraries.
include $(srcdir)/dom0-tools/ctrl.mk
include $(srcdir)/dom0-tools/pvlibs.mk

# --- domxml: the domain XML parser, schema pass and serialiser. ---
DOMXML_SRCS = \
	dom0-tools/domxml.c \
	dom0-tools/domxml-shape.c \
	dom0-tools/domxml-check.c \
	dom0-tools/domxml-schema.c \
	dom0-tools/domxml-write.c
noinst_LTLIBRARIES += dom0-tools/libshoji-domxml.la
dom0_tools_libshoji_domxml_la_SOURCES = $(DOMXML_SRCS) \
	dom0-tools/domxml.h dom0-tools/domxml-int.h
dom0_tools_libshoji_domxml_la_CFLAGS = $(AM_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS)
dom0_tools_libshoji_domxml_la_LIBADD = $(XML2_LIBS) $(UUID_LIBS)

# The schema: installed, and found in the source tree when running uninstalled.
shojischemadir = $(pkgdatadir)
dist_shojischema_DATA = dom0-tools/shoji-domain.rng
DOMXML_SCHEMA_DEFS = \
	-DSHOJI_SCHEMA_INSTALLED='"$(pkgdatadir)/shoji-domain.rng"' \
	-DSHOJI_SCHEMA_SOURCE='"$(abs_top_srcdir)/dom0-tools/shoji-domain.rng"'

# --- shoji: the CLI. ---
bin_PROGRAMS += dom0-tools/shoji
dom0_tools_shoji_SOURCES = \
	dom0-tools/shoji.c \
	dom0-tools/cli-table.c \
	dom0-tools/cli-validate.c \
	dom0-tools/cli-json.c \
	dom0-tools/cli.h
dom0_tools_shoji_CPPFLAGS = $(AM_CPPFLAGS) $(DOMXML_SCHEMA_DEFS)
dom0_tools_shoji_CFLAGS = $(AM_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS)
dom0_tools_shoji_LDADD = dom0-tools/libshoji-domxml.la $(UUID_LIBS)

dist_man_MANS += dom0-tools/shoji.1 dom0-tools/shoji-domain.xml.5

# bash completion, installed under the command's name.
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = dom0-tools/bash-completion/shoji
dom0-tools/bash-completion/shoji: $(srcdir)/dom0-tools/shoji.bash-completion
	$(AM_V_GEN)$(MKDIR_P) dom0-tools/bash-completion && cp $(srcdir)/dom0-tools/shoji.bash-completion $@
CLEANFILES += dom0-tools/bash-completion/shoji
EXTRA_DIST += dom0-tools/shoji.bash-completion

# --- tests ---
check_PROGRAMS += tests/unit/test_domxml
TESTS += tests/unit/test_domxml
tests_unit_test_domxml_SOURCES = tests/unit/test_domxml.c
tests_unit_test_domxml_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS)
tests_unit_test_domxml_LDADD = dom0-tools/libshoji-domxml.la $(XML2_LIBS) $(UUID_LIBS) $(CHECK_LIBS)

TESTS += tests/system/cli-validate.sh
EXTRA_DIST += tests/system/cli-validate.sh

EXTRA_DIST += tests/data/domxml

# libFuzzer over the parser (file checks off): a parse that succeeds must
# survive serialise -> parse unchanged, and whatever the schema rejects the C
# checks must reject with their own message.
TESTS += tests/fuzz/fuzz-domxml.sh
EXTRA_DIST += tests/fuzz/fuzz-domxml.sh tests/fuzz/fuzz_domxml.c
CLEANFILES += tests/fuzz/fuzz_domxml
if HAVE_LIBFUZZER
FUZZ_TARGETS += tests/fuzz/fuzz_domxml
check_SCRIPTS += tests/fuzz/fuzz_domxml
FUZZ_DOMXML_SRCS = \
	$(srcdir)/tests/fuzz/fuzz_domxml.c \
	$(srcdir)/dom0-tools/domxml.c \
	$(srcdir)/dom0-tools/domxml-shape.c \
	$(srcdir)/dom0-tools/domxml-check.c \
	$(srcdir)/dom0-tools/domxml-schema.c \
	$(srcdir)/dom0-tools/domxml-write.c
tests/fuzz/fuzz_domxml: $(FUZZ_DOMXML_SRCS) \
		$(srcdir)/dom0-tools/domxml.h $(srcdir)/dom0-tools/domxml-int.h
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && $(FUZZ_CC) $(FUZZ_CFLAGS) -I$(srcdir)/dom0-tools \
		$(XML2_CFLAGS) $(UUID_CFLAGS) $(DOMXML_SCHEMA_DEFS) -o $@ \
		$(FUZZ_DOMXML_SRCS) $(XML2_LIBS) $(UUID_LIBS)
endif

# dom0-tools/mkdir-p.[ch] (mkdir -p for the daemons) are compiled into
# shoji-xenstored and shoji-consoled: see xenstore/local.mk, pv-drivers/backends.mk.

# --- shojid: the Dom0 toolstack daemon, and the shoji commands that talk to
# it (toolstack engineer). ---
sbin_PROGRAMS += dom0-tools/shojid/shojid
dom0_tools_shojid_shojid_SOURCES = \
	dom0-tools/shojid/main.c \
	dom0-tools/shojid/api.c \
	dom0-tools/shojid/build.c \
	dom0-tools/shojid/lifecycle.c \
	dom0-tools/shojid/action.c \
	dom0-tools/shojid/coredump.c \
	dom0-tools/shojid/state.c \
	dom0-tools/shojid/xslayout.c \
	dom0-tools/shojid/spawn.c \
	dom0-tools/shojid/log.c \
	dom0-tools/shojid/shojid.h \
	dom0-tools/api-proto.h
dom0_tools_shojid_shojid_CPPFLAGS = $(AM_CPPFLAGS) $(DOMXML_SCHEMA_DEFS) -DSHOJI_SBINDIR='"$(sbindir)"'
dom0_tools_shojid_shojid_CFLAGS = $(AM_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) $(EVENT_CFLAGS)
dom0_tools_shojid_shojid_LDADD = dom0-tools/libshoji-domxml.la dom0-tools/libshoji-ctrl.la \
	dom0-tools/libshoji-evtchn.la dom0-tools/libshoji-gnttab.la xenstore/libshoji-xs.la \
	$(EVENT_LIBS) $(UUID_LIBS)
dom0_tools_shoji_SOURCES += dom0-tools/cli-domain.c dom0-tools/cli-client.c dom0-tools/api-proto.h
# shoji console (the PV console engineer's client of shoji-consoled)
dom0_tools_shoji_SOURCES += dom0-tools/cli-console.c dom0-tools/cli-console.h
dist_man_MANS += dom0-tools/shojid.8

# Unit test of the state directory (state.c, with log.c and stubs for the rest).
check_PROGRAMS += tests/unit/test_shojid_state
TESTS += tests/unit/test_shojid_state
tests_unit_test_shojid_state_SOURCES = tests/unit/test_shojid_state.c \
	dom0-tools/shojid/state.c dom0-tools/shojid/log.c dom0-tools/shojid/shojid.h
tests_unit_test_shojid_state_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) \
	$(EVENT_CFLAGS)
tests_unit_test_shojid_state_LDADD = dom0-tools/libshoji-domxml.la $(UUID_LIBS) $(CHECK_LIBS)

# Unit test of the on_* decision for a stopped domain (action.c alone).
check_PROGRAMS += tests/unit/test_shojid_action
TESTS += tests/unit/test_shojid_action
tests_unit_test_shojid_action_SOURCES = tests/unit/test_shojid_action.c \
	dom0-tools/shojid/action.c dom0-tools/shojid/shojid.h
tests_unit_test_shojid_action_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS) \
	$(EVENT_CFLAGS)
tests_unit_test_shojid_action_LDADD = $(CHECK_LIBS)

# toolstack system tests and benchmark
TOOLSTACK_TESTS = \
	tests/system/toolstack-basic.sh \
	tests/system/toolstack-bad.sh \
	tests/system/toolstack-restart.sh \
	tests/system/toolstack-parallel.sh \
	tests/system/toolstack-coredump.sh
TESTS += $(TOOLSTACK_TESTS)
EXTRA_DIST += $(TOOLSTACK_TESTS) tests/system/toolstack-lib.sh tests/bench/toolstack.sh
noinst_PROGRAMS += tests/bench/toolstack_bench
tests_bench_toolstack_bench_SOURCES = tests/bench/toolstack_bench.c dom0-tools/api-proto.h
tests_bench_toolstack_bench_LDADD = dom0-tools/libshoji-ctrl.la
BENCH_BINS += tests/bench/toolstack_bench dom0-tools/shojid/shojid dom0-tools/shoji
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/bench/toolstack.sh"
