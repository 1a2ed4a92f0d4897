#include "tier/file_tier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "store/file_io.h"

namespace topicfs::tier {
namespace {

constexpr std::string_view kTempMark = ".tmp-";

// The remote tier's files are not the store's: no fault seam of its Env
// applies to them (tests fail a tier with a fake RemoteTier instead).
store::Env& TierEnv() { return store::Env::Default(); }

// Where an object is written before it is renamed into place. One name per
// object (a key is never written twice at once): a copy cut short by a
// crash is made again under the same key and overwrites it, and deleting
// the object deletes it.
std::string TempPathOf(const std::string& path) {
  return path + std::string(kTempMark) + "partial";
}

// The directories of `path` missing below `root`, made 0700 as the data
// directory's are (DESIGN §3): they hold the same records.
store::Status MakeParents(const std::string& root, const std::string& path) {
  std::vector<std::filesystem::path> missing;  // innermost first
  std::error_code ec;
  for (std::filesystem::path p = std::filesystem::path(path).parent_path();
       p.string().size() > root.size() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return store::Status::FromErrno(errno, "mkdir " + it->string());
    }
  }
  return store::Status::OK();
}

// Copies `size` bytes of `in` from offset 0 into `out`, in the kernel when
// the filesystems allow it.
store::Status CopyDescriptor(int in, int out, int64_t size, const std::string& path) {
  loff_t in_pos = 0;
  while (in_pos < size) {
    ssize_t n = ::copy_file_range(in, &in_pos, out, nullptr, static_cast<size_t>(size - in_pos), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
      break;  // fall back to read and write
    }
    if (n < 0) return store::Status::FromErrno(errno, "copy to " + path);
    if (n == 0) return store::Status::Corruption("source of " + path + " is short");
  }
  std::string buf(1 << 20, '\0');
  while (in_pos < size) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(buf.size(), size - in_pos));
    TOPICFS_RETURN_IF_ERROR(store::ReadFully(in, buf.data(), want, in_pos, path));
    TOPICFS_RETURN_IF_ERROR(store::WriteFully(TierEnv(), out, buf.data(), want, in_pos, path));
    in_pos += static_cast<loff_t>(want);
  }
  return store::Status::OK();
}

}  // namespace

store::Status FileTier::CheckRoot() const {
  struct stat st;
  if (::stat(root_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return store::Status::Unavailable("the tier directory " + root_ + " is not there");
  }
  return store::Status::OK();
}

template <typename Fill>
store::Status FileTier::Put(const std::string& key, Fill fill) {
  TOPICFS_RETURN_IF_ERROR(CheckRoot());
  const std::string path = PathOf(key);
  TOPICFS_RETURN_IF_ERROR(MakeParents(root_, path));
  const std::string temp = TempPathOf(path);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return store::Status::FromErrno(errno, "create " + temp);
  store::Status s = fill(fd, temp);
  if (s.ok()) s = store::SyncFile(TierEnv(), fd, temp);
  ::close(fd);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    s = store::Status::FromErrno(errno, "rename to " + path);
  }
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return store::SyncDir(TierEnv(), std::filesystem::path(path).parent_path().string());
}

store::Status FileTier::PutFile(const std::string& key, int fd, int64_t size) {
  return Put(key,
             [&](int out, const std::string& path) { return CopyDescriptor(fd, out, size, path); });
}

store::Status FileTier::PutBytes(const std::string& key, std::string_view bytes) {
  return Put(key, [&](int out, const std::string& path) {
    return store::WriteFully(TierEnv(), out, bytes.data(), bytes.size(), 0, path);
  });
}

store::Result<size_t> FileTier::GetRange(const std::string& key, int64_t pos, char* buf,
                                         size_t len) {
  TOPICFS_RETURN_IF_ERROR(CheckRoot());
  return ReadRange(key, pos, buf, len);
}

store::Result<size_t> FileTier::ReadRange(const std::string& key, int64_t pos, char* buf,
                                          size_t len) const {
  const std::string path = PathOf(key);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return store::Status::ForErrno(errno, "open " + path);
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, buf + done, len - done, pos + static_cast<int64_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      store::Status s = store::Status::FromErrno(errno, "read " + path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return done;
}

store::Result<std::string> FileTier::GetAll(const std::string& key) {
  TOPICFS_RETURN_IF_ERROR(CheckRoot());
  struct stat st;
  if (::stat(PathOf(key).c_str(), &st) != 0) {
    return store::Status::ForErrno(errno, "stat " + PathOf(key));
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  store::Result<size_t> n = ReadRange(key, 0, out.data(), out.size());
  if (!n.ok()) return n.status();
  out.resize(*n);
  return out;
}

store::Status FileTier::Delete(const std::string& key) {
  TOPICFS_RETURN_IF_ERROR(CheckRoot());
  for (const std::string& path : {PathOf(key), TempPathOf(PathOf(key))}) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return store::Status::FromErrno(errno, "remove " + path);
    }
  }
  return store::Status::OK();
}

store::Result<std::vector<store::RemoteObject>> FileTier::List(const std::string& prefix) {
  TOPICFS_RETURN_IF_ERROR(CheckRoot());
  std::vector<store::RemoteObject> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string key = std::filesystem::relative(it->path(), root_, ec).string();
    if (!key.starts_with(prefix) || key.find(kTempMark) != std::string::npos) continue;
    out.push_back({std::move(key), static_cast<int64_t>(it->file_size(ec))});
  }
  if (ec) return store::Status::FromErrno(ec.value(), "list " + root_);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace topicfs::tier
