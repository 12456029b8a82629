#!/bin/sh
# stat.sh - `ringledger stat` in the QEMU guest (tests/run-tests.sh runs it
# on the newest 7.x kernel):
#   tests/vm/run-guest.sh -k 7 -- sh /tests/stat.sh
# The figures of workloads whose rings, regions, mappings and pin sets are
# known; lifetimes long enough to be seen; -p and the machine-wide mode;
# OpenMetrics rewritten while it runs; the page-free hook not attached and
# no event sent (every figure kept in the kernel).  One TAP line per check.
. /tests/lib.sh

O=/tmp/stat.out
E=/tmp/stat.err

# last_line FILE: the last JSON line (the figures at the end)
last_line() { grep '^{"schema":"ringledger-stat/1"' "$1" | tail -n 1; }

# hist FILE NAME FIELD: a histogram's count or sum in the last line
hist() { last_line "$1" | sed -n "s/.*\"$2\":{\"unit\":\"[a-z]*\",\"count\":\([0-9]*\),\"sum\":\([0-9]*\).*/\\$3/p"; }

# ---- one ring, held 2 s: rings, regions, mappings while it lives --------------
ringledger stat -i 0.4 --json -- /workloads/ring_hold 2000 > $O 2> $E
rc=$?
if [ $rc = 0 ]; then t_ok "stat -- ring_hold: exit 0"; else t_fail "stat -- ring_hold: exit 0" "exit $rc" $E; fi
t_grep "stat -- CMD says what it counts" 'counting io_uring ring memory of the command' $E
t_grep "while it holds: 1 ring, its rings and SQE regions, 3 mappings" \
	'"comm":"ring_hold","rings":1,"regions":\{"rings":1,"sqes":1,"pbuf":0,"param":0,"zcrx":0\},"region_pages":[1-9][0-9]*,"mappings":3,' $O
l=$(last_line $O)
echo "$l" > /tmp/stat.last
t_grep "at the end nothing is held" '"total":\{"rings":0,"regions":\{"rings":0,"sqes":0,"pbuf":0,"param":0,"zcrx":0\},"region_pages":0,"mappings":0,"mapped_pages":0,"pin_sets":0,"pinned_pages":0,' /tmp/stat.last
t_grep "... and it made 1 ring, 2 regions, 3 mappings" '"total":\{[^}]*\},[^}]*"made":\{"rings":1,"regions":2,"mappings":3,"pin_sets":0' /tmp/stat.last
n=$(hist $O ring_lifetime 1); s=$(hist $O ring_lifetime 2)
if [ "$n" = 1 ] && [ "${s:-0}" -ge 2000000000 ]; then t_ok "ring_lifetime: 1 ring, at least 2 s ($s ns)"; else
	t_fail "ring_lifetime: 1 ring, at least 2 s" "count '$n', sum '$s' ns" /tmp/stat.last; fi
if [ "$(grep -c '^{"schema"' $O)" -ge 5 ]; then t_ok "at least 5 lines over 2 s at -i 0.4"; else
	t_fail "at least 5 lines over 2 s at -i 0.4" "$(grep -c '^{"schema"' $O) lines" $O; fi
n=$(hist $O mapping_lifetime 1); r=$(hist $O region_lifetime 1)
if [ "$n" = 3 ] && [ "$r" = 2 ]; then t_ok "mapping_lifetime counts 3, region_lifetime 2"; else
	t_fail "mapping_lifetime counts 3, region_lifetime 2" "got $n and $r" /tmp/stat.last; fi
t_grep "nothing lost, no map full" '"map_full":0,"lost":0\}$' /tmp/stat.last

