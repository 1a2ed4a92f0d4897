# Appends through the mount against a plain file: bulk `cat >>` at three
# line sizes, the single-line `echo >>` loop, one record per write() on an
# open handle (issue 5). Sourced by scripts/bench.sh (its helpers: row,
# timeit, median, calc, fmt, topic, tf_first, settle, log).

group_bulk() {
  local len n src r ttf tref ttfs trefs side
  for len in 100 1024 65536; do
    n=$((BULK_BYTES / len)); src=$GEN/bulk$len
    "$TFB" gen "$src" "$n" "$len" || return 1
    ttfs=(); trefs=()
    for ((r = 1; r <= REPS; r++)); do
      topic "bulk${len}r$r" || return 1
      : >"$PLAIN/bulk$len"
      for side in $(tf_first $r && echo tf ref || echo ref tf); do
        settle "$src"
        if [ $side = tf ]; then
          ttf=$(timeit sh -c 'cat "$1" >> "$2"' - "$src" "$MNT/bulk${len}r$r/0/current") || return 1
          ttfs+=("$ttf")
        else
          tref=$(timeit sh -c 'cat "$1" >> "$2"' - "$src" "$PLAIN/bulk$len") || return 1
          trefs+=("$tref")
        fi
      done
      rm -f "$PLAIN/bulk$len"
      [ "$(leo "$MNT/bulk${len}r$r/0")" = "$n" ] || { log "bulk$len: log_end_offset $(leo "$MNT/bulk${len}r$r/0") != $n"; return 1; }
    done
    log "bulk $len samples (s): topicfs ${ttfs[*]}; plain ${trefs[*]}"
    ttf=$(median "${ttfs[@]}"); tref=$(median "${trefs[@]}")
    local mtf mref; mtf=$(calc "$n * $len / $ttf / 1e6"); mref=$(calc "$n * $len / $tref / 1e6")
    local tgt=""; [ $len = 100 ] && tgt=">= 0.4"
    local lbl=$len; [ $len = 1024 ] && lbl=1KiB; [ $len = 65536 ] && lbl=64KiB; [ $len = 100 ] && lbl=100-byte
    row "bulk append (\`cat big >> current\`), $lbl lines, MB/s; ref: plain file" \
      "$(fmt "$mtf") MB/s" "$(fmt "$mref") MB/s" "$(calc "$mtf / $mref")" "$tgt"
    rm -f "$src"
  done
}

echo_loop() {  # echo_loop FILE N
  local f=$1 n=$2 i line="echo-loop record 0123456789 abcdefghijklmnopqrstuvwxyz"
  for ((i = 0; i < n; i++)); do echo "$line" >>"$f"; done
}
group_echo() {
  local r t side sides="tf ref" ttfs=() trefs=() tdevs=()
  topic echo || return 1
  # Over io_uring, the same loop over /dev/fuse too, on a second mount.
  local devmnt=$WORK/mnt-devfuse
  if grep -q "io_uring: on" "$LOGS/daemon.log"; then
    tf_start "$WORK/data-devfuse" "$devmnt" -o io_uring=off || return 1
    mkdir "$devmnt/echo" || return 1
    sides="tf ref dev"
  fi
  for ((r = 1; r <= REPS; r++)); do
    : >"$PLAIN/echo"
    # shellcheck disable=SC2086 # word lists
    for side in $(tf_first $r && echo $sides || echo $sides | tr ' ' '\n' | tac); do
      sync_quiet
      case $side in
        tf) t=$(timeit echo_loop "$MNT/echo/0/current" "$ECHO_N") || return 1; ttfs+=("$t") ;;
        ref) t=$(timeit echo_loop "$PLAIN/echo" "$ECHO_N") || return 1; trefs+=("$t") ;;
        dev) t=$(timeit echo_loop "$devmnt/echo/0/current" "$ECHO_N") || return 1; tdevs+=("$t") ;;
      esac
    done
  done
  [ "$(leo "$MNT/echo/0")" = $((ECHO_N * REPS)) ] || { log "echo: log_end_offset $(leo "$MNT/echo/0")"; return 1; }
  log "echo samples (s): topicfs ${ttfs[*]}; plain ${trefs[*]}; over /dev/fuse ${tdevs[*]}"
  local ttf tref; ttf=$(median "${ttfs[@]}"); tref=$(median "${trefs[@]}")
  row "single-line \`echo >> current\` loop ($ECHO_N × open/write/close), µs each; ref: plain file" \
    "$(fmt "$(calc "$ttf / $ECHO_N * 1e6")") µs" "$(fmt "$(calc "$tref / $ECHO_N * 1e6")") µs" "$(calc "$tref / $ttf")" ">= 0.12"
  if [ ${#tdevs[@]} -gt 0 ]; then
    local tdev; tdev=$(median "${tdevs[@]}")
    row "the same loop over /dev/fuse (\`-o io_uring=off\`), µs each; ref: plain file" \
      "$(fmt "$(calc "$tdev / $ECHO_N * 1e6")") µs" "$(fmt "$(calc "$tref / $ECHO_N * 1e6")") µs" "$(calc "$tref / $tdev")" ""
    tf_stop "$devmnt" || log "unmount of $devmnt failed"
  fi
  rm -f "$PLAIN/echo"
}

group_write() {
  local r t ttfs=() trefs=() rds=()
  topic write || return 1
  for ((r = 1; r <= REPS; r++)); do
    : >"$PLAIN/write"
    for side in $(tf_first $r && echo tf ref redis || echo redis ref tf); do
      sync_quiet
      case $side in
        tf) t=$("$TFB" writeloop "$MNT/write/0/current" "$WRITE_N" $REC) || return 1; ttfs+=("$(calc "$WRITE_N / $t")") ;;
        ref) t=$("$TFB" writeloop "$PLAIN/write" "$WRITE_N" $REC) || return 1; trefs+=("$(calc "$WRITE_N / $t")") ;;
        redis) t=$(redis_rps "$REDIS1_N" 1 1); [ -n "$t" ] || return 1; rds+=("$t") ;;
      esac
    done
    rm -f "$PLAIN/write"
  done
  [ "$(leo "$MNT/write/0")" = $((WRITE_N * REPS)) ] || { log "write: log_end_offset $(leo "$MNT/write/0")"; return 1; }
  local a b c; a=$(median "${ttfs[@]}"); b=$(median "${rds[@]}"); c=$(median "${trefs[@]}")
  row "one 100-byte record per write() on an open handle, records/s; ref: Redis XADD, 1 client, unpipelined" \
    "$(fmt "$a")/s" "$(fmt "$b")/s" "$(calc "$a / $b")" ">= 1"
  row "one 100-byte record per write() on an open handle, records/s; ref: plain file" \
    "$(fmt "$a")/s" "$(fmt "$c")/s" "$(calc "$a / $c")" ""
}
