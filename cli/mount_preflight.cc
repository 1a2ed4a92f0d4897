#include "cli/mount_preflight.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "cli/cli_error.h"
#include "cli/mounts.h"
#include "cli/store_lock.h"
#include "store/store.h"

namespace topicfs::cli {
namespace {

// Names in `dir` other than . and ..; nullopt when it cannot be read.
std::optional<int> CountEntries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  int n = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++n;
  }
  ::closedir(d);
  return n;
}

// True when `path` is `dir` or lies under it (both absolute and resolved).
bool IsUnder(const std::string& path, const std::string& dir) {
  if (path == dir || dir == "/") return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

std::string CheckMountPoint(const std::string& arg, bool nonempty) {
  std::optional<std::string> mnt = RealPath(arg);
  if (!mnt) Fail("mount point " + arg + " does not exist (create it, or pass --mkdir)");
  struct stat st;
  if (::stat(mnt->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    Fail("mount point " + arg + " is not a directory");
  }
  if (FindMountAt(*mnt)) Fail(*mnt + " is already a topicfs mount");
  std::optional<int> entries = CountEntries(*mnt);
  if (!entries) Fail("cannot read mount point " + arg + ": " + std::strerror(errno));
  if (*entries > 0 && !nonempty) {
    Fail("mount point " + arg + " is not empty (the mount would hide what is in it): " +
         "use an empty directory, or -o nonempty");
  }
  return *mnt;
}

// DATA, absolute, with the symlinks of the part that exists resolved.
std::string ResolveData(const std::string& arg) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(arg, ec);
  std::filesystem::path resolved = std::filesystem::weakly_canonical(abs, ec);
  if (ec) Fail("cannot resolve " + arg + ": " + ec.message());
  std::string s = resolved.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

void CheckDataIsAStore(const std::string& arg, const std::string& data) {
  struct stat st;
  if (::stat(data.c_str(), &st) != 0) {
    if (errno == ENOENT) return;  // a new store
    Fail("cannot reach " + arg + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) Fail(arg + " is not a directory");
  std::optional<int> entries = CountEntries(data);
  if (!entries) Fail("cannot read " + arg + ": " + std::strerror(errno));
  std::error_code ec;
  if (*entries > 0 && !std::filesystem::is_directory(data + "/meta", ec) &&
      !std::filesystem::is_directory(data + "/topics", ec)) {
    Fail(arg + " is not empty and holds no topicfs store (no meta/ or topics/ in it): " +
         "give a new or empty directory");
  }
  Check(store::Store::CheckMetadata(data));  // another program's RocksDB, or damaged
}

}  // namespace

MountPaths CheckMountPaths(const std::string& data, const std::string& mountpoint, bool nonempty) {
  MountPaths paths;
  paths.mountpoint = CheckMountPoint(mountpoint, nonempty);
  paths.data = ResolveData(data);
  if (paths.data == paths.mountpoint) {
    UsageFail("the data directory " + data + " is the mount point " + mountpoint +
              ": the daemon would wait on its own mount; keep DATA outside MOUNTPOINT");
  }
  if (IsUnder(paths.data, paths.mountpoint)) {
    UsageFail("the data directory " + data + " is inside the mount point " + mountpoint +
              ": the daemon would wait on its own mount; keep DATA outside MOUNTPOINT");
  }
  if (IsUnder(paths.mountpoint, paths.data)) {
    UsageFail("the mount point " + mountpoint + " is inside the data directory " + data +
              ": DATA is the daemon's alone; keep MOUNTPOINT outside DATA");
  }
  if (std::optional<MountEntry> m = FindMountOfData(paths.data)) {
    UsageFail(data + " is already mounted on " + m->mount_point);
  }
  RefuseIfLocked(paths.data, /*exclusive=*/true);  // a daemon /proc/mounts does not show
  CheckDataIsAStore(data, paths.data);
  return paths;
}

void CheckLogFile(const std::string& path) {
  if (path.empty()) return;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) Fail("cannot open log file " + path + ": " + std::strerror(errno));
  ::close(fd);
}

void CreateData(MountPaths* paths) {
  std::filesystem::path top = paths->data;
  std::error_code ec;
  if (std::filesystem::exists(top, ec)) return;
  while (top.has_parent_path() && top.parent_path() != top &&
         !std::filesystem::exists(top.parent_path(), ec)) {
    top = top.parent_path();
  }
  std::filesystem::path data = paths->data;
  std::filesystem::create_directories(data.parent_path(), ec);
  if (ec) Fail("cannot create " + data.parent_path().string() + ": " + ec.message());
  paths->created = top.string();
  // DATA is the daemon's alone from the start (DESIGN §3).
  if (::mkdir(paths->data.c_str(), 0700) != 0 && errno != EEXIST) {
    int e = errno;
    RemoveCreatedData(*paths);
    Fail("cannot create " + paths->data + ": " + std::strerror(e));
  }
}

void RemoveCreatedData(const MountPaths& paths) {
  if (paths.created.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(paths.created, ec);
}

}  // namespace topicfs::cli
