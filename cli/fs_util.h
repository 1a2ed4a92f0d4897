// Thin Status-returning wrappers over the syscalls MountAccess and the file
// commands use (xattrs, directories, whole reads and writes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace topicfs::cli {

// "user.topicfs." + name: how the mount exposes configs and facts.
std::string TopicfsXattr(std::string_view name);

store::Result<std::string> GetXattr(const std::string& path, const std::string& name);
// A decimal (possibly negative) xattr value.
store::Result<int64_t> GetXattrInt(const std::string& path, const std::string& name);
store::Status SetXattr(const std::string& path, const std::string& name, std::string_view value);
// Succeeds when the attribute was not there.
store::Status RemoveXattr(const std::string& path, const std::string& name);

// Names in `dir`, without "." and "..", sorted.
store::Result<std::vector<std::string>> ListDir(const std::string& dir);
// Partition ids (decimal directory names) in a topic directory, ascending.
store::Result<std::vector<int32_t>> ListPartitionIds(const std::string& topic_dir);
bool IsDirectory(const std::string& path);

store::Result<std::string> ReadWholeFile(const std::string& path);
// write(2) until every byte is written; EINTR retried.
store::Status WriteAll(int fd, const char* data, size_t len, const std::string& what);

}  // namespace topicfs::cli
