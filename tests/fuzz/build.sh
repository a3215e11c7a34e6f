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
# Seeds of fuzz_readers: the selector byte, then a file (the book's CSV lines, a
# header, CRLF, a ragged row, an IDX file of 2x3 bytes).
mkdir -p "$build/corpus-readers"
printf '\0005,0,255,3\n0,12,0,1\n' > "$build/corpus-readers/csv"
printf '\001label,a,b\r\n\r\n1,0.5,2\r\n0,1e3,-4' > "$build/corpus-readers/csv-header"
printf '\0021;2;3\n4;5\n' > "$build/corpus-readers/csv-ragged"
printf '\003 1,2\r3,4\n\n5,nan\n' > "$build/corpus-readers/csv-batches"
printf '\004\000\000\010\002\000\000\000\002\000\000\000\003\001\002\003\004\005\006' > "$build/corpus-readers/idx"

if [ -n "$seconds" ]; then
  # detect_leaks: a model that loads and is dropped must free everything.
  ASAN_OPTIONS=detect_leaks=1 "$build/fuzz_model_loader" -max_total_time="$seconds" -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$build/" "$build/corpus"
fi
