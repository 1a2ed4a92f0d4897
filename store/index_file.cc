#include "store/index_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "store/data_dir.h"
#include "store/file_io.h"

namespace topicfs::store {

Result<std::unique_ptr<IndexFile>> IndexFile::OpenWritable(const std::string& path,
                                                           size_t entry_size) {
  std::unique_ptr<IndexFile> index(new IndexFile(path, entry_size));
  index->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateFileMode);
  if (index->fd_ < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(index->fd_, &st) != 0) return Status::FromErrno(errno, "stat " + path);
  index->buffer_.resize(st.st_size);
  TOPICFS_RETURN_IF_ERROR(ReadFully(index->fd_, index->buffer_.data(), st.st_size, 0, path));
  // A torn trailing entry is dropped from the file too, so the next entry
  // lands on an entry boundary.
  index->buffer_.resize(index->buffer_.size() - index->buffer_.size() % entry_size);
  index->persisted_ = index->buffer_.size();
  index->size_ = index->buffer_.size();
  if (index->persisted_ != static_cast<size_t>(st.st_size) &&
      ::ftruncate(index->fd_, index->persisted_) != 0) {
    return Status::FromErrno(errno, "truncate " + path);
  }
  return index;
}

std::unique_ptr<IndexFile> IndexFile::OpenSealed(const std::string& path, size_t entry_size) {
  std::unique_ptr<IndexFile> index(new IndexFile(path, entry_size));
  index->sealed_ = true;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) index->size_ = st.st_size - st.st_size % entry_size;
  return index;
}

IndexFile::~IndexFile() {
  if (map_ != nullptr) ::munmap(const_cast<char*>(map_), map_size_);
  if (fd_ >= 0) ::close(fd_);
}

void IndexFile::MapIfNeeded() {
  std::call_once(map_once_, [this] { Map(); });
}

void IndexFile::Map() {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    void* p = ::mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED) {
      map_ = static_cast<const char*>(p);
      map_size_ = st.st_size;
    }
  }
  ::close(fd);
}

std::string_view IndexFile::bytes() {
  if (!sealed_) return buffer_;
  MapIfNeeded();
  return std::string_view(map_ == nullptr ? "" : map_, map_size_ - map_size_ % entry_size_);
}

void IndexFile::Append(const char* entry) {
  buffer_.append(entry, entry_size_);
  size_.store(buffer_.size(), std::memory_order_release);
}

Status IndexFile::WritePending() {
  if (sealed_ || persisted_ >= buffer_.size()) return Status::OK();
  TOPICFS_RETURN_IF_ERROR(WriteFully(fd_, buffer_.data() + persisted_,
                                     buffer_.size() - persisted_, persisted_, path_));
  persisted_ = buffer_.size();
  return Status::OK();
}

Status IndexFile::Truncate(size_t entries) {
  if (entries * entry_size_ < buffer_.size()) buffer_.resize(entries * entry_size_);
  size_.store(buffer_.size(), std::memory_order_release);
  if (persisted_ > buffer_.size()) persisted_ = buffer_.size();
  if (::ftruncate(fd_, persisted_) != 0) return Status::FromErrno(errno, "truncate " + path_);
  return WritePending();
}

Status IndexFile::Rewrite(std::string_view bytes) {
  buffer_.assign(bytes);
  size_.store(buffer_.size(), std::memory_order_release);
  persisted_ = 0;
  if (::ftruncate(fd_, 0) != 0) return Status::FromErrno(errno, "truncate " + path_);
  return WritePending();
}

Status IndexFile::Seal() {
  if (sealed_) return Status::OK();
  TOPICFS_RETURN_IF_ERROR(Truncate(entries()));
  ::close(fd_);
  fd_ = -1;
  sealed_ = true;
  buffer_ = std::string();
  persisted_ = 0;
  return Status::OK();
}

}  // namespace topicfs::store
