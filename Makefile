# The README's two commands: `make run` and `make test`.
# Both install what is missing (scripts/install-deps.sh), configure and build.
PRESET ?= debug
JOBS ?= $(shell nproc)
# WERROR=1 (CI): every warning fails the build.
WERROR ?=
CONFIGURE_FLAGS = -DCMAKE_COMPILE_WARNING_AS_ERROR=$(if $(WERROR),ON,OFF)

.PHONY: all deps build release run test unit integration sanitize tsan fuzz fuzz-campaign clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) $(CONFIGURE_FLAGS) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

release: deps
	@cmake --preset release $(CONFIGURE_FLAGS) >/dev/null
	@cmake --build --preset release -j $(JOBS) --target impulsed impulsectl

run: release
	@mkdir -p var/spool var/log
	exec build/release/apps/impulsed/impulsed -c etc/impulse.conf

test: build
	@ctest --preset $(PRESET) -j $(JOBS) --timeout 600

unit: build
	@ctest --preset $(PRESET) -j $(JOBS) -L unit

integration: build
	@ctest --preset $(PRESET) -j $(JOBS) -L integration

# The whole tree with ASan+UBSan (preset asan-ubsan, build/asan-ubsan: -Og, a
# unity build), every unit, fuzz-replay and integration test under it; an
# integration test fails on a sanitizer report from any program it starts
# (tests/integration/conftest.py). What .ci/run runs, with `make tsan`.
sanitize:
	@$(MAKE) --no-print-directory test PRESET=asan-ubsan

# ThreadSanitizer over the threaded parts (preset tsan, build/tsan): the spool's
# group-commit writer, event loops posting to each other and worker threads
# (runtime, queue), the resolver (dns), log/event/webhook writers (log) and the
# cluster worker, by their unit tests. Suppressions (proven false positives
# only, each commented): tests/tsan.supp.
TSAN_UNITS ?= runtime spool dns log queue cluster
TSAN_OPTIONS_CI = halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp
tsan: deps
	@cmake --preset tsan $(CONFIGURE_FLAGS) >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target $(addprefix unit_,$(TSAN_UNITS))
	@set -e; for u in $(TSAN_UNITS); do echo "== unit_$$u (TSan)"; \
	  TSAN_OPTIONS="$(TSAN_OPTIONS_CI):$$TSAN_OPTIONS" build/tsan/tests/unit_$$u --gtest_brief=1; done

# libFuzzer build (clang 14). Run a target: build/fuzz/tests/fuzz/fuzz_config_parser tests/fuzz/corpus/config_parser
fuzz:
	@scripts/install-deps.sh fuzz
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

# Every libFuzzer target for MINUTES minutes, new coverage merged into
# tests/fuzz/corpus/ (scripts/fuzz-campaign.sh; JOBS, NICE in the environment).
MINUTES ?= 30
fuzz-campaign:
	@scripts/fuzz-campaign.sh $(MINUTES)

clean:
	rm -rf build
