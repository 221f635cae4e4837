# The README's two commands: `make run` and `make test`.
# Both install what is missing (scripts/install-deps.sh), configure and build.
PRESET ?= debug
JOBS ?= $(shell nproc)

.PHONY: all deps build release run test unit integration fuzz fuzz-campaign clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

release: deps
	@cmake --preset release >/dev/null
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
