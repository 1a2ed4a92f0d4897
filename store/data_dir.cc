#include "store/data_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>
#include <vector>

#include "store/names.h"

namespace topicfs::store {
namespace {

std::string UserName(uid_t uid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[1024];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Refuses what the daemon's user does not alone control: `path` with `st`
// (from lstat, except for DATA itself, which the user names).
Status CheckOwned(const std::string& path, const struct stat& st, const std::string& data_dir) {
  const uid_t me = ::geteuid();
  if (S_ISLNK(st.st_mode)) {
    return Status::Permission(path + " is a symbolic link: refusing to follow it out of " +
                              data_dir + " (the store's directories are real directories)");
  }
  if (!S_ISDIR(st.st_mode)) return Status::Permission(path + " is not a directory");
  if (st.st_uid != me) {
    return Status::Permission(
        path + " is owned by " + UserName(st.st_uid) + ", not by " + UserName(me) +
        " who runs topicfs: refusing a store another user could have "
        "changed (check it and remove what you did not make; if it is all yours: chown -R " +
        UserName(me) + " " + data_dir + ")");
  }
  if ((st.st_mode & 022) != 0) {
    return Status::Permission(path + " is writable by other users (mode " + Octal(st.st_mode) +
                              "): refusing a store others could have planted topics in (check " +
                              data_dir + "/topics, then: chmod -R go-rwx " + data_dir + ")");
  }
  return Status::OK();
}

// Every topic directory: a topic someone else made is not served.
Status CheckTopics(const std::string& topics_dir, const std::string& data_dir) {
  DIR* d = ::opendir(topics_dir.c_str());
  if (d == nullptr) return Status::FromErrno(errno, "open " + topics_dir);
  Status result;
  while (struct dirent* e = ::readdir(d)) {
    if (!IsValidTopicName(e->d_name)) continue;  // the store ignores these
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    result = CheckOwned(topics_dir + "/" + e->d_name, st, data_dir);
    if (!result.ok()) break;
  }
  ::closedir(d);
  return result;
}

}  // namespace

Status SecureDataDir(const std::string& data_dir, bool tighten, std::string* tightened) {
  struct Dir {
    std::string path;
    struct stat st;
  };
  std::vector<Dir> dirs;
  for (const char* sub : {"", "/meta", "/topics"}) {
    Dir dir{data_dir + sub, {}};
    // DATA itself may be a symlink the user chose; what is inside may not.
    int rc = *sub == '\0' ? ::stat(dir.path.c_str(), &dir.st) : ::lstat(dir.path.c_str(), &dir.st);
    if (rc != 0 && errno == ENOENT) continue;  // made 0700 when created
    if (rc != 0) return Status::FromErrno(errno, "stat " + dir.path);
    TOPICFS_RETURN_IF_ERROR(CheckOwned(dir.path, dir.st, data_dir));
    if (std::string_view(sub) == "/topics") {
      TOPICFS_RETURN_IF_ERROR(CheckTopics(dir.path, data_dir));
    }
    dirs.push_back(dir);
  }
  // Only once nothing is refused: a refused store is left as it was.
  std::string changed;
  for (const Dir& dir : dirs) {
    if (!tighten || (dir.st.st_mode & 077) == 0) continue;
    if (::chmod(dir.path.c_str(), kPrivateDirMode) != 0) {
      return Status::FromErrno(errno, "chmod 700 " + dir.path);
    }
    changed += (changed.empty() ? "" : ", ") + dir.path + " (was " + Octal(dir.st.st_mode) + ")";
  }
  if (!changed.empty() && tightened != nullptr) {
    *tightened = "made " + changed + " 0700: other users could read the store around the mount";
  }
  return Status::OK();
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, "mkdir " + path);
  }
  return Status::OK();
}

}  // namespace topicfs::store
