// What `topicfs mount` checks before it creates or starts anything, so that
// a mount set up wrong fails with one line, hangs nothing and leaves
// nothing behind (docs/CLI.md, "mount refuses").
#pragma once

#include <string>

namespace topicfs::cli {

struct MountPaths {
  std::string data;        // absolute, symlinks resolved (DATA may not exist yet)
  std::string mountpoint;  // realpath
  std::string created;     // the topmost directory CreateData made, or ""
};

// Resolves DATA and MOUNTPOINT and refuses (one line, exit 1 or 2):
//   - a mount point that is missing, not a directory, already a topicfs
//     mount, or (without `nonempty`) not empty;
//   - DATA equal to or inside the mount point (the daemon would wait on its
//     own mount), or the mount point inside DATA;
//   - DATA that is not a directory, or a non-empty directory with neither
//     meta/ nor topics/ (not a topicfs store);
//   - DATA already served by a mount (exit 2).
MountPaths CheckMountPaths(const std::string& data, const std::string& mountpoint, bool nonempty);

// Refuses a --log FILE that cannot be opened for appending.
void CheckLogFile(const std::string& path);

// Creates DATA when missing; remembers in `paths->created` what to remove
// if the mount then fails.
void CreateData(MountPaths* paths);
// Removes what CreateData made (a failed mount leaves no new DATA).
void RemoveCreatedData(const MountPaths& paths);

}  // namespace topicfs::cli
