#!/usr/bin/env python3
"""Prints the runtime's own evidence in a gorca bundle, through the oracles only (go tool pprof,
go tool trace -d=parsed, the goroutine dumps), so that a holdout variant can be checked to show
its fault independently of gorca's rules.

usage: evidence.py BUNDLE [--go PATH_TO_GO]   (default: the newest Go from scripts/go-env.sh)
"""
import collections
import os
import re
import subprocess
import sys


def newest_go(root):
    env = os.path.join(root, "scripts", "go-env.sh")
    vs = subprocess.run([env, "--list"], capture_output=True, text=True).stdout.split()
    if not vs:
        sys.exit("evidence.py: no Go installed")
    return subprocess.run([env, vs[-1]], capture_output=True, text=True).stdout.strip()


def pprof_top(go, path, n=8, cum=False):
    if not os.path.exists(path):
        return ["  (absent)"]
    args = [go, "tool", "pprof", "-top", "-nodecount=%d" % n] + (["-cum"] if cum else []) + [path]
    out = subprocess.run(args, capture_output=True, text=True).stdout.splitlines()
    keep = [l for l in out if l.startswith(("Duration", "Showing nodes")) or re.match(r"^\s+[\d.]+\w*\s", l)]
    return ["  " + l.rstrip()[:118] for l in keep]


def trace_summary(go, path):
    if not os.path.exists(path):
        return ["  (no trace)"]
    p = subprocess.run([go, "tool", "trace", "-d=parsed", path], capture_output=True, text=True)
    rx = re.compile(r"^M=\S+ P=\S+ G=\S+ (\w+) Time=(\d+) (.*)$")
    ranges = collections.defaultdict(list)
    open_r, gstate = {}, {}
    wait, waitn = collections.defaultdict(float), collections.Counter()
    runnable, sysc, alive, maxalive = [], 0.0, set(), 0
    t0 = tend = None
    for line in p.stdout.splitlines():
        m = rx.match(line)
        if not m:
            continue
        kind, t, rest = m.group(1), int(m.group(2)), m.group(3)
        t0 = t if t0 is None else t0
        tend = t
        if kind in ("RangeBegin", "RangeEnd", "RangeActive"):
            name = re.search(r'Name="([^"]*)"', rest).group(1)
            key = (name, re.search(r"Scope=(\S+)", rest).group(1))
            if kind == "RangeEnd":
                if key in open_r:
                    ranges[name].append((t - open_r.pop(key)) / 1e6)
            else:
                if kind == "RangeBegin":
                    open_r[key] = t
                else:  # still active at a generation boundary
                    open_r.setdefault(key, t)
        elif kind == "StateTransition":
            mm = re.search(r'GoID=(\d+) (\w+)->(\w+) Reason="([^"]*)"', rest)
            if not mm:
                continue
            gid, a, b, reason = mm.groups()
            prev = gstate.get(gid)
            if prev:
                st, pt, pr = prev
                if st == "Waiting":
                    wait[pr] += (t - pt) / 1e6
                    waitn[pr] += 1
                elif st == "Runnable" and b == "Running":
                    runnable.append((t - pt) / 1e6)
                elif st == "Syscall":
                    sysc += (t - pt) / 1e6
            keep_reason = prev[2] if (prev and a == "Waiting" and b == "Waiting") else reason
            gstate[gid] = (b, t, keep_reason)
            if b == "NotExist":
                alive.discard(gid)
            else:
                alive.add(gid)
            maxalive = max(maxalive, len(alive))
    out = ["  %.2f s, %d goroutines seen, at most %d alive" % (((tend or 0) - (t0 or 0)) / 1e9, len(gstate), maxalive)]
    for name, v in sorted(ranges.items(), key=lambda kv: -sum(kv[1])):
        v.sort()
        out.append("  range %-42s n=%-5d total=%9.1f ms  max=%8.2f ms  p50=%.2f" % (name, len(v), sum(v), v[-1], v[len(v) // 2]))
    for r, v in sorted(wait.items(), key=lambda kv: -kv[1])[:8]:
        out.append("  wait  %-42s n=%-5d total=%9.1f ms" % (r or "(unspecified)", waitn[r], v))
    if runnable:
        runnable.sort()
        out.append("  runnable->running n=%d total=%.1f ms p50=%.3f p99=%.2f max=%.2f ms" % (
            len(runnable), sum(runnable), runnable[len(runnable) // 2], runnable[int(len(runnable) * 0.99)], runnable[-1]))
    out.append("  in syscalls: %.1f ms" % sysc)
    return out


def dump_summary(path, n=6):
    if not os.path.exists(path):
        return ["  (absent)"]
    lines = open(path, errors="replace").read().split("\n")
    out = ["  " + lines[0]]
    groups = []
    i = 1
    while i < len(lines):
        m = re.match(r"^(\d+) @", lines[i])
        if m:
            frames = []
            i += 1
            while i < len(lines) and lines[i].startswith("#"):
                f = lines[i].split()
                frames.append(f[2] if len(f) > 2 else "?")
                i += 1
            groups.append((int(m.group(1)), frames))
        else:
            i += 1
    groups.sort(key=lambda g: -g[0])
    for count, frames in groups[:n]:
        names = [re.sub(r"\+0x[0-9a-f]+$", "", f) for f in frames]
        own = [i for i, f in enumerate(names) if not re.match(r"^(runtime|internal|net|sync|syscall|os|io|bufio|crypto|time|context)[./]", f)]
        start = max(own[0] - 1, 0) if own else max(len(names) - 3, 0)
        out.append("  %5d  %s" % (count, " <- ".join(names[start:start + 3])))
    return out


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 else 2)
    b = sys.argv[1]
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    go = sys.argv[sys.argv.index("--go") + 1] if "--go" in sys.argv else newest_go(root)
    sections = [
        ("CPU (flat)", pprof_top(go, os.path.join(b, "profile.pb.gz"))),
        ("CPU (cum)", pprof_top(go, os.path.join(b, "profile.pb.gz"), 14, True)),
        ("block", pprof_top(go, os.path.join(b, "block.pb.gz"), 6)),
        ("mutex", pprof_top(go, os.path.join(b, "mutex.pb.gz"), 4)),
        ("trace", trace_summary(go, os.path.join(b, "trace.out"))),
        ("goroutines (mid-window)", dump_summary(os.path.join(b, "goroutine-debug1.txt"))),
        ("goroutines (end)", dump_summary(os.path.join(b, "goroutine-end-debug1.txt"), 0)),
    ]
    for title, lines in sections:
        print("== " + title)
        print("\n".join(lines))


if __name__ == "__main__":
    main()
