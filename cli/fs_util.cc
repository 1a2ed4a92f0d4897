#include "cli/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/facts.h"
#include "store/units.h"

namespace topicfs::cli {

using store::Result;
using store::Status;

std::string TopicfsXattr(std::string_view name) { return store::facts::Xattr(name); }

Result<std::string> GetXattr(const std::string& path, const std::string& name) {
  std::string value(256, '\0');
  for (;;) {
    ssize_t n = ::getxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (n >= 0) {
      value.resize(n);
      return value;
    }
    if (errno != ERANGE) return Status::ForErrno(errno, "getxattr " + name + " of " + path);
    ssize_t need = ::getxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (need < 0) return Status::ForErrno(errno, "getxattr " + name + " of " + path);
    value.resize(need + 1);
  }
}

Result<int64_t> GetXattrInt(const std::string& path, const std::string& name) {
  Result<std::string> text = GetXattr(path, name);
  if (!text.ok()) return text.status();
  std::string_view v = *text;
  while (!v.empty() && (v.back() == '\n' || v.back() == '\0')) v.remove_suffix(1);
  std::optional<int64_t> parsed = store::ParseSignedDecimal(v);
  if (!parsed) {
    return Status::Corruption(name + " of " + path + " is not a number: '" + std::string(v) + "'");
  }
  return *parsed;
}

Status SetXattr(const std::string& path, const std::string& name, std::string_view value) {
  if (::setxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) {
    return Status::ForErrno(errno, "set " + name + "=" + std::string(value) + " on " + path);
  }
  return Status::OK();
}

Status RemoveXattr(const std::string& path, const std::string& name) {
  if (::removexattr(path.c_str(), name.c_str()) != 0 && errno != ENODATA) {
    return Status::ForErrno(errno, "remove " + name + " from " + path);
  }
  return Status::OK();
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::ForErrno(errno, "list " + dir);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return Status::ForErrno(err, "list " + dir);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<int32_t>> ListPartitionIds(const std::string& topic_dir) {
  Result<std::vector<std::string>> names = ListDir(topic_dir);
  if (!names.ok()) return names.status();
  std::vector<int32_t> ids;
  for (const std::string& name : *names) {
    std::optional<int64_t> id = store::ParseDecimal(name);
    if (id && *id <= INT32_MAX && IsDirectory(topic_dir + "/" + name)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::ForErrno(errno, "open " + path);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Status::ForErrno(errno, "read " + path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    data.append(buf, n);
  }
  ::close(fd);
  return data;
}

Status WriteAll(int fd, const char* data, size_t len, const std::string& what) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::ForErrno(errno, what);
    data += n;
    len -= n;
  }
  return Status::OK();
}

}  // namespace topicfs::cli
