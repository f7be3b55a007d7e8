# dom0-tools/domxml: the domain XML library (parser, schema pass, serialiser),
# used by the CLI and shojid; its header is domxml.h.
DOMXML_SRCS = \
	dom0-tools/domxml/domxml.c \
	dom0-tools/domxml/domxml-shape.c \
	dom0-tools/domxml/domxml-check.c \
	dom0-tools/domxml/domxml-schema.c \
	dom0-tools/domxml/domxml-names.c \
	dom0-tools/domxml/domxml-write.c
noinst_LTLIBRARIES += dom0-tools/domxml/libshoji-domxml.la
dom0_tools_domxml_libshoji_domxml_la_SOURCES = $(DOMXML_SRCS) \
	dom0-tools/domxml/domxml.h dom0-tools/domxml/domxml-int.h
dom0_tools_domxml_libshoji_domxml_la_CFLAGS = $(AM_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS)
dom0_tools_domxml_libshoji_domxml_la_LIBADD = $(XML2_LIBS) $(UUID_LIBS)

# The schema: installed, and found in the source tree when running uninstalled.
shojischemadir = $(pkgdatadir)
dist_shojischema_DATA = dom0-tools/domxml/shoji-domain.rng
DOMXML_SCHEMA_DEFS = \
	-DSHOJI_SCHEMA_INSTALLED='"$(pkgdatadir)/shoji-domain.rng"' \
	-DSHOJI_SCHEMA_SOURCE='"$(abs_top_srcdir)/dom0-tools/domxml/shoji-domain.rng"'

# --- tests ---
check_PROGRAMS += tests/unit/test_domxml
TESTS += tests/unit/test_domxml
tests_unit_test_domxml_SOURCES = tests/unit/test_domxml.c tests/unit/limits-xml.h
tests_unit_test_domxml_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools/domxml
tests_unit_test_domxml_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML2_CFLAGS) $(UUID_CFLAGS)
tests_unit_test_domxml_LDADD = dom0-tools/domxml/libshoji-domxml.la $(XML2_LIBS) $(UUID_LIBS) $(CHECK_LIBS)

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
	$(srcdir)/dom0-tools/domxml/domxml.c \
	$(srcdir)/dom0-tools/domxml/domxml-shape.c \
	$(srcdir)/dom0-tools/domxml/domxml-check.c \
	$(srcdir)/dom0-tools/domxml/domxml-schema.c \
	$(srcdir)/dom0-tools/domxml/domxml-names.c \
	$(srcdir)/dom0-tools/domxml/domxml-write.c
tests/fuzz/fuzz_domxml: $(FUZZ_DOMXML_SRCS) \
		$(srcdir)/dom0-tools/domxml/domxml.h $(srcdir)/dom0-tools/domxml/domxml-int.h
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && $(FUZZ_CC) $(FUZZ_CFLAGS) -I$(srcdir)/dom0-tools/domxml \
		$(XML2_CFLAGS) $(UUID_CFLAGS) $(DOMXML_SCHEMA_DEFS) -o $@ \
		$(FUZZ_DOMXML_SRCS) $(XML2_LIBS) $(UUID_LIBS)
endif

