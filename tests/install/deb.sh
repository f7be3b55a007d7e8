#!/bin/sh
# The Debian packages built from the tree, installed and used as a user would:
#   tests/install/deb.sh        (root; .ci/run runs it after distcheck)
# Copies the tree (git's files, committed or not) to a scratch directory, installs the
# missing build dependencies with apt-get, runs dpkg-buildpackage -us -uc -b there,
# installs shoji and shoji-dev with dpkg -i on this machine and checks from the installed
# paths only (no build tree on PATH): programs, man pages, headers, the pkg-config files
# (a Dom0 program and both halves of the ping driver built with them), the examples, the
# bash completion and shojid.service (systemd-analyze verify).  With /dev/kvm it then
# starts the installed shojid and runs the demo domain from the installed example.
# Both packages are purged again at the end.  Not part of `make check`: it builds the
# whole tree once more (minutes on two cores) and installs packages on the host.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/common.sh"

[ "$(id -u)" -eq 0 ] || fail "tests/install/deb.sh installs packages: run it as root"
command -v git >/dev/null 2>&1 && git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1 ||
	fail "tests/install/deb.sh copies the tree with git ls-files: run it in a git checkout"
if dpkg-query -W -f='${Status}' shoji 2>/dev/null | grep -q 'install ok installed'; then
	fail "the shoji package is already installed here: this test would replace and purge it"
fi

# The build dependencies of debian/control, installed when missing.
export DEBIAN_FRONTEND=noninteractive
if ! command -v dpkg-checkbuilddeps >/dev/null 2>&1 || ! command -v dh >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends dpkg-dev debhelper >/dev/null
fi
missing=$(cd "$top_srcdir" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
	sed 's/([^)]*)//g; s/|[^ ]*//g')
if [ -n "$missing" ]; then
	echo "installing the build dependencies: $missing"
	# shellcheck disable=SC2086 # one word per package
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The tree as git sees it (so no build directories), in a directory of its own: the
# packages land beside it.
src="$SHOJI_TMP/src/shoji"
mkdir -p "$src"
(cd "$top_srcdir" && git ls-files -co --exclude-standard -z | xargs -0 tar cf - --) | tar xf - -C "$src"
log="$SHOJI_TMP/build.log"
echo "== dpkg-buildpackage -us -uc -b (log: $log)"
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$log" 2>&1 ||
	{ tail -n 40 "$log"; fail "dpkg-buildpackage failed"; }
# Every installed file belongs to a package (dh_missing), and the libraries' dependencies
# resolve (dpkg-shlibdeps): their warnings are failures here.
if grep -E '(dh_missing|dpkg-shlibdeps): (warning|error)' "$log"; then
	fail "dpkg-buildpackage warned (above)"
fi
ver=$(cd "$src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
for p in shoji shoji-dev; do
	[ -f "$SHOJI_TMP/src/${p}_${ver}_$arch.deb" ] || fail "${p}_${ver}_$arch.deb was not built"
done
echo "PASS: built shoji and shoji-dev $ver"

# Installed on this machine; purged at exit whatever happens.
deb_cleanup() {
	if [ -f /var/lib/shoji/shojid.pid ]; then
		# shellcheck disable=SC2046
		stop_pids $(cat /var/lib/shoji/shojid.pid /var/lib/shoji/shoji-*.pid 2>/dev/null)
	fi
	dpkg --purge shoji-dev shoji >/dev/null 2>&1 || true
	shoji_cleanup
}
trap deb_cleanup EXIT
dpkg -i "$SHOJI_TMP/src/shoji_${ver}_$arch.deb" "$SHOJI_TMP/src/shoji-dev_${ver}_$arch.deb" \
	>"$SHOJI_TMP/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$SHOJI_TMP/dpkg.log")"
echo "PASS: dpkg -i installed both packages"

# From here on, only what the packages installed: no build tree on PATH.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
unset SHOJI_SCHEMA SHOJID_SOCKET
for p in /usr/bin/shoji /usr/bin/shoji-xenstore /usr/sbin/shojid /usr/sbin/shoji-hv \
	/usr/sbin/shoji-xenstored /usr/sbin/shoji-consoled; do
	[ -x "$p" ] || fail "$p is not installed"
	dpkg -S "$p" >/dev/null 2>&1 || fail "$p is not owned by a package"
done
[ "$(shoji --version)" = "shoji ${ver%%-*}" ] || fail "shoji --version: $(shoji --version)"
shojid --help >/dev/null || fail "shojid --help"
for m in man1/shoji.1 man1/shoji-xenstore.1 man5/shoji-domain.xml.5 man8/shojid.8 man8/shoji-hv.8 \
	man8/shoji-xenstored.8 man8/shoji-consoled.8 man3/libshoji-backend.3; do
	[ -f "/usr/share/man/$m.gz" ] || fail "/usr/share/man/$m.gz is not installed"
done
[ -f /usr/share/bash-completion/completions/shoji ] || fail "the bash completion is not installed"
echo "PASS: programs, man pages and the completion installed"

