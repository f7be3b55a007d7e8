#!/usr/bin/python3
"""Mutation suite: apply each mutant of tests/mutants/mutants.txt to a scratch
copy of the tree, rebuild incrementally, run the tests named to catch it.

Usage: run.py --srcdir DIR --builddir DIR [--scratch DIR] [--list] [ID...]

Per mutant: CAUGHT (a named test failed), SURVIVED (all named tests passed),
NOT-RUN (none failed but one skipped, e.g. no /dev/kvm), PATTERN-MISSING (the
pattern does not occur exactly once), BUILD-FAILED (the mutated tree does not
compile: fix the replacement).  Exit status 1 unless every mutant is CAUGHT;
NOT-RUN is allowed only where /dev/kvm is missing, and said loudly.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

MUTANT_TIMEOUT = 600  # seconds for one mutant's make check; a hang counts as caught


def parse(path):
    """Blocks of 'key: value' lines, then 'pattern:' / 'replace:' verbatim lines, then 'end'."""
    mutants, cur, mode = [], None, None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if mode in ("pattern", "replace"):
                if line == "replace:" and mode == "pattern":
                    mode = "replace"
                elif line == "end":
                    mutants.append(cur)
                    cur, mode = None, None
                elif line.startswith("id: "):
                    # No source line starts so: an 'end' was lost (e.g. in a merge).
                    sys.exit(f"{path}:{lineno}: mutant {cur['id']}'s {mode} runs into the "
                             f"next mutant (missing 'end')")
                else:
                    cur[mode].append(line)
                continue
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"^(id|file|tests|what|build):\s*(.*)$", line)
            if m and m.group(1) == "id":
                if cur:
                    sys.exit(f"{path}:{lineno}: mutant {cur['id']} has no pattern/replace/end")
                cur = {"id": m.group(2), "pattern": [], "replace": [], "line": lineno}
            elif m and cur:
                cur[m.group(1)] = m.group(2)
            elif line == "pattern:" and cur:
                mode = "pattern"
            else:
                sys.exit(f"{path}:{lineno}: cannot parse: {line!r}")
    if cur:
        sys.exit(f"{path}: mutant {cur['id']} not closed by 'end'")
    for m in mutants:
        for key in ("file", "tests", "what"):
            if not m.get(key):
                sys.exit(f"{path}:{m['line']}: mutant {m['id']} lacks '{key}:'")
        m["pattern"] = "\n".join(m["pattern"])
        m["replace"] = "\n".join(m["replace"])
        m["tests"] = m["tests"].split()
        m["build"] = m.get("build", "").split()
    ids = [m["id"] for m in mutants]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit(f"{path}: duplicate ids: {' '.join(sorted(dup))}")
    return mutants


def is_build_dir(path):
    return os.path.exists(os.path.join(path, "config.status"))


def sync_tree(src, dst):
    """Copy src to dst (no .git, no build directories); only changed files are
    rewritten so the scratch build stays incremental."""
    for root, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d not in (".git", "autom4te.cache")
                   and not is_build_dir(os.path.join(root, d))]
        rel = os.path.relpath(root, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in files:
            s, d = os.path.join(root, name), os.path.join(dst, rel, name)
            if os.path.islink(s):
                continue
            with open(s, "rb") as f:
                data = f.read()
            try:
                with open(d, "rb") as f:
                    same = f.read() == data
            except OSError:
                same = False
            if not same:
                with open(d, "wb") as f:
                    f.write(data)
                shutil.copymode(s, d)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    now = time.time()
    os.utime(path, (now, now))  # newer than its objects: make rebuilds them


def run(cmd, cwd, log, timeout=None):
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return None


def trs(t):
    """A test's .trs file: automake drops an extension of TEST_EXTENSIONS (.sh here)."""
    return (t[:-3] if t.endswith(".sh") else t) + ".trs"


def results(build, tests):
    """Each test's automake result (PASS, FAIL, SKIP, ERROR, ...) from its .trs file."""
    res = {}
    for t in tests:
        try:
            with open(os.path.join(build, trs(t))) as f:
                m = re.search(r"^:test-result: (\S+)", f.read(), re.M)
            res[t] = m.group(1) if m else "ERROR"
        except OSError:
            res[t] = "MISSING"
    return res


