#!/usr/bin/env bash
# Builds the libFuzzer target and its seed corpus, then (optionally) runs it.
#   tests/fuzz/build.sh [BUILD_DIR] [SECONDS]
# BUILD_DIR defaults to build-fuzz; with SECONDS the fuzzer runs that long on
# BUILD_DIR/corpus (seeded by make_seeds) and exits non-zero on any finding.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build-fuzz}"
seconds="${2:-}"
cxx="${CXX:-$(command -v clang++-14 || command -v clang++)}"
generator=()
if ninja --version >/dev/null 2>&1; then generator=(-G Ninja); fi

cmake -S "$here" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$build" -j "$(nproc)"
mkdir -p "$build/corpus"
"$build/make_seeds" "$build/corpus"

if [ -n "$seconds" ]; then
  # detect_leaks: a model that loads and is dropped must free everything.
  ASAN_OPTIONS=detect_leaks=1 "$build/fuzz_model_loader" -max_total_time="$seconds" -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$build/" "$build/corpus"
fi