# dpkg's hardening reached the host programs (HOST_CFLAGS_EXTRA in debian/rules) while the
# freestanding demo guest, which cannot take it, still built.
nm -D /usr/sbin/shoji-hv | grep -q ' U __stack_chk_fail' ||
	fail "shoji-hv was built without dpkg's stack protector"
readelf -d /usr/sbin/shojid | grep -q 'BIND_NOW' || fail "shojid was linked without -z now"
echo "PASS: the host programs carry dpkg's hardening flags"

# The examples validate with the installed shoji and schema; demo.xml names the installed
# demo guest.
ex=/usr/share/doc/shoji/examples
shoji validate "$ex/demo.xml" >/dev/null || fail "the installed demo.xml does not validate"
shoji validate --no-file-checks "$ex/libvirt-pvh.xml" >/dev/null || fail "libvirt-pvh.xml does not validate"
kernel=$(sed -n 's|.*<kernel>\(.*\)</kernel>.*|\1|p' "$ex/demo.xml")
dpkg -S "$kernel" >/dev/null 2>&1 || fail "demo.xml names $kernel, which no package installed"
echo "PASS: the installed examples validate; demo.xml names $kernel"

# The SDK: headers and both pkg-config files, used as a driver author would.
for h in shoji/xen.h shoji/io/ring.h shoji/backend.h shoji-guest/shoji-guest.h; do
	[ -f "/usr/include/$h" ] || fail "/usr/include/$h is not installed"
done
pkg-config --exists shoji shoji-guest || fail "pkg-config does not find shoji and shoji-guest"
cc=${CC:-cc}
b="$SHOJI_TMP/oot"
mkdir -p "$b/proto"
# shellcheck disable=SC2046 # pkg-config output is a list of words
$cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags shoji) -o "$b/backend" \
	"$top_srcdir/tests/install/backend.c" $(pkg-config --libs shoji) ||
	fail "a Dom0 program does not build with pkg-config shoji"
"$b/backend" >/dev/null || fail "the Dom0 program does not run on the installed libraries"
cp "$top_srcdir/pv-drivers/guest/ping-front/ping-front.c" "$top_srcdir/pv-drivers/dom0/ping-back/ping-back.c" "$b/"
cp "$top_srcdir/include/proto/ping.h" "$b/proto/"
: >"$b/config.h"
# shellcheck disable=SC2046
(cd "$b" && $cc -std=gnu11 -O2 -I. $(pkg-config --cflags shoji-guest) -c ping-front.c &&
	$cc -o ping-front ping-front.o $(pkg-config --libs shoji-guest)) ||
	fail "ping-front does not build with pkg-config shoji-guest"
# shellcheck disable=SC2046
(cd "$b" && $cc -std=gnu11 -D_GNU_SOURCE -I. $(pkg-config --cflags shoji libevent) -o shoji-pingback \
	ping-back.c $(pkg-config --libs shoji libevent)) || fail "ping-back does not build with pkg-config shoji"
echo "PASS: the SDK builds a Dom0 program and both halves of the ping driver"

# The unit: installed, enabled by the package, clean for systemd-analyze.
unit=/lib/systemd/system/shojid.service
[ -f "$unit" ] || fail "$unit is not installed"
[ -L /etc/systemd/system/multi-user.target.wants/shojid.service ] ||
	fail "the package did not enable shojid.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	man=no
	command -v man >/dev/null 2>&1 && man=yes
	systemd-analyze verify --man=$man "$unit" >"$SHOJI_TMP/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$SHOJI_TMP/verify")"
	[ ! -s "$SHOJI_TMP/verify" ] || fail "systemd-analyze verify: $(cat "$SHOJI_TMP/verify")"
	echo "PASS: $unit passes systemd-analyze verify (man pages checked: $man)"
fi

# With /dev/kvm: the installed shojid (through systemd where it runs) and the demo domain
# from the installed example.
require_kvm
[ ! -e /run/shoji/shojid.sock ] || fail "a shojid already serves /run/shoji/shojid.sock"
if [ -d /run/systemd/system ]; then
	systemctl start shojid || fail "systemctl start shojid: $(journalctl -u shojid -n 20 --no-pager)"
else
	$(sed -n 's/^ExecStart=//p' "$unit") || fail "shojid did not start"
fi
shoji create "$ex/demo.xml" >"$SHOJI_TMP/create.out" 2>&1 || fail "shoji create: $(cat "$SHOJI_TMP/create.out")"
shoji list | grep -q '^demo ' || fail "demo is not listed: $(shoji list)"
tries=100
until grep -q "Shoji demo guest" /var/log/shoji/demo.log 2>/dev/null; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || fail "no banner in /var/log/shoji/demo.log"
	sleep 0.1
done
shoji shutdown --wait --timeout 20 demo >/dev/null || fail "shoji shutdown demo"
[ -d /run/systemd/system ] && systemctl stop shojid
echo "PASS: the installed shojid ran the demo domain from $ex/demo.xml"
