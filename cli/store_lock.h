// Who holds a store's lock. RocksDB locks DATA/meta/LOCK (an fcntl write
// lock) while a daemon or a CLI command has the store open; read-only
// commands hold a read lock on the same file. The lock, not /proc/mounts,
// is the truth about whether DATA is in use: a mount can be lazily
// unmounted while its daemon still runs, or made under another name.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace topicfs::cli {

struct LockHolder {
  pid_t pid = 0;            // 0 when the kernel does not say (another PID namespace)
  std::string command;      // its command line, spaces between arguments
  std::string mount_point;  // absolute, when the holder is a topicfs daemon
};

// The process whose lock on DATA/meta/LOCK conflicts with an exclusive one
// (`exclusive`) or a shared one; nullopt when none (or there is no LOCK).
std::optional<LockHolder> FindLockHolder(const std::string& data_dir, bool exclusive);

// Ends the command when DATA is in use, as DESIGN §5 says: "DATA is mounted
// at MNT: ..." (exit 2) when a daemon holds it, "DATA is in use by ..."
// (exit 1) otherwise.
void RefuseIfLocked(const std::string& data_dir, bool exclusive);

// The line (and exit 2) for the data directory of a mounted store.
[[noreturn]] void FailMounted(const std::string& data_dir, const std::string& mount_point);

// Takes a shared lock on DATA/meta/LOCK for a read-only command, so that no
// daemon or writing command opens the store meanwhile (their RocksDB lock
// conflicts). Returns the descriptor (kept open for the command's life),
// or -1 when there is no LOCK file; ends the command when DATA is in use.
int LockShared(const std::string& data_dir);

}  // namespace topicfs::cli
