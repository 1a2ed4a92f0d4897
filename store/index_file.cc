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
                                                           size_t entry_size,
                                                           DescriptorCache& files) {
  std::unique_ptr<IndexFile> index(new IndexFile(path, entry_size));
  index->file_ = files.Track(path, O_RDWR);
  index->env_ = &files.env();
  TOPICFS_RETURN_IF_ERROR(index->Load());
  return index;
}

std::unique_ptr<IndexFile> IndexFile::OpenWritableLazily(const std::string& path, size_t entry_size,
                                                         DescriptorCache& files) {
  std::unique_ptr<IndexFile> index(new IndexFile(path, entry_size));
  index->file_ = files.Track(path, O_RDWR);
  index->env_ = &files.env();
  index->size_ = kUnknownSize;
  return index;
}

Status IndexFile::EnsureLoaded() {
  if (loaded_ || sealed_) return Status::OK();
  Status s = Load();
  if (!s.ok()) buffer_.clear();
  return s;
}

Status IndexFile::Load() {
  Result<FileRef> file = file_->Acquire(O_CREAT, kPrivateFileMode);
  if (!file.ok()) return file.status();
  struct stat st;
  if (::fstat(file->fd(), &st) != 0) return Status::FromErrno(errno, "stat " + path_);
  buffer_.resize(st.st_size);
  TOPICFS_RETURN_IF_ERROR(ReadFully(file->fd(), buffer_.data(), st.st_size, 0, path_));
  // A torn trailing entry is dropped from the file too, so the next entry
  // lands on an entry boundary.
  buffer_.resize(buffer_.size() - buffer_.size() % entry_size_);
  persisted_ = buffer_.size();
  size_ = buffer_.size();
  if (persisted_ != static_cast<size_t>(st.st_size) && ::ftruncate(file->fd(), persisted_) != 0) {
    return Status::FromErrno(errno, "truncate " + path_);
  }
  loaded_ = true;
  return Status::OK();
}

std::unique_ptr<IndexFile> IndexFile::OpenSealed(const std::string& path, size_t entry_size,
                                                 Env& env) {
  std::unique_ptr<IndexFile> index(new IndexFile(path, entry_size));
  index->env_ = &env;
  index->sealed_ = true;
  index->size_ = kUnknownSize;
  return index;
}

std::unique_ptr<IndexFile> IndexFile::FromBytes(const std::string& name, size_t entry_size,
                                                std::string bytes) {
  std::unique_ptr<IndexFile> index(new IndexFile(name, entry_size));
  index->sealed_ = true;
  index->held_ = std::move(bytes);
  index->map_ = index->held_.data();
  index->map_size_ = index->held_.size();
  index->size_ = index->map_size_ - index->map_size_ % entry_size;
  std::call_once(index->map_once_, [] {});  // nothing to map
  return index;
}

IndexFile::~IndexFile() {
  if (mapped_) ::munmap(const_cast<char*>(map_), map_size_);
}

size_t IndexFile::size_bytes() const {
  size_t size = size_.load(std::memory_order_acquire);
  if (size != kUnknownSize) return size;
  // A sealed index never changes, and an unread active one changes only
  // once read: one stat, on first use, unless the read came first.
  struct stat st;
  size = ::stat(path_.c_str(), &st) == 0 ? st.st_size - st.st_size % entry_size_ : 0;
  size_t unknown = kUnknownSize;
  if (!size_.compare_exchange_strong(unknown, size, std::memory_order_acq_rel)) return unknown;
  return size;
}

void IndexFile::MapIfNeeded() {
  std::call_once(map_once_, [this] { Map(); });
}

void IndexFile::Map() {
  if (env_->BeforeOpen(path_) != 0) return;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    void* p = ::mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED) {
      map_ = static_cast<const char*>(p);
      map_size_ = st.st_size;
      mapped_ = true;
    }
  }
  ::close(fd);
}

std::string_view IndexFile::bytes() {
  if (!sealed_) {
    (void)EnsureLoaded();  // empty when it fails; Append() reports it
    return buffer_;
  }
  MapIfNeeded();
  return std::string_view(map_ == nullptr ? "" : map_, map_size_ - map_size_ % entry_size_);
}

void IndexFile::ReplaceSealedBytes(std::string bytes) {
  std::call_once(map_once_, [] {});  // no later Map() of the old file
  if (mapped_) ::munmap(const_cast<char*>(map_), map_size_);
  mapped_ = false;
  held_ = std::move(bytes);
  map_ = held_.data();
  map_size_ = held_.size();
  size_.store(map_size_ - map_size_ % entry_size_, std::memory_order_release);
}

void IndexFile::Append(const char* entry) {
  buffer_.append(entry, entry_size_);
  size_.store(buffer_.size(), std::memory_order_release);
}

Status IndexFile::WritePending() {
  if (sealed_ || persisted_ >= buffer_.size()) return Status::OK();
  Result<FileRef> file = file_->Acquire();
  if (!file.ok()) return file.status();
  TOPICFS_RETURN_IF_ERROR(WriteFully(file_->cache().env(), file->fd(), buffer_.data() + persisted_,
                                     buffer_.size() - persisted_, persisted_, path_));
  persisted_ = buffer_.size();
  return Status::OK();
}

Status IndexFile::Truncate(size_t entries) {
  TOPICFS_RETURN_IF_ERROR(EnsureLoaded());
  if (entries * entry_size_ < buffer_.size()) buffer_.resize(entries * entry_size_);
  size_.store(buffer_.size(), std::memory_order_release);
  if (persisted_ > buffer_.size()) persisted_ = buffer_.size();
  Result<FileRef> file = file_->Acquire();
  if (!file.ok()) return file.status();
  if (::ftruncate(file->fd(), persisted_) != 0) {
    return Status::FromErrno(errno, "truncate " + path_);
  }
  return WritePending();
}

Status IndexFile::Seal() {
  if (sealed_) return Status::OK();
  TOPICFS_RETURN_IF_ERROR(Truncate(entries()));
  file_.reset();  // its descriptor closes unless a pin is in flight
  sealed_ = true;
  buffer_ = std::string();
  persisted_ = 0;
  return Status::OK();
}

}  // namespace topicfs::store
