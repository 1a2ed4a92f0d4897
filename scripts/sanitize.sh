#!/usr/bin/env bash
# The store's unit tests under AddressSanitizer + UndefinedBehaviorSanitizer,
# and its concurrent tests under ThreadSanitizer. Any report fails the run.
# Called by scripts/test.sh; usable alone: scripts/sanitize.sh [asan|tsan]...
set -euo pipefail
TOPICFS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$TOPICFS_ROOT/scripts/deps.sh"
topicfs_install_deps
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan tsan)

# Tests that run threads against one store; the rest is single-threaded.
CONCURRENT_TESTS='SeveralThreads|During|DoNotWaitFor|Concurrent'

run_stage() {
  local name=$1 sanitizers=$2 filter=$3 build="$TOPICFS_ROOT/build-$1"
  cmake -S "$TOPICFS_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTOPICFS_BUILD_BENCH=OFF \
    -DTOPICFS_SANITIZE="$sanitizers" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target topicfs_unit_tests >/dev/null
  echo "== $name ($sanitizers)"
  (cd "$build" && ctest -L unit ${filter:+-R "$filter"} --output-on-failure -j"$(nproc)" --timeout 600)
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# RocksDB is Debian's uninstrumented build: its internal threads synchronise
# in code TSan cannot see. Only reports wholly inside librocksdb are ignored.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$TOPICFS_ROOT/tests/tsan.supp"
for stage in "${stages[@]}"; do
  case "$stage" in
    asan) run_stage asan address,undefined "" ;;
    tsan) run_stage tsan thread "$CONCURRENT_TESTS" ;;
    *) echo "unknown stage $stage (asan|tsan)" >&2; exit 2 ;;
  esac
done
