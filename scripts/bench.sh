#!/usr/bin/env bash
# scripts/bench.sh — topicfs mount vs plain files and vs peer log stores
# (Redis Streams, NATS JetStream), side by side in one session, as ratios.
# Issue 5. Not part of the tests.
#
#   scripts/bench.sh [--quick] [--reps N] [--only GROUPS] [--topicfs PATH]
#                    [--dir DIR] [--doc FILE | --no-doc] [--no-install] [--keep]
#
#   --quick        a 1-2 minute smoke run (small sizes, one repetition)
#   --reps N       repetitions of every timed figure (default 5; median kept);
#                  topicfs and reference runs alternate, and swap order every
#                  repetition, so machine drift cancels out
#   --only GROUPS  comma-separated subset of: bulk,echo,write,cat,lookup,conc,
#                  peers,kafka,wake,rss,mount,tier (default: all). Implies --no-doc unless
#                  --doc is given.
#   --topicfs PATH the topicfs binary (default: build-bench/topicfs, brought
#                  up to date with cmake first; else build/topicfs)
#   --dir DIR      where the temporary data, mount points and plain-file
#                  references go (default /var/tmp; must be one disk, so the
#                  plain files sit on the same disk as the store)
#   --doc FILE     write the table into FILE's "Mount and peers" section
#                  (default docs/PERFORMANCE.md); --no-doc prints only
#   --no-install   do not apt-get anything
#   --keep         keep the temporary directory (for debugging)
#   --transport T  io_uring (default): turn the kernel's FUSE-over-io_uring
#                  switch (/sys/module/fuse/parameters/enable_uring) on for
#                  the run and restore it after, so the daemon serves requests
#                  on per-CPU rings; the echo loop is then also measured over
#                  /dev/fuse (-o io_uring=off). dev-fuse: turn it off. asis:
#                  leave it as it is.
#
# What it needs (installed with apt-get when run as root and missing):
# fuse3, attr (getfattr/setfattr), redis-server + redis-tools (redis-benchmark),
# nats-server, libnats-dev (the NATS C client: Debian 12 has no `nats` CLI, so
# bench/peers/nats_pub.c publishes with js_PublishAsync), librdkafka-dev
# (bench/peers/kafka_perf.c produces and consumes over the daemon's Kafka
# listener), g++, pkg-config.
# Helper programs (bench/peers/*.c*) are compiled with g++ into the temporary
# directory. Cold-cache figures need root (drop_caches); without root they are
# skipped. As root it also syncs and drops the clean page cache before every
# timed write (see settle()): on a VM, whichever writer ran first after pages
# were freed was several times faster than the next, whatever its side.
# The raw samples of the write figures are logged on stderr.
#
# Peers only listen on 127.0.0.1, on ports picked at random; every load is
# bounded (a fixed number of records). A trap unmounts every mount and kills
# every process this script started (by PID), even on failure; a watchdog
# kills the run if it takes far longer than it should.

set -uo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/mount.sh
. "$REPO/scripts/lib/mount.sh"
# shellcheck source=scripts/lib/bench_tier.sh
. "$REPO/scripts/lib/bench_tier.sh"
QUICK=0
REPS=""
ONLY="all"
TOPICFS=""
BASEDIR=/var/tmp
DOC="$REPO/docs/PERFORMANCE.md"
WRITE_DOC=1
DOC_EXPLICIT=0
INSTALL=1
KEEP=0
TRANSPORT=io_uring
CMDLINE="scripts/bench.sh${*:+ $*}"

usage() { sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --reps) REPS=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --topicfs) TOPICFS=$2; shift ;;
    --dir) BASEDIR=$2; shift ;;
    --doc) DOC=$2; DOC_EXPLICIT=1; shift ;;
    --no-doc) WRITE_DOC=0 ;;
    --no-install) INSTALL=0 ;;
    --keep) KEEP=1 ;;
    --transport) TRANSPORT=$2; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench.sh: unknown argument: $1" >&2; usage 2 ;;
  esac
  shift
