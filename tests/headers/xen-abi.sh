# Every constant, struct size and field offset that include/shoji shares with
# Xen's own public headers (Debian's libxen-dev) must be equal.
. "$top_srcdir/tests/lib/common.sh"
exec python3 "$top_srcdir/tests/headers/xen-abi-compare.py" "$top_srcdir/include" /usr/include cc
