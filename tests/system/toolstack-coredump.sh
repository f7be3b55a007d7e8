#!/bin/sh
# Core dumps as a user meets them: on_crash=coredump-destroy writes an ELF
# core of the crashed guest's memory into shojid's dump directory (readelf
# reads it, its PT_LOADs add up to the domain's memory, the guest's bytes sit
# at their guest-physical offsets) and destroys the domain; coredump-restart
# dumps and restarts with a new domid; `shoji dump-core` dumps a running
# domain and leaves it running (a paused one paused); vCPU registers are in
# NT_PRSTATUS notes (rip where the guest stopped); a dump that cannot be
# written fails with one line and leaves no file behind, and a caller that
# is not root writes only where it may.  Needs readelf and nm (binutils).
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"
DEMO="$top_builddir/pv-drivers/guest/demo/demo"
[ -x "$DEMO" ] || fail "$DEMO is not built"
command -v readelf >/dev/null && command -v nm >/dev/null || fail "readelf and nm (binutils) are needed"

# loads ELF: one line "OFFSET VADDR PADDR FILESZ MEMSZ" (decimal) per PT_LOAD.
loads() {
	readelf -lW "$1" | while read -r type off va pa fs ms rest; do
		[ "$type" = LOAD ] && echo "$((off)) $((va)) $((pa)) $((fs)) $((ms))"
	done
}

# rip_of CORE: vCPU 0's rip from the first NT_PRSTATUS note, which comes
# first in the PT_NOTE (note header 12 bytes, "CORE" padded to 8, then
# struct elf_prstatus: pr_reg at 112, rip is its 17th register).
rip_of() {
	n=$(readelf -lW "$1" | awk '$1 == "NOTE" { print $2 }')
	[ -n "$n" ] || fail "$1 has no PT_NOTE"
	echo $((0x$(od -An -tx8 -j $((n + 20 + 112 + 16 * 8)) -N8 "$1" | tr -d ' ')))
}

# check_regs CORE GUEST LO HI: one NT_PRSTATUS note (the one online vCPU),
# and its rip in [LO, HI) of the guest image.
check_regs() {
	[ "$(readelf -nW "$1" | grep -c "CORE .*NT_PRSTATUS")" = 1 ] ||
		fail "$1: not one NT_PRSTATUS note: $(readelf -nW "$1")"
	rip=$(rip_of "$1")
	[ "$rip" -ge "$3" ] && [ "$rip" -lt "$4" ] ||
		fail "$1: vCPU 0's rip $(printf %#x "$rip") is not in [$(printf %#x "$3"), $(printf %#x "$4")) of $2"
}

# image_range ELF: "LO HI", the guest-virtual span of ELF's PT_LOADs.
image_range() {
	loads "$1" | { lo= hi=0; while read -r off va pa fs ms; do
		[ -z "$lo" ] || [ "$va" -lt "$lo" ] && lo=$va
		[ $((va + ms)) -gt "$hi" ] && hi=$((va + ms))
	done; echo "$lo $hi"; }
}

# symbol_range ELF SYM: "LO HI", where SYM starts and the next symbol does.
symbol_range() {
	nm -n "$1" | awk -v s="$2" 'f { print $1; exit } $3 == s { printf "%s ", $1; f = 1 }' |
		{ read -r lo hi; echo "$((0x$lo)) $((0x$hi))"; }
}

