#!/usr/bin/env bash
# Installs the Debian packages topicfs builds, tests and runs with, when they
# are missing. Sourced by run.sh, test.sh and bench.sh; a no-op when all are there.
set -euo pipefail

TOPICFS_PACKAGES=(
  cmake g++ make pkg-config
  libfuse3-dev fuse3 liburing-dev
  librocksdb-dev libxxhash-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  attr
  libisal-dev liblz4-dev libzstd-dev zlib1g-dev libsnappy-dev  # kafka/: CRC-32C, codecs
  libasio-dev  # kafka/: the listener
  libcurl4-openssl-dev libexpat1-dev  # tier/: the S3 client (curl with SigV4, XML answers)
  python3 logrotate rsyslog  # tools the end-to-end tests drive, as users would
  ccache  # rebuilds (tests, sanitizer and fuzz builds) reuse what an earlier run compiled
  kcat python3-confluent-kafka  # real Kafka clients (librdkafka) for the Kafka end-to-end tests
  python3-botocore  # AWS's SigV4 signer: the S3 test proxy checks every signature with it
  prometheus-cpp-dev  # metrics/: Prometheus's text format over HTTP
  libsystemd-dev  # sd_notify: the systemd unit is up once the mount answers
  help2man dpkg-dev lintian  # packaging: man pages from --help, the .deb's Depends, its checks
  curl prometheus  # the metrics tests scrape with curl and check with promtool
  bash-completion  # the completion test runs topicfs's completion in bash
)

# Every build of these scripts goes through ccache once it is installed:
# CMake takes the launcher from the environment at configure time. The base
# directory and no hash of it make a fresh checkout elsewhere (CI's) hit the
# cache of the last one.
topicfs_use_ccache() {
  command -v ccache >/dev/null 2>&1 || return 0
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR=$TOPICFS_ROOT CCACHE_NOHASHDIR=1
}

topicfs_install_deps() {
  local missing=()
  for pkg in "${TOPICFS_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  topicfs_use_ccache
}

# kafkajs (npm) for the Kafka end-to-end tests, into tests/e2e/kafkajs, at the
# version its package-lock.json pins; Debian's nodejs and npm when there is
# no node yet.
# Test-only programs from npm, each pinned by its package-lock.json: kafkajs
# (a Kafka client) and s3rver (an S3-protocol server).
topicfs_install_node_deps() {
  command -v npm >/dev/null 2>&1 || topicfs_install_deps nodejs npm
  local dir
  for dir in "$TOPICFS_ROOT"/tests/e2e/kafkajs "$TOPICFS_ROOT"/tests/e2e/s3rver; do
    [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && continue
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  done
}

topicfs_build() {
  local build_dir=$1; shift
  cmake -S "$TOPICFS_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build_dir" -j"$(nproc)"
}

topicfs_use_ccache