done
if [ "$ONLY" != all ] && [ $DOC_EXPLICIT = 0 ]; then WRITE_DOC=0; fi
case $TRANSPORT in io_uring|dev-fuse|asis) ;; *) echo "bench.sh: bad --transport $TRANSPORT" >&2; usage 2 ;; esac

# ---------------------------------------------------------------- sizes
MiB=$((1024 * 1024))
if [ $QUICK = 1 ]; then
  : "${REPS:=1}"
  BULK_BYTES=$((32 * MiB))      # per bulk append run
  ECHO_N=2000                   # echo >> loop iterations
  WAKE_N=300                    # follow/ and XREAD BLOCK wake-ups
  TAIL_N=3                      # tail -f wake-ups (about 1 s each)
  WRITE_N=20000                 # one record per write()
  REDIS1_N=20000                # unpipelined XADD
  PEER_N=200000                 # pipelined XADD / JetStream async publish
  TIER_MB=128                   # MiB copied to and read back from s3rver
  KAFKA_N=200000                # records produced and consumed over Kafka
  CAT_BYTES=$((64 * MiB))       # data behind the sealed segments
  CAT_SEG=$((8 * MiB))
  LOOKUP_NS="10000 100000 1000000"
  LOOKUP_K=100                  # lookups per repetition
  SCAN_K=3                      # naive scans per repetition
  CONC_BYTES=$((32 * MiB))
  RSS_PARTS=1000
  MOUNT_SEGS=1000
else
  : "${REPS:=5}"
  BULK_BYTES=$((256 * MiB))
  ECHO_N=20000
  WAKE_N=3000
  TAIL_N=10
  WRITE_N=100000
  REDIS1_N=100000
  PEER_N=1000000
  TIER_MB=512
  KAFKA_N=1000000
  CAT_BYTES=$((256 * MiB))
  CAT_SEG=$((32 * MiB))
  LOOKUP_NS="10000 1000000 10000000"
  LOOKUP_K=200
  SCAN_K=5
  CONC_BYTES=$((256 * MiB))
  RSS_PARTS=1000
  MOUNT_SEGS=10000
fi
REC=100                          # the record size of the record-rate figures
MAX_SECONDS=$((QUICK ? 900 : 2700))

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
want() { [ "$ONLY" = all ] || [[ ",$ONLY," == *",$1,"* ]]; }

# ---------------------------------------------------------------- setup
IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1

need_pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2"); }
need fusermount3 fuse3
need getfattr attr
need g++ g++
need pkg-config pkg-config
need cmake cmake
if want wake; then
  [ -f /usr/include/hiredis/hiredis.h ] || need_pkgs+=(libhiredis-dev)
fi
if want write || want peers || want kafka || want wake; then
  need redis-server redis-server
  need redis-benchmark redis-tools
  need redis-cli redis-tools
fi
if want peers || want kafka; then
  need nats-server nats-server
  [ -f /usr/include/nats/nats.h ] || need_pkgs+=(libnats-dev)
fi
if want kafka; then
  [ -f /usr/include/librdkafka/rdkafka.h ] || need_pkgs+=(librdkafka-dev)
fi
if want tier; then
  need curl curl
  need node nodejs
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ $INSTALL = 1 ] && [ $IS_ROOT = 1 ]; then
    log "installing: ${need_pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2 ||
      { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2; } ||
      die "apt-get install ${need_pkgs[*]} failed"
  else
    die "missing: ${need_pkgs[*]} (run as root, or install them)"
  fi
fi

