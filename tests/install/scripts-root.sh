#!/bin/sh
# The README's commands (scripts/demo, scripts/test, scripts/deps) as pasted by a user who
# is not root: each runs itself again through sudo with the same arguments, or, where sudo
# is not installed (Debian's minimal images), stops at once with one line saying why.
# Root is played by a stand-in `id`; sudo by a stand-in that records its arguments.
. "$top_srcdir/tests/lib/common.sh"

bin="$SHOJI_TMP/bin"
mkdir "$bin"
# Only what the scripts need before they become root, and no sudo.
for t in dirname basename sed cat; do
	ln -s "$(command -v "$t")" "$bin/$t"
done
printf '#!/bin/sh\n[ "$1" = -u ] && { echo 1000; exit 0; }\nexec /usr/bin/id "$@"\n' >"$bin/id"
chmod +x "$bin/id"
bash=$(command -v bash)
top=$(cd "$top_srcdir" && pwd)
out="$SHOJI_TMP/out"
err="$SHOJI_TMP/err"

# run SCRIPT ARGS...: runs scripts/SCRIPT as the stand-in user, PATH limited to $bin.
run() {
	s=$1
	shift
	status=0
	PATH="$bin" "$bash" "$top/scripts/$s" "$@" >"$out" 2>"$err" || status=$?
}

# deps needs root only when a package is missing: make one missing with a stand-in dpkg-query.
printf '#!/bin/sh\necho "install ok installed"\n[ "$3" != bash-completion ]\n' >"$bin/dpkg-query"
chmod +x "$bin/dpkg-query"

for s in demo test deps; do
	case $s in
	demo) args="--keep" ;;
	test) args="--builddir b" ;;
	deps) args="" ;;
	esac
	# shellcheck disable=SC2086 # the arguments are words
	run "$s" $args
	[ "$status" -eq 1 ] || fail "scripts/$s without root or sudo: exit $status, expected 1"
	grep -qx "scripts/$s: needs root (apt-get, /dev/kvm) and sudo is not installed: run it from a root shell" "$err" ||
		fail "scripts/$s without root or sudo says: $(cat "$err")"
	[ ! -s "$out" ] || fail "scripts/$s without root or sudo printed: $(cat "$out")"

	printf '#!/bin/sh\necho "sudo $*"\n' >"$bin/sudo"
	chmod +x "$bin/sudo"
	# shellcheck disable=SC2086
	run "$s" $args
	[ "$status" -eq 0 ] || fail "scripts/$s through the stand-in sudo: exit $status: $(cat "$err")"
	want="sudo -- $top/scripts/$s${args:+ $args}"
	[ "$(cat "$out")" = "$want" ] || fail "scripts/$s ran '$(cat "$out")', expected '$want'"
	grep -qx "scripts/$s: not root: running it again through sudo" "$err" ||
		fail "scripts/$s does not say it uses sudo: $(cat "$err")"
	rm "$bin/sudo"
done

# --help needs neither root nor sudo.
run demo --help
[ "$status" -eq 0 ] && grep -q '^Set up the host' "$out" || fail "scripts/demo --help as a user: $(cat "$err")"
run test --help
[ "$status" -eq 0 ] && grep -q '^Set up the host' "$out" || fail "scripts/test --help as a user: $(cat "$err")"

# The README and every doc name the scripts without sudo.
if grep -rn 'sudo scripts/' "$top/README.md" "$top/docs" "$top/scripts" "$top/examples"; then
	fail "a doc still says 'sudo scripts/...'"
fi
echo "scripts-root: all checks passed"
