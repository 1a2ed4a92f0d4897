// What /proc/mounts says about topicfs mounts. The daemon mounts with
// fsname = the absolute data directory and type fuse.topicfs, so the CLI can
// tell a mount point from a data directory and refuse to open the data
// directory of a live mount behind the daemon's back.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace topicfs::cli {

struct MountEntry {
  std::string source;       // first column: for topicfs, the absolute data dir
  std::string mount_point;  // second column, unescaped
  std::string type;         // "fuse.topicfs"
};

// Parses the text of /proc/mounts (octal escapes such as \040 undone).
std::vector<MountEntry> ParseMounts(const std::string& text);
std::vector<MountEntry> ReadMounts();

// True for the types a topicfs daemon can show: fuse.topicfs, or plain fuse
// when no subtype was given.
bool IsTopicfsType(const std::string& type);

// The live topicfs mount whose daemon serves `data_dir`, if any.
std::optional<MountEntry> FindMountOfData(const std::string& data_dir);
// The live topicfs mount whose mount point is `dir`, if any.
std::optional<MountEntry> FindMountAt(const std::string& dir);

// realpath(3); nullopt when `path` does not resolve.
std::optional<std::string> RealPath(const std::string& path);

}  // namespace topicfs::cli
