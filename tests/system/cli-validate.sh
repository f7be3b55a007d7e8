#!/bin/sh
# `shoji validate` and the CLI frame as a user meets them from the shell:
# exit codes 0/1/2, one "FILE:LINE: message" line per problem, help, version,
# --json, unknown-command suggestions, relative paths, the examples.
. "$top_srcdir/tests/lib/common.sh"

shoji="$top_builddir/dom0-tools/cli/shoji"
data="$top_srcdir/tests/data/domxml"
SHOJI_SCHEMA="$top_srcdir/dom0-tools/domxml/shoji-domain.rng"
export SHOJI_SCHEMA
out="$SHOJI_TMP/out"
err="$SHOJI_TMP/err"

# run EXPECTED_STATUS ARGS...: runs shoji, keeps stdout/stderr, checks the status.
run() {
	want=$1
	shift
	status=0
	"$shoji" "$@" >"$out" 2>"$err" || status=$?
	[ "$status" -eq "$want" ] ||
		fail "shoji $*: exit $status, expected $want; stderr: $(cat "$err")"
}

expect_out() { grep -qxF -- "$1" "$out" || fail "stdout lacks '$1': $(cat "$out")"; }
expect_err() { grep -qxF -- "$1" "$err" || fail "stderr lacks '$1': $(cat "$err")"; }
expect_err_match() { grep -q -- "$1" "$err" || fail "stderr does not match '$1': $(cat "$err")"; }

# --- valid files: exit 0, "FILE: valid" per file, nothing on stderr.
run 0 validate "$data/good/minimal.xml" "$data/good/full.xml"
expect_out "$data/good/minimal.xml: valid"
expect_out "$data/good/full.xml: valid"
[ ! -s "$err" ] || fail "stderr not empty for valid files"

# --- relative kernel paths follow the XML file, not the current directory.
(cd / && "$shoji" validate "$data/good/minimal.xml" >/dev/null) ||
	fail "relative kernel path resolved against the current directory"
(cd "$data" && "$shoji" validate good/minimal.xml >"$out") || fail "relative file name"
expect_out "good/minimal.xml: valid"

# --- invalid files: exit 1, one FILE:LINE: line per problem, the good one still reported.
cp "$data/bad/missing-name.xml" "$data/bad/memory-not-number.xml" "$SHOJI_TMP/"
cd "$SHOJI_TMP" || fail "cd"
cp "$data/good/guest-kernel" "$SHOJI_TMP/"
sed 's|\.\./good/guest-kernel|guest-kernel|' missing-name.xml >m.xml
sed 's|\.\./good/guest-kernel|guest-kernel|' memory-not-number.xml >n.xml
run 1 validate m.xml "$data/good/minimal.xml" n.xml
expect_err "m.xml:3: missing <name> in <domain>"
expect_err "n.xml:5: <memory> value '12x' is not a number"
expect_out "$data/good/minimal.xml: valid"
[ "$(wc -l <"$err")" -eq 2 ] || fail "expected exactly 2 error lines: $(cat "$err")"
grep -qv '^[^:]*:[0-9]*: ' "$err" && fail "an error line is not FILE:LINE: message"

# The status is the worst file's, not the last one's: a bad file before a good one still fails.
run 1 validate m.xml "$data/good/minimal.xml"
expect_err "m.xml:3: missing <name> in <domain>"
expect_out "$data/good/minimal.xml: valid"
run 1 validate --json m.xml "$data/good/minimal.xml"

run 1 validate "$data/bad/kernel-absolute-missing.xml"
expect_err "$data/bad/kernel-absolute-missing.xml:8: kernel '/nonexistent/shoji/vmlinuz' not found"
run 1 validate "$data/bad/not-well-formed.xml"
expect_err_match "not-well-formed.xml:9: not well-formed XML: "
run 1 validate "$SHOJI_TMP/nope.xml"
expect_err "$SHOJI_TMP/nope.xml: cannot open: No such file or directory"

