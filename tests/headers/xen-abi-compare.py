#!/usr/bin/env python3
"""Compare Shoji's ABI headers with the Xen project's own public headers.

Usage: xen-abi-compare.py SHOJI_INCLUDE_DIR [XEN_INCLUDE_DIR] [CC]

Every object-like macro, enumerator, struct size and struct field offset
found in include/shoji (ABI headers only) is printed by a program built
against our headers and, where Xen defines the same name, by a program
built against Xen's (Debian: libxen-dev, /usr/include/xen).  Any value that
differs is reported and the exit status is 1.  Exit status 77 means Xen's
headers are not installed.  Run it with `make check-xen-abi`.
"""

import glob
import os
import re
import subprocess
import sys
import tempfile

# Library API headers and the helper are not part of the Xen ABI.
NOT_ABI = ("xs.h", "ctrl.h", "abi-check.h", "libevtchn.h", "libgnttab.h", "backend.h")
# Macros that are Shoji helpers or function-like in spirit.
SKIP_MACROS = {"xen_mb", "xen_rmb", "xen_wmb", "XSD_ERROR_LIST", "XSD_ERRORS_INITIALIZER",
               "GNTTABOP_ERROR_LIST", "XEN_RING_HEADER_SIZE"}
SKIP_PREFIXES = ("SHOJI_", "__RD", "xen_mk", "PRI_")
# Newer than the Xen 4.17 headers Debian 12 ships; expected to be absent
# there, and to change XS_TYPE_COUNT accordingly.
NEWER_ENUMS = {"XS_GET_FEATURE", "XS_SET_FEATURE", "XS_GET_QUOTA", "XS_SET_QUOTA"}
EXPECTED_DIFFS = {"XS_TYPE_COUNT"}

XEN_HEADERS = ["xen", "version", "sched", "vcpu", "memory", "hvm/hvm_op", "hvm/params",
               "arch-x86/hvm/start_info", "hvm/hvm_vcpu", "elfnote", "event_channel",
               "grant_table", "io/ring", "io/console", "io/blkif", "io/netif", "io/xenbus",
               "io/xs_wire", "arch-x86/cpuid", "features"]


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def scan(files):
    """Return (macros, enumerators, [(kind, name, fields)]) defined by files."""
    macros, enums, records = [], [], []
    for path in files:
        text = strip_comments(open(path).read())
        for m in re.finditer(r"^#define\s+([A-Za-z_]\w*)\s+\S", text, re.M):
            name = m.group(1)
            if name in SKIP_MACROS or name.startswith(SKIP_PREFIXES) or name.endswith("_H"):
                continue
            macros.append(name)
        for m in re.finditer(r"^enum \w+ \{(.*?)\};", text, re.M | re.S):
            enums += re.findall(r"^\s*(\w+)\s*(?:=[^,\n]*)?,?\s*$", m.group(1), re.M)
        for m in re.finditer(r"^(struct|union) (\w+) \{\n(.*?)^\}\s*;", text, re.M | re.S):
            kind, name, body = m.groups()
            fields, depth = [], 0
            for line in body.split("\n"):
                line = line.strip()
                if not line:
                    continue
                if line.startswith("}"):
                    depth -= 1
                    tail = re.match(r"\}\s*(\w+)\s*;", line)
                    if depth == 0 and tail:
                        fields.append(tail.group(1))
                    continue
                if line.endswith("{"):
                    depth += 1
                    continue
                if depth == 0:
                    fields += re.findall(r"(\w+)\s*(?:\[[^\]]*\])?\s*[,;]", line)
            records.append((kind, name, fields))
    return macros, enums, records


def program(includes, macros, enums, records, xen_errno):
    out = ["#include <stdio.h>", "#include <stddef.h>", "#include <stdint.h>"]
    out += includes
    out.append('#define P(n) printf("%s %lld\\n", #n, (long long)(n));')
    out.append("int main(void) {")
    for name in macros:
        out.append("#ifdef %s\nP(%s)\n#endif" % (name, name))
    for name in enums:
        out.append("P(%s)" % name)
    if xen_errno:
        out.append('#define XEN_ERRNO(name, value) printf("XEN_" #name " %d\\n", value);')
        out.append("#include <xen/errno.h>")
    for kind, name, fields in records:
        t = "%s %s" % (kind, name)
        out.append('printf("sizeof(%s) %%zu\\n", sizeof(%s));' % (t, t))
        for f in fields:
            out.append('printf("offsetof(%s, %s) %%zu\\n", offsetof(%s, %s));' % (t, f, t, f))
    out.append("return 0; }")
    return "\n".join(out) + "\n"


