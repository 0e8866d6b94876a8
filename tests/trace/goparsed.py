#!/usr/bin/env python3
"""Compares gorca's ordered event stream with Go's reader, event by event.

usage: goparsed.py [--ties] ORACLE GORCA

ORACLE is what `go tool trace -d=1` (Go 1.22/1.23) or `-d=parsed` (Go 1.24+) printed for a
trace; GORCA is `gorca trace events --format=go` for the same file (with --sync=end for Go
1.22-1.24 oracles). Both are normalised to one canonical text per event (the print formats
of Go's Event.String differ between releases: argument order of state transitions, Value
printing, the clock snapshot's wall-time precision), then compared in order. With --ties,
events inside one 64 ns clock tick may appear in any order (Go 1.22/1.23 break ties between
threads in map order, golang/go#68277); their multiset and times must still match.
Prints a summary line "events=N ok" or the first difference, and exits 1 on a mismatch."""
import re
import sys

HEAD = re.compile(r'^M=(-?\d+) P=(-?\d+) G=(-?\d+) (\w+) Time=(-?\d+)(.*)$')
OLD_ST = re.compile(r'^ Resource=\w+\(-?\d+\) Reason=("(?:[^"\\]|\\.)*") ((?:GoID|ProcID)=-?\d+ \w+->\w+)$')
NEW_ST = re.compile(r'^ ((?:GoID|ProcID)=-?\d+ \w+->\w+) Reason=("(?:[^"\\]|\\.)*")$')
WALL = re.compile(r' Wall=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[.\d]*Z')


def canon_rest(kind, rest):
    rest = rest.replace('Value{Uint64(', 'Uint64(').replace(')}', ')')
    if kind == 'StateTransition':
        m = OLD_ST.match(rest)
        if m:
            return ' %s Reason=%s' % (m.group(2), m.group(1))
        m = NEW_ST.match(rest)
        if m:
            return ' %s Reason=%s' % (m.group(1), m.group(2))
    if kind == 'Sync':
        rest = WALL.sub(r' Wall=\1Z', rest)
        rest = re.sub(r'^ N=\d+', '', rest)  # Go 1.22-1.24 print no N
    return rest


STATUS = re.compile(r'^M=\S+ P=\S+ G=\S+ StateTransition GoID=-?\d+ (\w+)->(\w+) ')


def drop_status_transition_stack(txt):
    """Go 1.26 also reports a GoStatusStack's stack as the transition stack; older readers
    print it only as the event stack. Keep the event stack only."""
    m = STATUS.match(txt)
    if not m or not (m.group(1) == m.group(2) or m.group(1) == 'Undetermined'):
        return txt
    lines = txt.split('\n')
    if len(lines) < 2 or lines[1] != 'TransitionStack=':
        return txt
    i = 2
    while i < len(lines) and lines[i].startswith('\t'):
        i += 1
    return '\n'.join(lines[:1] + lines[i:])


def events(path):
    for t, txt in raw_events(path):
        yield (t, drop_status_transition_stack(txt))


def raw_events(path):
    """Yields (time, canonical text) per event; text holds every line but the time."""
    cur = None
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            line = line.rstrip('\n')
            m = HEAD.match(line)
            if m:
                if cur:
                    yield cur
                mm, p, g, kind, t, rest = m.groups()
                cur = [int(t), 'M=%s P=%s G=%s %s%s' % (mm, p, g, kind, canon_rest(kind, rest))]
            elif cur is not None:
                if line == '':
                    continue
                cur[1] += '\n' + line
            elif line.strip():
                raise SystemExit('%s: unexpected line before the first event: %r' % (path, line))
    if cur:
        yield cur


def clusters(evs):
    out, run = [], []
    for t, txt in evs:
        if run and t - run[0][0] >= 64:
            out.append(run)
            run = []
        run.append((t, txt))
    if run:
        out.append(run)
    return out


def main():
    args = sys.argv[1:]
    ties = False
    if args and args[0] == '--ties':
        ties, args = True, args[1:]
    if len(args) != 2:
        raise SystemExit(__doc__)
    a, b = list(events(args[0])), list(events(args[1]))
    n = min(len(a), len(b))
    if not ties:
        for i in range(n):
            if a[i] != b[i]:
                print('mismatch at event %d:\n  go:    %s @%d\n  gorca: %s @%d' %
                      (i, a[i][1].split('\n')[0], a[i][0], b[i][1].split('\n')[0], b[i][0]))
                return 1
    else:
        ca, cb = clusters(a), clusters(b)
        reordered = 0
        for i in range(min(len(ca), len(cb))):
            x, y = ca[i], cb[i]
            if x == y:
                continue
            if sorted(t for t, _ in x) == sorted(t for t, _ in y) and \
                    sorted(s for _, s in x) == sorted(s for _, s in y):
                reordered += 1
                continue
            print('mismatch in the events at %d ns:\n  go:    %s\n  gorca: %s' %
                  (x[0][0], ' | '.join(s.split('\n')[0] for _, s in x),
                   ' | '.join(s.split('\n')[0] for _, s in y)))
            return 1
        if len(ca) != len(cb):
            n = -1
    if len(a) != len(b):
        print('event counts differ: go %d, gorca %d' % (len(a), len(b)))
        return 1
    print('events=%d ok%s' % (len(a), (' (%d tie groups reordered)' % reordered) if ties else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
