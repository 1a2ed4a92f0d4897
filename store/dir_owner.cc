#include "store/dir_owner.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>

#include "store/file_io.h"

namespace topicfs::store {

namespace {

// Sets `name` to `value` on `dir` and syncs it.
Status WriteDirXattr(Env& env, const std::string& dir, const char* name, std::string_view value) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + dir);
  Status s;
  if (::fsetxattr(fd, name, value.data(), value.size(), 0) != 0) {
    s = errno == ENOTSUP
            ? Status::NotSupported(dir + " keeps no user extended attributes")
            : Status::FromErrno(errno, std::string("setxattr ") + name + " on " + dir);
  } else {
    s = SyncFile(env, fd, dir);
  }
  ::close(fd);
  return s;
}

// nullopt when `dir` has no `name` (or it is empty or unreadable).
std::optional<std::string> ReadDirXattr(const std::string& dir, const char* name) {
  std::string value(4096, '\0');
  const ssize_t len = ::getxattr(dir.c_str(), name, value.data(), value.size());
  if (len <= 0) return std::nullopt;
  value.resize(static_cast<size_t>(len));
  return value;
}

}  // namespace

Status WriteDirOwner(Env& env, const std::string& dir, const Ownership& owner) {
  char value[64];
  const int len =
      std::snprintf(value, sizeof value, "%04o %u %u", owner.mode & 07777, owner.uid, owner.gid);
  return WriteDirXattr(env, dir, kDirOwnerXattr, std::string_view(value, static_cast<size_t>(len)));
}

std::optional<Ownership> ReadDirOwner(const std::string& dir) {
  std::optional<std::string> value = ReadDirXattr(dir, kDirOwnerXattr);
  if (!value) return std::nullopt;
  Ownership owner;
  char end = 0;
  if (std::sscanf(value->c_str(), "%o %u %u%c", &owner.mode, &owner.uid, &owner.gid, &end) != 3 ||
      owner.mode > 07777) {
    return std::nullopt;
  }
  return owner;
}

Status WriteDirConfig(Env& env, const std::string& dir, const TopicConfig& config) {
  // Never empty: an empty attribute reads as none.
  return WriteDirXattr(env, dir, kDirConfigXattr, "# topicfs topic config\n" + config.Serialize());
}

std::optional<TopicConfig> ReadDirConfig(const std::string& dir) {
  std::optional<std::string> value = ReadDirXattr(dir, kDirConfigXattr);
  if (!value) return std::nullopt;
  std::string_view text(*value);
  constexpr std::string_view kHeader = "# topicfs topic config\n";
  if (!text.starts_with(kHeader)) return std::nullopt;
  Result<TopicConfig> config = TopicConfig::Parse(text.substr(kHeader.size()));
  if (!config.ok()) return std::nullopt;
  return *config;
}

}  // namespace topicfs::store
