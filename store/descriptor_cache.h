// A bounded set of open descriptors shared by a store, as RocksDB's table
// cache is (DESIGN §3: no command needs a descriptor per segment or per
// partition). Each file the store may read or write is a CachedFile; its
// descriptor is opened on demand and closed, least recently used first,
// when the cache is full and nobody pins it. A FileRef pins one descriptor:
// it stays open, and reads the same file even after the name is unlinked,
// for as long as the FileRef lives.
//
// Pinned descriptors count against the capacity and are never closed. When
// every open descriptor is pinned, a new one is opened anyway (the store
// never fails because of its own budget) and the excess is closed as soon
// as its pins go, so the open count exceeds the capacity only by what is
// pinned at that moment.
//
// Lock order: a CachedFile's mu_, then DescriptorCache::mu_; the cache only
// try-locks other files' mutexes, so two files never wait on each other.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/env.h"
#include "store/status.h"

namespace topicfs::store {

class CachedFile;

// A pinned open descriptor; copyable (each copy is a pin), movable.
class FileRef {
 public:
  FileRef() = default;
  ~FileRef() { Reset(); }
  FileRef(const FileRef& other);
  FileRef& operator=(const FileRef& other);
  FileRef(FileRef&& other) noexcept
      : file_(std::move(other.file_)), fd_(std::exchange(other.fd_, -1)) {}
  FileRef& operator=(FileRef&& other) noexcept;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();

 private:
  friend class CachedFile;
  FileRef(std::shared_ptr<CachedFile> file, int fd) : file_(std::move(file)), fd_(fd) {}
  std::shared_ptr<CachedFile> file_;
  int fd_ = -1;
};

class DescriptorCache : public std::enable_shared_from_this<DescriptorCache> {
 public:
  // `capacity` 0 means DefaultCapacity(). Opens go through `env`'s fault
  // seam; `env` (borrowed) outlives the cache.
  static std::shared_ptr<DescriptorCache> Create(Env& env, size_t capacity);
  // min(1024, half the soft RLIMIT_NOFILE), at least 16: room is left for
  // RocksDB, FUSE, client connections and the pinned excess.
  static size_t DefaultCapacity();

  DescriptorCache(const DescriptorCache&) = delete;
  DescriptorCache& operator=(const DescriptorCache&) = delete;

  // A file opened with `flags` (O_RDONLY or O_RDWR; O_CLOEXEC is added) on
  // first use. Nothing is opened now.
  std::shared_ptr<CachedFile> Track(std::string path, int flags);

  size_t capacity() const { return capacity_; }
  // The store's Env: whoever writes or syncs a tracked file uses it too.
  Env& env() const { return env_; }
  // Descriptors open now, pinned or not.
  size_t open_count() const { return open_count_.load(std::memory_order_relaxed); }
  // Descriptors pinned now.
  size_t pinned_count() const;
  // How many descriptors were opened so far (tests: a cached use opens none).
  uint64_t opens() const { return opens_.load(std::memory_order_relaxed); }

 private:
  friend class CachedFile;
  DescriptorCache(Env& env, size_t capacity) : env_(env), capacity_(capacity) {}

  // Closes unpinned descriptors, least recently used first, until fewer than
  // `target` are open or none is left to close.
  void CloseDownTo(size_t target, const CachedFile* skip);
  // Bookkeeping of a descriptor just opened or about to be closed.
  void Added(CachedFile* file);
  void RemovedLocked(CachedFile* file);
  uint64_t Tick() { return tick_.fetch_add(1, std::memory_order_relaxed); }

  Env& env_;
  const size_t capacity_;
  std::atomic<size_t> open_count_{0};
  std::atomic<uint64_t> opens_{0};
  std::atomic<uint64_t> tick_{1};
  mutable std::mutex mu_;          // guards open_; after any CachedFile::mu_
  std::vector<CachedFile*> open_;  // files whose descriptor is open
};

class CachedFile : public std::enable_shared_from_this<CachedFile> {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Only DescriptorCache::Track makes one (Key is private), with the
  // object and its control block in one allocation.
  CachedFile(Key, std::shared_ptr<DescriptorCache> cache, std::string path, int flags)
      : cache_(std::move(cache)), path_(std::move(path)), flags_(flags) {}
  ~CachedFile();
  CachedFile(const CachedFile&) = delete;
  CachedFile& operator=(const CachedFile&) = delete;

  // The descriptor, pinned; opened (with `extra_flags`, e.g. O_CREAT, and
  // `mode` on this open only) when it is not open. No system call when it is.
  Result<FileRef> Acquire(int extra_flags = 0, mode_t mode = 0644);
  // Flags for later opens (a sealed segment is reopened read-only).
  void set_flags(int flags) { flags_.store(flags, std::memory_order_relaxed); }
  const std::string& path() const { return path_; }
  DescriptorCache& cache() const { return *cache_; }
  bool is_open();
  // The file's name is gone for good (its data moved to the remote tier):
  // the descriptor is closed now, or when its last pin goes, so the disk
  // space comes back; a later Acquire fails as the name does.
  void CloseWhenIdle();

 private:
  friend class DescriptorCache;
  friend class FileRef;
  Status OpenLocked(int extra_flags, mode_t mode);
  void Pin() { pins_.fetch_add(1, std::memory_order_relaxed); }
  void Unpin();

  const std::shared_ptr<DescriptorCache> cache_;
  const std::string path_;
  std::atomic<int> flags_;
  std::mutex mu_;  // guards fd_; taken before the cache's mu_
  int fd_ = -1;
  std::atomic<int> pins_{0};  // raised only under mu_
  std::atomic<bool> close_when_idle_{false};
  std::atomic<uint64_t> last_use_{0};
  size_t slot_ = SIZE_MAX;  // index in cache_->open_; guarded by cache_->mu_
};

}  // namespace topicfs::store
