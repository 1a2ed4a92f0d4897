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
# Environment: MOUNT_SEGS sets the store size of the mount group (segments
# over 10 partitions; 1,000 with --quick, else 10,000). Issue 13's figure:
#   MOUNT_SEGS=100000 scripts/bench.sh --only mount --reps 3 --transport asis
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
# Layout: this file parses options, installs and compiles what is needed,
# runs the groups and writes the report. The harness (timing, medians, the
# report's rows, starting and stopping the daemon and the peers) is
# scripts/lib/bench_harness.sh; each group is a function group_NAME in
# scripts/lib/bench_{write,read,conc,peers,store,tier}.sh. A figure is one
# `row` call in its group; a new group is a function there plus a
# `run_group NAME group_NAME` line below, and `--only NAME` runs it alone.
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
# The harness and the groups, one file each (scripts/lib/bench_*.sh).
for lib in harness write read conc peers store tier; do
  # shellcheck source=/dev/null
  . "$REPO/scripts/lib/bench_$lib.sh"
done

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
  : "${MOUNT_SEGS:=1000}"        # segments for the mount figures (env overrides)
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
  : "${MOUNT_SEGS:=10000}"       # MOUNT_SEGS=100000 for issue 13's store
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

# Where the groups mount the store they measure.
MNT=$WORK/mnt; DATA=$WORK/data

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