# --- hostile XML: external entities are never opened (a FIFO would block the
# reader), entity expansion bombs fail fast, and both are refused.
mkfifo "$SHOJI_TMP/entity.fifo"
cat >"$SHOJI_TMP/xxe.xml" <<EOF
<!DOCTYPE domain [
<!ENTITY ext SYSTEM "file://$SHOJI_TMP/entity.fifo">
<!ENTITY % pe SYSTEM "file://$SHOJI_TMP/entity.fifo">
%pe;
]>
<domain type='xen'><name>&ext;</name></domain>
EOF
status=0
timeout 20 "$shoji" validate "$SHOJI_TMP/xxe.xml" 2>"$err" || status=$?
[ "$status" -eq 1 ] || fail "external entity document: exit $status, expected 1"
expect_err "$SHOJI_TMP/xxe.xml:1: <!DOCTYPE> is not allowed (no DTDs or entity declarations)"
{
	echo '<!DOCTYPE domain ['
	echo '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
	prev=a
	for e in b c d e f g h i j; do
		r="&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;"
		echo "<!ENTITY $e \"$r\">"
		prev=$e
	done
	echo ']>'
	echo "<domain type='xen'><name>&j;</name></domain>"
} >"$SHOJI_TMP/bomb.xml"
status=0
timeout 20 "$shoji" validate "$SHOJI_TMP/bomb.xml" 2>"$err" || status=$?
[ "$status" -eq 1 ] || fail "entity bomb: exit $status, expected 1"
expect_err_match "^$SHOJI_TMP/bomb.xml:[0-9]*: "

# --- broken encodings: one error line each (FILE:LINE: or, when libxml2 knows no
# line, FILE:), nothing else from libxml2.
printf '<?xml version="1.0" encoding="UTF-16"?>\n<domain/>' >"$SHOJI_TMP/enc1.xml"
printf '\377\376\000\330\000\000<domain/>' >"$SHOJI_TMP/enc2.xml"
printf '<domain type="xen"><name>\377\376</name></domain>' >"$SHOJI_TMP/enc3.xml"
printf '\000\000\000\000<domain/>' >"$SHOJI_TMP/enc4.xml"
for f in enc1 enc2 enc3 enc4; do
	run 1 validate "$SHOJI_TMP/$f.xml"
	[ "$(wc -l <"$err")" -eq 1 ] || fail "$f: expected one error line: $(cat "$err")"
	expect_err_match "^$SHOJI_TMP/$f.xml:\([0-9]*:\)\{0,1\} not well-formed XML: "
done

# --- --kernel replaces <kernel>; --no-file-checks skips the file checks.
run 0 validate --kernel guest-kernel "$data/bad/kernel-missing.xml"
run 1 validate --kernel "$SHOJI_TMP/none" "$data/good/minimal.xml"
expect_err "$data/good/minimal.xml:6: kernel '$SHOJI_TMP/none' not found"
run 0 validate --no-file-checks "$data/bad/kernel-missing.xml"

# --- the examples: demo (kernel given on the command line), libvirt's form,
# the disk/network example and the demo with an interface.
run 0 validate --kernel guest-kernel "$top_srcdir/examples/demo.xml"
run 0 validate --no-file-checks "$top_srcdir/examples/libvirt-pvh.xml"
run 0 validate --no-file-checks "$top_srcdir/examples/disk-and-network.xml"
run 0 validate --kernel guest-kernel "$top_srcdir/examples/demo-net.xml"
grep -q '^ *ip link add shoji0 type bridge && ip link set shoji0 up$' "$top_srcdir/examples/demo-net.xml" ||
	fail "demo-net.xml does not say how to make its bridge"

# --- the demo with a disk: valid once its image exists, as its header says.
run 0 validate --no-file-checks "$top_srcdir/examples/demo-disk.xml"
grep -q '^ *truncate -s 64M /tmp/shoji-demo-disk.img$' "$top_srcdir/examples/demo-disk.xml" ||
	fail "demo-disk.xml does not say how to make its image"
