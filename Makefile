# Thin wrapper over CMake presets. `make demo` and `make test` do all set-up themselves.
PRESET ?= dev
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Where `make install` puts bin/, lib/, include/, share/.
PREFIX ?= /usr/local

.PHONY: all deps configure build test test-asan demo release install package test-package bench soak fuzz \
	format clean

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

# The Release tree (build-release/, no tests) that install, package and bench use.
release: deps
	@if [ ! -f build-release/CMakeCache.txt ]; then cmake --preset release; fi
	cmake --build build-release -j $(JOBS)

# bin/pipehost, bin/pipehost-emulator, lib/pipehost/plugins, the SDK and share/pipehost/examples,
# stripped. The installed pipehost finds its plugins by itself.
install: release
	cmake --install build-release --prefix $(PREFIX) --strip

# build-release/packages/: pipehost-<version>-Linux-x86_64.tar.gz (unpack and run) and pipehost_<version>_amd64.deb.
package: release
	rm -rf build-release/packages
	cd build-release && cpack

# Both packages as a user gets them: the tarball unpacked runs the songs example against the
# emulator; the .deb's files, Depends and plugins are checked (tests/package/run_package_test.sh).
test-package: package
	tests/package/run_package_test.sh build-release/packages

bench: release
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
