# ringledger - one entry point: build, test, demo, install.
#
#   make            build build/ringledger (static, BPF embedded) and the workloads
#   make test       unit tests, CLI tests, then the guest tests on Debian kernels
#   make demo       boot the newest Debian 7.x kernel and check a workload
#   make vm-shell   an interactive guest with ringledger and the workloads
#   make install    PREFIX=/usr/local DESTDIR=: sbin/ringledger, the man page,
#                   bash completion
#   make deb        build/deb/ringledger_VERSION_amd64.deb (debian/), lintian
#   make bench      replay throughput, and the guest overhead figures (each
#                   workload alone, under check and under stat, one boot)
#   make profile    where that overhead goes: each BPF program's calls and
#                   run time (kernel.bpf_stats_enabled) per workload and
#                   tool line (PROFILE="churn page pin64", RL_PROF_TOOLS)
#   make realworld  liburing's test suite (Debian's source package, built
#                   static, cached) without and under one `check` on Debian's
#                   newest 7.x (RL_RW_MODE=each: each test under its own;
#                   make realworld-series RUNS=N: N whole runs, one boot)
#   make patched-kernel / patched-test / matrix
#                   build the patched 7.x kernel (seed features, fault knobs),
#                   run its tests, print the knob-by-finding detection matrix

CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PREFIX   ?= /usr/local
BUILD    := build
V        ?= 0
ifeq ($(V),0)
Q   := @
msg  = @printf '  %-8s %s\n' "$(1)" "$(2)";
else
Q   :=
msg  =
endif
KERNELS  ?= 7 7.2 7.0 6.12 6.1

# The version has one place, debian/changelog (`dch -v X` bumps it); the
# revision is scripts/revision.sh's (git describe, else the REVISION file).
VERSION  := $(shell sed -n '1{s/^[^ ]* (//;s/).*//;p}' debian/changelog)
REVISION := $(shell sh scripts/revision.sh)

# CPPFLAGS, CFLAGS and LDFLAGS (empty unless given: dpkg-buildflags' in the
# Debian package) are added to the tool's compile and link
CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Isrc -I$(BUILD)
SAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BPF_CFLAGS    := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -Iinclude -Ibpf

# The tool's files (libbpf, the kernel, the command line); every other file
# in src/ is plain C without libbpf (the ledger library, its formats, output
# files, signals), linked into the unit tests too.
ATTACH_SRCS := src/attach.c src/attach_misses.c
TOOL_SRCS   := src/main.c src/cli.c $(ATTACH_SRCS) src/loader.c src/ksyms.c src/run_cmd.c \
	       $(wildcard src/cmd_*.c)