# ---- the text table and the histograms ------------------------------------------
ringledger stat -i 0.5 -- /workloads/ring_hold 1500 > $O 2> $E
t_grep "the table's header" '^ +PID COMM +RINGS REGIONS +RPAGES +MAPS +MAPPED PINSETS +PINNED BUFRINGS$' $O
t_grep "a row for ring_hold: 1 ring, 2 regions, 3 mappings" '^ *[0-9]+ ring_hold +1 +2 +[0-9]+ +3 ' $O
t_grep "the ring lifetime histogram at the end" '^ring_lifetime: 1, mean 1\.[5-9][0-9]* s' $O
t_grep "... with its bucket" '^ +1\.07 s -> 2\.15 s +: 1 +\|\*+\|$' $O

# ---- pins: 5 fixed buffers of 64 KiB, registered, updated, unregistered ---------
ringledger stat -q --json -- /workloads/fixed_buffers anon > $O 2> $E
rc=$?
echo "$(last_line $O)" > /tmp/stat.last
if [ $rc = 0 ]; then t_ok "stat -- fixed_buffers anon: exit 0"; else t_fail "stat -- fixed_buffers anon: exit 0" "exit $rc" $E; fi
t_grep "5 pin sets made, 80 pages, none left" '"total":\{[^}]*\},"region_pages":0,"mappings":0,"mapped_pages":0,"pin_sets":0,"pinned_pages":0,"made":\{"rings":1,"regions":2,"mappings":[0-9]+,"pin_sets":5,"pinned_pages":80\}' /tmp/stat.last
t_grep "pin_duration counts the 5" '"pin_duration":\{"unit":"ns","count":5,' /tmp/stat.last
t_grep "pages_per_pin: 5 sets of 16 pages (slot 16-31)" '"pages_per_pin":\{"unit":"pages","count":5,"sum":80,"buckets":\[\{"lo":16,"hi":31,"count":5\}\]' /tmp/stat.last
t_grep "buffer_register times each of the 5" '"buffer_register":\{"unit":"ns","count":5,' /tmp/stat.last
t_grep "register_call times the register calls" '"register_call":\{"unit":"ns","count":[1-9]' /tmp/stat.last
t_grep "-q: only the line at the end" '^\{"schema"' $O
t_lines "-q --json: one line" '^\{"schema"' 1 $O

# ---- a kernel-allocated buffer ring: a third region, of kind pbuf ---------------
ringledger stat -q --json -- /workloads/pbuf_mmap > $O 2> $E
echo "$(last_line $O)" > /tmp/stat.last
t_grep "pbuf_mmap: 3 regions made (rings, sqes, its buffer ring), 3 region lifetimes" '"made":\{"rings":1,"regions":3,' /tmp/stat.last
t_grep "... pages_per_region counts 3" '"pages_per_region":\{"unit":"pages","count":3,' /tmp/stat.last

# ---- -p: one process tree, the rest not counted ---------------------------------
# (each waits for /tmp/go: what a ring made before stat attached is not counted)
rm -f /tmp/go
( while [ ! -e /tmp/go ]; do sleep 0.1; done; exec /workloads/ring_hold 1500 ) > /dev/null 2>&1 &
mine=$!
( while [ ! -e /tmp/go ]; do sleep 0.1; done; exec /workloads/ring_hold 1500 ) > /dev/null 2>&1 &
other=$!
: > $E	# emptied first: the wait below must not read the last run's line
ringledger stat -p $mine -i 0.5 -d 6 --json > $O 2> $E &
st=$!
i=0; while ! grep -q 'counting io_uring' $E && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
touch /tmp/go
wait $st
rc=$?
wait $mine $other
t_grep "-p: the process followed is counted" "\"pid\":$mine,\"comm\":\"ring_hold\",\"rings\":1" $O
t_nogrep "-p: another process is not" "\"pid\":$other," $O
if [ $rc = 0 ]; then t_ok "-p -d: exit 0 after the duration"; else t_fail "-p -d: exit 0 after the duration" "exit $rc" $E; fi

