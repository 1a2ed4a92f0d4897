#include "store/boot_id.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "store/file_io.h"

namespace topicfs::store {
namespace {

// The first line of a small file, without its newline; "" when unreadable.
std::string ReadFirstLine(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[128];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return "";
  std::string_view text(buf, static_cast<size_t>(n));
  return std::string(text.substr(0, text.find('\n')));
}

}  // namespace

std::string ReadKernelBootId() { return ReadFirstLine(kKernelBootIdPath); }

std::string ReadStoredBootId(const std::string& data_dir) {
  return ReadFirstLine(data_dir + "/" + kBootIdFile);
}

Status StoreBootId(Env& env, const std::string& data_dir, const std::string& boot_id) {
  const std::string path = data_dir + "/" + kBootIdFile;
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno(errno, "create " + tmp);
  const std::string line = boot_id + "\n";
  Status s = WriteFully(env, fd, line.data(), line.size(), 0, tmp);
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::FromErrno(errno, "rename " + tmp);
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

}  // namespace topicfs::store
