#!/bin/sh
# Times a clean mount of a store of N one-segment topics, and counts the
# daemon's descriptors once mounted (DESIGN §3: none per segment).
# Usage: scripts/mount_many_topics.sh TOPICFS_BIN WORKDIR N
#   makes WORKDIR/data through a mount (mkdir + one append per topic) unless
#   it exists, then mounts it 3 times. Not in CI; takes ~6 ms per topic.
set -eu
T=$1 W=$2 N=$3
mkdir -p "$W/mnt"
if [ ! -d "$W/data" ]; then
  "$T" mount "$W/data" "$W/mnt"
  i=1
  while [ "$i" -le "$N" ]; do
    mkdir "$W/mnt/t$i" && echo "rec-$i" >> "$W/mnt/t$i/0/current"
    i=$((i + 1))
  done
  "$T" unmount "$W/mnt"
fi
for run in 1 2 3; do
  s=$(date +%s.%N)
  "$T" mount "$W/data" "$W/mnt"
  e=$(date +%s.%N)
  pid=$(pgrep -f "mount -f.*$W/data" | head -1)
  echo "clean mount: $(echo "$e - $s" | bc) s, daemon descriptors: $(ls /proc/"$pid"/fd | wc -l)"
  "$T" unmount "$W/mnt"
done