# ---- --cgroup: rings made inside a cgroup v2 directory, the rest not counted -----
CG=/sys/fs/cgroup
mkdir -p $CG
grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none $CG
mkdir -p $CG/rltest
rm -f /tmp/go
( echo 0 > $CG/rltest/cgroup.procs; while [ ! -e /tmp/go ]; do sleep 0.1; done; exec /workloads/ring_hold 1500 ) > /dev/null 2>&1 &
inside=$!
( while [ ! -e /tmp/go ]; do sleep 0.1; done; exec /workloads/ring_hold 1500 ) > /dev/null 2>&1 &
outside=$!
: > $E	# emptied first: the wait below must not read the last run's line
ringledger stat --cgroup $CG/rltest -i 0.5 -d 6 --json > $O 2> $E &
st=$!
i=0; while ! grep -q 'counting io_uring' $E && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
touch /tmp/go
wait $st
rc=$?
wait $inside $outside
t_grep "--cgroup: the process inside is counted" "\"pid\":$inside,\"comm\":\"ring_hold\",\"rings\":1" $O
t_nogrep "--cgroup: the one outside is not" "\"pid\":$outside," $O
if [ $rc = 0 ]; then t_ok "--cgroup: exit 0"; else t_fail "--cgroup: exit 0" "exit $rc" $E; fi
ringledger stat --cgroup /nonexistent -d 1 > $O 2> $E
rc=$?
if [ $rc = 3 ] && [ "$(wc -l < $E)" = 1 ] && grep -q 'cgroup v2 directory' $E; then
	t_ok "--cgroup of no directory: one line, exit 3"; else
	t_fail "--cgroup of no directory: one line, exit 3" "exit $rc" $E; fi
rmdir $CG/rltest 2> /dev/null

# ---- the whole machine, OpenMetrics rewritten each interval ---------------------
P=/tmp/rl.prom
rm -f $P
: > $E	# emptied first: the wait below must not read the last run's line
ringledger stat -i 0.3 -d 6 --openmetrics $P > $O 2> $E &
st=$!
i=0; while ! grep -q 'counting io_uring' $E && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
/workloads/ring_hold 2500 > /tmp/hold.out 2>&1 &
hold=$!
sleep 1.5
cp $P /tmp/rl.prom.during 2>/dev/null
bpftool prog show > /tmp/stat.progs 2>&1
bpftool map dump name ringledg.bss > /tmp/stat.bss 2>&1
wait $hold
wait $st
rc=$?
if [ $rc = 0 ]; then t_ok "machine-wide -d 6: exit 0"; else t_fail "machine-wide -d 6: exit 0" "exit $rc" $E; fi
t_grep "OpenMetrics while the ring lives: ringledger_rings 1 for it" "^ringledger_rings\\{pid=\"$hold\",comm=\"ring_hold\"\\} 1\$" /tmp/rl.prom.during
t_grep "... its mapped bytes" "^ringledger_mapped_bytes\\{pid=\"$hold\",comm=\"ring_hold\"\\} [1-9][0-9]*\$" /tmp/rl.prom.during
t_grep "... the ring it made counted" "^ringledger_rings_created_total\\{pid=\"$hold\",comm=\"ring_hold\"\\} 1\$" /tmp/rl.prom.during
t_nogrep "the file after: the process gone, its series gone with it" "pid=\"$hold\"" $P
t_grep "... its lifetime in the histogram" '^ringledger_ring_lifetime_seconds_count [1-9]' $P
if [ "$(tail -n 1 $P)" = "# EOF" ]; then t_ok "the file ends with # EOF"; else
	t_fail "the file ends with # EOF" "last line: $(tail -n 1 $P)" $P; fi
