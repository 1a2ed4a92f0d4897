# topicfs against peer stores on the same machine: Redis Streams and NATS
# JetStream (issue 5), real Kafka clients over the listener (issue 11), and
# how soon a waiting reader is woken (issue 10). Sourced by scripts/bench.sh.

# peer_rate redis|nats: records/s of PEER_N 100-byte records into the peer
# (Redis: pipelined XADD from one client; NATS: JetStream async publish).
peer_rate() {
  local t
  case $1 in
    redis) t=$(redis_rps "$PEER_N" 1 64); [ -n "$t" ] || return 1; echo "$t" ;;
    nats) t=$("$BIN/nats_pub" "nats://127.0.0.1:$NATS_PORT" "$PEER_N" $REC 1000) || return 1
          calc "$PEER_N / ${t%% *}" ;;
  esac
}
group_peers() {
  local r side t n=$((BULK_BYTES / REC)) tfs=() rds=() nts=()
  "$TFB" gen "$GEN/peer" "$n" $REC || return 1
  for ((r = 1; r <= REPS; r++)); do
    for side in $(tf_first $r && echo tf redis nats || echo nats redis tf); do
      settle "$GEN/peer"
      case $side in
        tf) topic "peer$r" || return 1
            t=$(timeit sh -c 'cat "$1" >> "$2"' - "$GEN/peer" "$MNT/peer$r/0/current") || return 1
            tfs+=("$(calc "$n / $t")") ;;
        redis) t=$(peer_rate redis) || return 1; rds+=("$t") ;;
        nats) t=$(peer_rate nats) || return 1; nts+=("$t") ;;
      esac
    done
  done
  rm -f "$GEN/peer"
  local a b c; a=$(median "${tfs[@]}"); b=$(median "${rds[@]}"); c=$(median "${nts[@]}")
  row "100-byte records, bulk \`cat >> current\` vs Redis Streams XADD, 1 client, pipeline 64 ($PEER_N records): records/s (MB/s)" \
    "$(fmt "$a")/s ($(fmt "$(calc "$a * $REC / 1e6")") MB/s)" "$(fmt "$b")/s ($(fmt "$(calc "$b * $REC / 1e6")") MB/s)" "$(calc "$a / $b")" ">= 10"
  row "100-byte records, bulk \`cat >> current\` vs NATS JetStream file store, async publish, ≤1,000 pending ($PEER_N records): records/s (MB/s)" \
    "$(fmt "$a")/s ($(fmt "$(calc "$a * $REC / 1e6")") MB/s)" "$(fmt "$c")/s ($(fmt "$(calc "$c * $REC / 1e6")") MB/s)" "$(calc "$a / $c")" ">= 10"
}

