# Concurrent appenders on one and on many partitions against as many plain
# files opened O_APPEND (issue 13). Sourced by scripts/bench.sh.

group_conc() {
  local parts nproc r t side
  declare -A want_recs=([1]=0 [16]=0)
  topic conc1 1 || return 1
  topic conc16 16 || return 1
  for parts in 1 16; do
    for nproc in 1 4 16; do
      local tfs=() refs=()
      for ((r = 1; r <= REPS; r++)); do
        local tpaths=() ppaths=() p
        for ((p = 0; p < parts; p++)); do tpaths+=("$MNT/conc$parts/$p/current"); ppaths+=("$PLAIN/conc$p"); : >"$PLAIN/conc$p"; done
        for side in $(tf_first $r && echo tf ref || echo ref tf); do
          sync_quiet
          if [ $side = tf ]; then t=$("$TFB" append "$nproc" "$CONC_BYTES" $REC 131072 "${tpaths[@]}") || return 1; tfs+=("${t%% *}")
            want_recs[$parts]=$((want_recs[$parts] + ${t##* } / REC))
          else t=$("$TFB" append "$nproc" "$CONC_BYTES" $REC 131072 "${ppaths[@]}") || return 1; refs+=("${t%% *}"); fi
        done
        rm -f "$PLAIN"/conc*
      done
      log "conc $nproc/$parts samples (s): topicfs ${tfs[*]}; plain ${refs[*]}"
      local bytes=$((CONC_BYTES / REC / nproc * nproc * REC))
      local a b; a=$(calc "$bytes / $(median "${tfs[@]}") / 1e6"); b=$(calc "$bytes / $(median "${refs[@]}") / 1e6")
      row "$nproc concurrent appender(s) on $parts partition(s) (128 KiB writes of 100-byte records, each appender round-robin over the partitions), MB/s; ref: as many plain files, O_APPEND" \
        "$(fmt "$a") MB/s" "$(fmt "$b") MB/s" "$(calc "$a / $b")" ""
    done
    local sum=0 p
    for ((p = 0; p < parts; p++)); do sum=$((sum + $(leo "$MNT/conc$parts/$p"))); done
    [ "$sum" = "${want_recs[$parts]}" ] || { log "conc$parts: $sum records, want ${want_recs[$parts]}"; return 1; }
  done
}