t_lines "each family has one TYPE line" '^# TYPE ringledger_pinned_bytes gauge$' 1 $P
# the file as written, for the host's OpenMetrics parser (tests/run-tests.sh)
sed 's/^/#om /' /tmp/rl.prom.during
ls /tmp/.rl.prom* /tmp/rl.prom.* 2>/dev/null | grep -v during > /tmp/stat.tmpfiles
if [ ! -s /tmp/stat.tmpfiles ]; then t_ok "no temporary file left beside it"; else
	t_fail "no temporary file left beside it" "found" /tmp/stat.tmpfiles; fi
t_grep "stat's programs were attached (region creation)" ' name f[ex]_io_create_re| name kp_io_create_re' /tmp/stat.progs
t_nogrep "the page-free hook was not" ' name tp_mm_page_free' /tmp/stat.progs
t_nogrep "nor the arena window hook on every mmap" ' name fx_arena_window| name kp_arena_window' /tmp/stat.progs
if grep -q '"events_emitted": *0\b' /tmp/stat.bss; then t_ok "no event sent to user space (events_emitted 0 in .bss)"; else
	t_fail "no event sent to user space (events_emitted 0 in .bss)" "bpftool's dump" /tmp/stat.bss; fi

# ---- check's picture and timeline of a real run (the host's browser and
# trace reader check them too: tests/run-tests.sh) ---------------------------------
ringledger check --html /tmp/f.html --trace-json /tmp/f.tl --json $J -- /workloads/mmap_too_large > $O 2>&1
rc=$?
n=$(grep -o '"id": *"RL0[0-9]*"' $J | wc -l)
if [ $rc = 1 ] && [ "$n" -ge 1 ]; then t_ok "check -- mmap_too_large: $n finding(s), exit 1"; else
	t_fail "check -- mmap_too_large: findings, exit 1" "exit $rc, $n findings" $O; fi
t_lines "--html: one timeline per finding" '<svg class="timeline"' "$n" /tmp/f.html
t_grep "--trace-json: the findings as instant events" '"ph":"i","s":"p","cat":"finding","name":"RL006' /tmp/f.tl
sed 's/^/#html /' /tmp/f.html
sed 's/^/#tl /' /tmp/f.tl
echo "#findings $n"

# ---- GET /metrics for a Prometheus scrape, on the loopback ------------------------
ip link set lo up 2> /dev/null || ifconfig lo 127.0.0.1 up
: > $E	# emptied first: the wait below must not read the last run's line
ringledger stat -i 0.3 -d 5 -q --metrics 127.0.0.1:9464 > $O 2> $E &
st=$!
i=0; while ! grep -q 'counting io_uring' $E && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
/workloads/ring_hold 2500 > /tmp/hold.out 2>&1 &
hold=$!
sleep 1.5
wget -q -S -O /tmp/scrape.out http://127.0.0.1:9464/metrics > /tmp/scrape.head 2>&1
wget -q -O /tmp/scrape.404 http://127.0.0.1:9464/other > /dev/null 2>&1
r404=$?
wait $hold
wait $st
rc=$?
t_grep "--metrics: says where it listens" 'serving GET /metrics on 127\.0\.0\.1:9464 \(port 9464\)' $E
t_grep "a scrape gets the OpenMetrics content type" 'Content-Type: application/openmetrics-text; version=1\.0\.0' /tmp/scrape.head
t_grep "... and the ring alive in it" "^ringledger_rings\\{pid=\"$hold\",comm=\"ring_hold\"\\} 1\$" /tmp/scrape.out
if [ "$(tail -n 1 /tmp/scrape.out)" = "# EOF" ]; then t_ok "... ending with # EOF"; else
	t_fail "... ending with # EOF" "last line: $(tail -n 1 /tmp/scrape.out)" /tmp/scrape.out; fi
if [ $r404 != 0 ]; then t_ok "another path is refused (wget exit $r404)"; else t_fail "another path is refused" "wget exit 0"; fi
if [ $rc = 0 ]; then t_ok "--metrics -d 5: exit 0"; else t_fail "--metrics -d 5: exit 0" "exit $rc" $E; fi

t_done
