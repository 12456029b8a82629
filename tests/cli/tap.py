# tap.py - the TAP lines of the host's Python checkers
# (openmetrics_check.py, trace_json_check.py): check(), then done().
import sys

_n = 0
_failed = 0


def check(ok, name, why=""):
    """One "ok N - name" or "not ok N - name" line, and why on failure."""
    global _n, _failed
    _n += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (_n, name))
    if not ok:
        _failed += 1
        if why:
            print("#   " + why)


def done():
    """The plan; exit 1 when a check failed."""
    print("1..%d" % _n)
    sys.exit(1 if _failed else 0)
