#!/bin/sh
# Every public header under include/shoji must compile alone, in its own
# translation unit, as C99 and C11 (gcc, and clang when installed) and as
# C++17 (g++), with -Wall -Wextra -pedantic -Werror; and must be code-free:
# the object it produces defines no symbol.  The Xen-ABI headers must also
# include nothing but <stdint.h>, <stddef.h> and other shoji headers, and
# (except the ring-based ones) preprocess cleanly as assembly.
. "$top_srcdir/tests/lib/common.sh"

inc="$top_srcdir/include"
headers=$(cd "$inc" && find shoji -name '*.h' | LC_ALL=C sort)
[ -n "$headers" ] || fail "no headers found under $inc/shoji"

command -v gcc >/dev/null 2>&1 || fail "gcc not found"
command -v g++ >/dev/null 2>&1 || fail "g++ not found (apt-get install g++)"
have_clang=no
command -v clang >/dev/null 2>&1 && have_clang=yes
[ "$have_clang" = yes ] || echo "NOTE: clang not installed; compiling with gcc and g++ only"

warn="-Wall -Wextra -pedantic -Werror"
failures=0
count=0

# compile HEADER LABEL COMPILER LANG STD: one translation unit with just the header.
compile() {
	h=$1 label=$2 cc=$3 lang=$4 std=$5
	src="$SHOJI_TMP/tu.$lang"
	obj="$SHOJI_TMP/tu.o"
	log="$SHOJI_TMP/log"
	# The typedef keeps the unit non-empty for headers holding only macros.
	printf '#include <%s>\ntypedef int shoji_header_test_unit;\n' "$h" >"$src"
	count=$((count + 1))
	if ! $cc -x "$lang" -std="$std" $warn -I"$inc" -c "$src" -o "$obj" >"$log" 2>&1; then
		echo "FAIL: $h does not compile alone as $label ($cc -std=$std)"
		sed 's/^/    /' "$log" | head -n 20
		failures=$((failures + 1))
		return
	fi
	defined=$(nm --defined-only "$obj" 2>/dev/null | grep -v ' [aN] ' || true)
	if [ -n "$defined" ]; then
		echo "FAIL: $h is not code-free as $label: it defines"
		echo "$defined" | sed 's/^/    /'
		failures=$((failures + 1))
	fi
}

for h in $headers; do
	compile "$h" "C99 (gcc)" gcc c c99
	compile "$h" "C11 (gcc)" gcc c c11
	if [ "$have_clang" = yes ]; then
		compile "$h" "C99 (clang)" clang c c99
		compile "$h" "C11 (clang)" clang c c11
	fi
	compile "$h" "C++17 (g++)" g++ c++ c++17
done

# Library API headers (ctrl.h, xs.h, ...) may use more of libc; the ABI
# headers may not.
abi_headers=$(cd "$inc" && ls shoji/io/*.h && ls shoji/abi-check.h shoji/elfnote.h \
	shoji/errno.h shoji/event_channel.h shoji/grant_table.h shoji/hvm.h shoji/memory.h \
	shoji/sched.h shoji/start_info.h shoji/vcpu.h shoji/version.h shoji/xen.h)
for h in $abi_headers; do
	bad=$(grep -n '^[[:space:]]*#[[:space:]]*include' "$inc/$h" |
		grep -v -e '<stdint\.h>' -e '<stddef\.h>' -e '<shoji/' || true)
	if [ -n "$bad" ]; then
		echo "FAIL: $h includes more than <stdint.h>, <stddef.h> and shoji headers:"
		echo "$bad" | sed 's/^/    /'
		failures=$((failures + 1))
	fi
	grep -q '^#ifndef SHOJI_' "$inc/$h" || {
		echo "FAIL: $h has no SHOJI_* include guard"
		failures=$((failures + 1))
	}
done

# Constant-only parts must also serve assembly (guest boot code).
for h in $abi_headers; do
	case $h in
	shoji/io/ring.h | shoji/io/blkif.h | shoji/io/netif.h | shoji/io/xenbus.h) continue ;;
	esac
	count=$((count + 1))
	printf '#include <%s>\n' "$h" >"$SHOJI_TMP/tu.S"
	if ! gcc -D__ASSEMBLY__ -I"$inc" -c "$SHOJI_TMP/tu.S" -o "$SHOJI_TMP/tu.o" \
		>"$SHOJI_TMP/log" 2>&1; then
		echo "FAIL: $h is not usable from assembly with -D__ASSEMBLY__"
		sed 's/^/    /' "$SHOJI_TMP/log" | head -n 10
		failures=$((failures + 1))
	fi
done

echo "compiled $count translation units from $(echo "$headers" | wc -l) headers"
[ "$failures" -eq 0 ] || fail "$failures header check(s) failed"
echo "PASS: all headers compile alone and are code-free"
