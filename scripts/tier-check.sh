#!/usr/bin/env bash
# scripts/tier-check.sh [GIB] [DIR] — issue 12's "what done looks like", at
# scale, against a directory tier (not part of the tests: it writes GIB GiB
# twice). One partition receives GIB GiB (default 10) of numbered lines with
# local.retention.bytes 256 MiB; once the copier has caught up, the local
# part must be at most 256 MiB plus one segment, and `cat from/0` must give
# back every line, in order, once. Prints the figures; exits 1 on a miss.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/mount.sh
. "$REPO/scripts/lib/mount.sh"
GIB=${1:-10}
BASE=${2:-/var/tmp}
TOPICFS=${TOPICFS:-$REPO/build/topicfs}
W=$(mktemp -d "$BASE/topicfs-tier-check.XXXXXX")
MNT=$W/mnt PID=""
cleanup() {
  topicfs_force_unmount "$MNT" 2>/dev/null || true
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  rm -rf --one-file-system "$W"
}
trap cleanup EXIT
mkdir -p "$W/data" "$MNT" "$W/bucket"
"$TOPICFS" mount -f "$W/data" "$MNT" -o "tier=file://$W/bucket,retention.check.interval.ms=1000" \
  >"$W/daemon.log" 2>&1 &
PID=$!
topicfs_wait_mount "$MNT" "$PID" 30
mkdir "$MNT/big"
setfattr -n user.topicfs.segment.bytes -v 128M "$MNT/big"
setfattr -n user.topicfs.remote.storage.enable -v true "$MNT/big"
setfattr -n user.topicfs.local.retention.bytes -v 256M "$MNT/big"
lines=$((GIB * 1024 * 1024 * 1024 / 100))  # 100-byte lines
fact() { getfattr --only-values -n "user.topicfs.$1" "$MNT/big/0" 2>/dev/null; }
t0=$EPOCHREALTIME
awk -v n="$lines" 'BEGIN { for (i = 1; i <= n; i++) printf "%-99d\n", i }' >>"$MNT/big/0/current"
t1=$EPOCHREALTIME
until [ "$(fact tier_pending_copies)" = 0 ] && [ "$(fact local_size_bytes)" -le $((256 * 1024 * 1024 + 128 * 1024 * 1024)) ]; do
  sleep 1
done
t2=$EPOCHREALTIME
local_bytes=$(du -sb "$W/data/topics/big/0" | cut -f1)
echo "wrote $GIB GiB in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b - a}') s; copier caught up $(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.0f", b - a}') s later"
echo "local: $local_bytes bytes on disk (limit 256 MiB + one 128 MiB segment = $((384 * 1024 * 1024))); log_start_offset $(fact log_start_offset), local_log_start_offset $(fact local_log_start_offset)"
t3=$EPOCHREALTIME
bad=$(awk -v n="$lines" '$1 != NR { print "line " NR ": " $1; exit } END { if (NR != n) print NR " lines, want " n }' "$MNT/big/0/from/0")
t4=$EPOCHREALTIME
echo "cat from/0: $(awk -v a="$t3" -v b="$t4" -v g="$GIB" 'BEGIN{printf "%.0f MB/s", g * 1073.741824 / (b - a)}')${bad:+; $bad}"
[ -z "$bad" ] && [ "$local_bytes" -le $((384 * 1024 * 1024 + 4 * 1024 * 1024)) ] && echo "ok" || { echo "MISSED"; exit 1; }