# Issue 11: real Kafka clients against the daemon's listener. librdkafka
# with its defaults produces KAFKA_N 99-byte values (100-byte lines once the
# delimiter is added) against NATS and Redis; the same records are consumed
# back; and the daemon's CPU per record is compared with `cat >> current`
# of the same lines (the daemon's threads' CPU time in ns, summed from
# /proc/PID/task/*/schedstat: /proc/PID/stat counts in 10 ms ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END{printf "%.0f", s}'; }
group_kafka() {
  local r side t out c0 n=$KAFKA_N broker="127.0.0.1:$KAFKA_PORT" kps=() cons=() rds=() nts=()
  local kcpu=() ccpu=()
  "$TFB" gen "$GEN/kafka" "$n" $REC || return 1
  for ((r = 1; r <= REPS; r++)); do
    for side in $(tf_first $r && echo kafka cat redis nats || echo nats redis cat kafka); do
      settle "$GEN/kafka"
      case $side in
        kafka) topic "kafka$r" || return 1
               c0=$(cpu_ns "$MAIN_PID")
               out=$("$BIN/kafka_perf" produce "$broker" "kafka$r" "$n" $((REC - 1))) || return 1
               kcpu+=("$(calc "($(cpu_ns "$MAIN_PID") - $c0) / $n")")
               kps+=("$(calc "$n / ${out%% *}")")
               [ "$(leo "$MNT/kafka$r/0")" = "$n" ] || { log "kafka$r: log_end_offset $(leo "$MNT/kafka$r/0"), want $n"; return 1; }
               out=$("$BIN/kafka_perf" consume "$broker" "kafka$r" "$n") || return 1
               cons+=("$(calc "$n / ${out%% *}")") ;;
        cat) topic "kcat$r" || return 1
             c0=$(cpu_ns "$MAIN_PID")
             sh -c 'cat "$1" >> "$2"' - "$GEN/kafka" "$MNT/kcat$r/0/current" || return 1
             ccpu+=("$(calc "($(cpu_ns "$MAIN_PID") - $c0) / $n")") ;;
        redis) t=$(peer_rate redis) || return 1; rds+=("$t") ;;
        nats) t=$(peer_rate nats) || return 1; nts+=("$t") ;;
      esac
    done
  done
  rm -f "$GEN/kafka"
  local a b c d e f
  a=$(median "${kps[@]}"); b=$(median "${rds[@]}"); c=$(median "${nts[@]}"); d=$(median "${cons[@]}")
  e=$(median "${kcpu[@]}"); f=$(median "${ccpu[@]}")
  row "100-byte records, librdkafka produce (default settings, $n records) vs NATS JetStream async publish ($PEER_N): records/s" \
    "$(fmt "$a")/s" "$(fmt "$c")/s" "$(calc "$a / $c")" ">= 10"
  row "100-byte records, librdkafka produce vs Redis Streams XADD, 1 client, pipeline 64 ($PEER_N): records/s" \
    "$(fmt "$a")/s" "$(fmt "$b")/s" "$(calc "$a / $b")" ">= 1"
  row "100-byte records, librdkafka consume from offset 0 ($n records): records/s" \
    "$(fmt "$d")/s" "—" "" ">= 1000000" "$d"
  row "daemon CPU per 100-byte record: Kafka produce vs \`cat >> current\` (ratio = produce / cat, lower is better)" \
    "$(fmt "$e") ns" "$(fmt "$f") ns" "$(calc "$e / $f")" "<= 2"
}

vmrss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
# Issue 10: how soon a reader blocked at the log end gets a record after
# the write() that appended it returned (bench/peers/wake_latency.cc).
group_wake() {
  topic wake || return 1
  local tf rd tl tf50 tf99 rd50 rd99 tl50 tl99
  tf=$("$BIN/wake_latency" follow "$MNT/wake/0" "$WAKE_N") || return 1
  rd=$("$BIN/wake_latency" redis "$REDIS_PORT" "$WAKE_N") || return 1
  tl=$("$BIN/wake_latency" tail "$MNT/wake/0" "$TAIL_N") || return 1
  read -r tf50 tf99 _ <<<"$tf"; read -r rd50 rd99 _ <<<"$rd"; read -r tl50 tl99 _ <<<"$tl"
  row "\`cat follow/end\` woken by an append, from its \`write()\` returning, p50 / p99 µs ($WAKE_N records); ref: Redis \`XREAD BLOCK\` after \`XADD\` returned" \
    "$(fmt "$tf50") / $(fmt "$tf99") µs" "$(fmt "$rd50") / $(fmt "$rd99") µs" "$(calc "$rd99 / $tf99")" "<= 1000" "$tf99"
  row "\`tail -f from/<N>\` (GNU tail polls a FUSE file every 1 s), p50 / p99 µs ($TAIL_N records); ref: \`cat follow/end\`" \
    "$(fmt "$tl50") / $(fmt "$tl99") µs" "$(fmt "$tf50") / $(fmt "$tf99") µs" "$(calc "$tf99 / $tl99")" ""
}
