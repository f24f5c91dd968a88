# Thin wrapper over CMake presets. `make demo` and `make test` do all set-up themselves.
PRESET ?= dev
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test test-asan demo bench soak fuzz format clean

all: build

deps:
	@scripts/deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then cmake --preset $(PRESET); fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 600

test-asan:
	$(MAKE) test PRESET=asan BUILD_DIR=build-asan

demo: build
	@scripts/demo.sh $(BUILD_DIR)

bench: deps
	@if [ ! -f build-release/CMakeCache.txt ]; then cmake --preset release; fi
	cmake --build build-release -j $(JOBS)
	bench/run.sh build-release

# The reliability suite and the basic kill test, at their long settings (PIPEHOST_SOAK=1).
soak: build
	PIPEHOST_SOAK=1 ctest --test-dir $(BUILD_DIR) --output-on-failure -L reliability --timeout 3600
	PIPEHOST_SOAK=1 ctest --test-dir $(BUILD_DIR) --output-on-failure -R '^PipelineTest\.KillNine' --timeout 3600

# Every fuzzer for FUZZ_SECONDS (default 60) each; see scripts/fuzz.sh.
fuzz: deps
	@if [ ! -f build-fuzz/CMakeCache.txt ]; then cmake --preset fuzz; fi
	cmake --build build-fuzz -j $(JOBS) --target fuzzers
	scripts/fuzz.sh build-fuzz

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build build-asan build-release build-fuzz
