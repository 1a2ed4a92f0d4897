#include "store/dir_owner.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "store/file_io.h"

namespace topicfs::store {

Status WriteDirOwner(Env& env, const std::string& dir, const Ownership& owner) {
  char value[64];
  const int len =
      std::snprintf(value, sizeof value, "%04o %u %u", owner.mode & 07777, owner.uid, owner.gid);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + dir);
  Status s;
  if (::fsetxattr(fd, kDirOwnerXattr, value, static_cast<size_t>(len), 0) != 0) {
    s = errno == ENOTSUP
            ? Status::NotSupported(dir + " keeps no user extended attributes")
            : Status::FromErrno(errno, std::string("setxattr ") + kDirOwnerXattr + " on " + dir);
  } else {
    s = SyncFile(env, fd, dir);
  }
  ::close(fd);
  return s;
}

std::optional<Ownership> ReadDirOwner(const std::string& dir) {
  char value[64];
  const ssize_t len = ::getxattr(dir.c_str(), kDirOwnerXattr, value, sizeof value - 1);
  if (len <= 0) return std::nullopt;
  value[len] = '\0';
  Ownership owner;
  char end = 0;
  if (std::sscanf(value, "%o %u %u%c", &owner.mode, &owner.uid, &owner.gid, &end) != 3 ||
      owner.mode > 07777) {
    return std::nullopt;
  }
  return owner;
}

}  // namespace topicfs::store
