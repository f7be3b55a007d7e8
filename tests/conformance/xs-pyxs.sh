#!/bin/sh
# python3-pyxs (a third-party xenstore client) against shoji-xenstored:
# reads, writes, directories, permissions, watches and transactions.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

/usr/bin/python3 -c 'import pyxs' 2>/dev/null || {
	echo "SKIP: python3-pyxs not installed (scripts/deps installs it)"
	exit 77
}
xs_start
/usr/bin/python3 - "$XS_SOCK" <<'PY' || fail "pyxs"
import sys
import pyxs

sock = sys.argv[1]
with pyxs.Client(unix_socket_path=sock) as c:
    c[b"/py/a"] = b"1"
    c.write(b"/py/b", b"binary\x00value")
    assert c[b"/py/a"] == b"1"
    assert c.read(b"/py/b") == b"binary\x00value"
    assert c.list(b"/py") == [b"a", b"b"]
    assert c.exists(b"/py/a") and not c.exists(b"/py/zz")
    c.mkdir(b"/py/dir")
    assert c[b"/py/dir"] == b""
    c.set_perms(b"/py/a", [b"r0", b"w5"])
    assert c.get_perms(b"/py/a") == [b"r0", b"w5"]
    try:
        c[b"/py/missing"]
        raise AssertionError("read of a missing node")
    except pyxs.PyXSError as e:
        assert "ENOENT" in str(e) or e.args[0] == 2, e
    c.delete(b"/py/dir")
    assert c.list(b"/py") == [b"a", b"b"]
    # domains
    assert c.get_domain_path(7) == b"/local/domain/7"
    assert c.is_domain_introduced(0)
    c.SU = True  # pyxs gates RELEASE/RESUME on /proc/xen; our socket client is dom0
    # INTRODUCE maps the guest's ring when a hypervisor is there; without one
    # (a made-up domain) it fails with EINVAL and nothing is recorded
    try:
        c.introduce_domain(7, 1234, 5)
        introduced = True
    except pyxs.PyXSError as e:
        assert e.args[0] == 22, e
        introduced = False
    assert c.is_domain_introduced(7) == introduced
    if introduced:
        c.resume_domain(7)
        c.set_target(7, 0)
        c.release_domain(7)
        assert not c.is_domain_introduced(7)
    else:
        for call in (lambda: c.resume_domain(7), lambda: c.release_domain(7)):
            try:
                call()
                raise AssertionError("RESUME/RELEASE of an unknown domain succeeded")
            except pyxs.PyXSError as e:
                assert e.args[0] == 2, e  # ENOENT

    # transactions: committed, aborted, and a conflict
    c.transaction()
    c[b"/py/tx"] = b"in"
    assert c.commit()
    assert c[b"/py/tx"] == b"in"
    c.transaction()
    c[b"/py/tx"] = b"rolled back"
    c.rollback()
    assert c[b"/py/tx"] == b"in"
    with pyxs.Client(unix_socket_path=sock) as other:
        c.transaction()
        assert c[b"/py/tx"] == b"in"
        other[b"/py/tx"] = b"changed outside"
        c[b"/py/tx"] = b"late"
        assert not c.commit(), "a conflicting commit must fail (EAGAIN)"
    assert c[b"/py/tx"] == b"changed outside"

    # watches: the initial event, then each change
    with c.monitor() as m:
        m.watch(b"/py", b"tok")
        events = m.wait()
        assert next(events) == (b"/py", b"tok")
        c[b"/py/new"] = b"x"
        assert next(events) == (b"/py/new", b"tok")
        c.delete(b"/py/a")
        assert next(events) == (b"/py/a", b"tok")
        m.unwatch(b"/py", b"tok")
print("pyxs: ok")
PY
echo "xs-pyxs: ok"
