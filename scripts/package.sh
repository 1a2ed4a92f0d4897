#!/usr/bin/env bash
# Builds the Debian package: installs what is missing (as root), builds a
# Release topicfs for the prefix /usr into build-package/ (or $1), makes
# topicfs_<version>_<arch>.deb there with CPack and checks it with lintian.
# Then: apt-get install ./build-package/topicfs_*.deb (docs/OPERATING.md).
set -euo pipefail

cd "$(dirname "$0")/.."
TOPICFS_ROOT=$(pwd -P)
BUILD=${1:-$TOPICFS_ROOT/build-package}
source "$TOPICFS_ROOT/scripts/deps.sh"
topicfs_install_deps

cmake -S "$TOPICFS_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DTOPICFS_BUILD_TESTS=OFF -DTOPICFS_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
(cd "$BUILD" && rm -f topicfs_*.deb && cpack -G DEB >/dev/null)
deb=$(ls "$BUILD"/topicfs_*.deb)
echo "built $deb"
dpkg-deb --field "$deb" Package Version Depends
# lintian's verdict, shown; what it still says is in docs/DECISIONS.md.
lintian --tag-display-limit 0 "$deb" || true
