# The daemon as a whole: its memory with many partitions open, and mount
# and stop times of a store of many segments (issues 5, 13). Sourced by
# scripts/bench.sh.

group_rss() {
  local data=$WORK/rss-data mnt=$WORK/rss-mnt p t0 saved_mnt=$MNT
  tf_start "$data" "$mnt" || return 1
  local idle; idle=$(vmrss_kib "$TF_PID")
  MNT=$mnt
  t0=$EPOCHREALTIME
  topic rss "$RSS_PARTS" || { MNT=$saved_mnt; return 1; }
  local tmk; tmk=$(since "$t0")
  MNT=$saved_mnt
  log "rss: $RSS_PARTS partitions created in ${tmk}s"
  tf_stop "$mnt" || return 1
  tf_start "$data" "$mnt" || return 1
  local base; base=$(vmrss_kib "$TF_PID")
  row "daemon RSS just after mounting a store of $RSS_PARTS partitions, MiB; ref: empty store" \
    "$(fmt "$(calc "$base / 1024")") MiB" "$(fmt "$(calc "$idle / 1024")") MiB" "" ""
  local k
  for k in 1 100 1000; do
    [ $k -le "$RSS_PARTS" ] || continue
    for ((p = 0; p < k; p++)); do echo "$mnt/rss/$p/current"; done >"$WORK/hold.list"
    # hold: open k partitions' current with O_APPEND, append one record each,
    # keep them open while we read the daemon's VmRSS.
    coproc HOLD { "$TFB" hold "$WORK/hold.list"; }
    local ready=""; read -r -t 120 ready <&"${HOLD[0]}"
    if [[ "$ready" != ready* ]]; then log "rss: hold $k failed"; kill "$HOLD_PID" 2>/dev/null; return 1; fi
    sleep 0.5
    local rss; rss=$(vmrss_kib "$TF_PID")
    local wfd=${HOLD[1]}
    exec {wfd}>&-
    wait "$HOLD_PID" 2>/dev/null
    local tgt=""; [ $k = 1000 ] && tgt="<= 100"
    row "daemon RSS (VmRSS) with $k partition(s) open (an O_APPEND handle on each, one record appended), MiB" \
      "$(fmt "$(calc "$rss / 1024")") MiB" "" "" "$tgt" "$(calc "$rss / 1024")"
  done
  tf_stop "$mnt"
}

# mount_timed DATA MNT CHECKDIR EXPECT: sets MT to the seconds from starting
# the daemon until the partition CHECKDIR answers log_end_offset == EXPECT.
# (Not for $(...): the daemon's PID must stay in this shell.)
MT=""
mount_timed() {
  local t0=$EPOCHREALTIME i
  tf_start "$1" "$2" || return 1
  for ((i = 0; i < 20000; i++)); do   # up to about a minute
    [ "$(leo "$3")" = "$4" ] && { MT=$(since "$t0"); return 0; }
    sleep 0.002
  done
  log "$3: log_end_offset $(leo "$3"), want $4"
  return 1
}
group_mount() {
  local data=$WORK/seg-data mnt=$WORK/seg-mnt empty=$WORK/empty-data r t
  # A store with MOUNT_SEGS segments: 10 partitions, MOUNT_SEGS/10 segments
  # each, 40 records of 100 bytes per segment (segment.bytes 4000).
  local per=$((MOUNT_SEGS / 10)) n
  n=$((per * 40))
  "$TFB" gen "$GEN/seg" "$n" $REC || return 1
  tf_start "$data" "$mnt" || return 1
  local saved_mnt=$MNT; MNT=$mnt
  topic seg 10 4000 || { MNT=$saved_mnt; return 1; }
  MNT=$saved_mnt
  local t0=$EPOCHREALTIME p
  for ((p = 0; p < 10; p++)); do cat "$GEN/seg" >>"$mnt/seg/$p/current" || return 1; done
  local tbuild; tbuild=$(since "$t0")
  local segs f; segs=0
  for f in "$mnt"/seg/*/*.log; do segs=$((segs + 1)); done
  log "mount: $segs segments written in ${tbuild}s"
  rm -f "$GEN/seg"
  # an empty store as the reference
  tf_start "$empty" "$WORK/empty-mnt" || return 1
  mkdir "$WORK/empty-mnt/e" || return 1
  echo x >>"$WORK/empty-mnt/e/0/current" || return 1
  t0=$EPOCHREALTIME
  tf_stop "$WORK/empty-mnt" || return 1
  local tstop_empty; tstop_empty=$(since "$t0")
  # The first clean stop after writing: the daemon makes the store durable.
  t0=$EPOCHREALTIME
  tf_stop "$mnt" || return 1
  local tstop; tstop=$(since "$t0")
  row "clean stop (unmount until the daemon exits) right after writing the $segs segments, ms; ref: a store of 1 record" \
    "$(fmt "$(calc "$tstop * 1000")") ms" "$(fmt "$(calc "$tstop_empty * 1000")") ms" "$(calc "$tstop_empty / $tstop")" ""
  local cl=() un=() em=()
  for ((r = 1; r <= REPS; r++)); do
    mount_timed "$empty" "$WORK/empty-mnt" "$WORK/empty-mnt/e/0" 1 || return 1; em+=("$MT")
    tf_stop "$WORK/empty-mnt" || return 1
    [ -e "$data/clean-shutdown" ] || log "mount: no clean-shutdown marker after a clean stop"
    mount_timed "$data" "$mnt" "$mnt/seg/9" "$n" || { log "clean mount failed"; return 1; }
    cl+=("$MT")
    tf_kill9 "$mnt" || return 1
    [ -e "$data/clean-shutdown" ] && { log "mount: clean-shutdown marker present after kill -9"; return 1; }
    mount_timed "$data" "$mnt" "$mnt/seg/9" "$n" || { log "unclean mount failed"; return 1; }
    un+=("$MT")
    tf_stop "$mnt" || return 1
  done
  local a b c; a=$(median "${cl[@]}"); b=$(median "${un[@]}"); c=$(median "${em[@]}")
  row "mount time after a clean stop, store of $segs segments (10 partitions), ms until log_end_offset answers; ref: empty store" \
    "$(fmt "$(calc "$a * 1000")") ms" "$(fmt "$(calc "$c * 1000")") ms" "$(calc "$c / $a")" ""
  row "mount time after an unclean stop (kill -9) of the same store, ms; ref: after a clean stop" \
    "$(fmt "$(calc "$b * 1000")") ms" "$(fmt "$(calc "$a * 1000")") ms" "$(calc "$a / $b")" ""
}