if want tier && [ ! -d "$S3RVER_DIR/node_modules" ]; then
  (cd "$S3RVER_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci of s3rver failed"
fi
mkdir -p "$BASEDIR" || die "cannot create $BASEDIR"
if [ -z "$TOPICFS" ]; then
  # Build (or bring up to date) build-bench/topicfs, so the figures are the
  # tree's; if the tree does not build right now, use the last binary.
  TOPICFS="$REPO/build-bench/topicfs"
  log "building $TOPICFS (RelWithDebInfo)"
  if [ ! -f "$REPO/build-bench/CMakeCache.txt" ]; then
    cmake -S "$REPO" -B "$REPO/build-bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2 || log "configure failed"
  fi
  cmake --build "$REPO/build-bench" -j"$(nproc)" --target topicfs >"$BASEDIR/topicfs-bench-build.log" 2>&1 ||
    log "WARNING: the build failed (see $BASEDIR/topicfs-bench-build.log); using the last binary"
  [ -x "$TOPICFS" ] || TOPICFS="$REPO/build/topicfs"
fi
TF_OK=1
if [ ! -x "$TOPICFS" ] || ! "$TOPICFS" mount --help >/dev/null 2>&1; then
  log "WARNING: $TOPICFS has no 'mount' command: topicfs halves are skipped"
  TF_OK=0
fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p "$BASEDIR"
WORK=$(mktemp -d "$BASEDIR/topicfs-bench.XXXXXX") || die "mktemp in $BASEDIR"
BIN=$WORK/bin; LOGS=$WORK/logs; PLAIN=$WORK/plain; GEN=$WORK/gen
mkdir -p "$BIN" "$LOGS" "$PLAIN" "$GEN"
ROWS=$WORK/rows.tsv; : >"$ROWS"
MOUNTS=$WORK/mounts; : >"$MOUNTS"   # mount points we created
PIDS=$WORK/pids; : >"$PIDS"         # processes we started (daemons, servers)
log "work dir $WORK"

# ---------------------------------------------------------------- cleanup
cleanup_mounts() {
  local m p
  while read -r m; do
    [ -n "$m" ] || continue
    topicfs_force_unmount "$m"
  done <"$MOUNTS"
  : >"$MOUNTS"
  while read -r p; do
    [ -n "$p" ] || continue
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$p" 2>/dev/null
    fi
  done <"$PIDS"
  : >"$PIDS"
}
WATCHDOG=""
URING_SWITCH=/sys/module/fuse/parameters/enable_uring
URING_SAVED=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
  cleanup_mounts
  [ -n "$URING_SAVED" ] && echo "$URING_SAVED" >"$URING_SWITCH" 2>/dev/null
  if [ $KEEP = 1 ]; then log "kept $WORK"; else rm -rf --one-file-system "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
# The watchdog kills our daemons first (a hung FUSE request then fails with
# ENOTCONN instead of blocking the script), then the script.
(
  for ((w = 0; w < MAX_SECONDS; w += 2)); do sleep 2; kill -0 $$ 2>/dev/null || exit 0; done
  echo "[bench] watchdog: run exceeded ${MAX_SECONDS}s, aborting" >&2
  while read -r p; do kill -9 "$p" 2>/dev/null; done <"$PIDS"
  kill -TERM $$ 2>/dev/null
) &
WATCHDOG=$!

# ---------------------------------------------------------------- helpers
log "compiling helpers"
g++ -O2 -std=c++20 -o "$BIN/tfbench" "$REPO/bench/peers/tfbench.cc" || die "compile tfbench"
if want peers || want kafka; then
  # shellcheck disable=SC2046 # pkg-config prints several words
  gcc -O2 -o "$BIN/nats_pub" "$REPO/bench/peers/nats_pub.c" $(pkg-config --cflags --libs libnats) ||
    die "compile nats_pub"
fi
if want kafka; then
  gcc -O2 -o "$BIN/kafka_perf" "$REPO/bench/peers/kafka_perf.c" -lrdkafka || die "compile kafka_perf"
fi
TFB=$BIN/tfbench
if want wake; then
  g++ -O2 -std=c++20 -o "$BIN/wake_latency" "$REPO/bench/peers/wake_latency.cc" -lhiredis -lpthread ||
    die "compile wake_latency"
fi

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

# ================================================================ groups
MNT=$WORK/mnt; DATA=$WORK/data

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

# warm_cat_seconds FILE...: seconds for one `cat` of the files with the page
# cache warm: one untimed pass, then three timed (one pass is only a few ms).
warm_cat_seconds() {
  cat "$@" >/dev/null
  local t
  t=$(timeit sh -c 'cat "$@" > /dev/null; cat "$@" > /dev/null; cat "$@" > /dev/null' - "$@") || return 1
  calc "$t / 3"
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
  local ttfs=() trefs=()
  for ((r = 1; r <= REPS; r++)); do
    for side in $(tf_first $r && echo tf ref || echo ref tf); do
      local f=$active; [ $side = ref ] && f=$plainact
      t=$(warm_cat_seconds "$f") || return 1
      if [ $side = tf ]; then ttfs+=("$t"); else trefs+=("$t"); fi
    done
  done
  local a b; a=$(calc "$act / $(median "${ttfs[@]}") / 1e6"); b=$(calc "$act / $(median "${trefs[@]}") / 1e6")
  row "\`cat\` of the active segment ($((act / MiB)) MiB, through the daemon), warm cache, MB/s; ref: plain file" \
    "$(fmt "$a") MB/s" "$(fmt "$b") MB/s" "$(calc "$a / $b")" ""
  # Issue 19 §3: from/0 read sequentially with small and large buffers,
  # as consumers read it (same bytes as the plain file).
  local bs target
  for bs in 4k 128k; do
    ttfs=() trefs=()
    for ((r = 1; r <= REPS; r++)); do
      for side in $(tf_first $r && echo tf ref || echo ref tf); do
        local f=$MNT/catact/0/from/0; [ $side = ref ] && f=$plainact
        dd if="$f" of=/dev/null bs=$bs status=none || return 1
        t=$(timeit dd if="$f" of=/dev/null bs=$bs status=none) || return 1
        if [ $side = tf ]; then ttfs+=("$t"); else trefs+=("$t"); fi
      done
    done
    a=$(calc "$act / $(median "${ttfs[@]}") / 1e6"); b=$(calc "$act / $(median "${trefs[@]}") / 1e6")
    target=">= 0.8"; [ $bs = 4k ] && target=">= 0.5"
    row "\`dd bs=$bs\` of \`from/0\` ($((act / MiB)) MiB), warm cache, MB/s; ref: plain file" \
      "$(fmt "$a") MB/s" "$(fmt "$b") MB/s" "$(calc "$a / $b")" "$target"
  done
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

# ================================================================ run
run_group() {  # run_group NAME FUNCTION: a failure is reported, not fatal
  local name=$1 fn=$2 t0=$EPOCHREALTIME
  want "$name" || return 0
  log "---- $name"
  if ! "$fn"; then failrow "$name: failed (see the log above)"; fi
  log "---- $name done in $(since "$t0")s"
}

# How busy the machine is without us: a 5 s sample before anything starts.
read -r _ u0 n0 s0 i0 _ </proc/stat; sleep 5; read -r _ u1 n1 s1 i1 _ </proc/stat
BUSY_BEFORE=$(awk -v a=$((u1 + n1 + s1 - u0 - n0 - s0)) -v b=$((i1 - i0)) 'BEGIN{ if (a + b > 0) printf "%.0f", 100 * a / (a + b); else print "?" }')
log "CPU busy before the run (5 s sample, other users): ${BUSY_BEFORE}%"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
DATE_START=$(date -u '+%Y-%m-%d %H:%M UTC')
T_START=$EPOCHREALTIME
read -r _ u0 n0 s0 i0 _ </proc/stat

if want write || want peers || want kafka || want wake; then redis_start || die "redis"; fi
if want peers || want kafka; then nats_start || die "nats"; fi
KAFKA_OPT=()
if want kafka; then KAFKA_PORT=$(free_port) || die "no free port"; KAFKA_OPT=(-o "kafka=127.0.0.1:$KAFKA_PORT"); fi

# The kernel reads its FUSE-over-io_uring switch when a mount starts.
if [ "$TRANSPORT" != asis ] && [ -w "$URING_SWITCH" ]; then
  URING_SAVED=$(cat "$URING_SWITCH")
  if [ "$TRANSPORT" = io_uring ]; then echo Y >"$URING_SWITCH"; else echo N >"$URING_SWITCH"; fi
fi
if [ $TF_OK = 1 ]; then
  if want bulk || want echo || want write || want cat || want lookup || want conc || want peers ||
    want kafka || want wake; then
    tf_start "$DATA" "$MNT" "${KAFKA_OPT[@]}" || die "mount"
    MAIN_PID=$TF_PID
    run_group bulk group_bulk
    run_group echo group_echo
    run_group write group_write
    run_group cat group_cat
    run_group lookup group_lookup
    run_group conc group_conc
    run_group peers group_peers
    run_group kafka group_kafka
    run_group wake group_wake
    log "main daemon VmRSS at the end: $(vmrss_kib "$MAIN_PID") KiB"
    tf_stop "$MNT" || log "unmount of $MNT failed"
  fi
  run_group rss group_rss
  run_group mount group_mount
  run_group tier group_tier
else
  failrow "topicfs: no mount command in $TOPICFS" ""
fi

read -r _ u1 n1 s1 i1 _ </proc/stat
BUSY=$(awk -v a=$((u1 + n1 + s1 - u0 - n0 - s0)) -v b=$((i1 - i0)) 'BEGIN{ if (a + b > 0) printf "%.0f", 100 * a / (a + b); else print "?" }')
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(since "$T_START")

# ================================================================ report
GIT_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$REPO" diff --quiet HEAD 2>/dev/null || GIT_REV="$GIT_REV (+ uncommitted changes)"
ver() { "$@" 2>/dev/null | head -1; }
DISK_DEV=$(findmnt -no SOURCE -T "$WORK")
DISK_FS=$(findmnt -no FSTYPE -T "$WORK")
DISK_NAME=$(basename "$DISK_DEV")
DISK_ROT=$(cat "/sys/class/block/$DISK_NAME/queue/rotational" 2>/dev/null || echo "?")
DISK_SIZE=$(lsblk -dno SIZE "$DISK_DEV" 2>/dev/null | tr -d ' ')
MACHINE="$(nproc) CPUs ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), $DISK_FS on $DISK_DEV ($DISK_SIZE, $([[ $DISK_NAME == vd* ]] && echo "virtio, ")rotational flag $DISK_ROT)"
VERSIONS="libfuse $(pkg-config --modversion fuse3 2>/dev/null || echo ?) ($(ver fusermount3 --version)), $(ver redis-server --version | awk '{print $1, $2, $3}'), nats-server $(ver nats-server --version | awk '{print $2}') with libnats $(pkg-config --modversion libnats 2>/dev/null || echo ?), coreutils $(ver cat --version | awk '{print $NF}'), topicfs git $GIT_REV"

if grep -q "io_uring: on" "$LOGS/daemon.log" 2>/dev/null; then
  TRANSPORT_TEXT="FUSE over io_uring: one ring per CPU, each served by a thread on that CPU (the kernel's enable_uring switch was set to Y for the run)"
else
  TRANSPORT_TEXT="/dev/fuse (FUSE over io_uring not in use: $(grep -o "io_uring: not offered[^;]*" "$LOGS/daemon.log" 2>/dev/null | head -1 || true))"
fi
PT_TEXT=$(grep -q "passthrough: on" "$LOGS/daemon.log" 2>/dev/null && echo "on (sealed segments read by the kernel from their files)" || echo off)

TABLE=$WORK/table.md
{
  echo "| figure | topicfs | reference | ratio | target | met |"
  echo "|---|---|---|---|---|---|"
  awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}' "$ROWS"
} >"$TABLE"

echo
cat "$TABLE"
echo
echo "run: $DATE_START, ${ELAPSED%.*} s; CPU busy before the run ${BUSY_BEFORE}%, during it ${BUSY}%; load average at start $LOAD_START, at end $LOAD_END"

if [ $WRITE_DOC = 1 ]; then
  GENBLK=$WORK/section.md
  {
    echo "<!-- bench.sh:begin (generated by scripts/bench.sh; edit below the end marker) -->"
    echo
    echo "Measured by \`scripts/bench.sh\`: the topicfs mount against a plain file on"
    echo "the same disk and against peers started on 127.0.0.1 from Debian packages,"
    echo "in one session, topicfs and reference runs alternating (order swapped every"
    echo "repetition); each figure is the median of $REPS repetition(s)."
    echo
    LOADED="the machine was otherwise idle"
    [ "${BUSY_BEFORE:-0}" != "?" ] && [ "${BUSY_BEFORE:-0}" -ge 10 ] &&
      LOADED="**the machine was loaded by other users** (${BUSY_BEFORE}% of the CPUs busy just before the run): absolute figures are low and noisy, ratios less so"
    echo "- **Run**: $DATE_START, $(printf '%.0f' "$ELAPSED") s; $LOADED. CPUs busy in a 5 s sample before the run: ${BUSY_BEFORE}%; during the run (the benchmark included): ${BUSY}%. Load average at start $LOAD_START, at end $LOAD_END."
    echo "- **Command**: \`$CMDLINE\`"
    echo "- **Machine**: $MACHINE"
    echo "- **Versions**: $VERSIONS"
    echo "- **Transport**: $TRANSPORT_TEXT; FUSE passthrough $PT_TEXT."
    echo "- **Sizes**: bulk $((BULK_BYTES / MiB)) MiB per run; echo loop $ECHO_N; $WRITE_N writes per handle; Redis unpipelined $REDIS1_N, pipelined and NATS $PEER_N records; sealed segments $((CAT_BYTES / MiB)) MiB; lookups $LOOKUP_K per repetition (naive scans $SCAN_K); concurrent $((CONC_BYTES / MiB)) MiB per run; $RSS_PARTS partitions for RSS; $MOUNT_SEGS segments for mount time."
    echo "- **Peers**: Redis with \`appendonly yes\`, \`appendfsync everysec\`, no RDB snapshots, driven by \`redis-benchmark ... XADD bench * f <97 bytes>\`; NATS JetStream with the file store, driven by \`bench/peers/nats_pub.c\` (libnats \`js_PublishAsync\`, at most 1,000 unacknowledged, all acks awaited). Neither fsyncs per record, nor does topicfs (\`flush.messages\` -1)."
    echo
    cat "$TABLE"
    echo
    echo "Ratios are \"how many times better topicfs is\": topicfs/reference for rates,"
    echo "reference/topicfs for times (so the lookup rows give scan time / lookup"
    echo "time), except the row \"lookup at 10^a / lookup at 10^b\", a ratio of"
    echo "lookup times (lower is better). Targets are those of issue 5."
    echo
    echo "<!-- bench.sh:end -->"
  } >"$GENBLK"
  mkdir -p "$(dirname "$DOC")"
  # Re-read the file now: another section may have changed since we started.
  if [ ! -f "$DOC" ]; then printf '# Performance\n' >"$DOC"; fi
  TMPDOC=$WORK/doc.md
  if grep -q '^## Mount and peers' "$DOC"; then
    HAS_MARK=0
    awk '/^## Mount and peers/{s=1; next} s && /^## /{s=0} s && /bench.sh:begin/{f=1} END{exit !f}' "$DOC" && HAS_MARK=1
    # With markers, the old generated block is replaced; without, the block
    # goes right under the heading and the section's text stays below it.
    awk -v gen="$GENBLK" -v hasmark="$HAS_MARK" '
      BEGIN { while ((getline l < gen) > 0) blk = blk l "\n" }
      /^## Mount and peers/ && !done { print; insec = 1; if (!hasmark) { print ""; printf "%s", blk; done = 1 } next }
      insec && /^## / { insec = 0 }
      insec && hasmark && !done && /bench.sh:begin/ { printf "%s", blk; skip = 1; done = 1; next }
      skip { if (/bench.sh:end/) skip = 0; next }
      { print }' "$DOC" >"$TMPDOC"
  else
    { cat "$DOC"; printf '\n## Mount and peers\n\n'; cat "$GENBLK"; } >"$TMPDOC"
  fi
  cat "$TMPDOC" >"$DOC"
  log "wrote the \"Mount and peers\" section of $DOC"
fi
exit 0
