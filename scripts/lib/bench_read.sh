# Reads through the mount against plain files: `cat` of sealed segments
# (cold and warm) and of the active segment, `dd` of from/0, and lookups by
# offset against a naive scan (issues 5, 13, 19). Sourced by scripts/bench.sh.

# warm_cat_seconds FILE...: seconds for one `cat` of the files with the page
# cache warm: one untimed pass, then three timed (one pass is only a few ms).
warm_cat_seconds() {
  cat "$@" >/dev/null
  local t
  t=$(timeit sh -c 'cat "$@" > /dev/null; cat "$@" > /dev/null; cat "$@" > /dev/null' - "$@") || return 1
  calc "$t / 3"
}

warm_dd_seconds() {  # warm_dd_seconds FILE BS: one timed dd after a warming one
  dd if="$1" of=/dev/null bs="$2" status=none || return 1
  timeit dd if="$1" of=/dev/null bs="$2" status=none
}

# read_row TITLE BYTES TARGET TF_FILE REF_FILE TIMER [ARGS]: times
# `TIMER FILE ARGS` on the mount's file and the plain one, REPS times each,
# alternating, and adds the row of their median rates.
read_row() {
  local title=$1 bytes=$2 target=$3 tf=$4 ref=$5 timer=$6 r side t
  shift 6
  local ttfs=() trefs=()
  for ((r = 1; r <= REPS; r++)); do
    for side in $(tf_first $r && echo tf ref || echo ref tf); do
      local f=$tf; [ $side = ref ] && f=$ref
      t=$("$timer" "$f" "$@") || return 1
      if [ $side = tf ]; then ttfs+=("$t"); else trefs+=("$t"); fi
    done
  done
  local a b; a=$(calc "$bytes / $(median "${ttfs[@]}") / 1e6"); b=$(calc "$bytes / $(median "${trefs[@]}") / 1e6")
  row "$title, warm cache, MB/s; ref: plain file" "$(fmt "$a") MB/s" "$(fmt "$b") MB/s" "$(calc "$a / $b")" "$target"
}

