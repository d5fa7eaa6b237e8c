# morel — the two promised entry points are `make demo` and `make test`; both
# install missing Debian packages first, then configure and build.
#
#   make demo        build, then run the walk-through on bundled data
#   make test        build (warnings are errors), run every test
#   make test-asan   the suite again under AddressSanitizer + UBSan
#   make test-tsan   the concurrency tests under ThreadSanitizer
#   make fuzz        a bounded run of the model-loader fuzzer (clang)
#   make bench       benchmarks against ONNX Runtime (needs ../shared/bench peers)
#   make format      clang-format every C++ file

JOBS ?= $(shell nproc)
BUILD ?= build
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-asan test-tsan fuzz bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DMOREL_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Sanitizer builds optimize less (-O1, as the sanitizers' docs suggest; the
# tests and the CLI, which only drive the library, -O0) and keep line tables
# only (-g1): CI builds the library four times on two cores, and compile time
# is most of its run.
test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
	  -DMOREL_WERROR=ON -DMOREL_DRIVER_OPTIMIZATION=-O0 \
	  -DMOREL_SANITIZE=address,undefined -DMOREL_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# OpenMP's runtime is not instrumented, so this build runs kernels on the
# calling thread; it checks morel's own sharing (plan cache, execution pool).
test-tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
	  -DMOREL_WERROR=ON -DMOREL_DRIVER_OPTIMIZATION=-O0 \
	  -DMOREL_SANITIZE=thread -DMOREL_WITH_OPENMP=OFF -DMOREL_WITH_DNNL=OFF -DMOREL_BUILD_BENCH=OFF \
	  -DMOREL_LIBRARY_SCOPE=runtime >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target test_concurrency
	@ctest --test-dir build-tsan --output-on-failure -R test_concurrency

fuzz: deps
	@scripts/fuzz.sh

bench: build
	@scripts/bench.sh $(BUILD)

format:
	@find include src cli tests examples bench -name '*.h' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf build build-asan build-tsan build-fuzz
