#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the ctest suite
# (unit, CLI, end-to-end mounts, crash rounds), the mounting tests again over
# FUSE-over-io_uring where the kernel has it, the unit tests again under
# ASan+UBSan and the concurrent ones under TSan, and a short run of every
# fuzz target. Exits non-zero on any failure.
#   TOPICFS_QUICK=1 scripts/test.sh   runs only the ctest suite
set -euo pipefail
TOPICFS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$TOPICFS_ROOT/scripts/deps.sh"
cd "$TOPICFS_ROOT"
topicfs_install_deps clang libclang-rt-14-dev  # the fuzz stage needs clang
topicfs_install_node_deps  # kafkajs for the Kafka end-to-end tests
topicfs_build "$TOPICFS_ROOT/build" -DTOPICFS_BUILD_BENCH=OFF
(cd "$TOPICFS_ROOT/build" && ctest --output-on-failure --timeout 300 -j2 "$@")

# Every test that mounts, again over FUSE-over-io_uring when the kernel has
# it: the kernel offers it only while this switch is Y at mount time (off by
# default), so the first pass ran over /dev/fuse. The switch is restored.
uring_switch=/sys/module/fuse/parameters/enable_uring
if [ -w "$uring_switch" ] && [ $# -eq 0 ]; then
  uring_saved=$(cat "$uring_switch")
  trap 'echo "$uring_saved" > "$uring_switch"' EXIT
  echo Y >"$uring_switch"
  echo "== the mounting tests again, over FUSE-over-io_uring"
  (cd "$TOPICFS_ROOT/build" &&
    ctest --output-on-failure --timeout 300 -j2 -R '^(e2e|reliability|crash)\.')
  echo "$uring_saved" >"$uring_switch"
  trap - EXIT
fi
if [ "${TOPICFS_QUICK:-0}" != 1 ]; then
  "$TOPICFS_ROOT/scripts/sanitize.sh"
  "$TOPICFS_ROOT/scripts/fuzz.sh" "${TOPICFS_FUZZ_SECONDS:-10}"
fi