group_cat() {
  local n=$((CAT_BYTES / REC)) r t side
  "$TFB" gen "$GEN/cat" "$n" $REC || return 1
  topic cat 1 "$CAT_SEG" || return 1
  cat "$GEN/cat" >>"$MNT/cat/0/current" || return 1
  rm -f "$GEN/cat"
  local cur; cur=$(readlink "$MNT/cat/0/current")
  local sealed=() f
  for f in "$MNT"/cat/0/*.log; do [ "$(basename "$f")" = "$cur" ] || sealed+=("$f"); done
  [ ${#sealed[@]} -ge 1 ] || { log "cat: no sealed segment"; return 1; }
  mkdir -p "$PLAIN/cat"
  local plain=()
  for f in "${sealed[@]}"; do cat "$f" >"$PLAIN/cat/$(basename "$f")" || return 1; plain+=("$PLAIN/cat/$(basename "$f")"); done
  local bytes; bytes=$(cat "${plain[@]}" | wc -c)
  cmp <(cat "${sealed[@]}") <(cat "${plain[@]}") >/dev/null || { log "cat: mount and copy differ"; return 1; }
  local mode
  for mode in cold warm; do
    if [ $mode = cold ] && [ $IS_ROOT = 0 ]; then row "\`cat\` of sealed segments, cold: needs root (drop_caches)" "" "" "" ""; continue; fi
    local ttfs=() trefs=()
    for ((r = 1; r <= REPS; r++)); do
      for side in $(tf_first $r && echo tf ref || echo ref tf); do
        local files=("${sealed[@]}"); [ $side = ref ] && files=("${plain[@]}")
        # cold: one pass after dropping every cache
        if [ $mode = cold ]; then
          drop_caches
          t=$(timeit sh -c 'cat "$@" > /dev/null' - "${files[@]}") || return 1
        else
          t=$(warm_cat_seconds "${files[@]}") || return 1
        fi
        if [ $side = tf ]; then ttfs+=("$t"); else trefs+=("$t"); fi
      done
    done
    local a b; a=$(calc "$bytes / $(median "${ttfs[@]}") / 1e6"); b=$(calc "$bytes / $(median "${trefs[@]}") / 1e6")
    local tgt=">= 0.85"; [ $mode = cold ] && tgt=">= 0.75"
    row "\`cat\` of sealed segments (${#sealed[@]} × $((CAT_SEG / MiB)) MiB), $mode cache, MB/s; ref: plain files" \
      "$(fmt "$a") MB/s" "$(fmt "$b") MB/s" "$(calc "$a / $b")" "$tgt"
  done
  rm -rf "$PLAIN/cat"
  # The active segment is read through the daemon (direct I/O, so a reader
  # always sees the current end), and most small topics live in it.
  local act=$((CAT_BYTES / 4))
  "$TFB" gen "$GEN/catact" $((act / REC)) $REC || return 1
  topic catact 1 || return 1
  cat "$GEN/catact" >>"$MNT/catact/0/current" || return 1
  local active="$MNT/catact/0/current" plainact="$PLAIN/catact"
  mv "$GEN/catact" "$plainact"
  cmp "$active" "$plainact" >/dev/null || { log "cat: active segment and copy differ"; return 1; }
  read_row "\`cat\` of the active segment ($((act / MiB)) MiB, through the daemon)" "$act" "" \
    "$active" "$plainact" warm_cat_seconds || return 1
  # Issue 19 §3: from/0 read by `cat`, whose buffer follows st_blksize, and
  # with small and large buffers of the reader's own, as consumers read it
  # (same bytes as the plain file).
  local from0=$MNT/catact/0/from/0
  read_row "\`cat\` of \`from/0\` ($((act / MiB)) MiB, \`st_blksize\` buffers)" "$act" "" \
    "$from0" "$plainact" warm_cat_seconds || return 1
  read_row "\`dd bs=4k\` of \`from/0\` ($((act / MiB)) MiB)" "$act" ">= 0.5" \
    "$from0" "$plainact" warm_dd_seconds 4k || return 1
  read_row "\`dd bs=128k\` of \`from/0\` ($((act / MiB)) MiB)" "$act" ">= 0.8" \
    "$from0" "$plainact" warm_dd_seconds 128k || return 1
  rm -f "$plainact"
}

scan_once() {  # scan_once FILE N -> seconds for the naive scan to record N (0-based)
  local t0=$EPOCHREALTIME out
  out=$(tail -n +$(($2 + 1)) "$1" | head -1)
  local dt; dt=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.6f", b-a}')
  [ "${out:0:12}" = "$(printf '%012d' "$2")" ] || { log "scan: got '${out:0:12}' for $2"; return 1; }
  echo "$dt"
}
group_lookup() {
  local n r k first="" last="" firstn="" lastn="" sizes=()
  declare -A ltf=() lscan=()
  for n in $LOOKUP_NS; do
    "$TFB" gen "$GEN/look$n" "$n" $REC || return 1
    topic "look$n" || return 1
    cat "$GEN/look$n" >>"$MNT/look$n/0/current" || return 1
    [ "$(leo "$MNT/look$n/0")" = "$n" ] || { log "look$n: log_end_offset $(leo "$MNT/look$n/0")"; return 1; }
    "$TFB" lookup "$MNT/look$n/0/from" 20 "$n" 7 >/dev/null || return 1   # warm the path
    sizes+=("$n"); ltf[$n]=""; lscan[$n]=""
  done
  # Every repetition visits every size (in a rotated order), so a slow
  # spell of the machine hits all sizes alike instead of one of them.
  local i j
  for ((r = 1; r <= REPS; r++)); do
    for ((j = 0; j < ${#sizes[@]}; j++)); do
      i=$(((j + r) % ${#sizes[@]})); n=${sizes[$i]}
      for side in $(tf_first $r && echo tf ref || echo ref tf); do
        if [ $side = tf ]; then
          local out; out=$("$TFB" lookup "$MNT/look$n/0/from" "$LOOKUP_K" "$n" "$((r * 1000 + 1))") || return 1
          ltf[$n]+=" ${out%% *}"
        else
          for ((k = 0; k < SCAN_K; k++)); do
            local N=$(((RANDOM * 32768 + RANDOM) % n)) s
            s=$(scan_once "$GEN/look$n" "$N") || return 1
            lscan[$n]+=" $(calc "$s * 1e6")"
          done
        fi
      done
    done
  done
  for n in "${sizes[@]}"; do
    local a b
    # shellcheck disable=SC2086 # the lists are space-separated numbers
    { a=$(median ${ltf[$n]}); b=$(median ${lscan[$n]}); }
    local e; e=$(awk -v n="$n" 'BEGIN{printf "10^%d", log(n)/log(10) + 0.5}')
    local tgt=""; [ "$n" = 10000000 ] && tgt=">= 1000"
    row "lookup by offset at $e records (open \`from/N\` + read 1st record, random N), µs median; ref: \`tail -n +N | head -1\` of a plain file (ratio = scan/lookup)" \
      "$(fmt "$a") µs" "$(fmt "$b") µs" "$(calc "$b / $a")" "$tgt"
    [ -z "$first" ] && { first=$a; firstn=$e; }
    last=$a; lastn=$e
    rm -f "$GEN/look$n"
  done
  row "lookup at $lastn / lookup at $firstn (time ratio, lower is better)" "$(fmt "$last") µs" "$(fmt "$first") µs" \
    "$(calc "$last / $first")" "<= 1.5"
}
