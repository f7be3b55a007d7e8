# Sourced by scripts/deps, demo and test:  . scripts/as-root.sh; as_root "$0" "$@"
# as_root SCRIPT ARGS...: return when already root; otherwise re-run SCRIPT ARGS through
# sudo, or stop with one line saying why when sudo is not there (Debian's minimal images
# have none: run the script from a root shell).
as_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	local name
	name="scripts/$(basename "$1")"
	if command -v sudo >/dev/null 2>&1; then
		echo "$name: not root: running it again through sudo" >&2
		exec sudo -- "$@"
	fi
	echo "$name: needs root (apt-get, /dev/kvm) and sudo is not installed: run it from a root shell" >&2
	exit 1
}
