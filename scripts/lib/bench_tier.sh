# Issue 12: tiered storage against an S3-protocol server, sourced by
# scripts/bench.sh (its helpers: tf_start, tf_stop, row, median, calc, fmt,
# timeit, free_port, log). s3rver (tests/e2e/s3rver, from npm) serves both
# sides on one port, so the network path and the server are the same:
#   upload: a mount copies TIER_MB of sealed 32 MiB segments (resumed after
#           they were written paused) vs `curl -T` of the same files, one
#           after the other as the copier goes;
#   read:   `cat` of the segments once they are held only in the tier (a
#           fresh mount, so the daemon's cache is cold; page cache dropped)
#           vs `curl` GETs of the same objects;
#   lookup: the requests one `from/<N>` in a remote segment costs, cold and
#           warm, counted in s3rver's request log.

S3RVER_DIR=$REPO/tests/e2e/s3rver
tier_s3rver_start() {  # sets S3_PORT, S3_LOG
  S3_PORT=$(free_port) || return 1
  S3_LOG=$LOGS/s3rver.log
  mkdir -p "$WORK/s3rver"
  node --openssl-legacy-provider "$S3RVER_DIR/node_modules/s3rver/bin/s3rver.js" \
    -d "$WORK/s3rver" -a 127.0.0.1 -p "$S3_PORT" --configure-bucket tier >"$S3_LOG" 2>&1 &
  echo $! >>"$PIDS"
  local i
  for ((i = 0; i < 200; i++)); do grep -q listening "$S3_LOG" && return 0; sleep 0.05; done
  log "s3rver did not start"; return 1
}
# s3rver logs one "KEY STATUS TIMEms" line per request, once answered.
s3_requests() { grep -cE ' [0-9]{3} [0-9]+ms' "$S3_LOG"; }
# The count once no request is in flight (read-ahead ends after the read
# that started it): unchanged over 300 ms.
s3_requests_settled() {
  local a b; a=$(s3_requests)
  while sleep 0.3; b=$(s3_requests); [ "$a" != "$b" ]; do a=$b; done
  echo "$b"
}
tier_fact() { getfattr --only-values -n "user.topicfs.$2" "$1" 2>/dev/null; }
tier_wait() {  # tier_wait PARTITION_DIR FACT VALUE TIMEOUT_S
  local i
  for ((i = 0; i < $4 * 20; i++)); do [ "$(tier_fact "$1" "$2")" = "$3" ] && return 0; sleep 0.05; done
  log "tier: $2 of $1 is $(tier_fact "$1" "$2"), want $3"; return 1
}
# curl 7.88 signs but does not send x-amz-content-sha256, which S3 requires.
curl_s3() {
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

group_tier() {
  tier_s3rver_start || return 1
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
  local data=$WORK/tier-data mnt=$WORK/tier-mnt endpoint="http://127.0.0.1:$S3_PORT"
  local opts=(-o "tier=s3://tier/bench,tier.endpoint=$endpoint,retention.check.interval.ms=500")
  tf_start "$data" "$mnt" "${opts[@]}" || return 1
  local t=$mnt/t p=$mnt/t/0
  mkdir "$t" && setfattr -n user.topicfs.segment.bytes -v 33554432 "$t" &&
    setfattr -n user.topicfs.remote.storage.enable -v true "$t" &&
    setfattr -n user.topicfs.tier_paused -v true "$t" || return 1
  "$TFB" gen "$GEN/tier" $((TIER_MB * 1024 * 1024 / REC)) $REC || return 1
  cat "$GEN/tier" >>"$p/current" || return 1
  rm -f "$GEN/tier"
  local sealed=() f
  for f in "$data"/topics/t/0/*.log; do
    [ "$(basename "$f" .log)" = "$(basename "$(readlink "$p/current")" .log)" ] || sealed+=("$f")
  done
  local bytes; bytes=$(cat "${sealed[@]}" | wc -c)
  # Upload: resume, wait until nothing is pending; then the same files with
  # curl. Synced first: a segment is copied only once on disk (a crash must
  # not cut locally what the tier holds whole), and curl reads the same pages.
  local t0 up_tf up_curl
  sync
  # s3rver (node) runs its first large requests slower: warm it up with a
  # PUT and a GET of the same size, so neither side pays for it.
  curl_s3 -T "${sealed[0]}" "$endpoint/tier/warmup/1" -o /dev/null &&
    curl_s3 "$endpoint/tier/warmup/1" -o /dev/null || return 1
  t0=$EPOCHREALTIME
  setfattr -n user.topicfs.tier_paused -v false "$t" || return 1
  tier_wait "$p" tier_pending_copies 0 600 || return 1
  up_tf=$(calc "$bytes / ($EPOCHREALTIME - $t0) / 1e6")
  t0=$EPOCHREALTIME
  for f in "${sealed[@]}"; do curl_s3 -T "$f" "$endpoint/tier/ref/$(basename "$f")" -o /dev/null || return 1; done
  up_curl=$(calc "$bytes / ($EPOCHREALTIME - $t0) / 1e6")
  # The lookup below goes one record past an index entry five eighths into
  # the first segment: inside a read chunk, and never found by the index
  # alone, so it scans (read now, while the index is still local).
  local mid
  mid=$("$TOPICFS" dump "${sealed[0]%.log}.index" | awk -v want="$(( $(tier_fact "$p/$(basename "${sealed[0]}")" record_count) * 5 / 8 ))" \
    '$2 >= want { print $2 + 1; exit }')
  [ -n "$mid" ] || { log "tier: no index entry to look up from"; return 1; }
  # Local copies go; then reads of what is only in the tier, cold each time.
  setfattr -n user.topicfs.local.retention.bytes -v 0 "$t" || return 1
  tier_wait "$p" local_size_bytes "$(stat -c %s "$(readlink -f "$p/current")")" 60 || return 1
  local r rd_tf=() rd_curl=() side names=()
  for f in "${sealed[@]}"; do names+=("$(basename "$f")"); done
  for ((r = 1; r <= REPS; r++)); do
    for side in $(tf_first $r && echo tf curl || echo curl tf); do
      tf_stop "$mnt" || return 1
      [ "$IS_ROOT" = 1 ] && drop_caches
      tf_start "$data" "$mnt" "${opts[@]}" || return 1
      t0=$EPOCHREALTIME
      case $side in
        tf) (cd "$p" && cat "${names[@]}" >/dev/null) || return 1
            rd_tf+=("$(calc "$bytes / ($EPOCHREALTIME - $t0) / 1e6")") ;;
        curl) for f in "${names[@]}"; do curl_s3 "$endpoint/tier/ref/$f" -o /dev/null || return 1; done
              rd_curl+=("$(calc "$bytes / ($EPOCHREALTIME - $t0) / 1e6")") ;;
      esac
    done
  done
  # Lookup: a fresh mount, then two lookups next to each other in the first
  # segment: the first fetches its indexes and the chunk it scans, the
  # second finds them cached.
  tf_stop "$mnt" && tf_start "$data" "$mnt" "${opts[@]}" || return 1
  local n0 n1 n2
  # An open of from/<N> is the lookup; nothing is read (a read fetches ahead).
  n0=$(s3_requests_settled)
  : <"$p/from/$mid" || return 1
  n1=$(s3_requests_settled)
  : <"$p/from/$((mid + 1))" || return 1
  n2=$(s3_requests_settled)
  tf_stop "$mnt"
  local a b
  row "tier upload of ${#sealed[@]} sealed 32 MiB segments ($(fmt "$(calc "$bytes / 1e6")") MB) to s3rver vs \`curl -T\` of the same files: MB/s" \
    "$(fmt "$up_tf")" "$(fmt "$up_curl")" "$(calc "$up_tf / $up_curl")" ">= 0.8"
  a=$(median "${rd_tf[@]}"); b=$(median "${rd_curl[@]}")
  row "sequential \`cat\` of remote-only segments (cold mount) vs \`curl\` GETs of the same objects: MB/s" \
    "$(fmt "$a")" "$(fmt "$b")" "$(calc "$a / $b")" ">= 0.8"
  row "requests for one from/<N> lookup in a remote segment: cold (target ≤ 3) / warm (target 0)" \
    "$((n1 - n0)) / $((n2 - n1))" "—" "" "<= 3" "$((n1 - n0))"
}
