# The harness of scripts/bench.sh, sourced by it: timing and statistics,
# the report rows, page-cache control, and starting and stopping the
# daemon and the peers. Needs bench.sh's variables (WORK, ROWS, TOPICFS,
# LOGS, PIDS, ...) at call time, not at source time.

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.6f", b-a}'; }
# timeit CMD... : run CMD, print its wall time in seconds; fail if CMD fails.
timeit() {
  local t0=$EPOCHREALTIME
  "$@" || return 1
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.6f", b-a}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{if(NR==0){print "nan"} else if(NR%2){print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
calc() { awk "BEGIN{printf \"%.10g\", $*}"; }
# fmt VALUE: a readable number (thousands separators, 3 significant digits)
fmt() { awk -v v="$1" 'BEGIN{
  if (v == "" || v == "nan") { print "n/a"; exit }
  a = v < 0 ? -v : v
  if (a >= 1000) { s = sprintf("%.0f", v); o = ""; n = length(s)
    for (i = 1; i <= n; i++) { o = o substr(s, i, 1); if ((n - i) % 3 == 0 && i < n) o = o "," } print o }
  else if (a >= 100) printf "%.0f\n", v; else if (a >= 10) printf "%.1f\n", v; else if (a >= 0.01 || a == 0) printf "%.2f\n", v; else printf "%.2g\n", v }'; }
# row FIGURE TOPICFS REFERENCE RATIO TARGET [VALUE]: TARGET like ">= 0.4" or
# "", checked against VALUE (default: RATIO)
row() {
  local met="" v=${6:-$4}
  if [ -n "$5" ] && [ "$v" != "" ] && [ "$v" != "nan" ]; then
    met=$(awk -v r="$v" -v t="$5" 'BEGIN{split(t, a, " "); op = a[1]; x = a[2] + 0;
      ok = (op == ">=") ? (r >= x) : (r <= x); print ok ? "yes" : "NO"}')
  fi
  local ratio="$4"
  [ -n "$ratio" ] && [ "$ratio" != "nan" ] && ratio=$(fmt "$ratio")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${ratio:-—}" "${5:-—}" "${met:-—}" >>"$ROWS"
  log "ROW: $1 | $2 | $3 | ${ratio:-—} | ${5:-} ${met:+($met)}"
}
failrow() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "FAILED" "" "—" "${2:-—}" "—" >>"$ROWS"; log "ROW FAILED: $1"; }
# settle [FILE...]: flush dirty pages and, as root, drop the clean page cache
# before a timed write, then read FILE (the source of the run) back in. On
# this VM a writer that reuses just-freed pages runs several times faster
# than one that gets pages the host reclaimed (free page reporting), so
# without this the first run of every repetition was fast and the second
# slow, whichever side it was; touching 1 GiB of fresh memory first makes
# that hold right after a build too.
settle() {
  sync
  [ $IS_ROOT = 1 ] && echo 1 >/proc/sys/vm/drop_caches
  # Touch and free 1 GiB so the free pages the next writer gets are backed
  # by the host (right after a build, most free memory was not).
  "$TFB" heat 1024
  [ $# -gt 0 ] && cat "$@" >/dev/null
  sleep 0.1
}
sync_quiet() { settle; }
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; sleep 0.3; }
# first_tf: on even repetitions the reference runs first
tf_first() { [ $(($1 % 2)) = 1 ]; }
leo() { getfattr --only-values -n user.topicfs.log_end_offset "$1" 2>/dev/null; }

# ---------------------------------------------------------------- topicfs
# tf_start DATA MNT: mount in the foreground mode in the background, wait
# until the mount answers; sets TF_PID. tf_stop MNT: clean unmount.
TF_PID=""
declare -A TFP=()   # mount point -> daemon PID
tf_start() {  # tf_start DATA MNT [MOUNT OPTION...]
  local data=$1 mnt=$2 i
  shift 2
  mkdir -p "$data" "$mnt"
  grep -qxF "$mnt" "$MOUNTS" || echo "$mnt" >>"$MOUNTS"
  "$TOPICFS" mount -f "$@" "$data" "$mnt" >>"$LOGS/daemon.log" 2>&1 &
  TF_PID=$!
  TFP[$mnt]=$TF_PID
  echo "$TF_PID" >>"$PIDS"
  topicfs_wait_mount "$mnt" "$TF_PID" 30 && return 0
  kill -0 "$TF_PID" 2>/dev/null || { log "daemon exited; see $LOGS/daemon.log"; tail -5 "$LOGS/daemon.log" >&2; return 1; }
  log "mount of $mnt timed out"; return 1
}
tf_wait_exit() {  # tf_wait_exit PID: the daemon closes the store after the unmount
  local i
  for ((i = 0; i < 30000; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.01; done
  kill -0 "$1" 2>/dev/null && { log "daemon $1 still running 300 s after unmount"; return 1; }
  wait "$1" 2>/dev/null
  return 0
}
tf_stop() {
  local mnt=$1
  fusermount3 -u "$mnt" 2>/dev/null || { sleep 1; fusermount3 -u "$mnt"; } || return 1
  tf_wait_exit "${TFP[$mnt]}"
}
tf_kill9() {
  local mnt=$1
  kill -9 "${TFP[$mnt]}"; wait "${TFP[$mnt]}" 2>/dev/null
  topicfs_force_unmount "$mnt"
}
topic() {  # topic NAME [PARTITIONS] [SEGMENT_BYTES]
  local t=$MNT/$1 p
  mkdir "$t" || return 1
  [ -n "${3:-}" ] && { setfattr -n user.topicfs.segment.bytes -v "$3" "$t" || return 1; }
  for ((p = 1; p < ${2:-1}; p++)); do mkdir "$t/$p" || return 1; done
}

# ---------------------------------------------------------------- peers
REDIS_PORT=""; NATS_PORT=""
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
redis_start() {
  REDIS_PORT=$(free_port) || return 1
  mkdir -p "$WORK/redis"
  # As the baselines: AOF on, fsync every second, no RDB snapshots.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --appendonly yes \
    --appendfsync everysec --save '' --daemonize no --protected-mode yes >"$LOGS/redis.log" 2>&1 &
  echo $! >>"$PIDS"
  for _ in $(seq 200); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  log "redis did not start"; return 1
}
redis_rps() {  # redis_rps N CLIENTS PIPELINE -> requests/s of XADD with a ~100-byte entry
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" del bench >/dev/null
  # field "f" + 97-byte value: 100 bytes of payload per entry, as the records.
  local v; v=$(printf '%097d' 0 | tr 0 x)
  redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -n "$1" -c "$2" -P "$3" --csv XADD bench '*' f "$v" 2>>"$LOGS/redis-bench.log" |
    awk -F'"' 'NR==2{print $4}'
}
nats_start() {
  NATS_PORT=$(free_port) || return 1
  mkdir -p "$WORK/nats"
  nats-server -js -sd "$WORK/nats" -a 127.0.0.1 -p "$NATS_PORT" >"$LOGS/nats.log" 2>&1 &
  echo $! >>"$PIDS"
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null && return 0; sleep 0.05; done
  log "nats did not start"; return 1
}