LEDGER_SRCS := $(filter-out $(TOOL_SRCS),$(wildcard src/*.c))
TOOL_LIBS   := -Wl,-Bstatic -lbpf -lelf -lz -lzstd

UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
WORKLOADS   := $(patsubst tests/workloads/%.c,$(BUILD)/workloads/%,\
		$(filter-out tests/workloads/wl_common.c,$(wildcard tests/workloads/*.c)))
DEPS_STAMP  := $(BUILD)/.deps
# a package build (debian/rules) has its Build-Depends checked by
# dpkg-buildpackage and sets RL_SKIP_DEPS=1: no installer there
ifeq ($(RL_SKIP_DEPS),1)
DEPS_STAMP  :=
endif

.PHONY: all deps deps-deb nommu nommu-deps nommu-test test unit demo vm-shell install deb clean bench profile realworld-series fuzz soak \
	patched-kernel patched-test matrix realworld FORCE
all: $(BUILD)/ringledger workloads

deps: $(DEPS_STAMP)
ifneq ($(DEPS_STAMP),)
$(DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/install-deps.sh
	@touch $@
endif

# the NOMMU riscv64 guest's programs (tests/nommu), static PIE: the small ones
# freestanding, ledger_replay with musl
NOMMU_DEPS_STAMP := $(BUILD)/.deps-nommu
nommu-deps: $(NOMMU_DEPS_STAMP)
$(NOMMU_DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(dir $@)
	@sh scripts/install-deps.sh nommu
	@touch $@
NOMMU_CC     ?= riscv64-linux-gnu-gcc
# both kinds: no host headers, the cross kernel headers, a static PIE of
# our own start files (the compiler's include dir is asked in the recipe)
NOMMU_PIE    := -nostdinc -fPIE -mno-relax -static-pie -nostdlib -Wl,--no-dynamic-linker
NOMMU_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror $(NOMMU_PIE) -isystem /usr/riscv64-linux-gnu/include \
		-ffreestanding -fno-stack-protector
NOMMU_PROGS  := $(addprefix $(BUILD)/nommu/,init seed000 probe)
# the ELF FDPIC loader runs them as loaded: a dynamic relocation would be
# left undone, so a program that has one is not built
$(BUILD)/nommu/%: tests/nommu/%.c tests/nommu/rt.h tests/workloads/uring.h | $(NOMMU_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,NOMMU,$@)
	$(Q)$(NOMMU_CC) $(NOMMU_CFLAGS) -isystem "$$($(NOMMU_CC) -print-file-name=include)" $< -o $@.tmp
	$(Q)if riscv64-linux-gnu-readelf -r $@.tmp | grep -q 'no relocations'; then mv $@.tmp $@; \
	else echo "$@: has dynamic relocations (a pointer in static data?): the NOMMU loader would not apply them" >&2; \
	rm -f $@.tmp; exit 1; fi
# the ledger and its rules for the guest: the same plain C as the host's,
# with Debian's riscv64 musl (kernel/nommu/fetch-musl.sh: its rcrt1.o makes
# the static PIE relocate itself), and its host twin to compare with
$(BUILD)/nommu/ledger_replay: tests/nommu/ledger_replay.c $(LEDGER_SRCS) $(wildcard src/*.h include/*.h) \
			      kernel/nommu/fetch-musl.sh | $(NOMMU_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,NOMMU,$@)
	$(Q)m=$$(kernel/nommu/fetch-musl.sh) && gd=$$(dirname "$$($(NOMMU_CC) -print-file-name=crtbeginS.o)") && \
	$(NOMMU_CC) $(filter-out -g,$(CFLAGS_COMMON)) $(NOMMU_PIE) -isystem "$$m/include" \
		-isystem "$$($(NOMMU_CC) -print-file-name=include)" -isystem /usr/riscv64-linux-gnu/include -o $@ \
		"$$m/lib/rcrt1.o" "$$m/lib/crti.o" "$$gd/crtbeginS.o" $< $(LEDGER_SRCS) \
		-Wl,--start-group "$$m/lib/libc.a" "$$gd/libgcc.a" -Wl,--end-group "$$gd/crtendS.o" "$$m/lib/crtn.o"
$(BUILD)/nommu-host/ledger_replay: tests/nommu/ledger_replay.c $(LEDGER_SRCS) $(wildcard src/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $< $(LEDGER_SRCS) -o $@
# ringledger itself for the guest: bpf/nommu.bpf.c (riscv, kprobes and
# tracepoints, no CO-RE, no global data: bpf/nommu.h) embedded in a musl
# static PIE with its own loader (src/nommu/) and the same ledger
NOMMU_TOOL_SRCS := $(wildcard src/nommu/*.c) $(LEDGER_SRCS) src/ksyms.c
$(BUILD)/nommu/nommu.bpf.o: bpf/nommu.bpf.c bpf/nommu.h bpf/core_types.h include/rl_events.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(subst __TARGET_ARCH_x86,__TARGET_ARCH_riscv,$(BPF_CFLAGS)) -c $< -o $@.tmp
	$(Q)llvm-objcopy --strip-debug --remove-section .BTF --remove-section .BTF.ext $@.tmp && mv $@.tmp $@
$(BUILD)/nommu/ringledger: $(NOMMU_TOOL_SRCS) $(BUILD)/nommu/nommu.bpf.o $(wildcard src/*.h src/nommu/*.h include/*.h) \
			   bpf/nommu.h kernel/nommu/fetch-musl.sh | $(NOMMU_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,NOMMU,$@)
	$(Q)m=$$(kernel/nommu/fetch-musl.sh) && gd=$$(dirname "$$($(NOMMU_CC) -print-file-name=crtbeginS.o)") && \
	$(NOMMU_CC) $(filter-out -g,$(CFLAGS_COMMON)) -Ibpf -Isrc/nommu \
		-DRL_NOMMU_OBJ_PATH='"$(abspath $(BUILD)/nommu/nommu.bpf.o)"' $(NOMMU_PIE) -isystem "$$m/include" \
		-isystem "$$($(NOMMU_CC) -print-file-name=include)" -isystem /usr/riscv64-linux-gnu/include -o $@ \
		"$$m/lib/rcrt1.o" "$$m/lib/crti.o" "$$gd/crtbeginS.o" $(NOMMU_TOOL_SRCS) \
		-Wl,--start-group "$$m/lib/libc.a" "$$gd/libgcc.a" -Wl,--end-group "$$gd/crtendS.o" "$$m/lib/crtn.o"
nommu: $(NOMMU_PROGS) $(BUILD)/nommu/ledger_replay $(BUILD)/nommu-host/ledger_replay $(BUILD)/nommu/ringledger
nommu-test: nommu
	@sh tests/nommu/test.sh

# `make deb`'s own tools (debhelper, dpkg-dev, fakeroot, lintian), in a stamp
# of their own: `make` and `make test`'s build never look for them
DEB_DEPS_STAMP := $(BUILD)/.deps-deb
deps-deb: $(DEB_DEPS_STAMP)
$(DEB_DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/install-deps.sh deb
	@touch $@

# ---- the BPF objects, linked into one, and its skeleton ----------------------
# One object per kernel object (bpf/*.bpf.c); `bpftool gen object` links
# them (maps and globals are defined once, in globals.bpf.c).
BPF_SRCS := bpf/globals.bpf.c $(filter-out bpf/globals.bpf.c bpf/nommu.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h include/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/ringledger.bpf.o: $(BPF_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/ringledger.skel.h: $(BUILD)/ringledger.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ringledger_bpf > $@.tmp
	$(Q)mv $@.tmp $@

# ---- the tool ----------------------------------------------------------------
$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h include/*.h) $(BUILD)/ringledger.skel.h
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# main.c prints the version and revision (--version); it is rebuilt when
# either changes
$(BUILD)/.revision: FORCE
	@mkdir -p $(BUILD)
	@echo '$(VERSION) $(REVISION)' | cmp -s - $@ || echo '$(VERSION) $(REVISION)' > $@
$(BUILD)/obj/main.o: $(BUILD)/.revision
$(BUILD)/obj/main.o: CFLAGS_COMMON += -DRL_VERSION='"$(VERSION)"' -DRL_REVISION='"$(REVISION)"'

$(BUILD)/ringledger: $(patsubst src/%.c,$(BUILD)/obj/%.o,$(TOOL_SRCS) $(LEDGER_SRCS))
	$(call msg,LINK,$@)
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $^ $(TOOL_LIBS)

# ---- workloads (static: they run in the guest's initramfs) --------------------
.PHONY: workloads
workloads: $(WORKLOADS)
$(BUILD)/workloads/%: tests/workloads/%.c tests/workloads/wl_common.c $(wildcard tests/workloads/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -Itests/workloads $< tests/workloads/wl_common.c -o $@

# ---- tests -------------------------------------------------------------------
$(BUILD)/unit/%: tests/unit/%.c $(LEDGER_SRCS) $(wildcard src/*.h include/*.h tests/unit/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/unit $< $(LEDGER_SRCS) -o $@

# the hook table against the BPF object: opens the skeleton (not loaded),
# so it links attach.c (with attach_misses.c) and libbpf instead of the ledger library
$(BUILD)/unit/test_hooks: tests/unit/test_hooks.c $(ATTACH_SRCS) $(BUILD)/ringledger.skel.h \
			  $(wildcard src/*.h include/*.h tests/unit/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/unit $< $(ATTACH_SRCS) -o $@ \
		-Wl,-Bstatic -lbpf -lelf -lz -lzstd -Wl,-Bdynamic

# the attach plan for model kernels: attach.c and libbpf, no kernel (and
# the hooks stat leaves out)
$(BUILD)/unit/test_plan: tests/unit/test_plan.c $(ATTACH_SRCS) src/stat_hooks.c $(BUILD)/ringledger.skel.h \
			 $(wildcard src/*.h include/*.h tests/unit/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/unit $< $(ATTACH_SRCS) src/stat_hooks.c -o $@ \
		-Wl,-Bstatic -lbpf -lelf -lz -lzstd -Wl,-Bdynamic

# the kernel symbol table (ksyms.c: no libbpf) from a file of ours
$(BUILD)/unit/test_ksyms: tests/unit/test_ksyms.c src/ksyms.c $(LEDGER_SRCS) \
			  $(wildcard src/*.h include/*.h tests/unit/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/unit $< src/ksyms.c $(LEDGER_SRCS) -o $@

# the NOMMU loader's tests: clang's BTF of a fixture struct, the NOMMU object
$(BUILD)/unit/nommu_btf_fixture.btf: tests/unit/nommu_btf_fixture.bpf.c tests/unit/nommu_btf_fixture.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,BTF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -c $< -o $(@:.btf=.o) && llvm-objcopy --dump-section .BTF=$@ $(@:.btf=.o)
$(BUILD)/unit/test_nommu_loader: tests/unit/test_nommu_loader.c src/nommu/btf.c src/nommu/elf_load.c $(LEDGER_SRCS) \
				 $(BUILD)/unit/nommu_btf_fixture.btf $(BUILD)/nommu/nommu.bpf.o \
				 $(wildcard src/*.h src/nommu/*.h include/*.h tests/unit/*.h) bpf/nommu.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/unit -Ibpf -Isrc/nommu \
		-DRL_FX_BTF='"$(BUILD)/unit/nommu_btf_fixture.btf"' -DRL_NOMMU_OBJ='"$(BUILD)/nommu/nommu.bpf.o"' \
		$< src/nommu/btf.c src/nommu/elf_load.c $(LEDGER_SRCS) -o $@

unit: $(UNIT_TESTS)

# the whole suite; tests/run-tests.sh prints the closing "N passed, N failed"
test: all unit $(BUILD)/fuzz/fuzz_replay $(BUILD)/golden/dump_events
	@KERNELS="$(KERNELS)" sh tests/run-tests.sh

demo: all
	@sh tests/vm/demo.sh

vm-shell: all
	@sh tests/vm/run-guest.sh -i -k $(firstword $(KERNELS))

bench: all $(BUILD)/bench/bench_replay
	@$(BUILD)/bench/bench_replay
	@sh tests/vm/bench.sh

PROFILE ?= churn page pin64
profile: all
	@sh tests/vm/run-guest.sh -k "$${RL_BENCH_KERNEL:-7}" -m 3072 -t 1800 -- \
		env RL_PROF_TOOLS="$${RL_PROF_TOOLS:-check:stat}" sh /tests/profile.sh $(PROFILE)

# every event of a replay in each format, for tests/golden/run.sh
$(BUILD)/golden/dump_events: tests/golden/dump_events.c $(LEDGER_SRCS) $(wildcard src/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) $< $(LEDGER_SRCS) -o $@

# libFuzzer over the replay path (reader, ledger, reports), seeded from the
# replays; `make fuzz FUZZ_SECS=600` for a longer run
FUZZ_SECS ?= 60
$(BUILD)/fuzz/fuzz_replay: tests/fuzz/fuzz_replay.c $(LEDGER_SRCS) $(wildcard src/*.h include/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(CFLAGS_COMMON) -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $< $(LEDGER_SRCS) -o $@

fuzz: $(BUILD)/fuzz/fuzz_replay
	@sh tests/fuzz/run.sh $(BUILD)/fuzz/fuzz_replay $(FUZZ_SECS)

$(BUILD)/bench/bench_replay: tests/bench/bench_replay.c $(LEDGER_SRCS) $(wildcard src/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS_COMMON) -O3 $< $(LEDGER_SRCS) -o $@

patched-kernel: $(DEPS_STAMP)
	@kernel/build-kernel.sh

patched-test: all
	@sh tests/vm/run-guest.sh -k "$$(kernel/build-kernel.sh)" -t 900 -- sh /tests/patched.sh

# load and soak (tests/vm/guest/soak.sh): figures, and the checks they must pass
soak: all
	@sh tests/vm/run-guest.sh -k 7 -t 1200 -- sh /tests/soak.sh

matrix: all
	@sh tests/vm/matrix.sh

# liburing's suite without and under one check (tests/vm/realworld.sh);
# RL_RW_MODE=each: each test under its own check
realworld: all
	@sh tests/vm/realworld.sh -k $(firstword $(KERNELS)) $(if $(filter each,$(RL_RW_MODE)),-e)

# the whole suite under one check RUNS times in one boot: the same verdict?
RUNS ?= 10
realworld-series: all
	@mkdir -p $(BUILD)/realworld && tests=$$(kernel/fetch-liburing.sh) && \
	sh tests/vm/run-guest.sh -k $(firstword $(KERNELS)) -m 3072 -t $$(( $(RUNS) * 700 + 300 )) \
		-l $(BUILD)/realworld/console-series.log -x "$$tests" -- sh /tests/liburing-series.sh $(RUNS)

# the man page as installed: its footer carries the version
$(BUILD)/ringledger.8: doc/ringledger.8 debian/changelog
	@mkdir -p $(BUILD)
	$(Q)sed '1s/"ringledger[^"]*"/"ringledger $(VERSION)"/' $< > $@

install: $(BUILD)/ringledger $(BUILD)/ringledger.8
	install -D -m 0755 $(BUILD)/ringledger $(DESTDIR)$(PREFIX)/sbin/ringledger
	install -D -m 0644 $(BUILD)/ringledger.8 $(DESTDIR)$(PREFIX)/share/man/man8/ringledger.8
	install -D -m 0644 contrib/bash-completion/ringledger \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/ringledger

# the Debian package, built by dpkg-buildpackage from a copy of this tree
# (the tracked files as they are now, REVISION filled in) in build/deb/src:
# build/deb/ringledger_$(VERSION)_amd64.deb, then lintian over it
deb: $(DEPS_STAMP) $(DEB_DEPS_STAMP)
	@sh scripts/build-deb.sh

clean:
	rm -rf $(BUILD)