def check(build, tests, log, jobs, extra=()):
    """make check of just these tests.  Only the named test programs (and the
    mutant's extra build: targets) are built, not every check program and
    libFuzzer target of the tree: a scratch rebuild stays small."""
    for t in tests:  # stale results must not count
        for f in (trs(t), trs(t)[:-4] + ".log"):
            try:
                os.unlink(os.path.join(build, f))
            except OSError:
                pass
    progs = [t for t in tests if not t.endswith(".sh")] + list(extra)
    rc = run(["make", f"-j{jobs}", "check", "TESTS=" + " ".join(tests),
              "check_PROGRAMS=" + " ".join(progs), "check_SCRIPTS="], build, log,
             MUTANT_TIMEOUT)
    return rc, results(build, tests)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--builddir", required=True, help="a configured build: its options are reused")
    ap.add_argument("--scratch", help="scratch directory (default BUILDDIR/mutants.tmp)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("ids", nargs="*", help="run only these mutants")
    a = ap.parse_args()

    srcdir, builddir = os.path.abspath(a.srcdir), os.path.abspath(a.builddir)
    mutants = parse(os.path.join(srcdir, "tests/mutants/mutants.txt"))
    if a.list:
        for m in mutants:
            print(f"{m['id']:24} {m['file']:36} {' '.join(m['tests'])}")
        return 0
    if a.ids:
        unknown = set(a.ids) - {m["id"] for m in mutants}
        if unknown:
            sys.exit(f"unknown mutant ids: {' '.join(sorted(unknown))}")
        mutants = [m for m in mutants if m["id"] in a.ids]

    scratch = os.path.abspath(a.scratch or os.path.join(builddir, "mutants.tmp"))
    src, build = os.path.join(scratch, "src"), os.path.join(scratch, "build")
    log = os.path.join(scratch, "mutants.log")
    os.makedirs(build, exist_ok=True)
    open(log, "w").close()
    kvm = os.access("/dev/kvm", os.R_OK | os.W_OK)
    print(f"mutants: scratch tree {scratch} (log: {log})")

    # Check every pattern against the pristine tree first.
    status = {}
    for m in mutants:
        with open(os.path.join(srcdir, m["file"]), encoding="utf-8") as f:
            m["orig"] = f.read()
        n = m["orig"].count(m["pattern"]) if m["pattern"] else 0
        if n != 1:
            status[m["id"]] = f"PATTERN-MISSING (matches {n} times)"

    sync_tree(srcdir, src)
    if not os.path.exists(os.path.join(build, "Makefile")):
        cfg = subprocess.run([os.path.join(builddir, "config.status"), "--config"],
                             capture_output=True, text=True, check=True).stdout
        # config.status --config prints the options shell-quoted
        print(f"mutants: configuring the scratch build ({cfg.strip()})")
        if run(["sh", "-c", f"{src}/configure {cfg}"], build, log) != 0:
            sys.exit(f"mutants: configure failed; see {log}")
    print("mutants: building the unmutated scratch tree")
    if run(["make", f"-j{a.jobs}", "all"], build, log) != 0:
        sys.exit(f"mutants: the unmutated tree does not build; see {log}")

    # Baseline: every named test must pass (or skip) on the unmutated tree.
    tests = sorted({t for m in mutants for t in m["tests"]})
    extra = sorted({b for m in mutants for b in m["build"]})
    _, base = check(build, tests, log, a.jobs, extra)
    bad = {t: r for t, r in base.items() if r not in ("PASS", "SKIP")}
    if bad:
        for t, r in sorted(bad.items()):
            print(f"mutants: BASELINE {r}: {t} fails on the unmutated tree")
        return 1

    for m in mutants:
        if m["id"] in status:
            continue
        path = os.path.join(src, m["file"])
        write(path, m["orig"].replace(m["pattern"], m["replace"]))
        try:
            if run(["make", f"-j{a.jobs}", "all"], build, log) != 0:
                status[m["id"]] = "BUILD-FAILED"
                continue
            rc, res = check(build, m["tests"], log, a.jobs, m["build"])
        finally:
            write(path, m["orig"])
        failed = [t for t, r in res.items() if r not in ("PASS", "SKIP")]
        skipped = [t for t, r in res.items() if r == "SKIP"]
        if rc is None:
            status[m["id"]] = "CAUGHT (timed out)"
        elif failed:
            status[m["id"]] = "CAUGHT by " + " ".join(os.path.basename(t) for t in failed)
        elif skipped:
            status[m["id"]] = "NOT-RUN (skipped: " + " ".join(skipped) + ")"
        else:
            status[m["id"]] = "SURVIVED"
        print(f"  {m['id']:24} {status[m['id']]}", flush=True)
    run(["make", f"-j{a.jobs}", "all"], build, log)  # leave the scratch build unmutated

    print(f"\n{'mutant':24} {'file':36} result")
    failures = 0
    for m in mutants:
        s = status[m["id"]]
        print(f"{m['id']:24} {m['file']:36} {s}")
        if s.startswith("NOT-RUN") and not kvm:
            continue
        if not s.startswith("CAUGHT"):
            failures += 1
    notrun = [m["id"] for m in mutants if status[m["id"]].startswith("NOT-RUN")]
    if notrun and not kvm:
        print(f"\nSKIP: KVM TEST NOT RUN: {len(notrun)} mutant(s) not checked without "
              f"/dev/kvm: {' '.join(notrun)}")
    caught = sum(status[m["id"]].startswith("CAUGHT") for m in mutants)
    print(f"\nmutants: {caught} of {len(mutants)} caught, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
