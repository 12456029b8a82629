# bench-lib.sh - the benchmark workloads, once, for bench.sh and profile.sh
# (sourced; /tmp/bench.file is bench_setup's).

bench_setup() {	# the file `read` reads
	[ -s /tmp/bench.file ] || dd if=/dev/urandom of=/tmp/bench.file bs=1M count=16 2> /dev/null
}

bench_cmd() {	# workload: its command line (nothing for an unknown one)
	case $1 in
	nop) echo "/workloads/uring_bench nop 1000000" ;;
	read) echo "/workloads/uring_bench read 50000 /tmp/bench.file" ;;
	churn) echo "/workloads/uring_bench churn 300" ;;
	page) echo "/workloads/page_churn 256 4" ;;
	pin64) echo "/workloads/fixed_buffers bench 20" ;;
	esac
}

# bench_secs FILE: the workload's own time, from its GT line
bench_secs() { sed -n 's/^GT \(bench\|churn\) .*seconds=\([0-9.]*\).*/\2/p' "$1" | tail -n 1; }
