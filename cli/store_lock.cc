#include "cli/store_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "cli/cli_error.h"

namespace topicfs::cli {
namespace {

std::vector<std::string> CommandLine(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (size_t pos = 0; pos < raw.size();) {
    args.emplace_back(raw.c_str() + pos);
    pos += args.back().size() + 1;
  }
  return args;
}

// The mount point a daemon's command line names: `topicfs mount [options]
// DATA MNT` (what `mount` re-executes, or `-f` by hand). Relative paths are
// the daemon's cwd's.
std::string DaemonMountPoint(pid_t pid, const std::vector<std::string>& args) {
  if (args.size() < 2 || std::filesystem::path(args[0]).filename() != "topicfs" ||
      args[1] != "mount") {
    return "";
  }
  std::vector<std::string> positional;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-o" || a == "--log" || a == "--ready-fd") {
      ++i;
    } else if (!a.starts_with("-")) {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2) return "";
  std::error_code ec;
  std::filesystem::path mnt = positional[1];
  if (mnt.is_relative()) {
    mnt = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec) / mnt;
  }
  return mnt.lexically_normal().string();
}

// The holder of a lock conflicting with `type` on `fd`, if any.
std::optional<LockHolder> Holder(int fd, short type) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  if (::fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) return std::nullopt;
  LockHolder holder;
  holder.pid = fl.l_pid;
  if (holder.pid > 0) {
    std::vector<std::string> args = CommandLine(holder.pid);
    for (const std::string& a : args) holder.command += (holder.command.empty() ? "" : " ") + a;
    holder.mount_point = DaemonMountPoint(holder.pid, args);
  }
  return holder;
}

[[noreturn]] void FailLocked(const std::string& data_dir, const LockHolder& holder) {
  if (!holder.mount_point.empty()) FailMounted(data_dir, holder.mount_point);
  if (holder.pid <= 0) Fail(data_dir + " is in use by another process (it holds meta/LOCK)");
  Fail(data_dir + " is in use by process " + std::to_string(holder.pid) +
       (holder.command.empty() ? "" : " (" + holder.command + ")") +
       ": wait for it to finish, or stop it");
}

}  // namespace

std::optional<LockHolder> FindLockHolder(const std::string& data_dir, bool exclusive) {
  int fd = ::open((data_dir + "/meta/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<LockHolder> holder = Holder(fd, exclusive ? F_WRLCK : F_RDLCK);
  ::close(fd);  // drops no lock of ours: this process holds none on LOCK here
  return holder;
}

void RefuseIfLocked(const std::string& data_dir, bool exclusive) {
  if (std::optional<LockHolder> holder = FindLockHolder(data_dir, exclusive)) {
    FailLocked(data_dir, *holder);
  }
}

void FailMounted(const std::string& data_dir, const std::string& mount_point) {
  UsageFail(data_dir + " is mounted at " + mount_point + ": use paths under " + mount_point +
            " while it is mounted, or unmount it first");
}

int LockShared(const std::string& data_dir) {
  int fd = ::open((data_dir + "/meta/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct flock fl = {};
  fl.l_type = F_RDLCK;
  fl.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &fl) == 0) return fd;
  int err = errno;
  std::optional<LockHolder> holder = Holder(fd, F_RDLCK);
  ::close(fd);
  if (holder) FailLocked(data_dir, *holder);
  Fail("cannot lock " + data_dir + "/meta/LOCK: " + std::strerror(err));
}

}  // namespace topicfs::cli
