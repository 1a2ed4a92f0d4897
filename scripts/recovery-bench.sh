#!/bin/sh
# Mount time after kill -9 of the daemon against a clean mount, for stores
# of many one-record partitions and for one partition of many segments
# (DESIGN §4: recovery grows with the unflushed tail, not with the store).
# Usage: scripts/recovery-bench.sh [TOPICFS_BIN] [WORKDIR] [N...]
#   N: partition counts (default 1000 2000 5000 10000); the 100,000-segment
#   row always runs. Not in CI: minutes, most of it making the stores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
T=${1:-$here/../build/topicfs}
W=${2:-$(mktemp -d /tmp/topicfs-recovery.XXXXXX)}
shift 2 2>/dev/null || shift $#
sizes=${*:-1000 2000 5000 10000}

seconds() { date +%s.%N; }
daemon_of() { pgrep -f "mount -f.*$1/data" | head -1; }

# Mounts $1/data, appends a few records to topic $2 (unflushed), kills the
# daemon with SIGKILL, and prints how long the next mount takes; checks the
# records are there.
crash_and_time() {
  "$T" mount "$1/data" "$1/mnt"
  for i in 1 2 3; do echo "late-$i" >>"$1/mnt/$2/0/current"; done
  kill -9 "$(daemon_of "$1")"
  sleep 0.2
  fusermount3 -uz "$1/mnt"
  s=$(seconds)
  "$T" mount "$1/data" "$1/mnt"
  e=$(seconds)
  tail -1 "$1/mnt/$2/0/current" | grep -qx late-3 || { echo "records lost in $1" >&2; exit 1; }
  "$T" unmount "$1/mnt"
  echo "$e - $s" | bc
}

clean_time() {
  "$T" mount "$1/data" "$1/mnt" && "$T" unmount "$1/mnt"  # warm
  s=$(seconds)
  "$T" mount "$1/data" "$1/mnt"
  e=$(seconds)
  "$T" unmount "$1/mnt"
  echo "$e - $s" | bc
}

echo "| store | clean mount (s) | mount after kill -9 (s) |"
echo "|---|---|---|"
for n in $sizes; do
  sh "$here/mount_many_topics.sh" "$T" "$W/p$n" "$n" >/dev/null
  echo "| $n one-record partitions | $(clean_time "$W/p$n") | $(crash_and_time "$W/p$n" t1) |"
done

# One partition of 100,000 segments: segment.bytes 14 holds two 7-byte records.
S=$W/segments
if [ ! -d "$S/data" ]; then
  mkdir -p "$S/mnt"
  "$T" mount "$S/data" "$S/mnt"
  mkdir "$S/mnt/big"
  setfattr -n user.topicfs.segment.bytes -v 14 "$S/mnt/big"
  seq 100000 299999 >>"$S/mnt/big/0/current"
  "$T" unmount "$S/mnt"
fi
echo "| 1 partition of $(ls "$S/data/topics/big/0" | grep -c '\.log$') segments | $(clean_time "$S") | $(crash_and_time "$S" big) |"
echo "(stores kept in $W)"