sed "s|/tmp/shoji-demo-disk.img|$SHOJI_TMP/demo-disk.img|" "$top_srcdir/examples/demo-disk.xml" \
	>"$SHOJI_TMP/demo-disk.xml"
line=$(grep -n "<source file=" "$SHOJI_TMP/demo-disk.xml" | cut -d: -f1)
run 1 validate --kernel guest-kernel "$SHOJI_TMP/demo-disk.xml"
expect_err "$SHOJI_TMP/demo-disk.xml:$line: disk source '$SHOJI_TMP/demo-disk.img' not found"
truncate -s 64M "$SHOJI_TMP/demo-disk.img" || fail "truncate"
run 0 validate --kernel guest-kernel "$SHOJI_TMP/demo-disk.xml"

# --- --json, after or before the command (python3 reads it; scripts/deps installs it).
command -v python3 >/dev/null || fail "python3 is needed to check --json (run scripts/deps)"
{
	run 0 validate --json "$data/good/full.xml"
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
c = r[0]["config"]
assert r[0]["valid"] and c["name"] == "full_Example.1-a", r
assert c["memory_kib"] == 1048576 and c["vcpus"] == 4 and c["current_vcpus"] == 2, c
assert c["description"] == "Several\nlines & an entity", c' "$out" || fail "bad --json output"
	run 1 --json validate m.xml
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r == [{"file": "m.xml", "valid": False, "errors_not_shown": 0,
              "errors": [{"line": 3, "message": "missing <name> in <domain>"}]}], r' "$out" ||
		fail "bad --json error output"
	[ ! -s "$err" ] || fail "--json wrote to stderr"
}

# --- disks in --json: the parsed <disk> elements.
run 0 validate --json "$data/good/disks.xml"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))[0]["config"]["disks"]
assert [x["target"] for x in d] == ["xvda", "xvdb", "xvdaa"], d
assert [x["readonly"] for x in d] == [False, True, True], d
assert [x["device"] for x in d] == ["disk", "disk", "cdrom"], d
assert d[0]["source"].endswith("/good/guest-kernel") and d[0]["type"] == "file", d' "$out" ||
	fail "bad --json disks: $(cat "$out")"

# --- interfaces in --json: the parsed <interface> elements, a generated MAC said so.
run 0 validate --json "$data/good/interfaces.xml"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))[0]["config"]["interfaces"]
assert [x["type"] for x in d] == ["bridge", "ethernet", "bridge", "ethernet"], d
assert d[0]["mac"] == "00:16:3e:0a:0b:0c" and not d[0]["mac_generated"], d
assert d[3]["mac"].startswith("00:16:3e:") and d[3]["mac_generated"], d
assert d[0]["bridge"] == "br0" and d[1]["bridge"] is None and d[1]["target"] == "tap-guest", d
assert d[0]["model"] == "netfront" and d[3]["model"] is None, d' "$out" ||
	fail "bad --json interfaces: $(cat "$out")"

