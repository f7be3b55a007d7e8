#!/bin/sh
# The examples work as shipped: examples/README.md gives, for every file in examples/, a
# command that works at the top of the source tree after a fresh build in build/, and
# the error lines it prints when it is meant to fail.  Here each command on an example
# file runs as written (create as validate, which checks the same file and kernel); with
# /dev/kvm the create commands then run for real against a private shojid.
. "$top_srcdir/tests/lib/common.sh"

# The layout the README assumes: build/ and examples/ side by side.
top="$SHOJI_TMP/top"
mkdir "$top"
ln -s "$(cd "$top_builddir" && pwd)" "$top/build"
cp -r "$top_srcdir/examples" "$top/examples"
# Files the examples make in /tmp (a disk image) go to our own directory instead, and the
# bridge they make (shoji0) gets a name of this run's own.
BR="shx$$"
sed -i -e "s|/tmp/shoji-|$SHOJI_TMP/shoji-|g" -e "s|shoji0|$BR|g" "$top"/examples/*.xml
SHOJI_SCHEMA="$top_srcdir/dom0-tools/domxml/shoji-domain.rng"
export SHOJI_SCHEMA
doc="$SHOJI_TMP/doc"
sed -n 's/^    //p' "$top_srcdir/examples/README.md" |
	sed -e "s|/tmp/shoji-|$SHOJI_TMP/shoji-|g" -e "s|shoji0|$BR|g" >"$doc"
cmds="$SHOJI_TMP/cmds"
# The commands on example files, and the set-up commands before them (truncate: a disk
# image; ip link: a bridge, made only for the create commands below).
grep -E '^(build/dom0-tools/cli/shoji .* examples/[^ ]*\.xml|truncate -s [0-9]+M [^ ]+|ip link add [^ ]+ type bridge && ip link set [^ ]+ up)$' \
	"$doc" >"$cmds" || true
bridges="$SHOJI_TMP/bridges"
: >"$bridges"

for x in "$top_srcdir"/examples/*.xml; do
	grep -q " examples/$(basename "$x")\$" "$cmds" ||
		fail "examples/README.md gives no command for examples/$(basename "$x")"
done

creates="$SHOJI_TMP/creates"
: >"$creates"
while read -r cmd; do
	# The lines right after the command that start with examples/: its expected stderr.
	awk -v c="$cmd" '$0 == c { on = 1; next } on && /^examples\// { print; next } on { exit }' \
		"$doc" >"$SHOJI_TMP/want"
	run=$cmd
	case $cmd in
	truncate*)
		eval "$cmd" || fail "'$cmd' failed"
		continue
		;;
	"ip link add "*)
		echo "$cmd" >>"$bridges"
		continue
		;;
	*" create "*)
		echo "$cmd" >>"$creates"
		run=$(echo "$cmd" | sed 's/ create / validate /')
		;;
	esac
	status=0
	(cd "$top" && eval "$run") >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" || status=$?
	if [ -s "$SHOJI_TMP/want" ]; then
		[ "$status" -eq 1 ] || fail "'$run': exit $status, expected 1"
		cmp -s "$SHOJI_TMP/want" "$SHOJI_TMP/err" ||
			fail "'$run' says '$(cat "$SHOJI_TMP/err")', examples/README.md '$(cat "$SHOJI_TMP/want")'"
	else
		[ "$status" -eq 0 ] || fail "'$run': exit $status: $(cat "$SHOJI_TMP/err")"
	fi
	echo "ok: $run"
done <"$cmds"
[ -s "$creates" ] || fail "examples/README.md has no create command"

require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"
examples_cleanup() {
	ip link del "$BR" 2>/dev/null
	ts_cleanup
}
trap examples_cleanup EXIT
while read -r cmd; do
	eval "$cmd" || fail "'$cmd' failed"
done <"$bridges"
ts_start
while read -r cmd; do
	(cd "$top" && eval "$cmd") >"$SHOJI_TMP/out" 2>&1 || fail "'$cmd': $(cat "$SHOJI_TMP/out")"
	dom=$(sed -n "s/^Domain '\([^']*\)' created.*/\1/p" "$SHOJI_TMP/out")
	[ -n "$dom" ] || fail "'$cmd' printed: $(cat "$SHOJI_TMP/out")"
	shoji destroy "$dom" >/dev/null || fail "shoji destroy $dom"
	echo "ok: $cmd"
done <"$creates"
echo "examples: all checks passed"
