# The two commands of the README quick start, plus the usual developer targets.
#   make demo   install what is missing, build, run Rig's main job on its defaults
#   make check  install what is missing, build, run every test (normal + sanitizers)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build demo check test asan release fuzz bench clean

all: build

deps:
	@sh scripts/install-deps.sh

build/dev/build.ninja:
	cmake --preset dev

build/asan/build.ninja:
	cmake --preset asan

build/release/build.ninja:
	cmake --preset release

build: build/dev/build.ninja
	cmake --build build/dev -j $(JOBS)

demo: deps build
	@sh examples/demo.sh build/dev

test: build
	ctest --preset dev

asan: build/asan/build.ninja
	cmake --build build/asan -j $(JOBS)
	ctest --preset asan

check: deps
	$(MAKE) test
	$(MAKE) asan

release: build/release/build.ninja
	cmake --build build/release -j $(JOBS)

fuzz:
	cmake --preset fuzz
	cmake --build build/fuzz -j $(JOBS)

bench: release
	cmake --build build/release --target bench
	@sh bench/run.sh build/release

clean:
	rm -rf build