# check_core FILE MIB: an x86-64 ELF core whose PT_LOADs cover exactly MIB
# MiB, with p_vaddr = p_paddr, the file ending with the last one.
check_core() {
	readelf -hW "$1" >"$SHOJI_TMP/elf.h" 2>&1 || fail "readelf -h $1: $(cat "$SHOJI_TMP/elf.h")"
	grep -q "Type: *CORE" "$SHOJI_TMP/elf.h" || fail "$1 is not a core: $(cat "$SHOJI_TMP/elf.h")"
	grep -q "Machine: *Advanced Micro Devices X86-64" "$SHOJI_TMP/elf.h" || fail "$1: machine"
	readelf -lW "$1" >"$SHOJI_TMP/elf.l" 2>&1 || fail "readelf -l $1: $(cat "$SHOJI_TMP/elf.l")"
	grep -q "Warning\|Error" "$SHOJI_TMP/elf.l" && fail "readelf complains: $(cat "$SHOJI_TMP/elf.l")"
	grep -q "^ *NOTE " "$SHOJI_TMP/elf.l" || fail "$1 has no PT_NOTE"
	readelf -nW "$1" 2>&1 | grep -q "^ *SHOJI " || fail "$1 has no SHOJI note"
	loads "$1" >"$SHOJI_TMP/loads"
	[ -s "$SHOJI_TMP/loads" ] || fail "$1 has no PT_LOAD"
	sum=0 end=0
	while read -r off va pa fs ms; do
		[ "$va" = "$pa" ] || fail "$1: p_vaddr $va != p_paddr $pa"
		sum=$((sum + fs)) end=$((off + fs))
	done <"$SHOJI_TMP/loads"
	[ "$sum" = $(($2 * 1048576)) ] || fail "$1: PT_LOAD sizes sum to $sum, not $2 MiB: $(cat "$SHOJI_TMP/elf.l")"
	[ "$(stat -c %s "$1")" = "$end" ] || fail "$1: size $(stat -c %s "$1"), last PT_LOAD ends at $end"
}

# core_offset CORE GPA: the file offset of guest-physical GPA in CORE.
core_offset() {
	loads "$1" | while read -r off va pa fs ms; do
		[ "$2" -ge "$pa" ] && [ "$2" -lt $((pa + fs)) ] && echo $((off + $2 - pa))
	done
}

# gpa_of ELF STRING: the physical address the guest image ELF loads STRING at.
gpa_of() {
	o=$(grep -boaF "$2" "$1" | head -1 | cut -d: -f1)
	[ -n "$o" ] || fail "$2 not in $1"
	loads "$1" | while read -r off va pa fs ms; do
		[ "$o" -ge "$off" ] && [ "$o" -lt $((off + fs)) ] && echo $((o - off + pa))
	done
}

# --- A dump directory that cannot be written: the crash action still
# destroys the domain, shojid says why in one line, nothing is left. ---
: >"$SHOJI_TMP/notadir"
ts_start --dump-dir "$SHOJI_TMP/notadir" --group nogroup
x=$(ts_xml nodump "$GUESTS/fault" "kind=ud" destroy restart coredump-destroy)
shoji create "$x" >"$SHOJI_TMP/out" || fail "create nodump: $(cat "$SHOJI_TMP/out")"
id=$(sed -n "s/.*(id \([0-9]*\)).*/\1/p" "$SHOJI_TMP/out")
ts_wait_gone nodump "$id" 30 || fail "coredump-destroy with a bad dump dir did not destroy"
i=0; while ! grep -q "cannot dump the core of nodump" "$SHOJI_TMP/shojid.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { ts_log; fail "no warning about the failed dump"; }; sleep 0.1
done
grep -q "cannot dump the core of nodump ($id): cannot create a core file in $SHOJI_TMP/notadir: Not a directory" \
	"$SHOJI_TMP/shojid.log" || { ts_log; fail "dump warning"; }
[ "$(ls "$SHOJI_TMP" | grep -c notadir)" = 1 ] || fail "files left: $(ls "$SHOJI_TMP")"
kill "$SHOJID_PID" && wait "$SHOJID_PID"
# From here shojid has root's group as a supplementary group too (as from a
# root login shell): a client must not borrow it (see the non-root part).
printf '#!/bin/sh\nexec setpriv --groups 0 "%s" "$@"\n' "$SHOJID" >"$SHOJI_TMP/shojid-groups"
chmod +x "$SHOJI_TMP/shojid-groups"
SHOJID="$SHOJI_TMP/shojid-groups"
ts_start --group nogroup
DUMP="$TS_STATE/dump"

