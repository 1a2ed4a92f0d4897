#!/usr/bin/env bash
# Quick start: installs what is missing (as root, Debian), builds topicfs into
# ./build, creates a demo store in ./data from the logs in examples/, mounts it
# on ./mnt and prints what to try. Safe to run again: it unmounts a previous
# ./mnt first and seeds ./data only once.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
DATA="$ROOT/data"
MNT="$ROOT/mnt"
TOPICFS="$ROOT/build/topicfs"
TOPICFS_ROOT=$ROOT
source "$ROOT/scripts/deps.sh"
# shellcheck source=scripts/lib/mount.sh
source "$ROOT/scripts/lib/mount.sh"

say() { printf '\n== %s\n' "$*"; }

build() {
  say "building build/topicfs"
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$ROOT/build" -j"$(nproc)" --target topicfs
}

has_mount_command() { "$TOPICFS" --help 2>/dev/null | grep -q '^ *mount '; }

unmount_previous() {
  topicfs_is_mounted "$MNT" || return 0
  say "unmounting the previous $MNT"
  if has_mount_command; then "$TOPICFS" unmount "$MNT" 2>/dev/null && return 0; fi
  topicfs_force_unmount "$MNT"  # a crashed daemon
}

seed_demo_store() {
  if [ -d "$DATA/topics/access" ] && [ -d "$DATA/topics/app" ]; then
    say "demo store $DATA already seeded"
    return 0
  fi
  say "creating the demo store $DATA from examples/"
  "$TOPICFS" topic create --data "$DATA" access --partitions 2 --segment-bytes 128K \
    --retention 30d
  "$TOPICFS" topic create --data "$DATA" app --segment-bytes 64K --retention 30d
  "$TOPICFS" produce --data "$DATA" access --partition 0 < "$ROOT/examples/access.log"
  "$TOPICFS" produce --data "$DATA" app < "$ROOT/examples/app.log"
  "$TOPICFS" topic describe --data "$DATA" access | tail -3
}

show_without_mount() {
  say "records, read with topicfs consume"
  "$TOPICFS" consume --data "$DATA" app --offset 1990 --count 5
  "$TOPICFS" consume --data "$DATA" access --offset 100 --count 2
  cat <<TRY

Try next:
  build/topicfs topic list --data ./data
  build/topicfs topic describe --data ./data access
  build/topicfs consume --data ./data app --from-beginning | grep ERROR
  build/topicfs retention set --data ./data app --time 3d --bytes 1G
  ls -l data/topics/app/0 && build/topicfs dump data/topics/app/0/*.index
TRY
}

mount_demo_store() {
  mkdir -p "$MNT"
  say "mounting ./data on ./mnt"
  if ! "$TOPICFS" mount "$DATA" "$MNT"; then
    echo "mount failed (is /dev/fuse available?); showing the store without it" >&2
    show_without_mount
    return 0
  fi
  say "records, read through the mount"
  ls -l "$MNT/app/0"
  cat "$MNT/app/0/from/1995"
  cat <<TRY

topicfs is mounted: ./data on ./mnt. Try:
  ls -l mnt/access/0                           # segments, indexes, current, from/, since/
  cat mnt/app/0/from/1990                      # records from offset 1990 to the end
  grep -c '" 500 ' mnt/access/0/*.log          # plain tools over the segments
  cat mnt/app/0/since/\$(date -u -d '-1 min' +%FT%TZ)
  tail -n 3 -f mnt/app/0/from/0                # follows across rolls; in another shell:
  echo "hello from the shell" >> mnt/app/0/current
  getfattr -d mnt/access mnt/access/0          # configs and log facts as xattrs
  build/topicfs topic describe mnt/access
  build/topicfs status mnt                     # topics, records, append rates, groups' lag
  build/topicfs retention set mnt/app --time 3d --bytes 1G
  build/topicfs consume mnt/app --offset 100 --count 5
  build/topicfs unmount mnt
TRY
  # The daemon's first log lines say which kernel features it got.
  if [ -r /sys/module/fuse/parameters/enable_uring ] &&
    [ "$(cat /sys/module/fuse/parameters/enable_uring)" != Y ]; then
    cat <<TRY
For the fastest small appends (Linux >= 6.14), let the kernel serve FUSE
requests on per-CPU rings, then remount (docs/PERFORMANCE.md):
  echo Y > /sys/module/fuse/parameters/enable_uring
TRY
  fi
}

topicfs_install_deps
build
unmount_previous
seed_demo_store
if has_mount_command; then mount_demo_store; else show_without_mount; fi
