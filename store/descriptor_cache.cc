#include "store/descriptor_cache.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "store/file_io.h"

namespace topicfs::store {

// ---- FileRef

FileRef::FileRef(const FileRef& other) : file_(other.file_), fd_(other.fd_) {
  // The source holds a pin, so this cannot raise the count from zero: no
  // need for the file's mutex (see CachedFile::pins_).
  if (file_ != nullptr) file_->Pin();
}

FileRef& FileRef::operator=(const FileRef& other) {
  if (this != &other) {
    FileRef copy(other);
    *this = std::move(copy);
  }
  return *this;
}

FileRef& FileRef::operator=(FileRef&& other) noexcept {
  if (this != &other) {
    Reset();
    file_ = std::move(other.file_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileRef::Reset() {
  if (file_ != nullptr) {
    file_->Unpin();
    file_.reset();
  }
  fd_ = -1;
}

// ---- DescriptorCache

std::shared_ptr<DescriptorCache> DescriptorCache::Create(Env& env, size_t capacity) {
  return std::shared_ptr<DescriptorCache>(
      new DescriptorCache(env, capacity == 0 ? DefaultCapacity() : capacity));
}

size_t DescriptorCache::DefaultCapacity() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
  return std::clamp<size_t>(limit.rlim_cur / 2, 16, 1024);
}

std::shared_ptr<CachedFile> DescriptorCache::Track(std::string path, int flags) {
  return std::make_shared<CachedFile>(CachedFile::Key(), shared_from_this(), std::move(path),
                                      flags);
}

size_t DescriptorCache::pinned_count() const {
  std::lock_guard lock(mu_);
  return std::count_if(open_.begin(), open_.end(), [](const CachedFile* f) {
    return f->pins_.load(std::memory_order_relaxed) > 0;
  });
}

void DescriptorCache::Added(CachedFile* file) {
  std::lock_guard lock(mu_);
  file->slot_ = open_.size();
  open_.push_back(file);
  open_count_.store(open_.size(), std::memory_order_relaxed);
  opens_.fetch_add(1, std::memory_order_relaxed);
}

void DescriptorCache::RemovedLocked(CachedFile* file) {
  if (file->slot_ == SIZE_MAX) return;
  open_.back()->slot_ = file->slot_;
  open_[file->slot_] = open_.back();
  open_.pop_back();
  file->slot_ = SIZE_MAX;
  open_count_.store(open_.size(), std::memory_order_relaxed);
}

void DescriptorCache::CloseDownTo(size_t target, const CachedFile* skip) {
  std::vector<int> to_close;
  std::vector<const CachedFile*> busy;  // mutex held elsewhere: left alone this time
  {
    std::lock_guard lock(mu_);
    while (open_.size() >= std::max<size_t>(target, 1)) {
      CachedFile* victim = nullptr;
      for (CachedFile* f : open_) {
        if (f == skip || f->pins_.load(std::memory_order_relaxed) > 0 ||
            std::find(busy.begin(), busy.end(), f) != busy.end()) {
          continue;
        }
        if (victim == nullptr || f->last_use_.load(std::memory_order_relaxed) <
                                     victim->last_use_.load(std::memory_order_relaxed)) {
          victim = f;
        }
      }
      if (victim == nullptr) break;  // everything left is pinned: overflow
      if (!victim->mu_.try_lock()) {
        busy.push_back(victim);
        continue;
      }
      // Pins rise only under the file's mutex, which we hold now.
      if (victim->pins_.load(std::memory_order_acquire) == 0) {
        to_close.push_back(std::exchange(victim->fd_, -1));
        RemovedLocked(victim);
      } else {
        busy.push_back(victim);
      }
      victim->mu_.unlock();
    }
  }
  // The numbers stay taken until closed here, outside the cache's lock.
  for (int fd : to_close) ::close(fd);
}

// ---- CachedFile

CachedFile::~CachedFile() {
  {
    // Once we hold the cache's lock no eviction is looking at this file.
    std::lock_guard lock(cache_->mu_);
    cache_->RemovedLocked(this);
  }
  if (fd_ >= 0) ::close(fd_);
}

bool CachedFile::is_open() {
  std::lock_guard lock(mu_);
  return fd_ >= 0;
}

Status CachedFile::OpenLocked(int extra_flags, mode_t mode) {
  if (int err = cache_->env().BeforeOpen(path_)) return Status::FromErrno(err, "open " + path_);
  cache_->CloseDownTo(cache_->capacity_, this);
  const int flags = flags_.load(std::memory_order_relaxed) | extra_flags | O_CLOEXEC;
  int fd = ::open(path_.c_str(), flags, mode);
  if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
    // The process is out of descriptors (something else holds them): give
    // back every unpinned one and try once more.
    cache_->CloseDownTo(0, this);
    fd = ::open(path_.c_str(), flags, mode);
  }
  if (fd < 0 && errno == EROFS && (flags & O_ACCMODE) == O_RDWR && !(flags & O_EXCL)) {
    // A read-only copy of a store: reads work, writes fail with EBADF. An
    // index opened with O_CREAT exists there (or the open fails: ENOENT).
    fd = ::open(path_.c_str(), (flags & ~(O_ACCMODE | O_CREAT)) | O_RDONLY);
  }
  if (fd < 0) return Status::FromErrno(errno, "open " + path_);
  fd_ = fd;
  cache_->Added(this);
  return Status::OK();
}

Result<FileRef> CachedFile::Acquire(int extra_flags, mode_t mode) {
  std::lock_guard lock(mu_);
  if (fd_ < 0) TOPICFS_RETURN_IF_ERROR(OpenLocked(extra_flags, mode));
  pins_.fetch_add(1, std::memory_order_relaxed);
  last_use_.store(cache_->Tick(), std::memory_order_relaxed);
  return FileRef(shared_from_this(), fd_);
}

void CachedFile::Unpin() {
  if (pins_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (close_when_idle_.load(std::memory_order_acquire)) {
    CloseWhenIdle();
  } else if (cache_->open_count() > cache_->capacity_) {
    cache_->CloseDownTo(cache_->capacity_ + 1, nullptr);
  }
}

void CachedFile::CloseWhenIdle() {
  close_when_idle_.store(true, std::memory_order_release);
  int fd = -1;
  {
    std::lock_guard lock(mu_);
    if (fd_ < 0 || pins_.load(std::memory_order_acquire) > 0) return;  // the last Unpin closes
    std::lock_guard cache_lock(cache_->mu_);
    fd = std::exchange(fd_, -1);
    cache_->RemovedLocked(this);
  }
  ::close(fd);
}

}  // namespace topicfs::store
