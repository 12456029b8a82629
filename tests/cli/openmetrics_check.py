#!/usr/bin/python3
# openmetrics_check.py FILE [NAME{LABEL=V,...}=VALUE ...] - parse FILE with
# the OpenMetrics parser of python3-prometheus-client (Debian's; it refuses
# what the format forbids: a family declared twice, a counter sample without
# _total, buckets out of order, no "# EOF") and check each histogram's
# buckets are cumulative with +Inf equal to _count.  Each further argument
# is a sample that must be there with that value.  TAP lines on stdout.
import re
import os
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, done  # noqa: E402


text = open(sys.argv[1]).read()
try:
    families = list(text_string_to_metric_families(text))
    check(True, "the OpenMetrics parser reads %s" % sys.argv[1])
except Exception as e:  # the parser says what it refused
    check(False, "the OpenMetrics parser reads %s" % sys.argv[1], str(e))
    sys.exit(1)

samples = {}
for fam in families:
    check(fam.name.startswith("ringledger_"), "%s: our prefix" % fam.name)
    if fam.type == "histogram":
        buckets = [s for s in fam.samples if s.name.endswith("_bucket")]
        count = [s.value for s in fam.samples if s.name.endswith("_count")]
        cum = [s.value for s in buckets]
        check(cum == sorted(cum), "%s: buckets cumulative" % fam.name)
        check(bool(buckets) and buckets[-1].labels.get("le") == "+Inf" and count and
              buckets[-1].value == count[0], "%s: +Inf bucket is _count" % fam.name)
    for s in fam.samples:
        key = s.name + "{" + ",".join("%s=%s" % kv for kv in sorted(s.labels.items())) + "}"
        samples[key] = s.value

for want in sys.argv[2:]:
    m = re.match(r"^(.*\})=(.*)$", want)
    key, value = m.group(1), float(m.group(2))
    got = samples.get(key)
    check(got == value, "sample %s is %g" % (key, value), "got %r" % (got,))

done()
