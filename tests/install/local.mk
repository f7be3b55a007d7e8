# tests/install: what a user meets outside the build tree (install.sh, the SDK and
# `make install`, is listed in include/local.mk next to the headers it installs).
TESTS += tests/install/scripts-root.sh tests/install/examples.sh
EXTRA_DIST += tests/install/scripts-root.sh tests/install/examples.sh tests/install/deb.sh scripts/as-root.sh
