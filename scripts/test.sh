#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
# Exits non-zero on any failure.
set -euo pipefail
TOPICFS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$TOPICFS_ROOT/scripts/deps.sh"
cd "$TOPICFS_ROOT"
topicfs_install_deps
topicfs_build "$TOPICFS_ROOT/build" -DTOPICFS_BUILD_BENCH=OFF
cd "$TOPICFS_ROOT/build"
ctest --output-on-failure --timeout 300 -j2 "$@"