# --- on_crash=coredump-destroy: the fault guest crashes; its core holds the
# command line shoji-hv put in its memory and its image at the load address. ---
marker="marker=ShojiCore$$"
x=$(ts_xml boom "$GUESTS/fault" "kind=ud $marker" destroy restart coredump-destroy)
shoji create "$x" >"$SHOJI_TMP/out" || fail "create boom: $(cat "$SHOJI_TMP/out")"
id=$(sed -n "s/.*(id \([0-9]*\)).*/\1/p" "$SHOJI_TMP/out")
ts_wait_gone boom "$id" 30 || fail "coredump-destroy did not destroy boom: $(shoji list)"
core=$(ls "$DUMP"/boom-"$id"-*.core 2>/dev/null)
[ -n "$core" ] && [ -f "$core" ] || { ts_log; fail "no core in $DUMP: $(ls -la "$DUMP")"; }
[ "$(ls -A "$DUMP" | wc -l)" = 1 ] || fail "more than the core in $DUMP: $(ls -A "$DUMP")"
[ "$(stat -c %a "$core")" = 600 ] || fail "core mode $(stat -c %a "$core")"
grep -q "dumped the core of boom ($id) to $core" "$SHOJI_TMP/shojid.log" || fail "no log line"
check_core "$core" 16
[ "$(grep -caF "$marker" "$core")" -ge 1 ] || fail "the guest's command line is not in the core"
s="FAIL fault: still running after"
gpa=$(gpa_of "$GUESTS/fault" "$s")
[ -n "$gpa" ] || fail "cannot place '$s' in the fault image"
at=$(core_offset "$core" "$gpa")
[ -n "$at" ] || fail "gpa $gpa is not in the core"
grep -boaF "$s" "$core" | cut -d: -f1 | grep -qx "$at" ||
	fail "'$s' not at core offset $at (gpa $gpa): $(grep -boaF "$s" "$core")"
shoji list | grep -q "^boom " && fail "boom still listed"

