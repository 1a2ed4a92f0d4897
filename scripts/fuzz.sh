#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default
# 60), keeping a corpus per target in build-fuzz/corpus. Any crash fails the
# run; the crashing input is left in build-fuzz/ for a regression test.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
TOPICFS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$TOPICFS_ROOT/scripts/deps.sh"
topicfs_install_deps clang libclang-rt-14-dev
seconds=${1:-60}
build="$TOPICFS_ROOT/build-fuzz"
CC=clang CXX=clang++ cmake -S "$TOPICFS_ROOT" -B "$build" -DTOPICFS_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
total=0
cd "$build"
for target in tests/fuzz/*_fuzz; do
  name=$(basename "$target")
  mkdir -p "corpus/$name"
  out=$("$target" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$build/$name-" \
    "corpus/$name" "$TOPICFS_ROOT/tests/fuzz/seeds/$name" 2>&1) || {
    echo "$out" | tail -30
    echo "FAIL: $name found a crash (input saved under $build/$name-*)" >&2
    exit 1
  }
  runs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
  total=$((total + runs))
  printf '%-24s %12d executions in %ss\n' "$name" "$runs" "$seconds"
done
printf '%-24s %12d executions\n' "total" "$total"
