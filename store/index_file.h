// The bytes of one sparse index file (.index or .timeindex) and their
// persistence. The active segment's index lives in memory and is appended to
// its file once per batch, through a descriptor of the store's cache; a
// sealed index is memory-mapped on first use (the mapping needs no
// descriptor) and its size is learnt on first use too, so opening a sealed
// segment touches no file.
// Callers serialize access (the partition lock), except size_bytes(), which
// is safe from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/descriptor_cache.h"
#include "store/private_header.h"
#include "store/status.h"

namespace topicfs::store {

class IndexFile {
 public:
  // Opens (creating if missing) a growable index; loads existing bytes.
  static Result<std::unique_ptr<IndexFile>> OpenWritable(const std::string& path, size_t entry_size,
                                                         DescriptorCache& files);
  // The same, reading the file on first use instead (a mount opens every
  // partition's active segment and reads none of their indexes).
  static std::unique_ptr<IndexFile> OpenWritableLazily(const std::string& path, size_t entry_size,
                                                       DescriptorCache& files);
  // Opens an existing immutable index lazily; a missing file reads as empty.
  static std::unique_ptr<IndexFile> OpenSealed(const std::string& path, size_t entry_size,
                                               Env& env);
  // An immutable index held in memory (a remote segment's, fetched once);
  // `name` stands for its path in messages.
  static std::unique_ptr<IndexFile> FromBytes(const std::string& name, size_t entry_size,
                                              std::string bytes);
  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  // Reads a lazily opened writable index; a no-op once read. Append()
  // needs it first; bytes() of an index that cannot be read is empty.
  Status EnsureLoaded();
  // Whole entries only; a trailing fraction of an entry is ignored.
  std::string_view bytes();
  // Bytes of whole entries, as a reader of the file sees them.
  size_t size_bytes() const;
  size_t entries() { return bytes().size() / entry_size_; }
  size_t entry_size() const { return entry_size_; }
  const std::string& path() const { return path_; }

  // Buffers one encoded entry; WritePending() persists it.
  void Append(const char* entry);
  // Writes buffered entries to the file (one pwrite).
  Status WritePending();
  // Keeps the first `entries`; writes the file to match.
  Status Truncate(size_t entries);
  // A sealed index's bytes replaced by `bytes` (rebuilt from the .log, its
  // file replaced by a rename): served from memory from now on. Under the
  // partition lock, as every reader of a sealed index's bytes() is.
  void ReplaceSealedBytes(std::string bytes);
  // Persists, then drops the in-memory copy: the index becomes read-only.
  Status Seal();
  bool sealed() const { return sealed_; }

 private:
  IndexFile(std::string path, size_t entry_size)
      : path_(std::move(path)), entry_size_(entry_size) {}
  void MapIfNeeded();
  void Map();
  Status Load();

  static constexpr size_t kUnknownSize = SIZE_MAX;
  std::string path_;
  size_t entry_size_;
  bool sealed_ = false;
  // Writable state.
  std::shared_ptr<CachedFile> file_;
  Env* env_ = &Env::Default();  // the store's; opens of a sealed index go through it
  bool loaded_ = false;
  std::string buffer_;
  size_t persisted_ = 0;                 // bytes of buffer_ already in the file
  mutable std::atomic<size_t> size_{0};  // kUnknownSize: sealed, not yet looked at
  // Sealed state.
  std::once_flag map_once_;
  const char* map_ = nullptr;
  size_t map_size_ = 0;
  bool mapped_ = false;  // map_ is a mapping of the file, not held_
  std::string held_;     // FromBytes: the bytes map_ points into
};

}  // namespace topicfs::store
