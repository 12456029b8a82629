#!/bin/sh
# profile.sh - where a tool's overhead goes, program by program: each
# workload without the tool and under each tool line, with the kernel's
# BPF statistics on (kernel.bpf_stats_enabled), and bpftool's run_cnt and
# run_time_ns of every program read just before the command ends.  Only
# ratios of these figures mean anything (TCG), and bpf_stats itself adds a
# clock read per program run.
# usage: profile.sh [WORKLOAD...]   (nop read churn page pin64; default churn)
# RL_PROF_TOOLS: the tool lines, separated by ':' (default "check:stat"),
# e.g. "check:check --no-stacks:check --attach=kprobe:stat --attach=fentry"
WORKLOADS=${*:-churn}
TOOLS=${RL_PROF_TOOLS:-check:stat}
. "$(dirname "$0")/bench-lib.sh"
bench_setup
echo 1 > /proc/sys/kernel/bpf_stats_enabled
for w in $WORKLOADS; do
	c=$(bench_cmd "$w")
	[ -n "$c" ] || { echo "profile: unknown workload $w (nop read churn page pin64)" >&2; exit 2; }
	$c > /dev/null 2>&1
	$c > /tmp/p.out 2>&1; echo "PROF $w without $(bench_secs /tmp/p.out)s"
	echo "$TOOLS" | tr ':' '\n' | while read -r tool; do
		[ -n "$tool" ] || continue
		# shellcheck disable=SC2086 # the tool line is words
		ringledger $tool --settle 5 -- sh -c "$c; bpftool prog show > /tmp/p.progs" \
			> /tmp/p.out 2>&1
		echo "PROF $w $tool: rc=$? $(bench_secs /tmp/p.out)s"
		# "ID: TYPE name NAME tag ... run_time_ns N run_cnt M"
		awk '/ name /{ n=""; t=0; c=0
			for (i = 1; i <= NF; i++) {
				if ($i == "name") n = $(i + 1)
				if ($i == "run_time_ns") t = $(i + 1)
				if ($i == "run_cnt") c = $(i + 1)
			}
			if (c > 0) { printf "PROG %-32s %-14s cnt=%-8d ms=%.1f ns/call=%d\n", n, $2, c, t / 1e6, t / c; tot += t; tc += c } }
			END { printf "PROG total cnt=%d ms=%.1f\n", tc, tot / 1e6 }' /tmp/p.progs |
			sort -t= -k3 -n -r | head -n "${RL_PROF_TOP:-40}"
	done
done