# --- the block commands' command lines, checked before shojid is asked (exit 2),
# and exit 4 when shojid is not there.
run 2 block-attach demo
expect_err "shoji block-attach: missing operand"
run 2 block-attach demo /x sda
expect_err "shoji block-attach: 'sda' is not a Xen PV disk name (xvda, xvdb, ..., xvdzz)"
expect_err "Usage: shoji block-attach NAME SOURCE TARGET [--mode r|w] [--type file|phy] [--cdrom]"
run 2 block-attach demo /x xvdb --mode x
expect_err "shoji block-attach: --mode is r or w, not 'x'"
run 2 block-attach demo /x xvdb --type qcow2
expect_err "shoji block-attach: --type is file or phy, not 'qcow2'"
run 2 block-attach --cdrom demo /x xvdb --mode w
expect_err "shoji block-attach: a cdrom is read-only (--mode w with --cdrom)"
run 2 block-attach demo "" xvdb
expect_err "shoji block-attach: SOURCE is empty"
run 2 block-attach demo /x xvdb --force
expect_err "shoji block-attach: unknown option '--force'"
run 2 block-detach demo
expect_err "shoji block-detach: missing operand"
run 2 block-detach demo xvdb --mode r
expect_err "shoji block-detach: unknown option '--mode'"
run 2 block-detach demo hda
expect_err "shoji block-detach: 'hda' is not a Xen PV disk name (xvda, xvdb, ..., xvdzz)"
run 2 block-detach demo xvdb --timeout 0
expect_err "shoji block-detach: --timeout needs 1 .. 86400 seconds"
run 2 block-list
run 2 block-list demo --force
expect_err "shoji block-list: unknown option '--force'"
run 2 block-list demo xvda
expect_err "shoji block-list: too many operands"
SHOJID_SOCKET="$SHOJI_TMP/no-shojid.sock"
export SHOJID_SOCKET
run 4 block-attach demo /x xvdb --mode r
expect_err_match "^shoji: cannot reach shojid at $SHOJI_TMP/no-shojid.sock: "
run 4 block-detach demo xvdb --force
run 4 block-list --json demo
run 4 block-list demo --json
run 4 network-attach demo --bridge br0
run 4 network-list demo --json
unset SHOJID_SOCKET

# --- the network commands' command lines, checked before shojid is asked (exit 2).
run 2 network-attach
expect_err "shoji network-attach: missing operand"
run 2 network-attach demo --mac 01:16:3e:00:00:01
expect_err "shoji network-attach: --mac needs a unicast MAC address (aa:bb:cc:dd:ee:ff), not '01:16:3e:00:00:01'"
expect_err "Usage: shoji network-attach NAME [--bridge BR] [--mac M] [--vifname N]"
run 2 network-attach demo --mac 00:16:3e:00:00
run 2 network-attach demo --bridge 'a b'
expect_err "shoji network-attach: 'a b' is not a valid interface name (no '/', ':', white space or control characters)"
run 2 network-attach demo --vifname abcdefghijklmnop
expect_err "shoji network-attach: 'abcdefghijklmnop' is not a valid interface name (1 to 15 characters)"
run 2 network-attach demo --mode r
expect_err "shoji network-attach: unknown option '--mode'"
run 2 network-detach demo
expect_err "shoji network-detach: missing operand"
run 2 network-detach demo eth0
expect_err "shoji network-detach: 'eth0' is not a device number (network-list shows them)"
run 2 network-detach demo 1 --bridge br0
expect_err "shoji network-detach: unknown option '--bridge'"
run 2 network-list demo 0
expect_err "shoji network-list: too many operands"
run 0 help block-attach
expect_out "Usage: shoji block-attach NAME SOURCE TARGET [--mode r|w] [--type file|phy] [--cdrom]"
run 0 block-detach --help
expect_out "Usage: shoji block-detach NAME TARGET [--force] [--timeout S]"
run 0 help
expect_out "  block-list list the disks of a running domain"

# --- usage errors: exit 2.
run 2 valdate m.xml
expect_err "shoji: unknown command 'valdate' (did you mean 'validate'?)"
run 2 frobnicate
expect_err "shoji: unknown command 'frobnicate'"
run 2
run 2 validate
expect_err "shoji validate: no FILE given"
expect_err_match "^Usage: shoji validate "
run 2 validate --bogus m.xml
expect_err "shoji validate: unknown option '--bogus'"
run 2 validate --kernel
run 2 --bogus
run 2 --json help
run 2 help nosuch

# --- help and version: exit 0 on stdout.
run 0 help
expect_out "  validate   check domain XML files"
grep -q '^Exit status: 0 success, 1 the operation failed, 2 bad command line' "$out" ||
	fail "help does not document the exit status"
