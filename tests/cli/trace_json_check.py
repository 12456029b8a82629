#!/usr/bin/python3
# trace_json_check.py FILE [MIN_FINDINGS] - a `--trace-json` timeline read
# back as Perfetto's importer reads it (Chrome trace-event JSON): valid
# JSON with traceEvents; every async slice ("b") closed by exactly one "e"
# of the same cat, id, name and pid, no earlier than it began, and no "e"
# without its "b"; every pid named by a process_name; findings as instant
# events named RLxxx (at least MIN_FINDINGS of them).  TAP on stdout.
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, done  # noqa: E402


path = sys.argv[1]
want = int(sys.argv[2]) if len(sys.argv) > 2 else 0
try:
    events = json.load(open(path))["traceEvents"]
    check(True, "%s: JSON with traceEvents" % path)
except Exception as e:
    check(False, "%s: JSON with traceEvents" % path, str(e))
    sys.exit(1)

open_ = {}
bad = []
named = {e["pid"] for e in events if e.get("ph") == "M" and e.get("name") == "process_name"}
used = set()
findings = 0
for e in events:
    ph = e.get("ph")
    if ph in ("b", "e"):
        key = (e["cat"], e["id"], e["pid"])
        used.add(e["pid"])
        if ph == "b":
            if key in open_:
                bad.append("slice %r begun twice" % (key,))
            open_[key] = e
        else:
            b = open_.pop(key, None)
            if b is None:
                bad.append("end of %r without its begin" % (key,))
            elif b["name"] != e["name"] or e["ts"] < b["ts"]:
                bad.append("slice %r: %s at %s ends as %s at %s" % (key, b["name"], b["ts"], e["name"], e["ts"]))
    elif ph == "i":
        used.add(e["pid"])
        findings += e.get("cat") == "finding" and e["name"][:2] == "RL"
check(not bad, "every slice begins once and ends once, no earlier", "; ".join(bad[:3]))
check(not open_, "no slice left open", "%d open: %r" % (len(open_), list(open_)[:3]))
check(used <= named, "every process is named", "unnamed: %r" % sorted(used - named))
check(findings >= want, "at least %d finding(s) as instant events" % want, "got %d" % findings)
done()
