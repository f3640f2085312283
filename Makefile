# make demo  — install what is missing, build, train NER on the built-in demo corpus with 2 MPI ranks
# make test  — install what is missing, build, run the whole test suite
# make bench — install what is missing, build (release), measure NER throughput at 1 and 2 BLAS threads and on 2 ranks,
#              then the blended multi-task step's weak scaling over 1, 2, 4 ranks (runs/bench-sweep.json)
# make results — install what is missing, build (release), train the experiment EXPERIMENT (default: Table 3 on the
#              stand-in corpora) with hmtl experiment: resumable, rerun it to continue; runs/table3/table.md at the end
# make fuzz  — build the corpus-reader fuzzer with libFuzzer and run it for FUZZ_SECONDS (crash inputs go to runs/fuzz/)

SWIFT        ?= swift
APT_PACKAGES := pkgconf libopenmpi-dev openmpi-bin libopenblas-dev libhdf5-dev hdf5-tools procps iproute2 shellcheck
PC_LIBS      := ompi-c hdf5 openblas
RELEASE_BIN  := .build/release/hmtl
# mpirun refuses root unless told; containers and CI run as root. Stopped itself (Ctrl-C), mpirun
# passes SIGTERM on to the ranks after odls_base_sigkill_timeout seconds and SIGKILLs them as long
# after; its default of 1 s is too short for a step and a checkpoint (docs/checkpoints.md, Failures and recovery).
MPIRUN       := mpirun $(if $(filter 0,$(shell id -u)),--allow-run-as-root) --oversubscribe --mca odls_base_sigkill_timeout 10
SUDO         := $(if $(filter 0,$(shell id -u)),,sudo)
# Its own scratch folder: the sanitizer flags would otherwise invalidate the ordinary build.
FUZZ_SCRATCH := .build-fuzz
FUZZ_BIN     := $(FUZZ_SCRATCH)/release/ReaderFuzzer
FUZZ_SECONDS ?= 60
EXPERIMENT   ?= experiments/table3.json

.PHONY: demo test bench results fuzz deps build release clean

deps:
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"; \
	for lib in $(PC_LIBS); do pkg-config --exists $$lib 2>/dev/null || missing="$$missing $$lib"; done; \
	command -v mpirun >/dev/null 2>&1 || missing="$$missing mpirun"; \
	command -v h5dump >/dev/null 2>&1 || missing="$$missing h5dump"; \
	command -v pgrep >/dev/null 2>&1 || missing="$$missing pgrep"; \
	command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing="$$missing ip"; \
	command -v shellcheck >/dev/null 2>&1 || missing="$$missing shellcheck"; \
	if [ -n "$$missing" ]; then \
		echo "make: missing:$$missing — installing Debian packages: $(APT_PACKAGES)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

release: deps
	$(SWIFT) build -c release

demo: release
	rm -rf runs/demo
	OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np 2 $(RELEASE_BIN) train --config configs/demo.json --output runs/demo
	$(RELEASE_BIN) checkpoint inspect runs/demo/$$(cat runs/demo/latest) | head -20

# XCTest only. The process check's line follows XCTest's summary, so the summary is printed
# again last (runs/test-log.txt keeps the whole log); the exit status is the suite's.
test: deps
	$(SWIFT) build
	@mkdir -p runs
	bash -o pipefail -c '$(SWIFT) test --disable-swift-testing 2>&1 | tee runs/test-log.txt; status=$$?; \
		grep -E "^[[:space:]]*Executed [0-9]+ tests?," runs/test-log.txt | tail -n 1; exit $$status'

bench: release
	for threads in 1 2; do for task in ner emd relation coref all; do \
		OPENBLAS_NUM_THREADS=$$threads $(RELEASE_BIN) bench --task $$task --out runs/bench.jsonl || exit 1; \
	done; done
	OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np 2 $(RELEASE_BIN) bench --task ner --out runs/bench.jsonl
	$(RELEASE_BIN) bench --sweep --task all --ranks 1,2,4 --rounds 3 --out runs/bench-sweep.json

results: release
	$(RELEASE_BIN) experiment $(EXPERIMENT)

# Seeds are generated into a temporary folder that libFuzzer also grows; a trap, a hang
# (-timeout) or runaway memory stops the run with a non-zero exit and saves the input.
# libFuzzer's progress lines go to runs/fuzz/log.txt; its last lines (the final stats, or
# the crash report) are shown.
fuzz: deps
	$(SWIFT) build -c release --product ReaderFuzzer -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING --scratch-path $(FUZZ_SCRATCH)
	mkdir -p runs/fuzz
	dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	$(FUZZ_BIN) --write-seeds "$$dir/seeds" && mkdir "$$dir/corpus" && \
	status=0 && $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=runs/fuzz/ "$$dir/corpus" "$$dir/seeds" > runs/fuzz/log.txt 2>&1 || status=$$?; \
	tail -n 40 runs/fuzz/log.txt; exit $$status

clean:
	rm -rf .build $(FUZZ_SCRATCH) runs
