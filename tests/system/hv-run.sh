#!/bin/sh
# shoji-hv run: usage errors exit 2, bad images exit 1 with one line naming
# the file and the problem (and nothing on stdout), --version and --help work.
# Everything up to require_kvm below runs without KVM: usage errors and
# unreadable files are refused before shoji-hv opens /dev/kvm.
. "$top_srcdir/tests/lib/common.sh"

HV="$top_builddir/hypervisor/shoji-hv"
HELLO="$top_builddir/tests/guests/hello"
[ -x "$HV" ] && [ -f "$HELLO" ] || fail "shoji-hv or hello is not built"

[ "$("$HV" --version)" = "shoji-hv 0.1.0" ] || fail "--version: $("$HV" --version)"
"$HV" --help | grep -q "shoji-hv run KERNEL" || fail "--help lacks the run synopsis"

# expect_status WANT ARGS...: exit status WANT, stdout empty, one stderr line "shoji-hv: ...".
expect_status() {
	want=$1
	shift
	rc=0
	"$HV" "$@" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "shoji-hv $*: status $rc, expected $want ($(cat "$SHOJI_TMP/err"))"
	[ ! -s "$SHOJI_TMP/out" ] || fail "shoji-hv $*: wrote to stdout"
	head -n 1 "$SHOJI_TMP/err" | grep -q '^shoji-hv: ' || fail "shoji-hv $*: stderr not prefixed"
}

# Usage errors.
expect_status 2 run
expect_status 2 run "$HELLO" "$HELLO"
expect_status 2 run "$HELLO" --memory 0
expect_status 2 run "$HELLO" --memory 4096
expect_status 2 run "$HELLO" --vcpus 33
expect_status 2 run "$HELLO" --hide-cpuid avx,nonsense
expect_status 2 run "$HELLO" --no-such-option
expect_status 2 frobnicate

# Bad images: exactly one line that names the file and says what is wrong.
bad_image() {
	file=$1 what=$2
	shift 2
	expect_status 1 run "$file" "$@"
	[ "$(wc -l <"$SHOJI_TMP/err")" -eq 1 ] || fail "$file: more than one line: $(cat "$SHOJI_TMP/err")"
	grep -q -- "$file" "$SHOJI_TMP/err" || fail "$file: message does not name it: $(cat "$SHOJI_TMP/err")"
	grep -q -- "$what" "$SHOJI_TMP/err" || fail "$file: expected '$what': $(cat "$SHOJI_TMP/err")"
}
bad_image "$SHOJI_TMP/missing" "No such file"
bad_image "$SHOJI_TMP" "not a regular file"
# A valid kernel with an initrd that is missing or not a file: the initrd's own error.
expect_status 1 run "$HELLO" --initrd "$SHOJI_TMP/missing-initrd"
grep -qx "shoji-hv: cannot open $SHOJI_TMP/missing-initrd: No such file or directory" \
	"$SHOJI_TMP/err" || fail "missing initrd: $(cat "$SHOJI_TMP/err")"
expect_status 1 run "$HELLO" --initrd "$SHOJI_TMP"
grep -qx "shoji-hv: $SHOJI_TMP: not a regular file" "$SHOJI_TMP/err" ||
	fail "directory as initrd: $(cat "$SHOJI_TMP/err")"

# A FIFO as kernel or initrd (issue 15 #4) is refused at once, never opened for
# reading: shoji-hv must not wait for a writer (bounded by timeout).
mkfifo "$SHOJI_TMP/fifo"
rc=0
timeout 5 "$HV" run "$SHOJI_TMP/fifo" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" || rc=$?
[ "$rc" -ne 124 ] || fail "FIFO as kernel: shoji-hv still waiting after 5 s"
bad_image "$SHOJI_TMP/fifo" "not a regular file"
rc=0
timeout 5 "$HV" run "$HELLO" --initrd "$SHOJI_TMP/fifo" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" || rc=$?
[ "$rc" -ne 124 ] || fail "FIFO as initrd: shoji-hv still waiting after 5 s"
expect_status 1 run "$HELLO" --initrd "$SHOJI_TMP/fifo"
grep -qx "shoji-hv: $SHOJI_TMP/fifo: not a regular file" "$SHOJI_TMP/err" ||
	fail "FIFO as initrd: $(cat "$SHOJI_TMP/err")"
rm -f "$SHOJI_TMP/fifo"

# The rest boots guests or parses images inside a domain: KVM from here on.
require_kvm
echo "just text" >"$SHOJI_TMP/text"
bad_image "$SHOJI_TMP/text" "not an ELF file"
head -c 40 "$HELLO" >"$SHOJI_TMP/short"
bad_image "$SHOJI_TMP/short" "truncated"
head -c 200 "$HELLO" >"$SHOJI_TMP/cut"
bad_image "$SHOJI_TMP/cut" "truncated"
cp "$HELLO" "$SHOJI_TMP/i386"
printf '\003\000' | dd of="$SHOJI_TMP/i386" bs=1 seek=18 conv=notrunc 2>/dev/null # e_machine = EM_386
bad_image "$SHOJI_TMP/i386" "wrong machine"
cp "$HELLO" "$SHOJI_TMP/class"
printf '\007' | dd of="$SHOJI_TMP/class" bs=1 seek=4 conv=notrunc 2>/dev/null
bad_image "$SHOJI_TMP/class" "ELF class"
bad_image "$HELLO" "outside guest RAM" --memory 1
head -c 1048576 /dev/zero >"$SHOJI_TMP/initrd-big"
bad_image "$HELLO" "initrd" --memory 2 --initrd "$SHOJI_TMP/initrd-big"
rm -f "$SHOJI_TMP/out" "$SHOJI_TMP/err"

# The good image still runs, and a long command line reaches the guest.
rc=0
"$HV" run "$HELLO" --cmdline "ok" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" || rc=$?
[ "$rc" -eq 0 ] || fail "hello: status $rc ($(cat "$SHOJI_TMP/err"))"
grep -qx "cmdline=ok" "$SHOJI_TMP/out" || fail "hello output: $(cat "$SHOJI_TMP/out")"
[ ! -s "$SHOJI_TMP/err" ] || fail "hello wrote diagnostics: $(cat "$SHOJI_TMP/err")"
long=$(head -c 5000 /dev/zero | tr '\0' x)
expect_status 1 run "$HELLO" --cmdline "$long"
grep -q "command line too long" "$SHOJI_TMP/err" || fail "long command line: $(cat "$SHOJI_TMP/err")"
exit 0