run 0 --help
expect_out "  help       show the commands, or the help of one command"
run 0 help validate
expect_out "Usage: shoji validate [--json] [--kernel PATH] [--no-file-checks] FILE..."
run 0 validate --help
expect_out "Usage: shoji validate [--json] [--kernel PATH] [--no-file-checks] FILE..."
run 0 --version
grep -qx 'shoji [0-9][0-9.]*' "$out" || fail "--version: $(cat "$out")"

# --- run from the build tree without SHOJI_SCHEMA: the source tree's schema is found.
env -u SHOJI_SCHEMA "$shoji" validate "$data/good/minimal.xml" >/dev/null ||
	fail "the schema was not found without SHOJI_SCHEMA"

# --- a missing schema is an operation failure with a hint.
status=0
SHOJI_SCHEMA="$SHOJI_TMP/none.rng" "$shoji" validate "$data/good/minimal.xml" 2>"$err" || status=$?
[ "$status" -eq 1 ] || fail "missing schema: exit $status, expected 1"
expect_err "shoji validate: cannot load the schema $SHOJI_TMP/none.rng: No such file or directory"

# --- the bash completion script, with Debian's bash-completion package loaded first
# ("package": its _init_completion and _filedir) and in a plain bash without it ("plain").
comp="$top_srcdir/dom0-tools/cli/shoji.bash-completion"
bash -n "$comp" || fail "completion script syntax"
[ -r /usr/share/bash-completion/bash_completion ] ||
	fail "bash-completion is not installed (run scripts/deps): completion cannot be tested under it"
# A stand-in shojid for the domain names: `shoji list [--all]` answered in the CLI's format,
# everything else passed to the real shoji.
mkdir "$SHOJI_TMP/fakebin" "$SHOJI_TMP/rundir.d"
cat >"$SHOJI_TMP/fakebin/shoji" <<EOF
#!/bin/sh
row() { printf '%-32s %5s %8s %5s %-9s %9s\n' "\$@"; }
case "\$*" in
list | "list --all")
	row Name ID 'Mem(MiB)' VCPUs State 'Time(s)'
	row demo 1 64 1 running 0.3
	row demo-two 2 64 1 paused 0.1
	[ "\$*" = list ] || row stopped - 32 1 'shut off' 0.0
	;;
