#!/usr/bin/env bash
# The store's unit tests under AddressSanitizer + UndefinedBehaviorSanitizer,
# its concurrent tests under ThreadSanitizer, and the daemon under ASan+UBSan
# driven by the end-to-end tests, over /dev/fuse and (where the kernel has
# it) over FUSE-over-io_uring. Any report fails the run.
# Called by scripts/test.sh; usable alone:
#   scripts/sanitize.sh [asan|tsan|daemon]...
set -euo pipefail
TOPICFS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$TOPICFS_ROOT/scripts/deps.sh"
topicfs_install_deps
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan tsan daemon)

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

# The daemon (the e2e tests run the topicfs binary of the same build dir): an
# ASan report aborts it or makes its exit status non-zero, which fails the
# test that mounted it.
run_daemon_stage() {
  local build="$TOPICFS_ROOT/build-asan" uring=/sys/module/fuse/parameters/enable_uring
  cmake -S "$TOPICFS_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTOPICFS_BUILD_BENCH=OFF \
    -DTOPICFS_SANITIZE=address,undefined >/dev/null
  cmake --build "$build" -j"$(nproc)" --target topicfs topicfs_e2e_tests topicfs_fusefs_unit_tests >/dev/null
  echo "== daemon (address,undefined) over /dev/fuse"
  local saved=""
  if [ -w "$uring" ]; then saved=$(cat "$uring"); echo N >"$uring"; fi
  (cd "$build" && ctest -R '^(e2e|fusefs)\.' --output-on-failure -j"$(nproc)" --timeout 600) || {
    [ -n "$saved" ] && echo "$saved" >"$uring"; return 1; }
  if [ -n "$saved" ]; then
    echo "== daemon (address,undefined) over FUSE-over-io_uring"
    echo Y >"$uring"
    (cd "$build" && ctest -R '^e2e\.' --output-on-failure -j"$(nproc)" --timeout 600) || {
      echo "$saved" >"$uring"; return 1; }
    echo "$saved" >"$uring"
  fi
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
    daemon) run_daemon_stage ;;
    *) echo "unknown stage $stage (asan|tsan|daemon)" >&2; exit 2 ;;
  esac
done
