# Helpers for tests that use real Debian artifacts (packages, kernels) without running them.
# Source after common.sh:  . "$top_srcdir/tests/lib/debian.sh"
#
# Packages come from Debian's archive through apt, nothing else.  Where apt
# cannot give what a test needs (not root and the package is missing, no
# network for apt-get download), the test is skipped with a loud SKIP line.

# skip_loudly REASON: exit 77 with a SKIP line on both stdout and stderr.
skip_loudly() {
	echo "SKIP: DEBIAN ARTIFACT TEST NOT RUN: $*" >&2
	echo "SKIP: DEBIAN ARTIFACT TEST NOT RUN: $*"
	exit 77
}

# deb_apt_ready: make sure apt has package lists (apt-get update once, as root).
deb_apt_ready() {
	command -v apt-get >/dev/null 2>&1 || skip_loudly "apt-get is not available"
	if ! apt-cache show --no-all-versions dpkg >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || skip_loudly "apt has no package lists and we are not root"
		apt-get update -qq >/dev/null 2>&1 || skip_loudly "apt-get update failed"
	fi
}

# deb_require PKG:CMD...: each command must exist, else install its package (root) or skip.
deb_require() {
	local spec pkg cmd missing=""
	for spec in "$@"; do
		pkg=${spec%%:*}
		cmd=${spec#*:}
		if [ "${cmd#/}" != "$cmd" ]; then
			[ -e "$cmd" ] || missing="$missing $pkg"
		else
			command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
		fi
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || skip_loudly "need Debian package(s)$missing (run scripts/deps as root)"
	deb_apt_ready
	echo "installing$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
		>"$SHOJI_TMP/apt-install.log" 2>&1 ||
		skip_loudly "apt-get install$missing failed: $(tail -n 2 "$SHOJI_TMP/apt-install.log")"
}

# deb_download PKG DIR: fetch PKG's .deb into DIR (as DIR/PKG_*.deb) with apt-get download.
deb_download() {
	local pkg=$1 dir=$2
	(cd "$dir" && apt-get -q -o APT::Sandbox::User=root download "$pkg") \
		>"$SHOJI_TMP/apt-download.log" 2>&1 ||
		skip_loudly "apt-get download $pkg failed (no network?): $(tail -n 1 "$SHOJI_TMP/apt-download.log")"
	ls "$dir/${pkg}_"*.deb >/dev/null 2>&1 || skip_loudly "apt-get download $pkg gave no .deb"
}

# deb_cache_dir: where downloaded and extracted artifacts are kept between runs.
deb_cache_dir() {
	local d=${SHOJI_DEB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/shoji-debian}
	mkdir -p "$d" 2>/dev/null || d="$SHOJI_TMP/cache"
	mkdir -p "$d"
	echo "$d"
}

# extract_vmlinux BZIMAGE OUT: the ELF vmlinux inside an x86 bzImage.  The
# setup header says where the compressed payload is (setup_sects at 0x1f1,
# payload_offset/payload_length at 0x248/0x24c, boot protocol 2.08+); its
# magic says which Debian tool decompresses it.  The payload ends with the
# uncompressed size, which some tools call trailing garbage: their exit
# status is ignored and the result must be an ELF file instead.
extract_vmlinux() {
	local img=$1 out=$2 setup off len start magic tool
	[ "$(dd if="$img" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
		fail "$img: not a bzImage (no HdrS setup header)"
	setup=$(od -An -tu1 -j497 -N1 "$img" | tr -d ' ')
	[ "$setup" -eq 0 ] && setup=4
	off=$(od -An -tu4 -j584 -N4 "$img" | tr -d ' ')
	len=$(od -An -tu4 -j588 -N4 "$img" | tr -d ' ')
	start=$(((setup + 1) * 512 + off))
	tail -c +"$((start + 1))" "$img" | head -c "$len" >"$out.payload"
	magic=$(od -An -tx1 -N6 "$out.payload" | tr -d ' \n')
	case $magic in
	1f8b*) tool="gzip -dc" ;;
	fd377a585a00) tool="xz -dc" ;;
	28b52ffd*) tool="zstd -dcq" ;;
	02214c18*) tool="lz4 -dcq" ;;
	425a68*) tool="bzip2 -dc" ;;
	5d0000*) tool="xz --format=lzma -dc" ;;
	894c5a*) tool="lzop -dc" ;;
	*) fail "$img: unknown payload compression (magic $magic)" ;;
	esac
	echo "bzImage payload: $len bytes at $start, $tool"
	$tool <"$out.payload" >"$out" 2>/dev/null || true
	rm -f "$out.payload"
	[ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] ||
		fail "$img: the decompressed payload is not an ELF file"
}

# deb_linux_vmlinux: the ELF vmlinux of Debian's linux-image-cloud-amd64 in
# $vmlinux (its package and version in $pkg and $ver), downloaded with apt
# and extracted once, then kept in deb_cache_dir.  Skips when apt cannot.
deb_linux_vmlinux() {
	local meta=linux-image-cloud-amd64 cache deb bz
	deb_require lz4:lz4 zstd:zstd xz-utils:xz
	deb_apt_ready
	pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
	[ -n "$pkg" ] || skip_loudly "apt does not know $meta"
	ver=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -n1)
	cache=$(deb_cache_dir)
	vmlinux="$cache/vmlinux-$pkg-$ver"
	if [ ! -s "$vmlinux" ]; then
		mkdir -p "$SHOJI_TMP/deb"
		deb_download "$pkg" "$SHOJI_TMP/deb"
		deb=$(ls "$SHOJI_TMP/deb/${pkg}_"*.deb | head -n1)
		dpkg-deb -x "$deb" "$SHOJI_TMP/root" || fail "dpkg-deb -x $deb"
		bz=$(ls "$SHOJI_TMP"/root/boot/vmlinuz-* | head -n1)
		[ -f "$bz" ] || fail "$deb has no /boot/vmlinuz-*"
		extract_vmlinux "$bz" "$SHOJI_TMP/vmlinux"
		mv "$SHOJI_TMP/vmlinux" "$vmlinux.tmp" && mv "$vmlinux.tmp" "$vmlinux"
	fi
	echo "kernel: $pkg $ver, vmlinux $(wc -c <"$vmlinux") bytes"
}

# grub_pvh_image OUT CFG: Debian's GRUB as a Xen PVH guest (grub-xen-bin:
# grub-mkimage -O i386-xen_pvh) at OUT, with embedded configuration file CFG
# and the modules it needs (normal echo ls halt).  Installs the packages or skips.
grub_pvh_image() {
	local out=$1 cfg=$2 moddir=/usr/lib/grub/i386-xen_pvh mods="normal echo ls halt" m
	deb_require grub-xen-bin:$moddir/normal.mod grub-common:grub-mkimage binutils:readelf
	for m in $mods; do
		[ -f "$moddir/$m.mod" ] || fail "GRUB module $m is not in $moddir"
	done
	# shellcheck disable=SC2086
	grub-mkimage -O i386-xen_pvh -p /boot/grub -c "$cfg" -o "$out" $mods ||
		fail "grub-mkimage -O i386-xen_pvh failed"
}