def run(cc, source, cflags, workdir, tag):
    src = os.path.join(workdir, tag + ".c")
    exe = os.path.join(workdir, tag)
    with open(src, "w") as f:
        f.write(source)
    subprocess.run([cc, "-w", *cflags, src, "-o", exe], check=True)
    out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return dict(line.rsplit(" ", 1) for line in out.splitlines())


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    shoji_inc = sys.argv[1]
    xen_inc = sys.argv[2] if len(sys.argv) > 2 else "/usr/include"
    cc = sys.argv[3] if len(sys.argv) > 3 else "cc"
    if not os.path.exists(os.path.join(xen_inc, "xen", "io", "xs_wire.h")):
        print("SKIP: Xen's public headers not found under %s (apt-get install libxen-dev)"
              % xen_inc)
        return 77
    files = sorted(glob.glob(os.path.join(shoji_inc, "shoji", "*.h")) +
                   glob.glob(os.path.join(shoji_inc, "shoji", "io", "*.h")))
    files = [f for f in files if os.path.basename(f) not in NOT_ABI]
    macros, enums, records = scan(files)
    ours_inc = ["#include <shoji/%s>" % os.path.relpath(f, os.path.join(shoji_inc, "shoji"))
                for f in files]
    xen_inc_lines = ["#define __XEN_TOOLS__ 1"] + ["#include <xen/%s.h>" % h
                                                     for h in XEN_HEADERS]
    with tempfile.TemporaryDirectory() as tmp:
        ours = run(cc, program(ours_inc, macros, enums, records, False), ["-I" + shoji_inc],
                   tmp, "ours")
        # Xen lacks some records and fields; probe each so one gap does not
        # hide the rest.
        xen_records = []
        for kind, name, fields in records:
            probe = "\n".join(xen_inc_lines) + "\n"
            t = "%s %s" % (kind, name)
            whole = "".join("int x%d = offsetof(%s, %s);\n" % (i, t, f)
                            for i, f in enumerate(fields))
            if not compiles(cc, tmp, probe + "int y = sizeof(%s);\n" % t, xen_inc):
                continue
            if compiles(cc, tmp, probe + whole, xen_inc):
                ok = fields
            else:
                ok = [f for f in fields
                      if compiles(cc, tmp, probe + "int x = offsetof(%s, %s);\n" % (t, f),
                                  xen_inc)]
            xen_records.append((kind, name, ok))
        xen_enums = [e for e in enums if e not in NEWER_ENUMS]
        xen = run(cc, program(xen_inc_lines, macros, xen_enums, xen_records, True),
                  ["-I" + xen_inc], tmp, "xen")
    common = [k for k in ours if k in xen]
    bad = [k for k in common if ours[k] != xen[k] and k not in EXPECTED_DIFFS]
    for k in bad:
        print("MISMATCH: %s: shoji %s, xen %s" % (k, ours[k], xen[k]))
    for k in sorted(EXPECTED_DIFFS & set(common)):
        print("expected difference: %s: shoji %s, xen %s" % (k, ours[k], xen[k]))
    print("compared %d values (%d only in shoji): %d mismatches"
          % (len(common), len(ours) - len(common), len(bad)))
    return 1 if bad else 0


def compiles(cc, tmp, source, inc):
    src = os.path.join(tmp, "probe.c")
    with open(src, "w") as f:
        f.write("#include <stddef.h>\n#include <stdint.h>\n" + source)
    r = subprocess.run([cc, "-w", "-I" + inc, "-c", src, "-o", os.path.join(tmp, "probe.o")],
                       capture_output=True)
    return r.returncode == 0


if __name__ == "__main__":
    sys.exit(main())
