#include "store/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace topicfs::store {

Status WriteFully2(Env& env, int fd, const char* a, size_t alen, const char* b, size_t blen,
                   off_t pos, const std::string& path) {
  int injected = 0;
  const size_t allowed = env.BeforeWrite(path, alen + blen, &injected);
  if (allowed < alen + blen) {  // a short write, as on a full disk
    size_t take_a = std::min(allowed, alen);
    if (take_a > 0 && ::pwrite(fd, a, take_a, pos) < 0) return Status::FromErrno(errno, path);
    if (allowed > alen && ::pwrite(fd, b, allowed - alen, pos + alen) < 0) {
      return Status::FromErrno(errno, path);
    }
    return Status::FromErrno(injected ? injected : EIO, "write " + path);
  }
  struct iovec iov[2] = {{const_cast<char*>(a), alen}, {const_cast<char*>(b), blen}};
  int iovcnt = 2;
  struct iovec* v = iov;
  while (iovcnt > 0) {
    if (v[0].iov_len == 0) {
      ++v;
      --iovcnt;
      continue;
    }
    ssize_t n = ::pwritev(fd, v, iovcnt, pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + path);
    }
    pos += n;
    while (n > 0 && iovcnt > 0) {
      size_t step = std::min<size_t>(n, v[0].iov_len);
      v[0].iov_base = static_cast<char*>(v[0].iov_base) + step;
      v[0].iov_len -= step;
      n -= step;
      if (v[0].iov_len == 0) {
        ++v;
        --iovcnt;
      }
    }
  }
  if (injected) return Status::FromErrno(injected, "write " + path);
  return Status::OK();
}

Status WriteFully(Env& env, int fd, const char* data, size_t len, off_t pos,
                  const std::string& path) {
  return WriteFully2(env, fd, data, len, nullptr, 0, pos, path);
}

Status ReadFully(int fd, char* data, size_t len, off_t pos, const std::string& path) {
  while (len > 0) {
    ssize_t n = ::pread(fd, data, len, pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "read " + path);
    }
    if (n == 0) return Status::Corruption("unexpected end of " + path);
    data += n;
    len -= n;
    pos += n;
  }
  return Status::OK();
}

Status SyncFile(Env& env, int fd, const std::string& path) {
  if (int err = env.BeforeSync(path)) return Status::FromErrno(err, "fsync " + path);
  if (::fdatasync(fd) != 0) return Status::FromErrno(errno, "fsync " + path);
  return Status::OK();
}

Status SyncPath(Env& env, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return Status::OK();  // nothing to make durable
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  Status s = SyncFile(env, fd, path);
  ::close(fd);
  return s;
}

Status SyncFilesystem(Env& env, const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + dir);
  Status s;
  if (int err = env.BeforeSyncFilesystem(dir)) s = Status::FromErrno(err, "syncfs " + dir);
  if (s.ok() && ::syncfs(fd) != 0) s = Status::FromErrno(errno, "syncfs " + dir);
  ::close(fd);
  return s;
}

Status SyncDir(Env& env, const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + dir);
  Status s = SyncFile(env, fd, dir);
  ::close(fd);
  return s;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::ForErrno(errno, "open " + path);
  struct stat st;
  Result<std::string> out = Status::FromErrno(errno, "stat " + path);
  if (::fstat(fd, &st) == 0) {
    std::string bytes(static_cast<size_t>(st.st_size), '\0');
    Status read = ReadFully(fd, bytes.data(), bytes.size(), 0, path);
    out = read.ok() ? Result<std::string>(std::move(bytes)) : Result<std::string>(read);
  }
  ::close(fd);
  return out;
}

}  // namespace topicfs::store
