# Mounting helpers every script shares (sourced, not run): is a directory a
# mount, wait for a daemon to mount, unmount whatever state the daemon is in.
# Uses only fusermount3, umount and /proc/mounts.

# topicfs_is_mounted MNT: MNT (an absolute path) is a mount point now.
topicfs_is_mounted() {
  awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/mounts
}

# topicfs_wait_mount MNT PID [SECONDS]: waits until MNT is mounted (0), or
# the daemon PID exited or SECONDS (default 30) passed (1).
topicfs_wait_mount() {
  local mnt=$1 pid=$2 tries=$((${3:-30} * 100)) i
  for ((i = 0; i < tries; i++)); do
    topicfs_is_mounted "$mnt" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}

# topicfs_force_unmount MNT: a clean unmount, else a lazy one (a dead or
# stuck daemon, or files still open), else umount -l. Quiet; never fails.
topicfs_force_unmount() {
  local mnt=$1
  topicfs_is_mounted "$mnt" || return 0
  fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null ||
    umount -l "$mnt" 2>/dev/null || true
}