*) exec "$shoji" "\$@" ;;
esac
EOF
chmod +x "$SHOJI_TMP/fakebin/shoji"
# complete_words MODE WORD...: what _shoji offers for the last WORD, the cursor at the end of
# the line, with the stand-in shojid (FAKE=no: the real shoji, no shojid running).  Anything
# the completion writes on stderr fails the test.
complete_words() {
	mode=$1
	shift
	bin=$SHOJI_TMP/fakebin
	[ "${FAKE:-yes}" = yes ] || bin=$(dirname "$shoji")
	env -u BASH_ENV PATH="$bin:$PATH" SHOJID_SOCKET="$SHOJI_TMP/no-shojid.sock" bash -c '
		mode=$1 script=$2
		shift 2
		if [ "$mode" = package ]; then
			. /usr/share/bash-completion/bash_completion || exit 99
			declare -F _init_completion >/dev/null || exit 99
		else
			! declare -F _init_completion _filedir >/dev/null || exit 99
		fi
		. "$script"
		[ "$(complete -p shoji)" = "complete -F _shoji shoji" ] || exit 98
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_shoji; [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$mode" "$comp" "$@" \
		2>"$SHOJI_TMP/comp.err" || fail "$mode: completion of '$*' failed: $(cat "$SHOJI_TMP/comp.err")"
	[ ! -s "$SHOJI_TMP/comp.err" ] || fail "$mode: completion of '$*' wrote: $(cat "$SHOJI_TMP/comp.err")"
}
# expect_completion MODE "WANTED" WORD...: the completions are exactly WANTED (sorted).
expect_completion() {
	m=$1 want=$2
	shift 2
	got=$(complete_words "$m" "$@")
	[ "$got" = "$want" ] || fail "$m: '$*' completes to '$got', expected '$want'"
}
commands=$("$shoji" help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
# documented_options CMD: the options `shoji CMD --help` names (usage line and option
# list), and --help, sorted, on one line.
documented_options() {
	{
		"$shoji" "$1" --help | awk '
			NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^\[-/) {
				gsub(/[][]/, "", $i); n = split($i, a, "|"); for (j = 1; j <= n; j++) print a[j] } }
			/^  +-/ { sub(/,$/, "", $1); print $1; if ($2 ~ /^-/) print $2 }'
		echo --help
	} | sort -u | tr '\n' ' '
}
check_completion() {
	m=$1
	# Commands: every command of `shoji help` and no other.
	# shellcheck disable=SC2086 # one word per command
	all=$(printf '%s\n' $commands | sort | tr '\n' ' ')
	expect_completion "$m" "$all" shoji ''
	expect_completion "$m" "$all" shoji --json ''
	expect_completion "$m" "$all" shoji help ''
	expect_completion "$m" "help host-info " shoji h
	expect_completion "$m" "help " shoji he
	expect_completion "$m" "validate " shoji va
	expect_completion "$m" "block-attach block-detach block-list " shoji block-
	expect_completion "$m" "--help --json --version " shoji -
	# Options: for every command exactly what its --help documents.
	for c in $commands; do
		expect_completion "$m" "$(documented_options "$c")" shoji "$c" -
	done
	expect_completion "$m" "--kernel " shoji create --k
	expect_completion "$m" "-c " shoji create -c
	expect_completion "$m" "--json " shoji info --j
	expect_completion "$m" "--no-file-checks " shoji validate --no
	# Files: XML files for FILE, any file for --kernel and FILE of dump-core, directories
	# for --run-dir, nothing where a number or size goes.
	expect_completion "$m" "$data/good/minimal.xml " shoji validate "$data/good/mini"
	expect_completion "$m" "$data/good/minimal.xml " shoji create -p "$data/good/mini"
	expect_completion "$m" "" shoji create "$data/good/guest-ker"
	expect_completion "$m" "$data/good/guest-kernel " shoji create --kernel "$data/good/guest-ker"
	expect_completion "$m" "$data/good/minimal.xml " shoji create --kernel k "$data/good/mini"
	expect_completion "$m" "$data/good/guest-kernel " shoji dump-core demo "$data/good/guest-ker"
	expect_completion "$m" "$SHOJI_TMP/rundir.d " shoji console --run-dir "$SHOJI_TMP/rundir"
	expect_completion "$m" "" shoji mem-set demo ''
	expect_completion "$m" "" shoji shutdown --timeout ''
	# Domains: the running ones, or all shojid knows, never file names.
	expect_completion "$m" "demo demo-two " shoji console ''
	expect_completion "$m" "demo demo-two " shoji console --run-dir /run/x de
	expect_completion "$m" "demo demo-two " shoji shutdown --wait --timeout 5 ''
	expect_completion "$m" "demo demo-two " shoji dump-core ''
	expect_completion "$m" "demo demo-two stopped " shoji info ''
	expect_completion "$m" "stopped " shoji start st
	expect_completion "$m" "" shoji info demo ''
	expect_completion "$m" "--state-paused --state-running --state-shutoff " shoji list --state-
	expect_completion "$m" "" shoji list --name ''
	expect_completion "$m" "" shoji top --delay ''
	expect_completion "$m" "demo demo-two " shoji domstats demo ''
	expect_completion "$m" "demo demo-two stopped " shoji rename ''
	expect_completion "$m" "" shoji rename demo ''
	expect_completion "$m" "demo demo-two " shoji sysrq ''
	# No shojid: nothing, quietly (complete_words fails on any stderr output).
	cd "$data/good" || fail "cd"
	FAKE=no expect_completion "$m" "" shoji console ''
	FAKE=no expect_completion "$m" "" shoji info ''
	cd "$SHOJI_TMP" || fail "cd"
}
check_completion plain
check_completion package
echo "cli-validate: all checks passed"
