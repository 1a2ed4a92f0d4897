#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the ctest suite
# (unit, CLI, end-to-end mounts, crash rounds), the unit tests again under
# ASan+UBSan and the concurrent ones under TSan, and a short run of every
# fuzz target. Exits non-zero on any failure.
#   TOPICFS_QUICK=1 scripts/test.sh   runs only the ctest suite
set -euo pipefail
TOPICFS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$TOPICFS_ROOT/scripts/deps.sh"
cd "$TOPICFS_ROOT"
topicfs_install_deps clang libclang-rt-14-dev  # the fuzz stage needs clang
topicfs_build "$TOPICFS_ROOT/build" -DTOPICFS_BUILD_BENCH=OFF
(cd "$TOPICFS_ROOT/build" && ctest --output-on-failure --timeout 300 -j2 "$@")
if [ "${TOPICFS_QUICK:-0}" != 1 ]; then
  "$TOPICFS_ROOT/scripts/sanitize.sh"
  "$TOPICFS_ROOT/scripts/fuzz.sh" "${TOPICFS_FUZZ_SECONDS:-10}"
fi
