#!/usr/bin/env bash
# kill -9 of the daemon in the middle of concurrent appends, ROUNDS times.
# Each round: mount a fresh store, 6 writers on 3 partitions with 64 KiB
# segments (so rolls happen; every fifth record holds a run of NUL bytes),
# kill -9 the daemon after 1-3 s, fusermount3 -uz,
# remount, and check through the mount that every acknowledged record is
# there once, in its writer's order, whole; then `topicfs verify`.
# Usage: scripts/crash-test.sh [ROUNDS]   (TOPICFS_BUILD overrides ./build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${TOPICFS_BUILD:-$ROOT/build}
BIN=$BUILD/topicfs
TOOL=$BUILD/tests/crash/crash_tool
rounds=${1:-100}
# shellcheck source=scripts/lib/mount.sh
. "$ROOT/scripts/lib/mount.sh"
[ -x "$BIN" ] && [ -x "$TOOL" ] || { echo "build first: $BIN and $TOOL are needed" >&2; exit 1; }

tmp=$(mktemp -d /tmp/topicfs-crash.XXXXXX)
daemon=""
writers=""
cleanup() {
  [ -n "$writers" ] && kill "$writers" 2>/dev/null || true
  topicfs_force_unmount "$tmp/mnt"
  [ -n "$daemon" ] && kill -9 "$daemon" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

start_daemon() {
  "$BIN" mount -f "$tmp/data" "$tmp/mnt" --log "$tmp/daemon.log" &
  daemon=$!
  topicfs_wait_mount "$tmp/mnt" "$daemon" 5 && return 0
  echo "the daemon did not mount; its log:" >&2
  cat "$tmp/daemon.log" >&2 || true
  return 1
}

stop_daemon() {
  fusermount3 -u "$tmp/mnt"
  wait "$daemon" || true
  daemon=""
}

total_ack=0 total_lost=0 total_dup=0 total_torn=0 failed=0
for round in $(seq 1 "$rounds"); do
  rm -rf "$tmp/data" "$tmp/ack"
  mkdir -p "$tmp/data" "$tmp/mnt" "$tmp/ack"
  start_daemon
  mkdir "$tmp/mnt/crash"
  setfattr -n user.topicfs.segment.bytes -v 65536 "$tmp/mnt/crash"
  mkdir "$tmp/mnt/crash/1" "$tmp/mnt/crash/2"
  "$TOOL" write "$tmp/mnt" crash 3 6 "$tmp/ack" 30 &
  writers=$!
  sleep "$((RANDOM % 3 + 1)).$((RANDOM % 10))"
  kill -9 "$daemon"
  wait "$daemon" 2>/dev/null || true
  daemon=""
  wait "$writers" || true
  writers=""
  fusermount3 -uz "$tmp/mnt"
  start_daemon
  if ! out=$("$TOOL" check "$tmp/mnt" crash 3 6 "$tmp/ack"); then failed=1; fi
  read -r _ ack _ lost _ dup _ torn _ <<<"$out"
  total_ack=$((total_ack + ack)) total_lost=$((total_lost + lost))
  total_dup=$((total_dup + dup)) total_torn=$((total_torn + torn))
  stop_daemon
  if ! "$BIN" verify --data "$tmp/data" >"$tmp/verify.out" 2>&1; then
    echo "round $round: topicfs verify found problems:" >&2
    cat "$tmp/verify.out" >&2
    failed=1
  fi
  echo "round $round: $out"
  [ "$failed" -eq 0 ] || break
done
echo "rounds $round acknowledged $total_ack lost $total_lost duplicated $total_dup torn $total_torn"
exit "$failed"