# --- on_crash=coredump-restart: dumped, then the same name with a new id.
# triplefault dies on the ud2 in guest_main: vCPU 0's registers say so. ---
x=$(ts_xml phoenix "$GUESTS/triplefault" "" destroy restart coredump-restart)
shoji create "$x" >"$SHOJI_TMP/out" || fail "create phoenix"
first=$(sed -n "s/.*(id \([0-9]*\)).*/\1/p" "$SHOJI_TMP/out")
i=0; while [ "$(ts_id phoenix)" = "$first" ] || [ -z "$(ts_id phoenix)" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "phoenix not restarted: $(shoji list)"; sleep 0.1
done
shoji destroy phoenix >/dev/null || fail "destroy phoenix"
core=$(ls "$DUMP"/phoenix-"$first"-*.core 2>/dev/null)
[ -n "$core" ] || fail "no core of phoenix $first: $(ls "$DUMP")"
check_core "$core" 16
check_regs "$core" guest_main $(symbol_range "$GUESTS/triplefault" guest_main)
ls -A "$DUMP" | grep -v '\.core$' && fail "temporary files left in $DUMP"

# --- shoji dump-core on the running demo: it keeps running (and answers a
# shutdown afterwards); a paused domain stays paused. ---
x=$(ts_xml demo "$DEMO" "" destroy restart destroy 32)
shoji create "$x" >/dev/null || fail "create demo"
did=$(ts_id demo)
i=0; while ! grep -q "^demo: ready" "$SHOJI_TMP/log/demo.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "demo not ready"; sleep 0.1
done
cd "$SHOJI_TMP" || fail "cd"
shoji dump-core demo demo.core >"$SHOJI_TMP/out" || fail "dump-core: $(cat "$SHOJI_TMP/out")"
grep -qx "Domain 'demo' dumped to $SHOJI_TMP/demo.core" "$SHOJI_TMP/out" || fail "said: $(cat "$SHOJI_TMP/out")"
check_core "$SHOJI_TMP/demo.core" 32
check_regs "$SHOJI_TMP/demo.core" "the demo image" $(image_range "$DEMO")
grep -qaF "Shoji demo guest" "$SHOJI_TMP/demo.core" || fail "the demo's banner is not in its core"
shoji list | grep -Eq "^demo  *$did .* (running|blocked)" || fail "demo not running after the dump: $(shoji list)"
shoji pause demo >/dev/null || fail "pause demo"
shoji dump-core "$did" "$SHOJI_TMP/paused.core" >/dev/null || fail "dump-core by id"
check_core "$SHOJI_TMP/paused.core" 32
shoji list | grep -q "^demo  *$did .* paused" || fail "paused demo not left paused: $(shoji list)"
shoji unpause demo >/dev/null || fail "unpause demo"

# --- Errors: one line, the right exit status, nothing left behind. ---
shoji dump-core demo "$SHOJI_TMP/no/such/dir/x.core" 2>"$SHOJI_TMP/err"; rc=$?
[ $rc = 1 ] || fail "dump into a missing directory: exit $rc"
[ "$(wc -l <"$SHOJI_TMP/err")" = 1 ] || fail "not one line: $(cat "$SHOJI_TMP/err")"
grep -qx "shoji: demo: cannot create a core file in $SHOJI_TMP/no/such/dir: No such file or directory" \
	"$SHOJI_TMP/err" || fail "message: $(cat "$SHOJI_TMP/err")"
shoji dump-core nosuch "$SHOJI_TMP/x.core" 2>/dev/null; [ $? = 3 ] || fail "missing domain: not exit 3"
shoji dump-core demo 2>/dev/null; [ $? = 2 ] || fail "missing FILE: not exit 2"
[ ! -e "$SHOJI_TMP/x.core" ] || fail "x.core created"

# A caller that is not root (a member of shojid's group) writes as itself:
# not into a directory only root may write, but into its own.
grep -q "^Groups:.*\b0\b" "/proc/$SHOJID_PID/status" || fail "shojid lacks group 0: $(grep Groups "/proc/$SHOJID_PID/status")"
chmod 711 "$SHOJI_TMP"
mkdir -m 755 "$SHOJI_TMP/rootonly" && mkdir -m 775 "$SHOJI_TMP/rootgroup" &&
	mkdir -m 777 "$SHOJI_TMP/open" && chgrp 0 "$SHOJI_TMP/rootgroup" || fail "mkdir"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$SHOJI" "$@"; }
for d in rootonly rootgroup; do
	as_nobody dump-core demo "$SHOJI_TMP/$d/x.core" 2>"$SHOJI_TMP/err"; rc=$?
	[ $rc = 1 ] || fail "nobody wrote into $d (exit $rc): $(cat "$SHOJI_TMP/err")"
	grep -qx "shoji: demo: cannot create a core file in $SHOJI_TMP/$d: Permission denied" "$SHOJI_TMP/err" ||
		fail "message: $(cat "$SHOJI_TMP/err")"
	[ -z "$(ls -A "$SHOJI_TMP/$d")" ] || fail "left in $d: $(ls -A "$SHOJI_TMP/$d")"
done
as_nobody dump-core demo "$SHOJI_TMP/open/x.core" >/dev/null || fail "nobody cannot dump into its directory"
[ "$(stat -c %U "$SHOJI_TMP/open/x.core")" = nobody ] || fail "core owned by $(stat -c %U "$SHOJI_TMP/open/x.core")"
check_core "$SHOJI_TMP/open/x.core" 32

# The demo still answers after three dumps.
shoji shutdown --wait --timeout 30 demo >/dev/null || fail "demo did not shut down after the dumps"
exit 0
