#!/usr/bin/env bash
# scripts/soak.sh [SECONDS] [RUNS] — writers, readers and retention at once
# against a real mount, checking that readers only ever see whole records
# and that every writer's surviving records are in order without gaps. Not
# part of the tests (it is timing-dependent by nature); it is the soak that
# found page-cache readers reading zeros past a just-sealed segment
# (docs/RELIABILITY.md). Each run: a fresh store, 6 writers appending
# numbered records with `>> current`, 4 readers `cat`-ing every .log over
# and over, 32 KiB segments and retention deleting several a second.
# Uses build/topicfs (run scripts/test.sh or scripts/run.sh first), over the
# transport the kernel offers (echo Y > /sys/module/fuse/parameters/
# enable_uring first to soak FUSE-over-io_uring). Exits 1 if any run found
# a bad file or a gap; bad files and daemon logs are kept in the work dir.
set -uo pipefail
SECONDS_PER_RUN=${1:-25}
RUNS=${2:-5}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOPICFS=$REPO/build/topicfs
# shellcheck source=scripts/lib/mount.sh
. "$REPO/scripts/lib/mount.sh"
[ -x "$TOPICFS" ] || { echo "soak.sh: no $TOPICFS; build first" >&2; exit 2; }
WORK=$(mktemp -d /var/tmp/topicfs-soak.XXXXXX)
M=$WORK/mnt
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  topicfs_is_mounted "$M" && { "$TOPICFS" unmount "$M" 2>/dev/null || topicfs_force_unmount "$M"; }
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RECORD_RE='^w[1-6] [0-9]{8} payload-payload-payload-payload$'
failed=0
for ((run = 1; run <= RUNS; run++)); do
  rm -rf "$WORK/data" "$M" "$WORK"/count.* && mkdir -p "$WORK/data" "$M"
  "$TOPICFS" mount "$WORK/data" "$M" -o retention.check.interval.ms=500 --log "$WORK/daemon.$run.log" ||
    { echo "run $run: mount failed" >&2; exit 1; }
  mkdir "$M/s" && setfattr -n user.topicfs.segment.bytes -v 32768 "$M/s" &&
    setfattr -n user.topicfs.retention.bytes -v 500000 "$M/s" || exit 1
  PIDS=()
  end=$((SECONDS + SECONDS_PER_RUN))
  for w in 1 2 3 4 5 6; do
    (i=0; while [ $SECONDS -lt $end ]; do
       printf 'w%d %08d payload-payload-payload-payload\n' $w $((i + 1)) >>"$M/s/0/current" && i=$((i + 1))
     done; echo $i >"$WORK/count.$w") &
    PIDS+=($!)
  done
  for r in 1 2 3 4; do
    (while [ $SECONDS -lt $end ]; do
       for f in "$M"/s/0/*.log; do
         cat "$f" 2>/dev/null >"$WORK/read.$r"
         if grep -qavE "$RECORD_RE" "$WORK/read.$r"; then
           cp "$WORK/read.$r" "$WORK/bad.$run.$r.$(basename "$f").$(date +%s%N)"
         fi
       done
     done) &
    PIDS+=($!)
  done
  wait "${PIDS[@]}"
  PIDS=()
  # Every writer's records still in the log: in order, no gaps, the last
  # one acknowledged.
  cat "$M/s/0/from/$(getfattr --absolute-names --only-values -n user.topicfs.log_start_offset "$M/s/0")" >"$WORK/all"
  gaps=0
  for w in 1 2 3 4 5 6; do
    last=$(awk -v w="w$w" '$1 == w { n = $2 + 0; if (seen && n != prev + 1) bad++; prev = n; seen = 1 }
                           END { if (bad) print "gap"; else print prev + 0 }' "$WORK/all")
    [ "$last" = "$(cat "$WORK/count.$w")" ] || { gaps=$((gaps + 1)); echo "run $run: writer $w: last $last, acknowledged $(cat "$WORK/count.$w")"; }
  done
  bad=$(find "$WORK" -maxdepth 1 -name "bad.$run.*" | wc -l)
  echo "run $run: $(wc -l <"$WORK/all") records kept, $bad bad reads, $gaps writers with gaps"
  [ "$bad" = 0 ] && [ "$gaps" = 0 ] || failed=1
  "$TOPICFS" unmount "$M" || exit 1
done
if [ $failed = 1 ]; then
  echo "soak: FAILED; bad reads and logs kept in $WORK"
  exit 1
fi
rm -rf "$WORK"
echo "soak: $RUNS runs clean"
